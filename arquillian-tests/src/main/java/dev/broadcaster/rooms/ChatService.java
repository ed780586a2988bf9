package dev.broadcaster.rooms;

import dev.broadcaster.Broadcast;
import dev.broadcaster.datastar.ElementPatchMode;
import dev.broadcaster.datastar.PatchElements;
import dev.broadcaster.datastar.PatchSignals;
import jakarta.annotation.Resource;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.time.Instant;

/**
 * Posts chat messages. Runs in a container-managed JTA transaction: the {@link Broadcast} events it
 * fires are delivered when the transaction commits, and never if it rolls back. A message the broadcaster
 * cannot send (larger than {@code broadcaster.max-message-size}) makes {@code fire} throw
 * {@code MessageTooLargeException}, which {@code WEB-INF/ejb-jar.xml} declares an application exception with
 * rollback: the transaction rolls back (nothing is sent, the count is taken back) and the caller gets it as is.
 */
@Stateless
public class ChatService {

    @Inject
    Event<Broadcast> broadcasts;

    @Inject
    Rooms rooms;

    @Resource
    SessionContext context;

    @Resource
    TransactionSynchronizationRegistry transaction;

    /** Posts {@code text} as {@code user} in {@code room}; returns the room's message count. */
    public long post(String room, String user, String text) {
        Rooms.Counted counted = rooms.countMessage(room);
        long count = counted.count();
        // the count map is not transactional: take the count back if the transaction does not commit
        transaction.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status != Status.STATUS_COMMITTED) {
                    counted.takeBack();
                }
            }
        });
        String line = ChatHtml.messageLine(user, text, Instant.now());
        // htmx pages, 2 and 4 alike, from one unnamed event: the line is appended to #messages (htmx 2:
        // sse-swap="message"; htmx 4: the stream's hx-target), the counter is swapped out of band
        broadcasts.fire(Broadcast.swap(room,
                line + "\n<span id=\"counter\" hx-swap-oob=\"true\">" + count + "</span>"));
        // Datastar page: append the line, update the $count signal
        broadcasts.fire(Broadcast.of(room, PatchElements.of(line).withSelector("#messages")
                .withMode(ElementPatchMode.APPEND)));
        broadcasts.fire(Broadcast.of(room, PatchSignals.of("{\"count\":" + count + "}")));
        return count;
    }

    /** Fires a message event, then rolls the transaction back: nobody may ever receive it. */
    public void postAndRollBack(String room, String user, String text) {
        broadcasts.fire(Broadcast.swap(room, ChatHtml.messageLine(user, text, Instant.now())));
        context.setRollbackOnly();
    }
}
