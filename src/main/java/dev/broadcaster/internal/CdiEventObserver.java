package dev.broadcaster.internal;

import dev.broadcaster.Broadcast;
import dev.broadcaster.ChannelRegistry;
import dev.broadcaster.Disconnect;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;

/**
 * Hands {@link Broadcast} and {@link Disconnect} CDI events to the registry: synchronous events after
 * the surrounding transaction commits (at once when there is none, never after a rollback),
 * asynchronous ones as they arrive.
 */
@ApplicationScoped
public class CdiEventObserver {

    @Inject
    ChannelRegistry registry;

    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) Broadcast broadcast) {
        publish(broadcast);
    }

    void async(@ObservesAsync Broadcast broadcast) {
        publish(broadcast);
    }

    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) Disconnect disconnect) {
        close(disconnect);
    }

    void async(@ObservesAsync Disconnect disconnect) {
        close(disconnect);
    }

    private void publish(Broadcast broadcast) {
        registry.broadcast(broadcast.channel(), broadcast.message(), broadcast.exclude());
    }

    private void close(Disconnect disconnect) {
        if (disconnect.user() == null) {
            registry.kill(disconnect.channel());
        } else {
            registry.disconnect(disconnect.channel(), disconnect.user());
        }
    }
}
