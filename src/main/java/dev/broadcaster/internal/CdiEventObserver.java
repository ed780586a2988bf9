package dev.broadcaster.internal;

import dev.broadcaster.Broadcast;
import dev.broadcaster.Disconnect;
import dev.broadcaster.MessageTooLargeException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;

/**
 * Hands {@link Broadcast} and {@link Disconnect} CDI events to the registry: synchronous events after
 * the surrounding transaction commits (at once when there is none, never after a rollback),
 * asynchronous ones as they arrive.
 *
 * <p>The container only logs what an after-commit observer throws, so whatever could make delivery fail is
 * checked before: the channel name and event name when the event is created (its constructor), the encoded
 * size in {@link #refuseOversized}, an ordinary synchronous observer, which runs on the firing thread inside
 * the caller's transaction: its exception leaves {@code Event.fire}. CDI containers (Weld) call the immediate
 * observers of an event before they register its transactional ones, so a refused broadcast never reaches
 * {@link #afterCommit(Broadcast)}, even if the caller catches the exception and commits. Asynchronous events
 * are checked by the registry itself: the {@code fireAsync} stage completes exceptionally.
 */
@ApplicationScoped
public class CdiEventObserver {

    @Inject
    DefaultChannelRegistry registry;

    /**
     * Throws {@link MessageTooLargeException} to the code firing {@code broadcast} if its encoded event exceeds
     * {@code broadcaster.max-message-size}. The event is encoded here once (with the longest possible id) and
     * again when it is published; a second encoding per broadcast, not per connection, as for the HTTP publish.
     */
    void refuseOversized(@Observes Broadcast broadcast) {
        registry.requireWithinSizeLimit(broadcast.message());
    }

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
