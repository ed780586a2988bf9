package dev.broadcaster.support;

import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.UserTransaction;
import org.jboss.weld.transaction.spi.TransactionServices;

/** Gives Weld SE a real JTA transaction manager (Narayana), so transactional observers behave as in a server. */
public class NarayanaTransactionServices implements TransactionServices {

    static TransactionManager transactionManager() {
        return com.arjuna.ats.jta.TransactionManager.transactionManager();
    }

    public static UserTransaction userTransaction() {
        return com.arjuna.ats.jta.UserTransaction.userTransaction();
    }

    @Override
    public void registerSynchronization(Synchronization synchronization) {
        try {
            transactionManager().getTransaction().registerSynchronization(synchronization);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot register a synchronization", e);
        }
    }

    @Override
    public boolean isTransactionActive() {
        try {
            int status = transactionManager().getStatus();
            return status == Status.STATUS_ACTIVE || status == Status.STATUS_MARKED_ROLLBACK
                    || status == Status.STATUS_PREPARED || status == Status.STATUS_PREPARING
                    || status == Status.STATUS_COMMITTING || status == Status.STATUS_ROLLING_BACK;
        } catch (SystemException e) {
            return false;
        }
    }

    @Override
    public UserTransaction getUserTransaction() {
        return userTransaction();
    }

    @Override
    public void cleanup() {
    }
}
