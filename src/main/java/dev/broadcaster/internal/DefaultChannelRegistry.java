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
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;
import java.security.Principal;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The {@link ChannelRegistry} bean: the API's verbs, checked here and handed to this node's {@link Channels} or to
 * the {@link Topology} chosen at start (a single node, or a cluster). It also starts and stops the library: the
 * threads ({@link Workers}), the timers ({@link Housekeeping}), the admin feed and the topology.
 */
@ApplicationScoped
public class DefaultChannelRegistry implements ChannelRegistry {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final System.Logger LOG = System.getLogger(DefaultChannelRegistry.class.getName());
    /** At most this many admin snapshots per second: changes in between are coalesced. */
    private static final Duration ADMIN_SNAPSHOT_INTERVAL = Duration.ofMillis(250);

    @Inject
    BroadcasterSettings settings;
    @Inject
    Instance<ChannelAuthorizer> authorizers;
    @Inject
    Event<UserJoined> joined;
    @Inject
    Event<UserLeft> left;
    @Inject
    StreamRequest streamRequest;

    // set once by start(), before any other call
    private Admission admission;
    private Workers workers;
    private Connection.Limits limits;
    private final Counters counters = new Counters();
    private Topology topology;
    private Channels channels;
    private AdminFeed adminFeed;
    private Housekeeping housekeeping;
    private volatile boolean running;

