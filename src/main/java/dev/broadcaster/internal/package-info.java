/**
 * The library's implementation: not API. Classes are public only where CDI or JAX-RS must see them.
 *
 * <h2>The house</h2>
 * <ul>
 *   <li>{@link dev.broadcaster.internal.DefaultChannelRegistry}: the API's verbs, checked and handed on; starts and
 *       stops everything else.</li>
 *   <li>{@link dev.broadcaster.internal.Topology}, chosen once at start: {@code LocalTopology} (one node) or
 *       {@code ClusteredTopology} (through a {@link dev.broadcaster.cluster.ClusterEngine}). It chooses each
 *       channel's {@link dev.broadcaster.internal.ChannelLog}: {@code LocalLog} or {@code ClusterLog}.</li>
 *   <li>{@code Channels}: this node's channel and connection maps and their transitions (join, leave, kill,
 *       disconnect, linger, leave grace, limits). {@code Housekeeping}: the timers and the close on stop.
 *       {@code Counters}: the cumulative counters.</li>
 *   <li>{@code Channel}: members, ordered fan-out, presence slot. {@code Connection}: one stream's bounded backlog,
 *       its writes and its eviction. {@code PresenceUpdater}, {@code AdminFeed}.</li>
 *   <li>{@code SseEncoder} writes every SSE frame ({@code Frame}); {@code ControlEvents} holds the library's own
 *       frames (connected, heartbeat, resync and its reasons, closing) and the reserved names.</li>
 *   <li>{@code ChannelSseBroadcaster}: a channel as a JAX-RS {@code SseBroadcaster}, registering sinks as the request
 *       {@code StreamRequestFilter} captured ({@code StreamRequest}); told of their end by {@code Connection.Ending}.</li>
 *   <li>Edges: {@code BroadcasterEndpoints}, {@code EndpointRouting}, {@code SameOriginFilter}, {@code CrossSiteCheck},
 *       {@code Refusals} (every HTTP refusal), {@code CdiEventObserver}, {@code BroadcasterConfig} (every
 *       {@code broadcaster.*} key), {@code Workers} (every thread).</li>
 * </ul>
 *
 * <h2>One broadcast, from {@code Event.fire} to the socket</h2>
 * <ol>
 *   <li>{@code CdiEventObserver}: the {@code Broadcast} event, after the transaction commits (or asynchronously).</li>
 *   <li>{@code DefaultChannelRegistry.broadcast}: channel name and reserved event names checked.</li>
 *   <li>{@code Topology.publish}. One node ({@code LocalTopology}): straight to the channel. Cluster
 *       ({@code ClusteredTopology}): the size is checked with the longest id and the engine queues the event; the
 *       engine's subscriber thread later calls {@code ClusteredTopology.deliver} on every node, and the event goes on
 *       to the channel from there.</li>
 *   <li>{@code Channel.publish} (or {@code deliver}), under the channel's monitor: the {@code ChannelLog} gives the
 *       event its id, encodes it once ({@code SseEncoder}) and records the frame; the frame is queued to a snapshot of
 *       the members, on the publisher's thread for up to {@code INLINE_FANOUT} members with nothing pending,
 *       otherwise in order on the executor.</li>
 *   <li>{@code Connection.deliver}: the frame joins the connection's bounded backlog; the drain task writes it on
 *       the executor through the container's {@code SseEventSink} ({@code JerseyFrame}, {@code ResteasyFrame} or
 *       {@code FrameWriter} give the container the encoded bytes), and the next write starts when the container
 *       completes this one.</li>
 * </ol>
 *
 * <h2>Threads and locks</h2>
 * <p><b>Who runs what.</b>
 * <ul>
 *   <li>Request threads (the container's): connect (the catch-up is queued, the writes are not done here), HTTP
 *       publish, and every API call an application makes, including the synchronous after-commit CDI observers.</li>
 *   <li>The executor ({@code Workers.execute}: the server's default managed executor, or the library's own
 *       {@code broadcaster-worker-N} pool): connection drains (all writes), fan-outs too large to do inline,
 *       presence renders, admin snapshots, removals re-posted from under a channel's monitor, the end of a leave
 *       grace.</li>
 *   <li>The timer ({@code Workers.scheduler}: {@code broadcaster-timer-1} or the managed scheduler): heartbeat and
 *       linger sweep, write watchdog, stuck-thread replacement ({@code Housekeeping}); delayed admin snapshots and
 *       leave-grace ends, which re-post to the executor.</li>
 *   <li>The container's completion callbacks of {@code SseEventSink.send}: finish one write and post the next.</li>
 *   <li>Stopping: {@code broadcaster-stop-watch} (notices a quiescing executor), {@code broadcaster-stop}
 *       ({@code Housekeeping.closeAll} when it does), {@code broadcaster-stopping-N} (tasks refused by the executor),
 *       {@code broadcaster-abort-N} (closing sinks that did not take their last frame).</li>
 *   <li>In a cluster, the engine's threads (for Redis: {@code broadcaster-redis-writer} and
 *       {@code broadcaster-redis-subscriber}) call {@link dev.broadcaster.cluster.ClusterNode} on
 *       {@code ClusteredTopology}.</li>
 * </ul>
 *
 * <p><b>Lock order.</b> The channel map's bin (inside {@code ConcurrentHashMap.compute} in {@code Channels}), then a
 * {@code Channel}'s monitor, then a {@code Connection}'s monitor. {@code AdminFeed}'s monitor, then its channel's.
 * Nothing takes a channel's monitor while holding a connection's, and no lock is held across a write to a sink, a
 * CDI event, a presence render or a call to the cluster engine.
 *
 * <p><b>The re-post rule.</b> A connection may be evicted while a frame is queued to it, that is under its channel's
 * monitor; its removal needs the channel map's bin, which comes before the channel in the lock order. So a removal
 * noticed under a channel's monitor ({@code Thread.holdsLock}) is re-posted to the executor
 * ({@code Channels.gone}, {@code AdminFeed.gone}); the timer's evictions are removed at once.
 *
 * <p><b>Never throws.</b> Work that runs on a thread the library does not own to completion catches and logs: the
 * timer tasks ({@code Housekeeping}: a throw would cancel the timer), the fan-out task ({@code Channel.fanOut}),
 * presence renders ({@code PresenceUpdater}), admin snapshots ({@code AdminFeed.publish}), connection drains and
 * completion callbacks ({@code Connection}), and the engine callbacks.
 *
 * <p><b>Waiting on the backplane.</b> Publishing never waits on it (the engine queues). Queries do, within the
 * engine's timeouts: a connect's catch-up ({@code ClusteredTopology.fetchCatchUp}, on the request thread), listings
 * and {@code stats()} (caller's thread), and presence renders in a cluster (the executor). {@code stats()} (so the
 * readiness check, each metrics scrape and each admin snapshot) only counts channels there, in one round trip; the
 * Redis engine runs its queries on a few connections of its own, so a slow one holds no other back.
 */
package dev.broadcaster.internal;
