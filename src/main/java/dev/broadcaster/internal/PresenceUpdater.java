package dev.broadcaster.internal;

import dev.broadcaster.PresenceRenderer;
import dev.broadcaster.SseMessage;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one channel's presence renderer off the request thread: one call at a time, always with the
 * current user list, and a burst of changes coalesced into as few calls as the renderer's speed
 * allows. The rendered message is sent to the channel in render order.
 */
final class PresenceUpdater {

    private static final System.Logger LOG = System.getLogger(PresenceUpdater.class.getName());

    /** Creates the updater of a channel. */
    interface Factory {
        PresenceUpdater create(Channel channel);
    }

    private final Channel channel;
    private final Executor executor;
    private final Runnable rendered;
    private final Runnable finished;
    private final AtomicInteger requests = new AtomicInteger();

    /**
     * {@code rendered} is run on each call of the renderer, {@code finished} after it (once its message,
     * if any, was published, or the renderer failed).
     */
    PresenceUpdater(Channel channel, Executor executor, Runnable rendered, Runnable finished) {
        this.channel = channel;
        this.executor = executor;
        this.rendered = rendered;
        this.finished = finished;
    }

    void requestUpdate() {
        if (requests.getAndIncrement() == 0) {
            executor.execute(this::run);
        }
    }

    private void run() {
        int seen;
        do {
            seen = requests.get();
            renderAndSend();
        } while (requests.addAndGet(-seen) != 0);
    }

    private void renderAndSend() {
        PresenceRenderer renderer = channel.renderer();
        if (renderer == null || channel.isEmpty()) {
            return;
        }
        List<String> users = channel.distinctUsers();
        SseMessage message;
        try {
            rendered.run();
            message = renderer.render(channel.name(), users);
            if (message == null) {
                return;
            }
            channel.publish(message.toEvent(), Set.of());
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "Presence renderer of channel '" + channel.name() + "' failed", e);
        } finally {
            finished.run();
        }
    }
}
