package dev.broadcaster.internal;

import dev.broadcaster.ChannelAuthorizer;
import dev.broadcaster.ChannelInfo;
import dev.broadcaster.ChannelRegistry;
import dev.broadcaster.ConnectOptions;
import dev.broadcaster.ConnectionInfo;
import dev.broadcaster.MessageTooLargeException;
import dev.broadcaster.PresenceRenderer;
import dev.broadcaster.RegistryStats;
import dev.broadcaster.SseEvent;
import dev.broadcaster.SseMessage;
import dev.broadcaster.UserJoined;
import dev.broadcaster.UserLeft;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.security.Principal;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** The single-node {@link ChannelRegistry}: channels and connections in memory. */
@ApplicationScoped
public class DefaultChannelRegistry implements ChannelRegistry {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final System.Logger LOG = System.getLogger(DefaultChannelRegistry.class.getName());
    /** At most this many admin snapshots per second: changes in between are coalesced. */
    private static final Duration ADMIN_SNAPSHOT_INTERVAL = Duration.ofMillis(250);

    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Connection> connections = new ConcurrentHashMap<>();

    @Inject
    BroadcasterSettings settings;
    @Inject
    Instance<ChannelAuthorizer> authorizers;
    @Inject
    Event<UserJoined> joined;
    @Inject
    Event<UserLeft> left;

    private Admission admission;
    private Workers workers;
    private Heartbeat heartbeat;
    private Connection.Limits limits;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private final LongAdder eventsPublished = new LongAdder();
    private final LongAdder framesQueued = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder resyncs = new LongAdder();
    private final LongAdder presenceRenders = new LongAdder();
    private AdminFeed adminFeed;
    private volatile BroadcastListener broadcastListener;
    private volatile boolean running;

    @PostConstruct
    void start() {
        admission = new Admission(resolveAuthorizer(), settings.allowAnonymous());
        workers = Workers.create();
        workers.onExecutorGone(this::closeAll);
        heartbeat = new Heartbeat(settings.heartbeatInterval());
        limits = new Connection.Limits(settings.queueSize(), settings.queueBytes(), settings.sendTimeout().toNanos(),
                SseEncoder.closingHint("evicted: too slow", settings.heartbeatInterval().toMillis()));
        // the admin feed's channel is not in the channel map: never listed, counted, killed or expired
        Channel adminChannel = new Channel(AdminFeed.CHANNEL, null, true, 0, Integer.MAX_VALUE, () -> { },
                workers::execute, ch -> new PresenceUpdater(ch, workers::execute, () -> { }, () -> { }));
        adminFeed = new AdminFeed(adminChannel, () -> AdminSnapshot.json(stats(), listedChannels()), workers::execute,
                workers.scheduler(), ADMIN_SNAPSHOT_INTERVAL, (int) Math.min(Integer.MAX_VALUE, settings.queueBytes()));
        long beat = settings.heartbeatInterval().toMillis();
        timers.add(workers.scheduler().scheduleAtFixedRate(this::beat, beat, beat, TimeUnit.MILLISECONDS));
        long watch = Math.max(5, settings.sendTimeout().toMillis() / 2);
        timers.add(workers.scheduler().scheduleAtFixedRate(this::watchWrites, watch, watch, TimeUnit.MILLISECONDS));
        timers.add(workers.scheduler().scheduleAtFixedRate(workers::replaceStuckThreads, Workers.STUCK_AFTER.toMillis(),
                Workers.STUCK_AFTER.toMillis(), TimeUnit.MILLISECONDS));
        running = true;
        LOG.log(System.Logger.Level.INFO, () -> String.format("Broadcaster started: path %s, heartbeat %d ms,"
                + " queue %d events / %d bytes, send timeout %d ms, history %d, linger %d ms, max message %d bytes,"
                + " anonymous %s, %s executors", settings.path(), beat, settings.queueSize(), settings.queueBytes(),
                settings.sendTimeout().toMillis(), settings.historySize(), settings.channelLinger().toMillis(),
                settings.maxMessageSize(), settings.allowAnonymous(), workers.managed() ? "managed" : "own"));
    }

    /** Starts the registry with the application, so invalid configuration stops deployment. */
    void startWithApplication(@Observes @Initialized(ApplicationScoped.class) Object application) {
        settings.path();
    }

