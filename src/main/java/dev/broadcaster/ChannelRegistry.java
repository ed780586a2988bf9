package dev.broadcaster;

import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The channels of this application: an application-scoped CDI bean. A channel is created on first
 * connect (or by {@link #create}) and removed when its last connection leaves.
 *
 * <p>Publish to everyone with {@link #broadcast}, to one tab with {@link #send}; every send is
 * encoded once and never waits for slow readers. From your own JAX-RS resource:
 *
 * <pre>{@code
 * @GET @Path("rooms/{room}/events") @Produces(MediaType.SERVER_SENT_EVENTS)
 * public void events(@PathParam("room") String room, @Context SseEventSink sink, @Context Sse sse,
 *                    @Context SecurityContext security) {
 *     registry.connect("room-" + room, security, sink, sse);
 * }
 * }</pre>
 *
 * Channel names are 1 to 128 characters of letters, digits and {@code -_.:@}; any other name is an
 * {@link IllegalArgumentException} saying so. Names starting with {@code broadcaster:} are reserved for the
 * library's own channels (the admin page's feed): {@link #connect} refuses them (403) and {@link #create}
 * throws {@link IllegalArgumentException}; no listing shows them.
 */
public interface ChannelRegistry {

    /**
     * Subscribes {@code sink} to {@code channel} as the user of {@code security}. The stream starts
     * with the comment {@code : connected <connection-id>}.
     *
     * @throws jakarta.ws.rs.NotAuthorizedException (401) if anonymous and anonymous access is off
     * @throws jakarta.ws.rs.ForbiddenException (403) if the {@link ChannelAuthorizer} refuses, or the name is
     *         reserved ({@code broadcaster:…})
     * @throws jakarta.ws.rs.BadRequestException (400) if the channel name is malformed
     * @throws jakarta.ws.rs.ClientErrorException (429, with {@code Retry-After: 5}) if this node has
     *         {@code broadcaster.max-connections-per-user} connections of this user (anonymous clients: of this
     *         {@link ConnectOptions#clientAddress() client address}) or {@code broadcaster.max-connections} in all, or
     *         the channel is new and it keeps {@code broadcaster.max-channels}; nothing is registered then
     */
    ConnectionInfo connect(String channel, SecurityContext security, SseEventSink sink, Sse sse);

    /**
     * As {@link #connect(String, SecurityContext, SseEventSink, Sse)}, with options: the channel's
     * presence renderer, the {@code Last-Event-ID} to resume after, or how many past events to send first.
     */
    ConnectionInfo connect(String channel, SecurityContext security, SseEventSink sink, Sse sse,
                           ConnectOptions options);

    /**
     * Subscribes {@code sink} to several channels at once: one stream, one connection (one place in the connection
     * limits), a member of each channel as a stream of that channel alone would be (presence, {@link #kill},
     * {@link #disconnect} and exclusion work per channel; killed from one, it stays on the others). Its events are
     * the bytes a single channel's stream would get, but for their {@code id:}: a stream id naming every channel's
     * last event, so one {@code Last-Event-ID} ({@code options}) resumes every channel; a channel that cannot be
     * resumed gets {@code resync} (its data names the channel). Without one, the stream's first frame is an
     * {@code id:} of every channel's position at the start, so no event is missed across a reconnect. The presence
     * renderer of {@code options} is the first channel's; the others keep the one they have ({@link #create}).
     *
     * @throws jakarta.ws.rs.BadRequestException (400) if {@code channels} is empty, names a channel twice, names more
     *         than {@code broadcaster.max-channels-per-stream} (16), or a malformed name
     * @throws jakarta.ws.rs.ForbiddenException (403) if the {@link ChannelAuthorizer} refuses any of them, or one is
     *         reserved: nothing is registered then
     * @throws jakarta.ws.rs.ClientErrorException (429) as {@link #connect(String, SecurityContext, SseEventSink, Sse)}
     */
    ConnectionInfo connect(List<String> channels, SecurityContext security, SseEventSink sink, Sse sse,
                           ConnectOptions options);

    /**
     * A JAX-RS {@link SseBroadcaster} that is a view of {@code channel}: code written for {@code sse.newBroadcaster()}
     * moves to the library by calling this instead, and its streams get eviction, history, resume, presence and the
     * cluster. Each call returns a new view; the channel is created when the first sink registers. Differences from
     * the JAX-RS contract:
     * <ul>
     *   <li>{@code register(sink)} connects the sink as {@link #connect} does, as the user of the request that opened
     *       it and resuming after its {@code Last-Event-ID} header (both captured for {@code GET} resource methods
     *       producing {@code text/event-stream}; on another thread: anonymous, no resume). It throws what
     *       {@code connect} throws (401, 403, 429), which JAX-RS answers as such; a sink registered twice is one
     *       connection.
     *   <li>{@code broadcast(event)} publishes to every connection of the channel (whichever way it joined, on every
     *       node), with the channel's next id in place of the event's. Its stage completes, with that id, when the
     *       event is queued for this node's connections and recorded for resume (on a single node before it returns,
     *       with null if the channel does not exist because nobody joined it; in a cluster once the backplane ordered
     *       it, or it fails after 10 seconds), never waiting for a client. The event's name, reconnect delay and data
     *       are sent: {@code String} data as it is, other data of a JSON media type serialised with JSON-B. A
     *       comment, no data or other data throw {@link IllegalArgumentException}; too large an event throws
     *       {@link MessageTooLargeException}, a full fan-out queue {@link ChannelOverloadedException}.
     *   <li>{@code onError} listeners are told when a sink this view registered ended badly: with
     *       {@link ConnectionEvictedException} if it was evicted, or the write's failure (the client left). Then
     *       {@code onClose} listeners are told of every sink this view registered that closed, for any reason
     *       (client gone, evicted, {@link #kill}, {@link #disconnect}, {@code close()}, shutdown), once, on the
     *       library's threads: they must not block.
     *   <li>{@code close()} closes the sinks this view registered on this node (not the channel's other connections);
     *       {@code close(false)} leaves them open on the channel and forgets the listeners. A closed view throws
     *       {@link IllegalStateException} from every method but {@code close}.
     * </ul>
     *
     * @throws IllegalArgumentException if the name is malformed or reserved ({@code broadcaster:…})
     */
    SseBroadcaster broadcaster(String channel);

    /**
     * The id of the latest event of {@code channel}, for a page to render with the state it shows: a stream that
     * resumes from it ({@code Last-Event-ID}, or the built-in endpoint's {@code lastEventId} parameter) gets every
     * event published after it, on any node. On a single node the channel is created if absent (429 beyond
     * {@code broadcaster.max-channels}) so that it records what is published from now on; it is removed after
     * {@code broadcaster.channel-linger} if nobody joins.
     */
    String position(String channel);

    /** As {@link #position(String)}, for a stream of these channels ({@link #connect(List, SecurityContext, SseEventSink, Sse, ConnectOptions)}): its stream id. */
    String position(List<String> channels);

    /**
     * Creates {@code channel} now (if absent) and sets its presence renderer ({@code null} for none).
     *
     * @throws IllegalArgumentException if the name is malformed or reserved ({@code broadcaster:…})
     * @throws jakarta.ws.rs.ClientErrorException (429, with {@code Retry-After}) if the channel is new and this node
     *         keeps {@code broadcaster.max-channels} channels (listed or lingering)
     */
    void create(String channel, PresenceRenderer presence);

    /**
     * Sends {@code message} to every connection of {@code channel}; returns how many connections it is
     * addressed to. It never waits for the connections: a large channel's fan-out is done in order on the
     * library's executor after this returns. The event gets the channel's next id ({@code <epoch>-<sequence>}, replacing any id it had) and is
     * kept in the channel's history for clients that reconnect with {@code Last-Event-ID}.
     *
     * @throws MessageTooLargeException if the encoded event exceeds {@code broadcaster.max-message-size}
     * @throws IllegalArgumentException if the event is named {@code resync} (reserved)
     */
    int broadcast(String channel, SseMessage message);

    /** As {@link #broadcast(String, SseMessage)}, skipping the connections whose ids are in {@code exclude}. */
    int broadcast(String channel, SseMessage message, Set<String> exclude);

    /**
     * As {@link #broadcast(String, SseMessage, Set)}, telling the id the event got (what {@link #position(String)}
     * answers right after it). On a single node the stage is complete when this returns (with null if no channel of
     * that name exists to record it); in a cluster it completes once the backplane ordered the event (with this
     * node's own id for it if the backplane could not take it), or fails after 10 seconds without an answer.
     */
    CompletionStage<String> broadcastForId(String channel, SseMessage message, Set<String> exclude);

    /** Sends {@code message} to one connection (not recorded in history); false if no such connection is open. */
    boolean send(String connectionId, SseMessage message);

    /** Closes every connection of {@code channel} and removes it; returns how many were closed. */
    int kill(String channel);

    /** Closes every connection (all tabs) of {@code user} on {@code channel}; returns how many. */
    int disconnect(String channel, String user);

    /**
     * The channels that have at least one connection, or were created by {@link #create} and not yet
     * joined, by name. A channel whose last connection left is not listed, though it keeps its history
     * for {@code broadcaster.channel-linger}.
     */
    List<ChannelInfo> channels();

    /** The user of every connection of {@code channel}, in connection order: a user in two tabs appears twice. */
    List<String> users(String channel);

    /** The distinct users of {@code channel}, in the order they joined. */
    List<String> distinctUsers(String channel);

    /** The open connections of {@code channel}, in connection order. */
    List<ConnectionInfo> connections(String channel);

    /** The connection with this id, if it is open. */
    Optional<ConnectionInfo> connection(String connectionId);

    /** The number of open connections, over all channels. */
    int connectionCount();

    /**
     * Open connections and channels now; events published, frames queued, evictions, resyncs and presence
     * renders since start.
     */
    RegistryStats stats();
}
