package dev.broadcaster.bench.servers.shared;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The baseline: what a Jakarta EE developer writes today with plain JAX-RS, one {@link SseBroadcaster}
 * per channel, created on first use. No per-connection queue, no encoding once, no eviction: the
 * runtime's broadcaster writes each event to each sink in turn. Thread-safe; one instance per
 * application (the resources that use it are singletons).
 */
public final class NaiveChannels implements AutoCloseable {

    private final ConcurrentMap<String, SseBroadcaster> broadcasters = new ConcurrentHashMap<>();

    /**
     * Sends the comment {@code connected} to {@code sink}, then registers it with the channel's
     * broadcaster (the order a developer would write; the client reads the comment as "subscribed").
     */
    public void subscribe(String channel, SseEventSink sink, Sse sse) {
        sink.send(sse.newEventBuilder().comment("connected").build());
        broadcaster(channel, sse).register(sink);
    }

    /**
     * Broadcasts one unnamed event whose data is {@code body} to the channel's sinks and answers as
     * {@link PublishTiming#timed}, timing {@code SseBroadcaster.broadcast} only.
     */
    public Response publish(String channel, String body, Sse sse) {
        SseBroadcaster broadcaster = broadcaster(channel, sse);
        OutboundSseEvent event = sse.newEventBuilder().data(body).build();
        return PublishTiming.timed(() -> broadcaster.broadcast(event));
    }

    /** Closes every broadcaster and with it every registered sink, so that a stopping server is not held by open streams. */
    @Override
    public void close() {
        broadcasters.values().forEach(SseBroadcaster::close);
        broadcasters.clear();
    }

    private SseBroadcaster broadcaster(String channel, Sse sse) {
        return broadcasters.computeIfAbsent(channel, name -> sse.newBroadcaster());
    }
}
