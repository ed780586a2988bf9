package dev.broadcaster.internal;

import dev.broadcaster.ChannelAuthorizer;
import dev.broadcaster.ChannelInfo;
import dev.broadcaster.ChannelOverloadedException;
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
import dev.broadcaster.cluster.ClusterEngine;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The single-node {@link ChannelRegistry}: channels and connections in memory. */
@ApplicationScoped
public class DefaultChannelRegistry implements ChannelRegistry {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final System.Logger LOG = System.getLogger(DefaultChannelRegistry.class.getName());
    /** At most this many admin snapshots per second: changes in between are coalesced. */
    private static final Duration ADMIN_SNAPSHOT_INTERVAL = Duration.ofMillis(250);

    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Connection> connections = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> budgetOf = new ConcurrentHashMap<>(); // connection id -> budget

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
    private final LongAdder refusedChannels = new LongAdder();
    private final LongAdder oversizedPresence = new LongAdder();
    private ConnectionBudgets budgets;
    // channels being created now (in the map's compute, not yet counted by its size): max-channels is exact
    private final Object channelCreation = new Object();
    private int channelsBeingCreated; // guarded by channelCreation
    private final LongAdder lagResyncs = new LongAdder();
    private final LongAdder publishesRefused = new LongAdder();
    private AdminFeed adminFeed;
    private volatile BroadcastListener broadcastListener;
    private static final Pattern CONNECTION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private volatile boolean running;
    private ClusterBridge cluster; // null on a single node
    private final AtomicLong opIds = new AtomicLong();
    private long watchTickNanos;

    @PostConstruct
    void start() {
        admission = new Admission(resolveAuthorizer(), settings.allowAnonymous());
        budgets = new ConnectionBudgets(settings.maxConnectionsPerUser(), settings.maxConnections());
        workers = Workers.create();
        workers.onExecutorGone(this::closeAll);
        heartbeat = new Heartbeat(settings.heartbeatInterval(), settings.replayTimeout());
        // a quarter of the send timeout, 5 to 25 ms
        watchTickNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(5, Math.min(25, settings.sendTimeout().toMillis() / 4)));
        limits = new Connection.Limits(settings.queueSize(), settings.queueBytes(), settings.sendTimeout().toNanos(),
                SseEncoder.closingHint("evicted: too slow", settings.heartbeatInterval().toMillis()),
                settings.replayTimeout().toNanos(),
                settings.sendTimeout().toNanos() / 2, settings.maxLag().toNanos(), lagResyncs::increment);
        // the admin feed's channel is not in the channel map: never listed, counted, killed or expired
        Channel adminChannel = new Channel(AdminFeed.CHANNEL, null, true, 0, Integer.MAX_VALUE, () -> { },
                workers::execute, ch -> new PresenceUpdater(ch, PresenceUpdater.THIS_NODE, workers::execute, () -> { },
                () -> { }, () -> { }));
        // a snapshot must never fill an admin page's queue: a quarter of it at most (and never more than 256 KiB)
        int snapshotBytes = (int) Math.min(AdminSnapshot.MAX_BYTES, settings.queueBytes() / 4);
        adminFeed = new AdminFeed(adminChannel, () -> AdminSnapshot.json(stats(), listedChannels(), snapshotBytes),
                workers::execute, workers.scheduler(), ADMIN_SNAPSHOT_INTERVAL);
        long beat = settings.heartbeatInterval().toMillis();
        timers.add(workers.scheduler().scheduleAtFixedRate(this::beat, beat, beat, TimeUnit.MILLISECONDS));
        timers.add(workers.scheduler().scheduleWithFixedDelay(this::watchWrites, watchTickNanos, watchTickNanos,
                TimeUnit.NANOSECONDS));
        if (!workers.managed()) { // a managed executor is sized by the server: nothing to resize
            timers.add(workers.scheduler().scheduleAtFixedRate(workers::replaceStuckThreads,
                    Workers.STUCK_AFTER.toMillis(), Workers.STUCK_AFTER.toMillis(), TimeUnit.MILLISECONDS));
        }
        cluster = ClusterBridge.start(settings, this);
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

