package dev.broadcaster;

import dev.broadcaster.datastar.PatchElements;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Renders a channel's presence after users join or leave; the message it returns is broadcast to the
 * channel. It is called off the request thread, one call at a time per channel, with the latest user
 * list (bursts are coalesced, so clients never see an older list after a newer one). Returning
 * {@code null} sends nothing; an exception is logged and the channel keeps working.
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

    /** A renderer whose HTML is sent as a Datastar {@code patch-elements} (elements matched by id). */
    static PresenceRenderer html(BiFunction<String, List<String>, String> template) {
        return (channel, users) -> {
            String html = template.apply(channel, users);
            return html == null ? null : PatchElements.of(html);
        };
    }
}
