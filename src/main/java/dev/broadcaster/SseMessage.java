package dev.broadcaster;

/**
 * Anything that can be sent to a channel or a connection. A message turns itself into exactly one
 * {@link SseEvent}; the library encodes that event once per broadcast, whatever the number of
 * connections.
 *
 * <p>Ready-made messages: {@link SseEvent} (a named event, e.g. for htmx's {@code sse-swap}),
 * {@link JsonMessage} (a typed JSON message) and the Datastar events in
 * {@code dev.broadcaster.datastar}.
 */
@FunctionalInterface
public interface SseMessage {

    /** The event this message is sent as. */
    SseEvent toEvent();
}
