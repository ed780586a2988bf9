package dev.broadcaster.cluster.redis;

import dev.broadcaster.SseEvent;
import dev.broadcaster.cluster.ClusterEngine;
import dev.broadcaster.cluster.ClusterNode;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The text of what nodes tell each other on the bus (one Redis pub/sub channel) and of a stream entry.
 * A message is one header line of tab-separated fields, the kind first and the sending node second, then
 * for some kinds a newline and a body. Channel names, node and connection ids never hold a tab or a newline;
 * a user name or an event's data goes in the body, which is taken as it is.
 * <ul>
 *   <li>{@code E node opId channel exclude id \n event}: an event published on a channel (the id is added by
 *       the publishing script)</li>
 *   <li>{@code S node connectionId \n event}: an event for one connection</li>
 *   <li>{@code K node channel}: kill; {@code D node channel \n user}: disconnect; {@code P node channel}:
 *       presence changed</li>
 *   <li>{@code R node channel}: the node published on the channel while cut off from the others (an empty
 *       channel: on every channel); their clients of it must resync</li>
 * </ul>
 * An event body is its name, its retry in milliseconds (each possibly empty) and its data, one per line.
 * What is sent on the bus may be signed ({@link Signatures}); {@link #parse} checks the rest, so that whatever
 * reaches Redis, the node only ever does what a well-formed message asks.
 */
record BusMessage(char kind, String node, List<String> fields, String body) {

    static final char EVENT = 'E';
    static final char SEND = 'S';
    static final char KILL = 'K';
    static final char DISCONNECT = 'D';
    static final char PRESENCE = 'P';
    static final char MISSED = 'R';

    private static final Pattern STREAM_ID = Pattern.compile("\\d{1,19}-\\d{1,19}");

    /**
     * The message {@code text} holds (without its signature: see {@link Signatures}), checked so that
     * {@link #applyTo} can do what it asks: its kind, its number of fields, and what its fields and body must be.
     *
     * @throws IllegalArgumentException saying what is wrong, if it is not a bus message
     */
    static BusMessage parse(String text) {
        int newline = text.indexOf('\n');
        String head = newline < 0 ? text : text.substring(0, newline);
        String body = newline < 0 ? null : text.substring(newline + 1);
        String[] parts = head.split("\t", -1);
        if (parts.length < 2 || parts[0].length() != 1 || parts[1].isEmpty()) {
            throw new IllegalArgumentException("not a bus message");
        }
        BusMessage message = new BusMessage(parts[0].charAt(0), parts[1],
                List.of(Arrays.copyOfRange(parts, 2, parts.length)), body);
        message.check();
        return message;
    }

    private void check() {
        switch (kind) {
            case EVENT -> {
                expect(4, true);
                try {
                    Long.parseLong(field(0));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("event message with operation id " + field(0));
                }
                if (!STREAM_ID.matcher(field(3)).matches()) {
                    throw new IllegalArgumentException("event message without a stream id");
                }
                event(body, field(3));
            }
            case SEND -> {
                expect(1, true);
                event(body, null);
            }
            case KILL, PRESENCE, MISSED -> expect(1, false);
            case DISCONNECT -> expect(1, true);
            default -> throw new IllegalArgumentException("unknown bus message kind " + kind);
        }
        if (kind != SEND && kind != MISSED && field(kind == EVENT ? 1 : 0).isEmpty()) {
            throw new IllegalArgumentException("bus message " + kind + " without a channel");
        }
    }

    private void expect(int fieldCount, boolean withBody) {
        if (fields.size() != fieldCount || (body != null) != withBody) {
            throw new IllegalArgumentException("bus message " + kind + " with " + fields.size() + " fields and "
                    + (body == null ? "no body" : "a body") + ": expected " + fieldCount + (withBody ? " and a body"
                    : " and no body"));
        }
    }

    /**
     * Does what this message asks of {@code node}. Kill and disconnect were already done by the node that sent
     * them; events and presence changes are for every node, the sender too.
     */
    void applyTo(ClusterNode node) {
        boolean mine = this.node.equals(node.id());
        switch (kind) {
            case EVENT -> {
                String id = field(3);
                node.deliver(field(1), new ClusterEngine.IdentifiedEvent(id, RedisEngine.position(id), event(body, id)),
                        exclude(field(2)), this.node, Long.parseLong(field(0)));
            }
            case SEND -> node.deliverTo(field(0), event(body, null));
            case KILL -> {
                if (!mine) {
                    node.kill(field(0));
                }
            }
            case DISCONNECT -> {
                if (!mine) {
                    node.disconnect(field(0), body);
                }
            }
            case PRESENCE -> node.presenceChanged(field(0));
            case MISSED -> {
                if (!mine) {
                    node.missed(field(0).isEmpty() ? null : field(0));
                }
            }
            default -> throw new IllegalArgumentException("unknown bus message kind " + kind);
        }
    }

    String field(int index) {
        if (index >= fields.size()) {
            throw new IllegalArgumentException("bus message " + kind + " has no field " + index);
        }
        return fields.get(index);
    }

    /** The head of an event message up to its id, which the publishing script appends. */
    static String eventHead(String node, long opId, String channel, Set<String> exclude) {
        return EVENT + "\t" + node + "\t" + opId + "\t" + channel + "\t" + String.join(",", exclude) + "\t";
    }

    static String send(String node, String connectionId, SseEvent event) {
        return SEND + "\t" + node + "\t" + connectionId + "\n" + eventBody(event);
    }

    static String kill(String node, String channel) {
        return KILL + "\t" + node + "\t" + channel;
    }

    static String disconnect(String node, String channel, String user) {
        return DISCONNECT + "\t" + node + "\t" + channel + "\n" + user;
    }

    /** {@code channel} (empty: every channel) had events that only {@code node}'s clients got. */
    static String missed(String node, String channel) {
        return MISSED + "\t" + node + "\t" + channel;
    }

    static String presence(String node, String channel) {
        return PRESENCE + "\t" + node + "\t" + channel;
    }

    static Set<String> exclude(String csv) {
        return csv.isEmpty() ? Set.of() : new LinkedHashSet<>(Arrays.asList(csv.split(",")));
    }

    /** The event without its id, as carried in a message body or a stream entry. */
    static String eventBody(SseEvent event) {
        return (event.name() == null ? "" : event.name()) + "\n"
                + (event.retry() == null ? "" : Long.toString(event.retry().toMillis())) + "\n" + event.data();
    }

    /** The event of {@link #eventBody}, with {@code id}; an {@link IllegalArgumentException} if it is not one. */
    static SseEvent event(String body, String id) {
        int first = body.indexOf('\n');
        int second = body.indexOf('\n', first + 1);
        if (first < 0 || second < 0) {
            throw new IllegalArgumentException("not an event body");
        }
        String name = body.substring(0, first);
        String retry = body.substring(first + 1, second);
        if (!retry.isEmpty() && !retry.matches("\\d{1,10}")) {
            throw new IllegalArgumentException("not an event body: retry " + retry);
        }
        return new SseEvent(name.isEmpty() ? null : name, id,
                retry.isEmpty() ? null : Duration.ofMillis(Long.parseLong(retry)), body.substring(second + 1));
    }
}
