package dev.broadcaster.support;

import java.util.Map;

/** Prints every thread's stack when a test's wait times out, so a hang can be diagnosed from the CI log. */
final class ThreadDump {

    private ThreadDump() {
    }

    static void toStandardError(String reason) {
        StringBuilder out = new StringBuilder("=== thread dump: ").append(reason).append('\n');
        for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
            Thread thread = entry.getKey();
            out.append('"').append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
            for (StackTraceElement frame : entry.getValue()) {
                out.append("    at ").append(frame).append('\n');
            }
        }
        System.err.print(out);
    }
}
