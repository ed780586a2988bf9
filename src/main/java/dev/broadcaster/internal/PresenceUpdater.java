package dev.broadcaster.internal;

import dev.broadcaster.PresenceRenderer;
import dev.broadcaster.SseEvent;
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

    /** Where the users come from and where the rendered message goes: this node, or the cluster. */
    interface Scope {
        List<String> distinctUsers(Channel channel);

        void send(Channel channel, SseEvent event);
    }

    /** A single node: the channel's own users; the message is published on the channel (with an id, in history). */
    static final Scope THIS_NODE = new Scope() {
        @Override
        public List<String> distinctUsers(Channel channel) {
            return channel.distinctUsers();
        }

        @Override
        public void send(Channel channel, SseEvent event) {
            channel.publish(event, Set.of());
        }
    };

    private final Channel channel;
    private final Scope scope;
    private final Executor executor;
    private final Runnable rendered;
    private final Runnable finished;
    private final AtomicInteger requests = new AtomicInteger();

    /**
     * {@code rendered} is run on each call of the renderer, {@code finished} after it (once its message,
     * if any, was published, or the renderer failed).
     */
    PresenceUpdater(Channel channel, Scope scope, Executor executor, Runnable rendered, Runnable finished) {
        this.channel = channel;
        this.scope = scope;
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
        List<String> users = scope.distinctUsers(channel);
        SseMessage message;
        try {
            rendered.run();
            message = renderer.render(channel.name(), users);
            if (message == null) {
                return;
            }
            scope.send(channel, message.toEvent());
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "Presence renderer of channel '" + channel.name() + "' failed", e);
        } finally {
            finished.run();
        }
    }
}