    /**
     * On application stop: every stream gets a jittered {@code retry:} and is closed; the last writes get
     * {@link Workers#FINAL_WRITES} (500 ms) in all, then the sinks still open are closed without writing.
     */
    @PreDestroy
    void stop() {
        running = false;
        long deadline = System.nanoTime() + Workers.FINAL_WRITES.toNanos();
        LOG.log(System.Logger.Level.INFO, "Broadcaster stopping: closing " + connections.size() + " streams");
        if (cluster != null) {
            cluster.close();
        }
        timers.forEach(timer -> timer.cancel(false));
        closeAll(deadline);
        workers.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    /**
     * The JAX-RS runtime is about to stop (Jersey on Payara, before the application's beans are destroyed): every
     * stream gets its {@code closing} event now, within {@link Workers#FINAL_WRITES}; the writes run on the
     * library's executor, never on the calling thread.
     */
    void closeBeforeContainerStops() {
        LOG.log(System.Logger.Level.INFO, "JAX-RS runtime stopping: closing " + connections.size() + " streams");
        closeAll();
    }

    /** The executor stopped taking tasks (the server quiesces): closes every stream now, on the stop thread. */
    private void closeAll() {
        closeAll(System.nanoTime() + Workers.FINAL_WRITES.toNanos());
    }

    /**
     * Sends every stream (admin pages' too) its last {@code closing} event with a jittered {@code retry:} and
     * closes it; waits until {@code deadlineNanos} at most for those writes, then closes the sinks still open
     * without writing (on the library's abort threads: a close may block as a write does). Never writes on the
     * calling thread.
     */
    private void closeAll(long deadlineNanos) {
        List<Connection> admins = adminFeed.connections();
        List<Connection> closing = new ArrayList<>(connections.values());
        closing.addAll(admins);
        closing.forEach(this::closeStopping);
        admins.forEach(adminFeed::leave);
        connections.clear();
        channels.clear();
        List<Connection> open = closing;
        while (!open.isEmpty() && System.nanoTime() < deadlineNanos) {
            open = open.stream().filter(connection -> !connection.sinkClosed()).toList();
            if (!open.isEmpty()) {
                LockSupport.parkNanos(Math.min(5_000_000L, Math.max(0, deadlineNanos - System.nanoTime())));
            }
        }
        List<Connection> left = open.stream().filter(connection -> !connection.sinkClosed()).toList();
        if (!left.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, () -> left.size() + " streams did not take their last event within "
                    + Workers.FINAL_WRITES.toMillis() + " ms: closed without it");
            left.forEach(connection -> workers.abortLater(connection::abort));
        }
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

    /** Evicts connections whose write has been seen in progress for longer than the send timeout. Never throws. */
    private void watchWrites() {
        try {
            long now = System.nanoTime();
            for (Connection connection : connections.values()) {
                connection.checkWriteTimeout(now, watchTickNanos);
            }
            for (Connection connection : adminFeed.connections()) {
                connection.checkWriteTimeout(now, watchTickNanos);
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
        boolean anonymous = Admission.anonymous(security);
        ConnectOptions opts = options == null ? ConnectOptions.defaults() : options;
        // the limits are checked (and the connection reserved) before anything is registered
        String budget = ConnectionBudgets.budget(user, anonymous, opts.clientAddress());
        budgets.reserve(budget);
        ConnectionInfo info = new ConnectionInfo(newConnectionId(), channel, user, Instant.now());
        boolean[] firstOfUser = new boolean[1];
        Connection connection;
        Channel target;
        try {
            ClusterEngine.Replay fetched = cluster == null ? null : fetchReplay(channel, opts);
            connection = new Connection(info, sink, workers, limits, this::gone);
            connection.deliverAll(List.of(SseEncoder.comment("connected " + info.id())));
            budgetOf.put(info.id(), budget);
            connections.put(info.id(), connection);
            target = computeChannel(channel, opts.presence(), false, ch -> {
                ch.renderer(opts.presence());
                firstOfUser[0] = cluster == null ? ch.add(connection, opts.lastEventId(), opts.history(), anonymous)
                        : ch.addClustered(connection, opts.lastEventId(), opts.history(), fetched, anonymous);
                return ch;
            });
        } catch (RuntimeException | Error e) {
            connections.remove(info.id());
            budgetOf.remove(info.id());
            budgets.release(budget);
            throw e;
        }
        connection.start();
        if (firstOfUser[0]) {
            joined.fire(new UserJoined(channel, user));
        }
        if (cluster != null) {
            cluster.engine().joined(info);
        }
        presenceAfterChange(target, firstOfUser[0]);
        adminFeed.changed();
        return info;
    }

    /**
     * Runs {@code update} on the channel {@code name} inside the map's compute, creating the channel first if it
     * is absent: beyond {@code broadcaster.max-channels} that is refused with 429 (and nothing changes).
     */
    private Channel computeChannel(String name, PresenceRenderer presence, boolean explicit,
                                   UnaryOperator<Channel> update) {
        boolean[] reserved = new boolean[1];
        try {
            return channels.compute(name, (key, existing) -> {
                Channel ch = existing;
                if (ch == null) {
                    reserveChannel();
                    reserved[0] = true;
                    ch = newChannel(key, presence, explicit);
                }
                return update.apply(ch);
            });
        } finally {
            if (reserved[0]) {
                synchronized (channelCreation) {
                    channelsBeingCreated--; // counted by the map's size from now on (or not created)
                }
            }
        }
    }

    /** Reserves room for a new channel; throws the 429 refusal at {@code broadcaster.max-channels}. */
    private void reserveChannel() {
        synchronized (channelCreation) {
            if (channels.size() + channelsBeingCreated >= settings.maxChannels()) {
                refusedChannels.increment();
                throw Refusals.tooManyRequests("This server keeps as many channels as it may"
                        + " (broadcaster.max-channels = " + settings.maxChannels() + "); no new channel now",
                        ConnectionBudgets.RETRY_AFTER);
            }
            channelsBeingCreated++;
        }
    }

    /**
     * In a cluster, what a connection resuming after {@code Last-Event-ID} (or asking for history) needs from
     * the backplane: nothing if this node still has that event, the backplane's replay otherwise (null if it is
     * gone or the backplane cannot answer: the client then resyncs, or gets this node's latest).
     */
    private ClusterEngine.Replay fetchReplay(String channel, ConnectOptions opts) {
        if (opts.lastEventId() == null && opts.history() <= 0) {
            return null;
        }
        // the channel records what arrives from now on, so the backplane's replay and live events meet
        Channel ch = computeChannel(channel, opts.presence(), false, existing -> existing);
        if (opts.lastEventId() != null && ch.hasRecent(opts.lastEventId())) {
            return null;
        }
        return cluster.replay(channel, opts.lastEventId(), opts.history());
    }

    /**
     * Renders presence after a join or leave on this node, if it changed the users presence shows here
     * ({@code changedHere}: a user's first connection, or a user who left for good). In a cluster whose backplane is
     * up, the backplane announces every join and leave to every node (this one included) once it is recorded, and
     * each renders then if its users changed.
     */
    private void presenceAfterChange(Channel channel, boolean changedHere) {
        if (cluster == null ? changedHere : !cluster.engine().ready()) {
            channel.presenceChanged();
        }
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
        computeChannel(channel, presence, true, ch -> {
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
        if (cluster != null) {
            // only a connection id (base64url) can match a connection: anything else is dropped, not sent to other nodes
            Set<String> excluded = exclude == null ? Set.of() : exclude.stream()
                    .filter(id -> id != null && CONNECTION_ID.matcher(id).matches()).collect(Collectors.toUnmodifiableSet());
            return broadcastToCluster(channel, event, excluded, listener, started);
        }
        Channel target = channels.get(channel);
        if (target == null) {
            return 0;
        }
        int sent;
        try {
            sent = target.publish(event, exclude == null ? Set.of() : exclude);
        } catch (ChannelOverloadedException e) {
            publishesRefused.increment();
            throw e;
        }
        eventsPublished.increment();
        framesQueued.add(sent);
        if (listener != null) {
            listener.broadcastQueued(System.nanoTime() - started);
        }
        adminFeed.changed();
        return sent;
    }

    /**
     * In a cluster: hands the event to the backplane, which delivers it on every node (this one included) in
     * the channel's order; returns how many of this node's connections it is addressed to. If the backplane is
     * down, this node's connections get it at once.
     */
    private int broadcastToCluster(String channel, SseEvent event, Set<String> exclude, BroadcastListener listener,
                                   long started) {
        requireWithinSizeLimit(event);
        Channel here = channels.get(channel);
        if (here != null && !here.hasFanOutRoom()) {
            publishesRefused.increment();
            throw here.overloaded();
        }
        long opId = opIds.incrementAndGet();
        eventsPublished.increment();
        Channel local = channels.get(channel);
        int addressed = local == null ? 0 : local.countExcept(exclude);
        if (!cluster.engine().publish(channel, event, exclude, opId)) {
            addressed = deliverLocally(channel, event, exclude, opId);
        }
        if (listener != null) {
            listener.broadcastQueued(System.nanoTime() - started);
        }
        adminFeed.changed();
        return addressed;
    }

    /** An event the backplane ordered, for this node's connections of {@code channel}. */
    void deliverClustered(String channel, ClusterEngine.IdentifiedEvent event, Set<String> exclude, long ownOpId) {
        Channel target = channels.get(channel);
        if (target != null) {
            framesQueued.add(target.deliverClustered(event, exclude, ownOpId));
            adminFeed.changed();
        }
    }

    /** This node's publish {@code opId}, for this node's connections only (the backplane is down), once. */
    int deliverLocally(String channel, SseEvent event, Set<String> exclude, long opId) {
        Channel target = channels.get(channel);
        if (target == null) {
            return 0;
        }
        int sent = target.deliverLocally(event, exclude, opId);
        framesQueued.add(sent);
        return sent;
    }

    @Override
    public boolean send(String connectionId, SseMessage message) {
        SseEvent event = checked(message.toEvent());
        Frame frame = SseEncoder.encode(event);
        if (frame.size() > settings.maxMessageSize()) {
            throw new MessageTooLargeException(frame.size(), settings.maxMessageSize());
        }
        if (cluster != null && !connections.containsKey(connectionId)) {
            return cluster.sendElsewhere(connectionId, event);
        }
        return sendFrame(connectionId, frame);
    }

    /** An event another node sent to {@code connectionId}, if that connection is here. */
    void sendLocally(String connectionId, SseEvent event) {
        sendFrame(connectionId, SseEncoder.encode(event));
    }

    private boolean sendFrame(String connectionId, Frame frame) {
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
        requireWithinSizeLimit(checked(message.toEvent()));
    }

    /**
     * Throws {@link ChannelOverloadedException} (and counts a refused publish) if {@code channel}'s fan-out queue
     * is full; lets an HTTP publish batch be refused before any of it is sent.
     */
    public void requireFanOutRoom(String channel) {
        Channel target = channels.get(channel);
        if (target != null && !target.hasFanOutRoom()) {
            publishesRefused.increment();
            throw target.overloaded();
        }
    }

    private void requireWithinSizeLimit(SseEvent event) {
        int size = SseEncoder.encode(event.withId(EventIds.LONGEST)).size();
        if (size > settings.maxMessageSize()) {
            throw new MessageTooLargeException(size, settings.maxMessageSize());
        }
    }

    private static SseEvent checked(SseEvent event) {
        return PublishRules.requireUnreservedName(event);
    }

    @Override
    public int kill(String channel) {
        int closed = killLocally(channel);
        if (cluster != null) {
            cluster.engine().kill(channel);
        }
        return closed;
    }

    /** Closes this node's connections of {@code channel} and removes it here; returns how many were closed. */
    int killLocally(String channel) {
        ChannelNames.require(channel);
        Channel removed = channels.remove(channel);
        if (removed == null) {
            return 0;
        }
        List<Connection> closed = removed.connections();
        LOG.log(System.Logger.Level.DEBUG, () -> "Channel '" + channel + "' removed: killed, " + closed.size()
                + " connections closed");
        closed.forEach(this::forget);
        if (cluster != null) {
            closed.forEach(connection -> cluster.engine().left(connection.info()));
        }
        removed.close(closed);
        // the users connected and those within the leave grace
        removed.clearUsers().stream().distinct().forEach(user -> left.fire(new UserLeft(channel, user)));
        adminFeed.changed();
        return closed.size();
    }

    @Override
    public int disconnect(String channel, String user) {
        int closed = disconnectLocally(channel, user);
        if (cluster != null) {
            cluster.engine().disconnect(channel, user);
        }
        return closed;
    }

    /** Closes this node's connections of {@code user} on {@code channel}; returns how many. */
    int disconnectLocally(String channel, String user) {
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
        List<ChannelInfo> here = listedChannels().stream()
                .map(ch -> new ChannelInfo(ch.name(), ch.connections().size(), ch.distinctUsers().size()))
                .toList();
        return cluster == null ? here : cluster.channels(here);
    }

    /** In a cluster, the connections of {@code channel} on every node; on a single node (or without the backplane), here. */
    private List<ConnectionInfo> clusterConnections(Channel local, String channel) {
        Supplier<List<ConnectionInfo>> here = () -> local == null ? List.of() : local.connectionInfos();
        return cluster == null ? here.get() : cluster.connections(channel, here);
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
        if (cluster != null) {
            return clusterConnections(target, channel).stream().map(ConnectionInfo::user).toList();
        }
        return target == null ? List.of() : target.users();
    }

    @Override
    public List<String> distinctUsers(String channel) {
        Channel target = channels.get(ChannelNames.require(channel));
        if (cluster != null) {
            return clusterConnections(target, channel).stream().map(ConnectionInfo::user).distinct().toList();
        }
        return target == null ? List.of() : target.distinctUsers();
    }

    @Override
    public List<ConnectionInfo> connections(String channel) {
        Channel target = channels.get(ChannelNames.require(channel));
        return clusterConnections(target, channel);
    }

    @Override
    public Optional<ConnectionInfo> connection(String connectionId) {
        Optional<ConnectionInfo> here = Optional.ofNullable(connections.get(connectionId)).map(Connection::info);
        return here.isPresent() || cluster == null ? here : cluster.connection(connectionId);
    }

    /** Another node says presence of {@code channel} may have changed: render it for this node's connections. */
    void presenceChangedLocally(String channel) {
        Channel target = channels.get(channel);
        if (target != null && !target.isEmpty()) {
            target.presenceChanged();
        }
    }

    /** The backplane is back after an outage: every connection here gets a resync event; presence is rendered again. */
    void resyncAll() {
        for (Channel channel : channels.values()) {
            channel.resyncMembers();
            channel.presenceChanged(true);
        }
    }

    /** This node's open connections (what the backplane should hold for this node). */
    List<ConnectionInfo> localConnectionInfos() {
        return connections.values().stream().map(Connection::info).toList();
    }

    /** Whether this node is part of its cluster now: true on a single node. */
    public boolean clusterReady() {
        return cluster == null || cluster.engine().ready();
    }

    /** Whether a cluster engine is configured. */
    public boolean clustered() {
        return cluster != null;
    }

    @Override
    public int connectionCount() {
        return connections.size();
    }

    @Override
    public RegistryStats stats() {
        // on a single node, counted without listing (a listing costs O(connections))
        int listed = cluster == null ? (int) channels.values().stream().filter(Channel::isListed).count()
                : channels().size();
        long now = System.nanoTime();
        int lagging = (int) connections.values().stream().filter(connection -> connection.lagging(now)).count();
        return new RegistryStats(connections.size(), listed, eventsPublished.sum(), framesQueued.sum(),
                evictions.sum(), resyncs.sum(), presenceRenders.sum(), budgets.refused(), refusedChannels.sum(),
                oversizedPresence.sum(), lagging, lagResyncs.sum(), publishesRefused.sum());
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
        }
        Channel channel = channels.get(connection.info().channel());
        if (evicted && channel != null && Thread.holdsLock(channel)) {
            // noticed while publishing, under the channel's lock: leave it first
            workers.execute(() -> remove(connection));
        } else {
            // the watchdog's and heartbeat's evictions are removed at once: the executor may be busy with the very
            // writes that made them slow
            remove(connection);
        }
    }

    /** Unregisters {@code connection} and releases its place in the limits; false if it was not registered. */
    private boolean forget(Connection connection) {
        if (connections.remove(connection.id()) == null) {
            return false;
        }
        String budget = budgetOf.remove(connection.id());
        if (budget != null) {
            budgets.release(budget);
        }
        return true;
    }

    /**
     * Removes a connection that ended (client gone, evicted, disconnected); updates presence. Idempotent. A user
     * whose last connection this was stays in presence for {@code broadcaster.presence-leave-grace}: coming back
     * within it (a page reload) renders nothing and fires neither {@link UserLeft} nor {@link UserJoined}.
     */
    private void remove(Connection connection) {
        if (!forget(connection)) {
            return;
        }
        String name = connection.info().channel();
        ChannelUsers.Departure[] departure = {ChannelUsers.Departure.STAYS};
        boolean[] dropped = new boolean[1];
        boolean lingers = !settings.channelLinger().isZero();
        boolean grace = !settings.presenceLeaveGrace().isZero();
        Channel after = channels.computeIfPresent(name, (key, ch) -> {
            departure[0] = ch.remove(connection, grace);
            dropped[0] = ch.isEmpty() && !lingers && !ch.anyLeaving();
            return dropped[0] ? null : ch;
        });
        if (dropped[0]) {
            LOG.log(System.Logger.Level.DEBUG, () -> "Channel '" + name + "' removed: last connection left");
        }
        if (departure[0] == ChannelUsers.Departure.LEFT) {
            left.fire(new UserLeft(name, connection.user()));
        } else if (departure[0] == ChannelUsers.Departure.LEAVING && after != null) {
            endGraceLater(after);
        }
        if (cluster != null) {
            cluster.engine().left(connection.info());
        }
        if (after != null && !after.isEmpty()) {
            presenceAfterChange(after, departure[0] == ChannelUsers.Departure.LEFT);
        }
        adminFeed.changed();
    }

    /** Once the leave grace is over, the users of {@code channel} who did not come back leave presence. */
    private void endGraceLater(Channel channel) {
        try {
            workers.scheduler().schedule(() -> workers.execute(() -> endGrace(channel)),
                    settings.presenceLeaveGrace().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            // stopping: every connection is being closed anyway
        }
    }

    private void endGrace(Channel channel) {
        List<String> gone = channel.expireLeavers(settings.presenceLeaveGrace().toNanos());
        if (gone.isEmpty()) {
            return;
        }
        gone.forEach(user -> left.fire(new UserLeft(channel.name(), user)));
        if (settings.channelLinger().isZero()) {
            channels.computeIfPresent(channel.name(), (key, ch) -> ch == channel && ch.isEmpty() && !ch.anyLeaving()
                    ? null : ch);
        }
        channel.presenceChanged(); // the grace is this node's: render here, also in a cluster
        adminFeed.changed();
    }

    private Channel newChannel(String name, PresenceRenderer presence, boolean explicit) {
        LOG.log(System.Logger.Level.DEBUG, () -> "Channel '" + name + "' created");
        return new Channel(name, presence, explicit, settings.historySize(), settings.maxMessageSize(),
                resyncs::increment, workers::execute, ch -> new PresenceUpdater(ch,
                cluster == null ? PresenceUpdater.THIS_NODE : cluster.presence(), workers::execute,
                presenceRenders::increment, adminFeed::changed, oversizedPresence::increment),
                new Channel.Bounds(settings.fanOutQueueSize(), settings.maxReplayBytes()));
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
