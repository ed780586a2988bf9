package dev.broadcaster.support;

import dev.broadcaster.Broadcast;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.UserTransaction;

/** An application bean that fires {@link Broadcast} events, inside a JTA transaction or not. */
@ApplicationScoped
public class TransactionalPublisher {

    @Inject
    Event<Broadcast> broadcasts;

    public void fire(Broadcast broadcast) {
        broadcasts.fire(broadcast);
    }

    public void fireAsync(Broadcast broadcast) {
        broadcasts.fireAsync(broadcast);
    }

    /** Begins a transaction, fires {@code broadcast}, runs {@code whileOpen}, then commits or rolls back. */
    public void fireInTransaction(Broadcast broadcast, Runnable whileOpen, boolean commit) throws Exception {
        UserTransaction transaction = NarayanaTransactionServices.userTransaction();
        transaction.begin();
        try {
            broadcasts.fire(broadcast);
            whileOpen.run();
        } finally {
            if (commit) {
                transaction.commit();
            } else {
                transaction.rollback();
            }
        }
    }
}
