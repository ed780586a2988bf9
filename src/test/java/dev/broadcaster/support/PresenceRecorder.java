package dev.broadcaster.support;

import dev.broadcaster.UserJoined;
import dev.broadcaster.UserLeft;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;

/** An application bean observing the join and leave events, as an app would. */
@ApplicationScoped
public class PresenceRecorder {

    private final List<String> seen = new ArrayList<>();

    void joined(@Observes UserJoined event) {
        record("joined " + event.channel() + " " + event.user());
    }

    void left(@Observes UserLeft event) {
        record("left " + event.channel() + " " + event.user());
    }

    private synchronized void record(String line) {
        seen.add(line);
    }

    /** What was observed on {@code channel}, in order. */
    public synchronized List<String> on(String channel) {
        return seen.stream().filter(line -> line.split(" ")[1].equals(channel)).toList();
    }
}
