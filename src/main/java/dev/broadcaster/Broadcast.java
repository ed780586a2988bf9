package dev.broadcaster;

import dev.broadcaster.datastar.ElementPatchMode;
import dev.broadcaster.datastar.PatchElements;
import dev.broadcaster.datastar.PatchSignals;
import dev.broadcaster.internal.PublishRules;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A CDI event that sends {@code message} to every connection of {@code channel}, except the
 * connection ids in {@code exclude}. Fire it from any bean or EJB:
 *
 * <pre>{@code
 * @Inject Event<Broadcast> broadcasts;
 * broadcasts.fire(Broadcast.elements("room-42", "<ul id=\"messages\">…</ul>"));      // after commit
 * broadcasts.fireAsync(Broadcast.signals("room-42", "{\"count\":3}"));                // at once, async
 * }</pre>
 *
 * A synchronous {@code fire} inside a JTA transaction is delivered after the commit and never after
 * a rollback; outside a transaction it is delivered at once. Publishing never waits for the fan-out.
 *
 * <p>A broadcast that could not be delivered fails for the code that fires it, never after the commit:
 * creating one with a channel nobody can join (not a valid channel name, or reserved {@code broadcaster:…}) or
 * with a reserved event name ({@code resync}, {@code closing}) throws {@link IllegalArgumentException}, and
 * {@code fire} throws {@link MessageTooLargeException} when the encoded event exceeds
 * {@code broadcaster.max-message-size}, before any after-commit delivery is registered, so the exception leaves
 * {@code fire} inside the caller's transaction (an EJB's transaction then rolls back, and its other broadcasts
 * are not delivered either). With {@code fireAsync} the returned stage completes exceptionally instead.
 *
 * <p>To learn the id the event got (say, to render a page from the state it belongs to), fire it with a future:
 * {@code broadcasts.fire(Broadcast.elements(room, html).reportingIdTo(id))}. The future completes with the id once
 * the event is published (after the commit; in a cluster once the backplane ordered it), with null if no channel of
 * that name recorded it (a single node where nobody is connected), and exceptionally if the transaction rolls back.
 *
 * @param eventId completed with the id the event got, or null for none wanted
 */
public record Broadcast(String channel, SseMessage message, Set<String> exclude, CompletableFuture<String> eventId) {

    /**
     * @throws IllegalArgumentException if nobody can ever join {@code channel} or the event name is reserved
     */
    public Broadcast {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(message, "message");
        PublishRules.requireJoinableChannel(channel);
        PublishRules.requireUnreservedName(message.toEvent());
        exclude = exclude == null ? Set.of() : Set.copyOf(exclude);
    }

    /** Without a future for its id. */
    public Broadcast(String channel, SseMessage message, Set<String> exclude) {
        this(channel, message, exclude, null);
    }

    /** Sends any message to the channel. */
    public static Broadcast of(String channel, SseMessage message) {
        return new Broadcast(channel, message, Set.of());
    }

    /** Datastar: patches {@code html} (elements matched by id). */
    public static Broadcast elements(String channel, String html) {
        return of(channel, PatchElements.of(html));
    }

    /** Datastar: patches {@code html} into {@code selector} with {@code mode}. */
    public static Broadcast elements(String channel, String html, String selector, ElementPatchMode mode) {
        return of(channel, PatchElements.of(html).withSelector(selector).withMode(mode));
    }

    /** Datastar: patches signals with the JSON merge patch {@code json}. */
    public static Broadcast signals(String channel, String json) {
        return of(channel, PatchSignals.of(json));
    }

    /**
     * htmx: HTML that htmx 4 and htmx 2 pages alike swap, sent as one unnamed event. htmx 4's {@code hx-sse:connect}
     * swaps it into the element's {@code hx-target}; an {@code EventSource} names it {@code message}, which
     * htmx-ext-sse 2 swaps with {@code sse-swap="message"}. Parts marked {@code hx-swap-oob} go where their ids say,
     * in both.
     */
    public static Broadcast swap(String channel, String html) {
        return of(channel, SseEvent.data(html));
    }

    /**
     * htmx 2: a named event, swapped by htmx-ext-sse's {@code sse-swap="<name>"}. (htmx 4 dispatches named events
     * as DOM events and swaps only unnamed ones: see {@link #swap}.)
     */
    public static Broadcast event(String channel, String name, String html) {
        return of(channel, SseEvent.named(name, html));
    }

    /** A typed JSON message ({@link JsonMessage}). */
    public static Broadcast message(String channel, String type, Object data) {
        return of(channel, JsonMessage.of(type, data));
    }

    /** The same broadcast, skipping the given connection ids (e.g. the sender's own tab). */
    public Broadcast excluding(String... connectionIds) {
        return new Broadcast(channel, message, Set.copyOf(Arrays.asList(connectionIds)), eventId);
    }

    /** The same broadcast, completing {@code id} with the id the event gets (see the class comment). */
    public Broadcast reportingIdTo(CompletableFuture<String> id) {
        return new Broadcast(channel, message, exclude, Objects.requireNonNull(id, "id"));
    }
}
