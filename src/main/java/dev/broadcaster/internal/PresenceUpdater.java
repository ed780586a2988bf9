package dev.broadcaster.internal;

import dev.broadcaster.MessageTooLargeException;
import dev.broadcaster.PresenceRenderer;
import dev.broadcaster.SseEvent;
import dev.broadcaster.SseMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one channel's presence renderer off the request thread: one call at a time, always with the
 * current user list, and a burst of changes coalesced into as few calls as the renderer's speed
 * allows. It renders only when the users presence shows differ from those of its last render (a second tab, or
 * a user back within the leave grace, renders nothing). The rendered events go to the channel's presence slot
 * ({@link Channel#sendPresence}): to the members without an id, and to later joiners once.
 *
 * <p>Threads: {@link #requestUpdate} from any thread; the render runs on the executor, one at a time per channel
 * (the {@code requests} counter hands the work to exactly one task), so {@code lastRendered} and
 * {@code warnedTooLarge} are only touched by that task.
 */
final class PresenceUpdater {

    private static final System.Logger LOG = System.getLogger(PresenceUpdater.class.getName());

    /** Creates the updater of a channel. */
    interface Factory {
        PresenceUpdater create(Channel channel);
    }

    /** Where the users come from: this node, or the cluster. */
    interface Scope {
        List<String> distinctUsers(Channel channel);
    }

    /** A single node: the channel's own users, those within the leave grace included. */
    static final Scope THIS_NODE = Channel::presentUsers;

    private final Channel channel;
    private final Scope scope;
    private final Executor executor;
    private final Runnable rendered;
    private final Runnable finished;
    private final Runnable tooLarge;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicBoolean forced = new AtomicBoolean();
    private List<String> lastRendered; // users of the last render (null: render next time); the render task only
    private boolean warnedTooLarge; // the render task only

    /**
     * {@code rendered} is run on each call of the renderer, {@code finished} after it (once its message,
     * if any, was sent, or the renderer failed), {@code tooLarge} when a render was not sent because an event
     * exceeded the largest message size.
     */
    PresenceUpdater(Channel channel, Scope scope, Executor executor, Runnable rendered, Runnable finished,
                    Runnable tooLarge) {
        this.channel = channel;
        this.scope = scope;
        this.executor = executor;
        this.rendered = rendered;
        this.finished = finished;
        this.tooLarge = tooLarge;
    }

    /** Renders soon, if the users changed since the last render (or always, if {@code force}). */
    void requestUpdate(boolean force) {
        if (force) {
            forced.set(true);
        }
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
        List<String> users = withGrace(scope.distinctUsers(channel), channel.usersInGrace());
        if (!forced.getAndSet(false) && users.equals(lastRendered)) {
            return;
        }
        lastRendered = null;
        try {
            rendered.run();
            SseMessage message = renderer.render(channel.name(), users);
            lastRendered = users;
            if (message != null) {
                channel.sendPresence(events(message));
            }
        } catch (MessageTooLargeException e) {
            // the same users render the same: not again until they change; logged once per channel
            tooLarge.run();
            if (!warnedTooLarge) {
                warnedTooLarge = true;
                LOG.log(System.Logger.Level.WARNING, "Presence of channel '" + channel.name() + "' not sent: "
                        + e.getMessage() + " (broadcaster.max-message-size). Presence of this channel is not updated"
                        + " while it is too large; counted in stats().oversizedPresence(), logged only once");
            }
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "Presence renderer of channel '" + channel.name() + "' failed", e);
        } finally {
            finished.run();
        }
    }

    private static List<SseEvent> events(SseMessage message) {
        if (message instanceof PresenceRenderer.Events several) {
            return several.messages().stream().map(SseMessage::toEvent).toList();
        }
        return List.of(message.toEvent());
    }

    /** {@code users} and, after them, those of {@code inGrace} they lack (in a cluster, this node's leavers). */
    private static List<String> withGrace(List<String> users, List<String> inGrace) {
        if (inGrace.isEmpty() || users.containsAll(inGrace)) {
            return users;
        }
        List<String> all = new ArrayList<>(users);
        inGrace.stream().filter(user -> !users.contains(user)).forEach(all::add);
        return all;
    }
}
