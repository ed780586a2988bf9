package dev.broadcaster;

import dev.broadcaster.datastar.PatchElements;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Renders a channel's presence after the set of its distinct users changed; the message it returns is sent to the
 * channel's connections. It is called off the request thread, one call at a time per channel, with the latest user
 * list (bursts are coalesced, so clients never see an older list after a newer one), and not at all when a join or
 * leave leaves the distinct users as they were (a second tab; a user back within
 * {@code broadcaster.presence-leave-grace}). Returning {@code null} sends nothing; an exception is logged and the
 * channel keeps working.
 *
 * <p>Presence is current state, not history: the rendered events are sent without an event id (any id they carry
 * is dropped), take no place in the channel's resume history, and the latest render is sent once to every
 * connection that joins later, after its replay. To send several events per render (say a Datastar patch and an
 * htmx named event), return {@link #events(SseMessage...)}.
 *
 * <pre>{@code
 * registry.create("room-42", PresenceRenderer.html((channel, users) ->
 *         "<ul id=\"online\">" + users.stream().map(u -> "<li>" + u + "</li>").collect(joining()) + "</ul>"));
 * }</pre>
 */
@FunctionalInterface
public interface PresenceRenderer {

    /**
     * The message to broadcast for {@code users}: the distinct users of {@code channel}, in the
     * order they first joined.
     */
    SseMessage render(String channel, List<String> users);

    /**
     * Several events sent as one presence render, in this order (e.g. an htmx named event and a Datastar patch).
     * Only a presence renderer may return it: {@link ChannelRegistry#broadcast} and {@link ChannelRegistry#send}
     * take one event and refuse it with {@link IllegalArgumentException}.
     */
    static Events events(SseMessage... messages) {
        return new Events(Arrays.asList(messages));
    }

    /**
     * The events of one presence render ({@link #events(SseMessage...)}), at least one.
     *
     * @param messages the events, sent in this order
     */
    record Events(List<SseMessage> messages) implements SseMessage {

        public Events {
            messages = List.copyOf(messages);
            if (messages.isEmpty()) {
                throw new IllegalArgumentException("a presence render needs at least one event");
            }
        }

        /** Always throws: a presence render of several events is not one event. */
        @Override
        public SseEvent toEvent() {
            throw new IllegalArgumentException("PresenceRenderer.events(...) is the result of a presence renderer,"
                    + " not one event to broadcast or send");
        }
    }

    /** A renderer whose HTML is sent as a Datastar {@code patch-elements} (elements matched by id). */
    static PresenceRenderer html(BiFunction<String, List<String>, String> template) {
        return (channel, users) -> {
            String html = template.apply(channel, users);
            return html == null ? null : PatchElements.of(html);
        };
    }
}