    @PostConstruct
    void start() {
        admission = Admission.of(authorizers, settings.allowAnonymous());
        workers = Workers.create();
        limits = new Connection.Limits(settings.queueSize(), settings.queueBytes(), settings.sendTimeout().toNanos(),
                ControlEvents.closing("evicted: too slow", settings.heartbeatInterval().toMillis()),
                settings.replayTimeout().toNanos(), settings.sendTimeout().toNanos() / 2, settings.maxLag().toNanos(),
                counters.lagResyncs::increment, counters::conflated);
        // a snapshot must never fill an admin page's queue: a quarter of it at most (and never more than 256 KiB)
        int snapshotBytes = (int) Math.min(AdminSnapshot.MAX_BYTES, settings.queueBytes() / 4);
        adminFeed = new AdminFeed(() -> AdminSnapshot.json(stats(), channels.listed(), snapshotBytes), workers, limits,
                counters.evictions::increment, ADMIN_SNAPSHOT_INTERVAL);
        topology = Topology.choose(settings);
        channels = new Channels(settings, workers, counters, limits, topology,
                new Channels.Listeners(joined::fire, left::fire), adminFeed::changed);
        housekeeping = new Housekeeping(settings, workers, channels, adminFeed::connections, adminFeed::leaveAll);
        workers.onExecutorGone(() -> housekeeping.closeAll(System.nanoTime() + Workers.FINAL_WRITES.toNanos()));
        housekeeping.start();
        topology.start(channels, counters, adminFeed::changed);
        running = true;
        LOG.log(System.Logger.Level.INFO, () -> "Broadcaster started: " + settings.summary() + ", "
                + (workers.managed() ? "the server's managed thread factory" : "its own threads"));
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
        LOG.log(System.Logger.Level.INFO, "Broadcaster stopping: closing " + channels.connectionCount() + " streams");
        topology.close();
        housekeeping.stop();
        housekeeping.closeAll(deadline);
        workers.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    /**
     * The JAX-RS runtime is about to stop (Jersey on Payara, before the application's beans are destroyed): every
     * stream gets its {@code closing} event now, within {@link Workers#FINAL_WRITES}; the writes run on the
     * library's executor, never on the calling thread.
     */
    void closeBeforeContainerStops() {
        LOG.log(System.Logger.Level.INFO, "JAX-RS runtime stopping: closing " + channels.connectionCount() + " streams");
        housekeeping.closeAll(System.nanoTime() + Workers.FINAL_WRITES.toNanos());
    }

    @Override
    public ConnectionInfo connect(String channel, SecurityContext security, SseEventSink sink, Sse sse) {
        return connect(channel, security, sink, sse, ConnectOptions.defaults());
    }

    @Override
    public ConnectionInfo connect(String channel, SecurityContext security, SseEventSink sink, Sse sse,
                                  ConnectOptions options) {
        String user = admission.admit(channel, security);
        return channels.connect(channel, user, Admission.anonymous(security), sink,
                options == null ? ConnectOptions.defaults() : options, newConnectionId());
    }

    @Override
    public ConnectionInfo connect(List<String> channelNames, SecurityContext security, SseEventSink sink, Sse sse,
                                  ConnectOptions options) {
        List<String> names = streamChannels(channelNames);
        String user = null;
        for (String name : names) {
            user = admission.admit(name, security);
        }
        return channels.connect(names, true, user, Admission.anonymous(security), sink,
                options == null ? ConnectOptions.defaults() : options, newConnectionId());
    }

    /** As {@link #connect(String, SecurityContext, SseEventSink, Sse, ConnectOptions)}, telling {@code ending} when its sink closes. */
    ConnectionInfo connect(String channel, SecurityContext security, SseEventSink sink, ConnectOptions options,
                           Connection.Ending ending) {
        String user = admission.admit(channel, security);
        return channels.connect(List.of(channel), false, user, Admission.anonymous(security), sink, options,
                newConnectionId(), ending);
    }

    /** Closes this node's connection {@code connectionId} (after what is queued for it); false if it is not here. */
    boolean closeConnection(String connectionId) {
        return channels.close(connectionId);
    }

    @Override
    public SseBroadcaster broadcaster(String channel) {
        ChannelNames.requireApplications(channel, "No broadcaster of channel");
        return new ChannelSseBroadcaster(this, channel, streamRequest);
    }

    /** The channels of a stream of several, checked: 1 to max-channels-per-stream, none twice (400 otherwise). */
    private List<String> streamChannels(List<String> names) {
        if (names == null || names.isEmpty()) {
            throw Refusals.badRequest("A stream needs at least one channel (channel=...)");
        }
        if (names.size() > settings.maxChannelsPerStream()) {
            throw Refusals.badRequest("A stream may name at most " + settings.maxChannelsPerStream() + " channels"
                    + " (broadcaster.max-channels-per-stream); this one names " + names.size());
        }
        if (new java.util.HashSet<>(names).size() != names.size()) {
            throw Refusals.badRequest("A stream names each channel once");
        }
        return List.copyOf(names);
    }

    @Override
    public String position(String channel) {
        ChannelNames.requireApplications(channel, "No position of channel");
        return topology.position(channel);
    }

    @Override
    public String position(List<String> channelNames) {
        List<String> names = List.copyOf(channelNames);
        String[] tokens = new String[names.size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = StreamIds.token(position(names.get(i)));
        }
        return StreamIds.join(tokens);
    }

    /**
     * Sets how many browser tabs the stream of {@code user} opened by client.js with {@code sharedKey} serves (the
     * built-in {@code POST {base}/sse/stream/tabs}); false if this node has no such stream of that user.
     */
    public boolean tabs(String user, String sharedKey, int tabs) {
        return channels.tabs(user, sharedKey, tabs);
    }

    /**
     * Subscribes an admin page to the admin feed ({@value AdminFeed#CHANNEL}): it gets the current snapshot
     * at once, then a new one (coalesced) whenever channels, connections or counters change. The caller has checked
     * that the user has the admin role.
     */
    public ConnectionInfo connectAdmin(SecurityContext security, SseEventSink sink, Sse sse) {
        Principal principal = security.getUserPrincipal();
        if (principal == null) {
            throw new IllegalStateException("the admin feed needs an authenticated admin");
        }
        return adminFeed.open(principal.getName(), sink, newConnectionId());
    }

    @Override
    public void create(String channel, PresenceRenderer presence) {
        ChannelNames.requireApplications(channel, "Cannot create channel");
        channels.create(channel, presence);
    }

    @Override
    public int broadcast(String channel, SseMessage message) {
        return broadcast(channel, message, Set.of());
    }

    @Override
    public int broadcast(String channel, SseMessage message, Set<String> exclude) {
        boolean timed = counters.broadcastLatency.listened();
        long started = timed ? System.nanoTime() : 0;
        ChannelNames.require(channel);
        SseEvent event = PublishRules.requireUnreservedName(message.toEvent());
        int sent = topology.publish(channel, event, exclude == null ? Set.of() : exclude);
        if (timed) {
            counters.broadcastLatency.record(System.nanoTime() - started);
        }
        return sent;
    }

    @Override
    public CompletionStage<String> broadcastForId(String channel, SseMessage message, Set<String> exclude) {
        ChannelNames.require(channel);
        SseEvent event = PublishRules.requireUnreservedName(message.toEvent());
        return topology.publish(channel, event, exclude == null ? Set.of() : exclude, true).id();
    }

    @Override
    public boolean send(String connectionId, SseMessage message) {
        SseEvent event = PublishRules.requireUnreservedName(message.toEvent());
        Frame frame = SseEncoder.encode(event);
        if (frame.size() > settings.maxMessageSize()) {
            throw new MessageTooLargeException(frame.size(), settings.maxMessageSize());
        }
        return channels.isHere(connectionId) ? channels.send(connectionId, frame)
                : topology.sendElsewhere(connectionId, event);
    }

    /**
     * Throws {@link MessageTooLargeException} if {@code message}, published to a channel, would exceed
     * {@code broadcaster.max-message-size} with the longest id; lets a batch be checked before any of it is sent.
     */
    public void requireWithinSizeLimit(SseMessage message) {
        int size = SseEncoder.encode(PublishRules.requireUnreservedName(message.toEvent()).withId(EventIds.LONGEST))
                .size();
        if (size > settings.maxMessageSize()) {
            throw new MessageTooLargeException(size, settings.maxMessageSize());
        }
    }

    /**
     * Throws {@link ChannelOverloadedException} (and counts a refused publish) if {@code channel}'s fan-out queue
     * is full; lets an HTTP publish batch be refused before any of it is sent.
     */
    public void requireFanOutRoom(String channel) {
        channels.requireFanOutRoom(channel);
    }

    @Override
    public int kill(String channel) {
        int closed = channels.kill(channel);
        topology.killed(channel);
        return closed;
    }

    @Override
    public int disconnect(String channel, String user) {
        int closed = channels.disconnect(channel, user);
        topology.disconnected(channel, user);
        return closed;
    }

    @Override
    public List<ChannelInfo> channels() {
        return topology.channels(channels.listedInfos());
    }

    @Override
    public List<String> users(String channel) {
        // a stream shared by several tabs of this node lists its user once per tab
        return connections(channel).stream().flatMap(info -> {
            Connection here = channels.connection(info.id());
            return java.util.Collections.nCopies(here == null ? 1 : here.tabs(), info.user()).stream();
        }).toList();
    }

    @Override
    public List<String> distinctUsers(String channel) {
        return topology.distinctUsers(channel, channels.get(ChannelNames.require(channel)));
    }

    @Override
    public List<ConnectionInfo> connections(String channel) {
        return topology.connections(channel, channels.get(ChannelNames.require(channel)));
    }

    @Override
    public Optional<ConnectionInfo> connection(String connectionId) {
        Connection here = channels.connection(connectionId);
        return here != null ? Optional.of(here.info()) : topology.connectionElsewhere(connectionId);
    }

    /** Whether this node is part of its cluster now: true on a single node. */
    public boolean clusterReady() {
        return topology.ready();
    }

    /**
     * Messages and stored events the cluster engine refused from the backplane since start (not signed with the
     * cluster's secret, or not in its format): 0 on a single node.
     */
    public long clusterRejected() {
        return topology.clusterRejected();
    }

    /** Whether a cluster engine is configured. */
    public boolean clustered() {
        return topology.clustered();
    }

    @Override
    public int connectionCount() {
        return channels.connectionCount();
    }

    @Override
    public RegistryStats stats() {
        long now = System.nanoTime();
        int lagging = (int) channels.connections().stream().filter(connection -> connection.lagging(now)).count();
        return counters.stats(channels.connectionCount(), topology.channelCount(),
                channels.refusedConnections(), lagging);
    }

    /** Started, not stopped, and its executors still take tasks (the readiness check asks this). */
    public boolean running() {
        return running && workers.acceptingTasks();
    }

    /** Told how long each {@code broadcast} call took to encode its event and queue it to every connection. */
    public Latencies broadcastLatency() {
        return counters.broadcastLatency;
    }

    /**
     * Told, per broadcast that reached at least one connection, the time from when its channel took it (on this
     * node) to when the last connection it was queued to finished writing it or dropped it.
     */
    public Latencies deliveryLatency() {
        return counters.deliveryLatency;
    }

    /** Events kept for resume on {@code channel} (0 if it does not exist). */
    public int historySize(String channel) {
        Channel target = channels.get(ChannelNames.require(channel));
        return target == null ? 0 : target.historySize();
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
