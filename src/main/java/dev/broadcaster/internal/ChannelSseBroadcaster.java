package dev.broadcaster.internal;

import dev.broadcaster.ConnectOptions;
import dev.broadcaster.SseEvent;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A JAX-RS {@link SseBroadcaster} that is a view of one channel ({@link dev.broadcaster.ChannelRegistry#broadcaster}):
 * {@link #register} connects a sink to the channel as the request that opened it (its user, its
 * {@code Last-Event-ID}: {@link StreamRequest}); {@link #broadcast} publishes to every connection of the channel;
 * the listeners hear of the sinks this view registered. The contract's differences are stated on
 * {@link dev.broadcaster.ChannelRegistry#broadcaster}.
 */
final class ChannelSseBroadcaster implements SseBroadcaster {

    private static final System.Logger LOG = System.getLogger(ChannelSseBroadcaster.class.getName());
    private static final String CONNECTING = "";

    private final DefaultChannelRegistry registry;
    private final String channel;
    private final StreamRequest request; // the current request's, a CDI proxy
    private final Map<SseEventSink, String> sinks = new ConcurrentHashMap<>(); // open sinks -> connection id
    private final List<Consumer<SseEventSink>> closeListeners = new CopyOnWriteArrayList<>();
    private final List<BiConsumer<SseEventSink, Throwable>> errorListeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    ChannelSseBroadcaster(DefaultChannelRegistry registry, String channel, StreamRequest request) {
        this.registry = registry;
        this.channel = channel;
        this.request = request;
    }

    @Override
    public void onError(BiConsumer<SseEventSink, Throwable> listener) {
        requireOpen();
        errorListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void onClose(Consumer<SseEventSink> listener) {
        requireOpen();
        closeListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void register(SseEventSink sink) {
        requireOpen();
        Objects.requireNonNull(sink, "sink");
        if (sinks.putIfAbsent(sink, CONNECTING) != null) {
            return; // registered already
        }
        SecurityContext security = null;
        String lastEventId = null;
        String clientAddress = null;
        try {
            security = request.security();
            lastEventId = request.lastEventId();
            clientAddress = request.clientAddress();
        } catch (ContextNotActiveException e) {
            // not on a request thread: an anonymous stream without resume
        }
        ConnectOptions options = ConnectOptions.resumingFrom(lastEventId)
                .withClientAddress(Admission.anonymous(security) ? clientAddress : null);
        try {
            String id = registry.connect(channel, security, sink, options, error -> ended(sink, error)).id();
            sinks.replace(sink, CONNECTING, id);
        } catch (RuntimeException | Error e) {
            sinks.remove(sink, CONNECTING);
            throw e;
        }
    }

    @Override
    public CompletionStage<?> broadcast(OutboundSseEvent event) {
        requireOpen();
        return registry.broadcastForId(channel, toEvent(event), Set.of());
    }

    @Override
    public void close() {
        close(true);
    }

    @Override
    public void close(boolean cascading) {
        if (closed) {
            return;
        }
        closed = true;
        if (cascading) {
            sinks.values().stream().filter(id -> !id.equals(CONNECTING)).forEach(registry::closeConnection);
        } else {
            sinks.clear();
            closeListeners.clear();
            errorListeners.clear();
        }
    }

    /** A sink this view registered was closed: tells the listeners (errors first), once. */
    private void ended(SseEventSink sink, Throwable error) {
        if (sinks.remove(sink) == null) {
            return;
        }
        if (error != null) {
            errorListeners.forEach(listener -> tell(() -> listener.accept(sink, error)));
        }
        closeListeners.forEach(listener -> tell(() -> listener.accept(sink)));
    }

    private static void tell(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "A broadcaster view's listener failed", e);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("This broadcaster of channel '" + channel + "' is closed");
        }
    }

    /**
     * The library's event for a JAX-RS one: name, reconnect delay and data (a {@code String} as it is, other data
     * of a JSON media type serialised with JSON-B). Its id is replaced by the channel's; a comment, no data, or
     * other data are refused with {@link IllegalArgumentException}.
     */
    static SseEvent toEvent(OutboundSseEvent event) {
        Objects.requireNonNull(event, "event");
        if (event.getComment() != null) {
            throw new IllegalArgumentException("A comment cannot be broadcast to a channel (the library writes its"
                    + " own heartbeats): send an event with data");
        }
        Object data = event.getData();
        String text;
        if (data instanceof String string) {
            text = string;
        } else if (data != null && json(event.getMediaType())) {
            text = JsonText.of(data);
        } else {
            throw new IllegalArgumentException(data == null ? "An event without data cannot be broadcast"
                    : "Only String data, or data of a JSON media type (serialised with JSON-B), can be broadcast; this"
                    + " event has " + data.getClass().getName() + " as " + event.getMediaType());
        }
        Duration retry = event.isReconnectDelaySet() ? Duration.ofMillis(event.getReconnectDelay()) : null;
        return new SseEvent(event.getName(), null, retry, text);
    }

    private static boolean json(MediaType type) {
        return type != null && ("json".equalsIgnoreCase(type.getSubtype())
                || type.getSubtype().toLowerCase(java.util.Locale.ROOT).endsWith("+json"));
    }
}
