package dev.broadcaster.internal;

import dev.broadcaster.Broadcast;
import dev.broadcaster.Disconnect;
import dev.broadcaster.MessageTooLargeException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;

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

    /** A broadcast whose transaction rolled back was never sent: its id future, if any, fails. */
    void afterRollback(@Observes(during = TransactionPhase.AFTER_FAILURE) Broadcast broadcast) {
        if (broadcast.eventId() != null) {
            broadcast.eventId().completeExceptionally(new IllegalStateException(
                    "The transaction rolled back: the broadcast was not sent"));
        }
    }

    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) Disconnect disconnect) {
        close(disconnect);
    }

    void async(@ObservesAsync Disconnect disconnect) {
        close(disconnect);
    }

    private void publish(Broadcast broadcast) {
        CompletableFuture<String> eventId = broadcast.eventId();
        if (eventId == null) {
            registry.broadcast(broadcast.channel(), broadcast.message(), broadcast.exclude());
            return;
        }
        try {
            registry.broadcastForId(broadcast.channel(), broadcast.message(), broadcast.exclude())
                    .whenComplete((id, failure) -> {
                        if (failure != null) {
                            eventId.completeExceptionally(failure);
                        } else {
                            eventId.complete(id);
                        }
                    });
        } catch (RuntimeException e) {
            eventId.completeExceptionally(e);
            throw e;
        }
    }

    private void close(Disconnect disconnect) {
        if (disconnect.user() == null) {
            registry.kill(disconnect.channel());
        } else {
            registry.disconnect(disconnect.channel(), disconnect.user());
        }
    }
}
