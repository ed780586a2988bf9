package dev.broadcaster.bench.servers.shared;

import java.nio.charset.StandardCharsets;

/**
 * The frame the containers' floors ({@code grizzly}, {@code liberty-servlet}) write for a publish: {@code data: },
 * the body as it came (the load generator's, one line), and the blank line.
 */
public final class DataFrame {

    private static final byte[] LEAD = "data: ".getBytes(StandardCharsets.US_ASCII);

    private DataFrame() {
    }

    /** {@code data: <body>\n\n}. */
    public static byte[] of(byte[] body) {
        byte[] frame = new byte[LEAD.length + body.length + 2];
        System.arraycopy(LEAD, 0, frame, 0, LEAD.length);
        System.arraycopy(body, 0, frame, LEAD.length, body.length);
        frame[frame.length - 2] = '\n';
        frame[frame.length - 1] = '\n';
        return frame;
    }
}
