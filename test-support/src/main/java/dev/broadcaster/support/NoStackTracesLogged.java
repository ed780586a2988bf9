package dev.broadcaster.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test during which anything logged a throwable through {@code java.util.logging} (the in-process server's
 * Jersey, Grizzly, Weld and the library): bad input must get a clear answer, never a stack trace per request.
 * Use with {@code @ExtendWith(NoStackTracesLogged.class)}.
 */
public final class NoStackTracesLogged implements BeforeEachCallback, AfterEachCallback {

    private final List<LogRecord> thrown = Collections.synchronizedList(new ArrayList<>());
    private final Handler recorder = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getThrown() != null) {
                thrown.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @Override
    public void beforeEach(ExtensionContext context) {
        thrown.clear();
        Logger.getLogger("").addHandler(recorder);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Logger.getLogger("").removeHandler(recorder);
        List<String> logged;
        synchronized (thrown) {
            logged = thrown.stream().map(r -> r.getLoggerName() + ": " + r.getThrown()).toList();
        }
        assertEquals(List.of(), logged, "stack traces logged while answering");
    }
}