    /** On application stop: every stream gets a jittered {@code retry:} and is closed; nothing waits for them. */
    @PreDestroy
    void stop() {
        running = false;
        LOG.log(System.Logger.Level.INFO, "Broadcaster stopping: closing " + connections.size() + " streams");
        timers.forEach(timer -> timer.cancel(false));
        closeAll();
        workers.close();
    }

    /**
     * Sends every stream (admin pages' too) its last {@code closing} event with a jittered {@code retry:} and
     * closes it.
     */
    private void closeAll() {
        List<Connection> admins = adminFeed.connections();
        for (Connection connection : connections.values()) {
            closeStopping(connection);
        }
        admins.forEach(this::closeStopping);
        admins.forEach(adminFeed::leave);
        connections.clear();
        channels.clear();
    }

    private void closeStopping(Connection connection) {
        long retry = 1000 + RANDOM.nextInt(4000);
        connection.closeAfter(SseEncoder.closingHint("server stopping", retry));
    }

    /** Heartbeats and the removal of channels whose linger is over. Never throws: that would end the timer. */
    private void beat() {
        try {
            heartbeat.beat(connections.values());
            heartbeat.beat(adminFeed.connections());
            long now = System.nanoTime();
            long linger = settings.channelLinger().toNanos();
            for (String name : channels.keySet()) {
                boolean[] expired = new boolean[1];
                channels.computeIfPresent(name, (key, ch) -> (expired[0] = ch.expired(now, linger)) ? null : ch);
                if (expired[0]) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "Channel '" + name + "' removed: linger over");
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Heartbeat failed", e);
        }
    }

