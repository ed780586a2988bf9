package dev.broadcaster.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The event ids of a stream of several channels: one id that says, for every channel of the stream in the order the
 * stream names them, the last event of that channel the client was sent, so one {@code Last-Event-ID} resumes them
 * all. It is the channels' own ids, each shortened where its form allows, joined by {@code ','}:
 * <ul>
 * <li>{@code <a>-<b>} with {@code a} and {@code b} decimal numbers (a backplane's id, e.g. Redis's
 *     {@code 1733123456789-0}): {@code :<a base 36>-<b base 36>};</li>
 * <li>{@code <epoch>-<sequence>} (a single node's id): {@code <epoch>-<sequence base 36>};</li>
 * <li>any other id: {@code =<its UTF-8 in base64url>}.</li>
 * </ul>
 * Nothing in an id is trusted: {@link #parse} answers null for anything it did not make, and an id it decodes is
 * only ever looked up in a channel's log, which answers {@code resync} for an id it does not know. Longest ids for
 * 16 channels: 223 characters on a single node (8-character epochs, sequences below 36<sup>4</sup> = 1,679,616), 191
 * in a Redis cluster (millisecond ids, 8 base-36 digits until the year 2059; fewer than 36 events in one millisecond).
 */
final class StreamIds {

    private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,17}");
    private static final Pattern BASE36 = Pattern.compile("0|[1-9a-z][0-9a-z]{0,11}");
    private static final Pattern EPOCH = Pattern.compile("[0-9a-z]{1,13}");

    private StreamIds() {
    }

    /** The short form of one channel's id ({@code null} or empty: no id, an empty token). */
    static String token(String channelId) {
        if (channelId == null || channelId.isEmpty()) {
            return "";
        }
        int dash = channelId.indexOf('-');
        if (dash > 0 && dash == channelId.lastIndexOf('-')) {
            String left = channelId.substring(0, dash);
            String right = channelId.substring(dash + 1);
            if (DECIMAL.matcher(right).matches()) {
                String sequence = Long.toString(Long.parseLong(right), 36);
                if (DECIMAL.matcher(left).matches()) {
                    return ":" + Long.toString(Long.parseLong(left), 36) + "-" + sequence;
                }
                if (EPOCH.matcher(left).matches()) {
                    return left + "-" + sequence;
                }
            }
        }
        return "=" + Base64.getUrlEncoder().withoutPadding().encodeToString(channelId.getBytes(StandardCharsets.UTF_8));
    }

    /** The channel's id a token stands for; null for an empty token; throws for one {@link #token} never makes. */
    static String channelId(String token) {
        if (token.isEmpty()) {
            return null;
        }
        if (token.charAt(0) == '=') {
            String id = new String(Base64.getUrlDecoder().decode(token.substring(1)), StandardCharsets.UTF_8);
            if (id.isEmpty() || id.indexOf('\n') >= 0 || id.indexOf('\r') >= 0 || id.indexOf('\0') >= 0
                    || id.length() > 200) {
                throw new IllegalArgumentException("not an id");
            }
            return id;
        }
        boolean decimal = token.charAt(0) == ':';
        String body = decimal ? token.substring(1) : token;
        int dash = body.indexOf('-');
        if (dash <= 0 || dash != body.lastIndexOf('-')) {
            throw new IllegalArgumentException("not an id");
        }
        String left = body.substring(0, dash);
        String right = body.substring(dash + 1);
        if (!BASE36.matcher(right).matches() || !(decimal ? BASE36 : EPOCH).matcher(left).matches()) {
            throw new IllegalArgumentException("not an id");
        }
        String sequence = Long.toString(Long.parseLong(right, 36));
        return (decimal ? Long.toString(Long.parseLong(left, 36)) : left) + "-" + sequence;
    }

    /** The stream id of these tokens (one per channel, in the stream's order). */
    static String join(String[] tokens) {
        return String.join(",", tokens);
    }

    /**
     * The channels' own ids in a stream id of {@code channels} channels (null for a channel it gives none), or null
     * if it is not such an id: malformed, forged, or made for another number of channels.
     */
    static String[] parse(String streamId, int channels) {
        if (streamId == null || streamId.length() > 64 * channels) {
            return null;
        }
        String[] tokens = streamId.split(",", -1);
        if (tokens.length != channels) {
            return null;
        }
        String[] ids = new String[channels];
        try {
            for (int i = 0; i < channels; i++) {
                ids[i] = channelId(tokens[i]);
            }
        } catch (IllegalArgumentException e) { // includes a number out of range and bad base64
            return null;
        }
        return ids;
    }
}
