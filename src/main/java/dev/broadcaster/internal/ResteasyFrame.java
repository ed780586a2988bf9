package dev.broadcaster.internal;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

/**
 * A {@link Frame} as sent to RESTEasy's event sink (Open Liberty, WildFly). RESTEasy serialises every
 * event again for every connection, writing its data byte by byte, and consults no application writer
 * for the event. It does write the {@code event} (or {@code id}) field's value as it is, followed by a
 * LF and the blank line: so this view gives as that value the rest of the frame's pre-encoded text,
 * which RESTEasy then writes in one piece. The text is the encoder's validated output, never anything
 * a client or publisher wrote unchecked (an {@code id:}-only frame, too). Frames with neither a name nor an id are
 * sent as themselves.
 */
final class ResteasyFrame implements OutboundSseEvent {

    private static final String NAME_LEAD = "event: ";
    private static final String ID_LEAD = "id: ";

    private final String name;
    private final String id;

    private ResteasyFrame(String name, String id) {
        this.name = name;
        this.id = id;
    }

    /** The view of {@code frame}, or {@code frame} itself if it has neither a name nor an id (a comment). */
    static OutboundSseEvent of(Frame frame) {
        if (frame.event() == null && frame.getComment() != null) {
            return frame;
        }
        // the value is decoded straight from the bytes after the lead: one copy of a joined write's up to 32 KiB, not two
        byte[] bytes = frame.wireBytesUnsafe();
        if (startsWith(bytes, NAME_LEAD)) {
            return new ResteasyFrame(valueAfter(bytes, frame.size(), NAME_LEAD), null);
        }
        if (startsWith(bytes, ID_LEAD)) {
            return new ResteasyFrame(null, valueAfter(bytes, frame.size(), ID_LEAD));
        }
        return frame;
    }

    /**
     * Whether {@code frame}'s first line is its {@code event:} or {@code id:} field: then this view writes it, and
     * any frames joined after it ({@link SseEncoder#joined}), as their bytes.
     */
    static boolean leadsWithField(Frame frame) {
        byte[] bytes = frame.wireBytesUnsafe();
        return startsWith(bytes, NAME_LEAD) || startsWith(bytes, ID_LEAD);
    }

    /** The text after {@code lead} up to the frame's closing blank line (which RESTEasy writes itself). */
    private static String valueAfter(byte[] bytes, int size, String lead) {
        return new String(bytes, lead.length(), size - 2 - lead.length(), StandardCharsets.UTF_8);
    }

    private static boolean startsWith(byte[] bytes, String ascii) {
        if (bytes.length < ascii.length()) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (bytes[i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** True if {@code sink} is RESTEasy's. */
    static boolean isResteasySink(Object sink) {
        return sink.getClass().getName().startsWith("org.jboss.resteasy.");
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public String getComment() {
        return null;
    }

    @Override
    public long getReconnectDelay() {
        return RECONNECT_NOT_SET;
    }

    @Override
    public boolean isReconnectDelaySet() {
        return false;
    }

    /** Not null, or RESTEasy would write no field at all; there is no data to write with it. */
    @Override
    public Class<?> getType() {
        return String.class;
    }

    @Override
    public Type getGenericType() {
        return String.class;
    }

    @Override
    public MediaType getMediaType() {
        return MediaType.TEXT_PLAIN_TYPE;
    }

    @Override
    public Object getData() {
        return null;
    }
}