    /** Evicts connections whose write has not completed within the send timeout. Never throws. */
    private void watchWrites() {
        try {
            long now = System.nanoTime();
            for (Connection connection : connections.values()) {
                connection.checkWriteTimeout(now);
            }
            for (Connection connection : adminFeed.connections()) {
                connection.checkWriteTimeout(now);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Write watchdog failed", e);
        }
    }

    @Override
    public ConnectionInfo connect(String channel, SecurityContext security, SseEventSink sink, Sse sse) {
        return connect(channel, security, sink, sse, ConnectOptions.defaults());
    }

    @Override
    public ConnectionInfo connect(String channel, SecurityContext security, SseEventSink sink, Sse sse,
                                  ConnectOptions options) {
        String user = admission.admit(channel, security);
        ConnectOptions opts = options == null ? ConnectOptions.defaults() : options;
        ConnectionInfo info = new ConnectionInfo(newConnectionId(), channel, user, Instant.now());
        Connection connection = new Connection(info, sink, workers, limits, this::gone);
        connection.deliverAll(List.of(SseEncoder.comment("connected " + info.id())));
        connections.put(info.id(), connection);
        boolean[] firstOfUser = new boolean[1];
        Channel target = channels.compute(channel, (name, existing) -> {
            Channel ch = existing != null ? existing : newChannel(name, opts.presence(), false);
            ch.renderer(opts.presence());
            firstOfUser[0] = ch.add(connection, opts.lastEventId(), opts.history());
            return ch;
        });
        connection.start();
        if (firstOfUser[0]) {
            joined.fire(new UserJoined(channel, user));
        }
        target.presenceChanged();
        adminFeed.changed();
        return info;
    }

    /**
     * Subscribes an admin page to the admin feed ({@value AdminFeed#CHANNEL}): it gets the current snapshot
     * at once, then a new one (coalesced) whenever channels, connections or counters change. Admin pages are
     * not connections of the registry: they are in no listing or count. The caller has checked that the
     * user has the admin role.
     */
    public ConnectionInfo connectAdmin(SecurityContext security, SseEventSink sink, Sse sse) {
        Principal principal = security.getUserPrincipal();
        if (principal == null) {
            throw new IllegalStateException("the admin feed needs an authenticated admin");
        }
        ConnectionInfo info = new ConnectionInfo(newConnectionId(), AdminFeed.CHANNEL, principal.getName(),
                Instant.now());
        Connection connection = new Connection(info, sink, workers, limits, this::adminGone);
        connection.deliverAll(List.of(SseEncoder.comment("connected " + info.id())));
        adminFeed.join(connection);
        connection.start();
        return info;
    }

    /** An admin page left or was evicted. Not reported to the feed: its own connections never cause a snapshot. */
    private void adminGone(Connection connection, boolean evicted) {
        if (evicted) {
            evictions.increment();
            // as for any connection: the eviction may have been noticed under the channel's lock
            workers.execute(() -> adminFeed.leave(connection));
        } else {
            adminFeed.leave(connection);
        }
    }

    @Override
    public void create(String channel, PresenceRenderer presence) {
        ChannelNames.require(channel);
        if (ChannelNames.reserved(channel)) {
            throw new IllegalArgumentException("Cannot create channel '" + channel + "': "
                    + ChannelNames.RESERVED_RULE);
        }
        channels.compute(channel, (name, existing) -> {
            Channel ch = existing != null ? existing : newChannel(name, presence, true);
            ch.renderer(presence);
            return ch;
        });
        adminFeed.changed();
    }

    @Override
    public int broadcast(String channel, SseMessage message) {
        return broadcast(channel, message, Set.of());
    }

    @Override
    public int broadcast(String channel, SseMessage message, Set<String> exclude) {
        BroadcastListener listener = broadcastListener;
        long started = listener == null ? 0 : System.nanoTime();
        ChannelNames.require(channel);
        SseEvent event = checked(message.toEvent());
        Channel target = channels.get(channel);
        if (target == null) {
            return 0;
        }
        int sent = target.publish(event, exclude == null ? Set.of() : exclude);
        eventsPublished.increment();
        framesQueued.add(sent);
        if (listener != null) {
            listener.broadcastQueued(System.nanoTime() - started);
        }
        adminFeed.changed();
        return sent;
    }

    @Override
    public boolean send(String connectionId, SseMessage message) {
        Frame frame = SseEncoder.encode(checked(message.toEvent()));
        if (frame.size() > settings.maxMessageSize()) {
            throw new MessageTooLargeException(frame.size(), settings.maxMessageSize());
        }
        Connection connection = connections.get(connectionId);
        Channel channel = connection == null ? null : channels.get(connection.info().channel());
        boolean sent = channel != null && channel.send(connection, frame);
        if (sent) {
            framesQueued.increment();
            adminFeed.changed();
        }
        return sent;
    }

    /**
     * Throws {@link MessageTooLargeException} if {@code message}, published to a channel, would exceed
     * {@code broadcaster.max-message-size}; lets a batch be checked before any of it is sent.
     */
    public void requireWithinSizeLimit(SseMessage message) {
        SseEvent event = checked(message.toEvent());
        int size = SseEncoder.encode(event.withId(EventIds.LONGEST)).size();
        if (size > settings.maxMessageSize()) {
            throw new MessageTooLargeException(size, settings.maxMessageSize());
        }
    }

    private static SseEvent checked(SseEvent event) {
        if (Channel.RESYNC.equals(event.name()) || SseEncoder.CLOSING.equals(event.name())) {
            throw new IllegalArgumentException("the event names '" + Channel.RESYNC + "' and '" + SseEncoder.CLOSING
                    + "' are reserved by the broadcaster");
        }
        return event;
    }

    @Override
    public int kill(String channel) {
        ChannelNames.require(channel);
        Channel removed = channels.remove(channel);
        if (removed == null) {
            return 0;
        }
        List<Connection> closed = removed.connections();
        LOG.log(System.Logger.Level.DEBUG, () -> "Channel '" + channel + "' removed: killed, " + closed.size()
                + " connections closed");
        closed.forEach(connection -> connections.remove(connection.id()));
        removed.close(closed);
        closed.stream().map(Connection::user).distinct().forEach(user -> left.fire(new UserLeft(channel, user)));
        adminFeed.changed();
        return closed.size();
    }

    @Override
    public int disconnect(String channel, String user) {
        ChannelNames.require(channel);
        Channel target = channels.get(channel);
        if (target == null) {
            return 0;
        }
        List<Connection> matching = target.connections().stream().filter(c -> c.user().equals(user)).toList();
        matching.forEach(this::remove);
        target.close(matching);
        return matching.size();
    }

    @Override
    public List<ChannelInfo> channels() {
        return listedChannels().stream()
                .map(ch -> new ChannelInfo(ch.name(), ch.connections().size(), ch.distinctUsers().size()))
                .toList();
    }

    /** The listed channels, by name (the admin feed's channel is never among them). */
    private List<Channel> listedChannels() {
        return channels.values().stream()
                .filter(Channel::isListed)
                .sorted(Comparator.comparing(Channel::name))
                .toList();
    }

    @Override
    public List<String> users(String channel) {
        Channel target = channels.get(ChannelNames.require(channel));
        return target == null ? List.of() : target.users();
    }

    @Override
    public List<String> distinctUsers(String channel) {
        Channel target = channels.get(ChannelNames.require(channel));
        return target == null ? List.of() : target.distinctUsers();
    }

    @Override
    public List<ConnectionInfo> connections(String channel) {
        Channel target = channels.get(ChannelNames.require(channel));
        return target == null ? List.of() : target.connectionInfos();
    }

    @Override
    public Optional<ConnectionInfo> connection(String connectionId) {
        return Optional.ofNullable(connections.get(connectionId)).map(Connection::info);
    }

    @Override
    public int connectionCount() {
        return connections.size();
    }

    @Override
    public RegistryStats stats() {
        return new RegistryStats(connections.size(), channels().size(), eventsPublished.sum(), framesQueued.sum(),
                evictions.sum(), resyncs.sum(), presenceRenders.sum());
    }

    /** Started, not stopped, and its executors still take tasks (the readiness check asks this). */
    public boolean running() {
        return running && workers.acceptingTasks();
    }

    /** Sets the one listener told how long each broadcast took ({@code null} for none). */
    public void broadcastListener(BroadcastListener listener) {
        this.broadcastListener = listener;
    }

    /** Events kept for resume on {@code channel} (0 if it does not exist). */
    public int historySize(String channel) {
        Channel target = channels.get(ChannelNames.require(channel));
        return target == null ? 0 : target.historySize();
    }

    private void gone(Connection connection, boolean evicted) {
        if (evicted) {
            evictions.increment();
            // the eviction may have been noticed while publishing, under the channel's lock: leave it first
            workers.execute(() -> remove(connection));
        } else {
            remove(connection);
        }
    }

    /** Removes a connection that ended (client gone, evicted, disconnected); updates presence. Idempotent. */
    private void remove(Connection connection) {
        if (connections.remove(connection.id()) == null) {
            return;
        }
        String name = connection.info().channel();
        boolean[] lastOfUser = new boolean[1];
        boolean[] dropped = new boolean[1];
        boolean lingers = !settings.channelLinger().isZero();
        Channel after = channels.computeIfPresent(name, (key, ch) -> {
            lastOfUser[0] = ch.remove(connection);
            dropped[0] = ch.isEmpty() && !lingers;
            return dropped[0] ? null : ch;
        });
        if (dropped[0]) {
            LOG.log(System.Logger.Level.DEBUG, () -> "Channel '" + name + "' removed: last connection left");
        }
        if (lastOfUser[0]) {
            left.fire(new UserLeft(name, connection.user()));
        }
        if (after != null && !after.isEmpty()) {
            after.presenceChanged();
        }
        adminFeed.changed();
    }

    private Channel newChannel(String name, PresenceRenderer presence, boolean explicit) {
        LOG.log(System.Logger.Level.DEBUG, () -> "Channel '" + name + "' created");
        return new Channel(name, presence, explicit, settings.historySize(), settings.maxMessageSize(),
                resyncs::increment, workers::execute, ch -> new PresenceUpdater(ch, workers::execute, presenceRenders::increment,
                adminFeed::changed));
    }

    private ChannelAuthorizer resolveAuthorizer() {
        if (authorizers.isUnsatisfied()) {
            return (channel, user, security) -> true;
        }
        if (authorizers.isAmbiguous()) {
            throw new IllegalStateException("More than one ChannelAuthorizer bean: declare exactly one");
        }
        return authorizers.get();
    }

    /** The threads this registry runs on (tests stop its executor to act out a server's quiesce). */
    Workers workers() {
        return workers;
    }

    private static String newConnectionId() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
