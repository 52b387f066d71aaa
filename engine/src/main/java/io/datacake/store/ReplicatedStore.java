package io.datacake.store;

import io.datacake.clock.ClockDriftException;
import io.datacake.clock.HlcTimestamp;
import io.datacake.clock.HybridLogicalClock;
import io.datacake.crdt.Orswot;
import io.datacake.membership.ClusterView;
import io.datacake.membership.ConsistencyException;
import io.datacake.membership.MemberVisitor;
import io.datacake.membership.MembershipFormingException;
import io.datacake.membership.ReplicaSelection;
import io.datacake.node.Component;
import io.datacake.node.Node;
import io.datacake.node.NodeClosedException;
import io.datacake.node.NodeServices;
import io.datacake.rpc.Rpc;
import io.datacake.rpc.RpcError;
import io.datacake.rpc.RpcReply;
import io.datacake.rpc.RpcRequest;
import io.datacake.rpc.RpcResponseListener;
import io.datacake.rpc.RpcService;
import io.datacake.storage.KeyspaceStateLoader;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.Storage;
import io.datacake.storage.StorageWriter;
import io.datacake.storage.StorageWriterContext;
import io.datacake.storage.WriteCompletionHandler;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;

/**
 * The replicated store of one node: named keyspaces of 64-bit keys, each key holding the last write by hybrid
 * logical clock timestamp (stamp, then node id), deletes kept as tombstones. A node {@link Component}: register it
 * with {@code NodeContext.addComponent} and reach it from application threads through {@link #handle(Node)}.
 *
 * <h2>Writes</h2>
 * A write (put, delete, or a batch of either, in one keyspace) runs on the node thread of the node it is given to,
 * the coordinator:
 * <ol>
 *   <li>the replicas for the {@link io.datacake.membership.ConsistencyLevel} are chosen from the
 *       {@link ClusterView} (the selector is rebuilt only when the view's version moved); too few live members
 *       fail the write with {@link ConsistencyException} before anything is written, and so does a count-based
 *       level (QUORUM, LOCAL_QUORUM, EACH_QUORUM, ALL) while the view {@link ClusterView#isComplete() may lack
 *       members}, with {@link MembershipFormingException} naming how many seeds were heard: a node that has just
 *       restarted under gossip knows only the members it has heard from, and a majority of those is no majority of
 *       the cluster. NONE, ONE, TWO and THREE are served on any view;</li>
 *   <li>the write is stamped once by the coordinator's clock, applied to the keyspace's set and content tree and
 *       submitted to the storage writer;</li>
 *   <li>it is sent to each selected replica, which applies it with the coordinator's stamp and answers only once
 *       its storage commit completed; and added to the broadcast batch of every other live member: the writes of one
 *       duty cycle go to each such member in one-way messages of at most {@link StoreContext#broadcastMaxEntries(int)}
 *       entries and {@link StoreContext#broadcastMaxBytes(int)} bytes, sent at the end of the cycle, or ahead of a
 *       synchronous call to the same member, which keeps its view of this coordinator's writes in stamp order: inside
 *       that call, before the call's own write, when the batch holds the same keyspace and the bounds leave room
 *       (one message instead of two: the usual case at ONE and QUORUM, whose replicas take turns), else just before;
 *       best effort: a message the transport refuses is dropped, counted, and left to repair;</li>
 *   <li>the future completes once the local commit and every selected replica acknowledged (the local commit counts
 *       as one acknowledgement, as in datacake), or fails with {@link ReplicationException} naming how many
 *       acknowledged when a replica fails or does not answer within {@link StoreContext#requestTimeoutMs(long)}.
 *       A failed write is not undone: it may have landed on some replicas, and repair carries it on.</li>
 * </ol>
 * Level NONE applies and commits locally and sends to no one synchronously. An entry that loses to a newer write of
 * its key (or a key given twice in one batch, after its first occurrence) changes nothing and is not stored again.
 *
 * <h2>Stamps from peers</h2>
 * Last write wins by stamp, so an entry stamped far in the future beats every later write of its key until real
 * time passes its stamp. Every entry a peer sends (replicated, broadcast or fetched by repair) is therefore checked
 * against this node's wall clock: one stamped further ahead of it than the hybrid logical clock's maximum drift
 * ({@code HybridLogicalClock.maxDriftMs()}, the bound the clock itself refuses to merge beyond) is dropped before it
 * changes anything and counted by path ({@link StoreStatistics#entriesStampedAhead(EntryPath)}); the other entries
 * of the message apply. A replica that drops an entry of a replicate call answers it with an error, so the
 * coordinator does not count it as storing the write. Such entries come from a peer whose clock is set too far
 * ahead (or a bug); once real time comes within the maximum drift of their stamps, repair carries them like any
 * other. The check costs one clock read per message and one comparison per entry.
 *
 * <h2>Reads</h2>
 * Reads are local: a handle reads the node's storage on the caller's thread and copies the result. Once a write's
 * future completed, a read on the coordinator sees it (the local commit precedes completion).
 *
 * <h2>Start</h2>
 * When the node starts, every keyspace in storage is rebuilt (its set and content tree), the store's RPC service is
 * registered and its storage writer and repair reader launched: stepped with the node in invoker mode (set
 * {@code useAgentInvoker(true)} on {@link StoreContext#writerContext()}), each on its own thread otherwise.
 *
 * <h2>Bounds and allocation</h2>
 * Writes waiting for acknowledgements ({@link StoreContext#maxPendingWrites(int)}), entries per write
 * ({@link StoreContext#maxBatchEntries(int)}, which replicas also enforce on what they receive), keyspaces
 * ({@link StoreContext#maxKeyspaces(int)}) and the storage writer's in-flight writes and bytes are bounded; a write
 * that would pass a bound is refused before anything is written. A replicate message that is malformed is refused
 * whole, counted by reason in the node's counters, and changes nothing. On the node thread a coordinated write
 * reuses pooled state and a reused encoding buffer; the handle's future form allocates the command, its copies of
 * the arguments and the future (its callback form reuses pooled commands and allocates nothing), and a replica
 * reuses pooled acknowledgement state but allocates the RPC layer's deferred reply.
 *
 * <h2>Repair</h2>
 * Every {@link StoreContext#repairIntervalMs(long)} the store runs one anti-entropy round, pulling from one live peer
 * (round robin), one step after the other over RPC calls, never more than one round at a time:
 * <ol>
 *   <li>fast track: the peer lists up to {@code 64} of its keyspaces in name order with their tree roots; equal
 *       roots end the round after this one message pair (an in-sync node costs one pair a round), a keyspace the
 *       peer has and this node lacks is created here, and the first keyspace whose root differs is repaired (the
 *       next round starts after it, so every keyspace with work gets its turn);</li>
 *   <li>the {@link TictacExchange} descent over that keyspace's tree finds at most
 *       {@link StoreContext#repairMaxSegmentsPerRound(int)} mismatched segments;</li>
 *   <li>fetches ask the peer for the entries of those segments (key, stamp, node, value or tombstone), each at most
 *       {@link StoreContext#repairMaxEntriesPerFetch(int)} entries and about
 *       {@link StoreContext#repairMaxBytesPerFetch(int)} value bytes, in stamp order. The segments are split into
 *       groups sized, from the density earlier replies showed, to about one fetch each, so
 *       the peer walks each segment's keys about once; up to {@link StoreContext#repairMaxFetchesInFlight(int)}
 *       groups are fetched at once, a group whose reply stopped at a bound is asked again from where it stopped,
 *       and a fetch is sent only while the storage writer has room for the largest replies of every fetch in
 *       flight (else from a later duty cycle). At most {@code 64} fetches a round; the rest come in later rounds,
 *       a group cut short resuming where it stopped. A round that
 *       changed this node is followed at once by the next (catch-up after a restart or on a new node runs back to
 *       back, one round at a time); otherwise the next round waits the interval.
 *       They are applied like replicate messages but through {@link Orswot#REPAIR_SOURCE}: the set decides what wins
 *       ({@link Orswot#repair}, last write by stamp and node id, whatever order repair brings them in), the storage
 *       writer commits and the tree follows.</li>
 * </ol>
 * Repair pulls only: a node holding what its peer lacks waits for the peer's own round. The answering side keeps
 * no per-peer state; it finds a segment's entries through the keyspace's segment index (O(keys in the asked
 * segments), 4 bytes a tree segment and 12 bytes a key, off the heap) and sorts at most a fetch's worth of them on
 * the node thread, but never reads storage there: its repair reader thread reads the live ones' values (one read snapshot,
 * at most twice {@link StoreContext#repairMaxEntriesPerFetch(int)} reads per fetch) into a pooled off-heap staging
 * buffer, from which the node thread sends the reply, one copy into the transport's frame. The reader holds at most
 * {@link StoreContext#repairReaderQueueCapacity(int)} fetches; one more is refused at once and the peer asks again in
 * a later round. A value storage no longer holds under the listed stamp (a newer write landed meanwhile) is left out,
 * never sent under the old stamp. Only over a storage that {@linkplain Storage#readsWithoutBlocking() reads without
 * blocking} are values read on the node thread, each copied from the storage's view straight into the frame. A
 * malformed repair request or reply is
 * dropped, counted by reason, and changes nothing; a failed or timed-out call ends the round. Rounds, rounds in
 * sync, failed rounds, requests, segments fetched, entries fetched and applied are counted in the node's counters.
 *
 * <h2>Tombstone purge</h2>
 * A tombstone may go once no live member can bring its key back: when every live member holds it (or a newer write
 * of its key). The store learns that from repair, per keyspace:
 * <ul>
 *   <li>a round whose keyspace list shows a keyspace's root equal to the peer's proves this node held, when the
 *       reply came, everything the peer held when the round started: that start time is this node's synced time
 *       with that peer;</li>
 *   <li>a node's own synced time is the earliest over its live peers (none without live peers: a node alone cannot
 *       tell members it has not heard of from members that do not exist); each keyspace list reply carries the
 *       answering node's, so every node learns its peers' in turn;</li>
 *   <li>the cluster-wide synced time is the earliest of this node's and its live peers' last reports; every
 *       {@link StoreContext#purgeIntervalMs(long)} one keyspace's purge floor rises to it less
 *       {@link StoreContext#tombstoneGraceMs(long)}, and up to {@link StoreContext#purgeMaxEntriesPerStep(int)} of
 *       its tombstones older than the floor are removed: from storage first, through the storage writer, then from
 *       the set and tree once the removal committed (only if the key still holds exactly that tombstone). A removal
 *       that fails leaves set, tree and storage holding the tombstone and is retried by a later step;</li>
 *   <li>keyspace lists also carry each node's purge floor, which the others adopt (capped at their own time less
 *       the grace), so replicas purge the same tombstones and their trees meet again;</li>
 *   <li>a write (replicated, broadcast or repaired) of a key the keyspace does not hold, stamped before the
 *       floor, is refused as the stale copy of a purged key, once this node's own synced time has passed the floor
 *       too (a node that adopted a floor before holding its peers' old keys refuses nothing yet).</li>
 * </ul>
 * Only live members count. A member that cannot be reached but is still counted live holds purging back (its
 * rounds never match); a member marked dead does not, so it misses purges. If it also missed the delete, it comes
 * back holding the old write: the others refuse it (the key stays deleted on them) but it keeps its stale copy, and
 * its keyspace never matches theirs again. As with Cassandra's {@code gc_grace_seconds}, a member away for longer
 * than the grace must be wiped before it rejoins. The grace is also the margin for clock skew between members and
 * for writes still in flight. Purging progresses only while rounds find keyspaces equal: a keyspace written so
 * continuously that two members never match at a round keeps its tombstones until writes pause. Synced times and
 * floors live in memory: a restarted node purges and refuses nothing until its rounds have matched every live peer
 * again. Nor does a node whose {@link ClusterView#isComplete() view may lack members} (a gossiping node that has not
 * heard from every seed since it started) take or report a synced time: matching only the peers it knows of would
 * raise floors above writes that members it has not heard of still hold. Tombstones purged, and purge removals that failed in storage, are counted in the node's counters.
 *
 * <h2>Statistics</h2>
 * {@link #statistics()} reads what the store has done from any thread, without locks: live members, keyspaces,
 * documents, writes by consistency level, failures by kind, repair rounds, entries and bytes compared, documents
 * fetched, tombstones purged and broadcast messages. The figures are the node's counters, so the node's counters
 * file (and an exporter reading it) carries them under the labels {@link StoreStatistics} names.
 */
public final class ReplicatedStore implements Component
{
    /** Name of the store's RPC service. */
    public static final String SERVICE_NAME = "datacake.store";

    static final int SERVICE_ID = RpcService.idOf(SERVICE_NAME);
    static final int REPLICATE = 1;
    static final int REPAIR_KEYSPACES = 2;
    static final int REPAIR_TREE = 3;
    static final int REPAIR_FETCH = 4;

    private static final int REPAIR_IDLE = 0;
    private static final int REPAIR_AWAIT_KEYSPACES = 1;
    private static final int REPAIR_AWAIT_TREE = 2;
    private static final int REPAIR_AWAIT_FETCH = 3;
    private static final long CALL_STARTING = Long.MIN_VALUE;

    /**
     * Bound on the fetches one repair round sends over its mismatched segments (each bounded by
     * {@link StoreContext#repairMaxEntriesPerFetch(int)} entries and {@link StoreContext#repairMaxBytesPerFetch(int)}
     * value bytes): a round moves at most this many fetches' worth of entries, and what is left comes in later rounds.
     */
    static final int REPAIR_MAX_FETCHES_PER_ROUND = 64;

    /**
     * Label of the node counter of repair fetch replies written on the node thread from the storage's view straight
     * into the frame: only over a storage that {@linkplain Storage#readsWithoutBlocking() reads without blocking}.
     */
    public static final String REPAIR_REPLIES_IN_PLACE_LABEL = "store repair fetch replies written in place";

    /**
     * Label of the node counter of repair fetch replies encoded into an off-heap staging buffer first, then copied
     * once into the frame (or streamed): every reply the repair reader reads, and over a storage that reads without
     * blocking, a reply whose first entry alone is longer than a frame.
     */
    public static final String REPAIR_REPLIES_STAGED_LABEL = "store repair fetch replies staged";

    /** Name of a store's repair reader thread, followed by the node id. */
    public static final String REPAIR_READER_THREAD_NAME_PREFIX = "datacake-repair-reader-";

    private static final int NO_PEER = -1;
    private static final System.Logger LOGGER = System.getLogger(ReplicatedStore.class.getName());

    private final StoreContext ctx;
    private final ClusterView view;
    private final Storage storage;
    private final StorageWriterContext writerContext;
    private final int maxValueLength;
    private final HashMap<String, Keyspace> keyspaces = new HashMap<>();
    private final ArrayDeque<PendingWrite> freeWrites = new ArrayDeque<>();
    private final ArrayDeque<ReplicaAck> freeAcks = new ArrayDeque<>();
    private final ReplicationMessage outbound = new ReplicationMessage();
    private final ReplicationMessage local = new ReplicationMessage();
    private final ReplicationMessage inbound = new ReplicationMessage();
    private final Int2IntHashMap peerByNodeId = new Int2IntHashMap(NO_PEER);
    private final MemberVisitor memberVisitor = this::onMember;
    private final AtomicCounter[] malformedByReason = new AtomicCounter[ReplicationMessage.REASON_COUNT];
    private final AtomicCounter[] malformedRepairByReason = new AtomicCounter[RepairMessages.REASON_COUNT];
    private final ArrayList<String> keyspaceOrder = new ArrayList<>();
    private final ExpandableDirectByteBuffer repairRequest = new ExpandableDirectByteBuffer(4096);
    private final ReplicationMessage repairInbound = new ReplicationMessage();
    private final RpcResponseListener repairListener = new RpcResponseListener()
    {
        public void onResponse(final long correlationId, final DirectBuffer body, final int offset, final int length)
        {
            onRepairResponse(correlationId, body, offset, length);
        }

        public void onError(final long correlationId, final RpcError error, final String message)
        {
            onRepairError(correlationId);
        }
    };
    private final WriteCompletionHandler oneWayCompletion = new WriteCompletionHandler()
    {
        public void onWriteCommitted(final long sequence)
        {
        }

        public void onWriteFailed(final long sequence, final Throwable cause)
        {
            oneWayCommitFailures.increment();
        }
    };

    private Rpc rpc;
    private HybridLogicalClock clock;
    private StorageWriter writer;
    private ReplicaSelection selector;
    private long viewVersion;
    private int localNodeId;
    private int[] targets = new int[16];
    private int[] liveOthers = new int[16];
    private int liveOtherCount;
    private boolean lastApplyBackPressured;
    private int lastApplyStampedAhead;
    private AtomicCounter replicateStampedAhead;
    private AtomicCounter broadcastStampedAhead;
    private AtomicCounter repairStampedAhead;
    private boolean writerHeld;
    private PendingWrite coordinating;
    private boolean recycleCoordinating;
    private PendingWrite pendingHead;
    private int pendingCount;
    private AtomicCounter writesCoordinated;
    private AtomicCounter writesFailed;
    private AtomicCounter replicateRequestsServed;
    private AtomicCounter replicateRefused;
    private AtomicCounter broadcastsDropped;
    private AtomicCounter oneWayCommitFailures;
    private AtomicCounter keyspacesReloaded;
    private AtomicCounter repairRounds;
    private AtomicCounter repairRoundsInSync;
    private AtomicCounter repairRoundsFailed;
    private AtomicCounter repairRequestsSent;
    private AtomicCounter repairSegmentsFetched;
    private AtomicCounter repairEntriesFetched;
    private AtomicCounter repairEntriesApplied;
    private AtomicCounter repairFetchesRefused;
    private AtomicCounter tombstonesPurged;
    private AtomicCounter purgeFailures;
    private TombstonePurge purge;
    private volatile StoreStatistics statistics;
    private BroadcastBatcher broadcasts;
    private RepairServer repairServer;
    private long nextPurgeAtMs;
    private int purgeKeyspaceCursor;
    private NodeServices services;
    private long repairStartedAtEpochMs;
    private long failedCommitsReloaded;
    private long replicaAcksCreated;
    private long nextRepairAtMs;
    private int repairState = REPAIR_IDLE;
    private long repairCorrelationId;
    private long repairCallSequence;
    private int repairPeerCursor;
    private int repairNodeId;
    private int repairPeer;
    private int keyspaceListFirst;
    private Keyspace repairKeyspace;
    private RepairFetches repairFetches;
    private long writerBytesPerFetch;
    private long repairAppliedThisRound;

    /**
     * A store over the context's storage and cluster view; started when its node launches.
     *
     * @param ctx the configuration; concluded here.
     * @throws IllegalArgumentException if the configuration is invalid.
     */
    public ReplicatedStore(final StoreContext ctx)
    {
        this.ctx = ctx.conclude();
        this.view = ctx.clusterView();
        this.storage = ctx.storage();
        this.writerContext = ctx.writerContext();
        this.maxValueLength = writerContext.maxValueLength();
    }

    /**
     * What this store has done, readable from any thread without locks (the figures are the node's counters).
     *
     * @return the statistics.
     * @throws IllegalStateException if the store's node has not started it yet.
     */
    public StoreStatistics statistics()
    {
        final StoreStatistics statistics = this.statistics;
        if (null == statistics)
        {
            throw new IllegalStateException("the store has not started: its node must be launched first");
        }
        return statistics;
    }

    /**
     * A handle for application threads on the node this store is registered with.
     *
     * @param node the running node the store was registered with.
     * @return a thread-safe handle.
     * @throws IllegalArgumentException if the node's id is not the cluster view's local node id.
     */
    public StoreHandle handle(final Node node)
    {
        if (node.nodeId() != view.localNodeId())
        {
            throw new IllegalArgumentException("node " + node.nodeId() + " is not this store's node (the cluster " +
                "view's local node is " + view.localNodeId() + ")");
        }
        return new StoreHandle(node, this);
    }

    /**
     * Rebuild every keyspace from storage, launch the storage writer and the repair reader, and register the
     * replication service.
     *
     * @param services the node's services.
     * @throws IllegalArgumentException if the cluster view's local node id is not the node's id.
     * @throws io.datacake.storage.StorageException if the storage could not be read.
     */
    @Override
    public void onStart(final NodeServices services)
    {
        if (services.nodeId() != view.localNodeId())
        {
            throw new IllegalArgumentException("the cluster view is node " + view.localNodeId() +
                "'s, the store runs on node " + services.nodeId());
        }
        this.services = services;
        this.rpc = services.rpc();
        this.clock = services.clock();
        this.localNodeId = services.nodeId();
        try
        {
            loadKeyspaces();
            restoreClock();
            writesCoordinated = services.counters().newCounter("store writes coordinated");
            writesFailed = services.counters().newCounter("store writes failed after the local apply");
            replicateRequestsServed = services.counters().newCounter("store replicate messages applied");
            replicateRefused =
                services.counters().newCounter("store replicate messages refused (back-pressure, bounds)");
            broadcastsDropped = services.counters().newCounter("store broadcasts dropped");
            oneWayCommitFailures = services.counters().newCounter("store one-way commit failures");
            keyspacesReloaded =
                services.counters().newCounter("store keyspaces reloaded from storage after failed commits");
            for (int reason = 1; reason < ReplicationMessage.REASON_COUNT; reason++)
            {
                malformedByReason[reason] = services.counters().newCounter(
                    "store malformed replicate dropped: " + ReplicationMessage.reason(reason));
            }
            repairRounds = services.counters().newCounter("store repair rounds");
            repairRoundsInSync = services.counters().newCounter("store repair rounds in sync");
            repairRoundsFailed = services.counters().newCounter("store repair rounds failed (error, timeout)");
            repairRequestsSent = services.counters().newCounter("store repair requests sent");
            repairSegmentsFetched = services.counters().newCounter("store repair segments fetched");
            repairEntriesFetched = services.counters().newCounter("store repair entries fetched");
            repairEntriesApplied = services.counters().newCounter("store repair entries applied");
            repairFetchesRefused =
                services.counters().newCounter("store repair fetches refused (back-pressure, bounds)");
            for (int reason = 1; reason < RepairMessages.REASON_COUNT; reason++)
            {
                malformedRepairByReason[reason] = services.counters().newCounter(
                    "store malformed repair message dropped: " + RepairMessages.reason(reason));
            }
            tombstonesPurged = services.counters().newCounter("store tombstones purged");
            purgeFailures = services.counters().newCounter("store tombstone purges failed in storage (retried)");
            purge = new TombstonePurge(ctx.purgeMaxEntriesPerStep(), tombstonesPurged, purgeFailures);
            final StoreStatistics statistics = new StoreStatistics(services.counters(), repairRounds,
                repairEntriesFetched, repairEntriesApplied, tombstonesPurged, broadcastsDropped);
            statistics.keyspaces(keyspaces.size());
            for (final Keyspace keyspace : keyspaces.values())
            {
                statistics.documentsChanged(keyspace.set().liveCount());
            }
            this.statistics = statistics;
            replicateStampedAhead = statistics.stampedAhead(EntryPath.REPLICATE);
            broadcastStampedAhead = statistics.stampedAhead(EntryPath.BROADCAST);
            repairStampedAhead = statistics.stampedAhead(EntryPath.REPAIR);
            refreshStateBytes();
            broadcasts = new BroadcastBatcher(Math.min(ctx.broadcastMaxEntries(), ctx.maxBatchEntries()),
                Math.min(ctx.broadcastMaxBytes(), rpc.maxOneWayBodyLength()), this::sendBroadcast);
            nextRepairAtMs = services.monotonicMs() + ctx.repairIntervalMs();
            nextPurgeAtMs = services.monotonicMs() + ctx.purgeIntervalMs();
            writer = StorageWriter.launch(writerContext);
            repairFetches = new RepairFetches(ctx.repairMaxFetchesInFlight(), ctx.repairMaxSegmentsPerRound(),
                ctx.repairMaxEntriesPerFetch(), ctx.repairMaxBytesPerFetch());
            writerBytesPerFetch =
                RepairFetches.writerBytesPerFetch(ctx.repairMaxEntriesPerFetch(), ctx.repairMaxBytesPerFetch());
            repairServer = new RepairServer(ctx, keyspaces, keyspaceOrder, localNodeId, malformedRepairByReason,
                repairFetchesRefused, services.counters().newCounter(REPAIR_REPLIES_IN_PLACE_LABEL),
                services.counters().newCounter(REPAIR_REPLIES_STAGED_LABEL), statistics,
                writerContext.useAgentInvoker());
            services.addService(new RpcService(SERVICE_NAME)
                .handler(REPLICATE, this::onReplicate)
                .handler(REPAIR_KEYSPACES,
                    (request, reply) -> repairServer.onKeyspaces(request, reply, liveOthers, syncedPeerCount()))
                .handler(REPAIR_TREE, (request, reply) -> repairServer.onTree(request, reply))
                .handler(REPAIR_FETCH, (request, reply) -> repairServer.onFetch(request, reply)));
            refreshMembership();
        }
        catch (final RuntimeException ex)
        {
            // The node closes only the components that started: free what this one holds before failing.
            onClose();
            throw ex;
        }
    }

    /**
     * Step the storage writer (stepped mode) or commit inline, hand finished commits to their writes, send the repair
     * fetch replies the repair reader has read, and follow membership.
     *
     * @param monotonicMs the node's monotonic time: repair rounds and purge steps are scheduled on it, so a wall
     *                    clock step neither delays nor hurries them.
     * @return work done.
     */
    @Override
    public int doWork(final long monotonicMs)
    {
        int work = 0;
        if (null != writer.invoker() && !writerHeld)
        {
            work += writer.invoker().invoke();
        }
        // The cycle's submits (commands, replicate messages) are in: commit them here when the storage allows it, so
        // acks and completions go out in this same cycle.
        work += writer.commitInline();
        work += writer.drainCompletions(ctx.completionLimit());
        work += reloadAfterFailedCommits();
        work += repairServer.doWork();
        refreshMembership();
        if (REPAIR_AWAIT_FETCH == repairState)
        {
            // Fetches held back while the storage writer had no room for their replies.
            work += sendFetches();
        }
        if (REPAIR_IDLE == repairState && monotonicMs >= nextRepairAtMs)
        {
            nextRepairAtMs = monotonicMs + ctx.repairIntervalMs();
            work += startRepairRound();
        }
        if (monotonicMs >= nextPurgeAtMs && !purge.isInFlight())
        {
            nextPurgeAtMs = monotonicMs + ctx.purgeIntervalMs();
            work += purgeStep();
        }
        work += broadcasts.flushAll();
        return work;
    }

    /**
     * Raise the next keyspace's purge floor to its cluster-wide synced time less the grace, then purge below it.
     */
    private int purgeStep()
    {
        if (keyspaceOrder.isEmpty())
        {
            return 0;
        }
        purgeKeyspaceCursor = purgeKeyspaceCursor + 1 < keyspaceOrder.size() ? purgeKeyspaceCursor + 1 : 0;
        final Keyspace keyspace = keyspaces.get(keyspaceOrder.get(purgeKeyspaceCursor));
        final int peerCount = syncedPeerCount();
        final long floorMs = keyspace.raisePurgeFloor(
            keyspace.clusterSyncedMs(liveOthers, peerCount) - ctx.tombstoneGraceMs());
        keyspace.refuseBelow(keyspace.syncedMs(liveOthers, peerCount));
        final int work = purge.step(keyspace, floorMs, writer);
        refreshStateBytes();
        return work;
    }

    private void refreshStateBytes()
    {
        long bytes = 0;
        for (int i = 0, size = keyspaceOrder.size(); i < size; i++)
        {
            bytes += keyspaces.get(keyspaceOrder.get(i)).stateBytes();
        }
        statistics.stateBytes(bytes);
    }

    /**
     * The live peers a synced time is taken over: none (so no synced time) while the view may lack members. A node
     * that restarted in a partition may know only the peers on its side; matching just them would let it (and them,
     * through its reports) raise floors and refuse writes the members it has not heard of still hold.
     */
    private int syncedPeerCount()
    {
        return view.isComplete() ? liveOtherCount : 0;
    }

    /**
     * Close the storage writer (committing and acknowledging what it holds), fail the writes still waiting for
     * replicas with {@link NodeClosedException}, and free the keyspaces' off-heap state. The storage stays open.
     */
    @Override
    public void onClose()
    {
        if (null != writer)
        {
            writer.close();
        }
        if (null != repairServer)
        {
            repairServer.close();
        }
        final NodeClosedException closed = new NodeClosedException(localNodeId);
        while (null != pendingHead)
        {
            final PendingWrite write = pendingHead;
            unlink(write);
            write.abort(closed);
        }
        for (final Keyspace keyspace : keyspaces.values())
        {
            keyspace.close();
        }
        keyspaces.clear();
        keyspaceOrder.clear();
        repairState = REPAIR_IDLE;
        repairKeyspace = null;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "ReplicatedStore{node=" + localNodeId + ", keyspaces=" + keyspaces.size() + ", pendingWrites=" +
            pendingCount + "}";
    }

    Storage storage()
    {
        return storage;
    }

    int maxValueLength()
    {
        return maxValueLength;
    }

    int maxBatchEntries()
    {
        return ctx.maxBatchEntries();
    }

    int maxPendingWrites()
    {
        return ctx.maxPendingWrites();
    }

    /**
     * A keyspace's state, for tests on the node (or stepping) thread.
     */
    Keyspace keyspaceState(final String name)
    {
        return keyspaces.get(name);
    }

    /**
     * Node thread only: see {@link StoreHandle#keyspaceDigest(String)}.
     */
    long keyspaceDigest(final String name)
    {
        final Keyspace keyspace = keyspaces.get(name);
        return null == keyspace ? TictacTree.ABSENT : keyspace.tree().root();
    }

    List<String> keyspaceNames()
    {
        return new ArrayList<>(keyspaces.keySet());
    }

    /**
     * Stop (or resume) stepping a stepped writer, so a test can hold commits back; no effect on a writer thread.
     */
    void holdWriter(final boolean hold)
    {
        writerHeld = hold;
    }

    int pendingWriteCount()
    {
        return pendingCount;
    }

    int pooledWriteCount()
    {
        return freeWrites.size();
    }

    long replicaAcksCreated()
    {
        return replicaAcksCreated;
    }

    void coordinate(final WriteCommand command)
    {
        refreshMembership();
        final int replicaCount;
        try
        {
            if (pendingCount >= ctx.maxPendingWrites())
            {
                throw new StoreBackPressureException("node " + localNodeId + " already has " + pendingCount +
                    " writes waiting for acknowledgements (StoreContext.maxPendingWrites)");
            }
            if (command.level.countsMembers() && !view.isComplete())
            {
                throw new MembershipFormingException(command.level, localNodeId, view.memberCount(),
                    view.liveCount() - 1, view.seedsHeard(), view.seedCount());
            }
            replicaCount = selector.select(command.level, targets);
            checkWriterRoom(command);
        }
        catch (final MembershipFormingException ex)
        {
            statistics.onFailure(WriteFailureKind.MEMBERSHIP_FORMING);
            throw ex;
        }
        catch (final ConsistencyException ex)
        {
            statistics.onFailure(WriteFailureKind.CONSISTENCY);
            throw ex;
        }
        catch (final StoreBackPressureException ex)
        {
            statistics.onFailure(WriteFailureKind.BACK_PRESSURE);
            throw ex;
        }
        statistics.onWrite(command.level);
        final int entryCount = command.entryCount();
        final long stamp = clock.send();
        final Keyspace keyspace = keyspace(command.keyspace);

        outbound.beginEncode(command.keyspaceUtf8);
        for (int i = 0; i < entryCount; i++)
        {
            command.encodeEntry(outbound, i, stamp, localNodeId);
        }
        final int length = outbound.encodedLength();
        final int check = local.wrap(outbound.encoded(), 0, length, entryCount, maxValueLength);
        if (ReplicationMessage.OK != check)
        {
            throw new IllegalStateException("store encoded a message it cannot decode: " +
                ReplicationMessage.reason(check));
        }

        writesCoordinated.increment();
        final PendingWrite polled = freeWrites.pollFirst();
        final PendingWrite write = (null == polled ? new PendingWrite(this) : polled)
            .reset(command, command.keyspace, replicaCount);
        link(write);
        coordinating = write;
        try
        {
            replicate(write, keyspace, replicaCount);
        }
        finally
        {
            coordinating = null;
            if (recycleCoordinating)
            {
                recycleCoordinating = false;
                recycle(write);
            }
        }
    }

    private void replicate(final PendingWrite write, final Keyspace keyspace, final int replicaCount)
    {
        final int length = outbound.encodedLength();
        write.localSubmitted(applyEntries(keyspace, local, write));
        if (lastApplyBackPressured)
        {
            write.fail(WriteFailureKind.BACK_PRESSURE,
                "the local storage writer was back-pressured part way through the batch");
            return;
        }

        for (int i = 0; i < replicaCount && !write.isDone(); i++)
        {
            final int nodeId = targets[i];
            // Earlier writes batched for this peer go first: it must see this coordinator's writes in stamp order.
            // They ride in the call ahead of this write when they fit, else go in their own message just before.
            final ReplicationMessage withBatch = broadcasts.takeWith(nodeId, keyspace.nameUtf8(), local);
            if (null == withBatch)
            {
                broadcasts.flush(nodeId);
            }
            write.beginCall(nodeId);
            write.callStarted(rpc.call(peerByNodeId.get(nodeId), nodeId, SERVICE_ID, REPLICATE,
                null == withBatch ? outbound.encoded() : withBatch.encoded(), 0,
                null == withBatch ? length : withBatch.encodedLength(), null, ctx.requestTimeoutMs(), write));
        }
        broadcast(keyspace, replicaCount);
        write.localSubmitDone();
    }

    /**
     * A write is done and nothing can call it any more: keep it for the next write (bounded by the pending bound).
     */
    void recycle(final PendingWrite write)
    {
        if (write == coordinating)
        {
            // Still in use by coordinate(), which recycles it when it returns.
            recycleCoordinating = true;
        }
        else if (freeWrites.size() < ctx.maxPendingWrites())
        {
            freeWrites.addLast(write);
        }
    }

    void onWriteFailed(final WriteFailureKind kind)
    {
        writesFailed.increment();
        statistics.onFailure(kind);
    }

    void unlink(final PendingWrite write)
    {
        if (null == write.previous && pendingHead != write)
        {
            return;
        }
        if (null != write.previous)
        {
            write.previous.next = write.next;
        }
        else
        {
            pendingHead = write.next;
        }
        if (null != write.next)
        {
            write.next.previous = write.previous;
        }
        write.previous = null;
        write.next = null;
        pendingCount--;
    }

    void cancelCall(final long correlationId)
    {
        rpc.cancel(correlationId);
    }

    private void link(final PendingWrite write)
    {
        write.next = pendingHead;
        if (null != pendingHead)
        {
            pendingHead.previous = write;
        }
        pendingHead = write;
        pendingCount++;
    }

    /**
     * Add the write to the batch of every live member that is not one of its selected replicas; the batches go out
     * at the end of the duty cycle.
     */
    private void broadcast(final Keyspace keyspace, final int replicaCount)
    {
        for (int i = 0; i < liveOtherCount; i++)
        {
            final int nodeId = liveOthers[i];
            if (!isTarget(nodeId, replicaCount))
            {
                broadcasts.add(nodeId, keyspace.nameUtf8(), local);
            }
        }
    }

    private void sendBroadcast(final int peerNodeId, final DirectBuffer message, final int length)
    {
        try
        {
            if (rpc.send(peerByNodeId.get(peerNodeId), SERVICE_ID, REPLICATE, message, 0, length, null) < 0)
            {
                broadcastsDropped.increment();
                return;
            }
            statistics.onBroadcastMessage();
        }
        catch (final IllegalArgumentException ex)
        {
            // Larger than one frame (a single value over the bound): one-way messages are not streamed, so this
            // member waits for repair.
            broadcastsDropped.increment();
        }
    }

    private boolean isTarget(final int nodeId, final int replicaCount)
    {
        for (int i = 0; i < replicaCount; i++)
        {
            if (targets[i] == nodeId)
            {
                return true;
            }
        }
        return false;
    }

    private void onReplicate(final RpcRequest request, final RpcReply reply)
    {
        final boolean oneWay = request.isOneWay();
        final int reason = inbound.wrap(
            request.body(), request.bodyOffset(), request.bodyLength(), ctx.maxBatchEntries(), maxValueLength);
        if (ReplicationMessage.OK != reason)
        {
            malformedByReason[reason].increment();
            if (!oneWay)
            {
                reply.fail("malformed replicate message: " + ReplicationMessage.reason(reason));
            }
            return;
        }
        final Keyspace keyspace;
        try
        {
            checkWriterRoom(inbound);
            keyspace = keyspace(inbound.keyspace());
        }
        catch (final StoreBackPressureException | IllegalStateException ex)
        {
            replicateRefused.increment();
            if (!oneWay)
            {
                reply.fail(ex.getMessage());
            }
            return;
        }
        replicateRequestsServed.increment();
        if (oneWay)
        {
            applyEntries(keyspace, inbound, oneWayCompletion, Orswot.CONSISTENCY_SOURCE, broadcastStampedAhead);
            return;
        }
        final ReplicaAck polled = freeAcks.pollFirst();
        final ReplicaAck ack = null == polled ? newReplicaAck() : polled;
        ack.reset(reply.defer(ack.spentReply()));
        ack.outstanding(
            applyEntries(keyspace, inbound, ack, Orswot.CONSISTENCY_SOURCE, replicateStampedAhead));
        if (lastApplyBackPressured)
        {
            ack.failNow("replica " + localNodeId + "'s storage writer was back-pressured part way through the batch");
        }
        else if (lastApplyStampedAhead > 0)
        {
            // Not stored, so not acknowledged: the coordinator must not count this replica for the write.
            ack.failNow("replica " + localNodeId + " dropped " + lastApplyStampedAhead + " entries stamped more " +
                "than the maximum drift (" + clock.maxDriftMs() + " ms) ahead of its clock: check the " +
                "coordinator's clock");
        }
        else
        {
            ack.submitDone();
        }
    }

    private ReplicaAck newReplicaAck()
    {
        replicaAcksCreated++;
        return new ReplicaAck(freeAcks, ctx.maxPendingWrites());
    }

    /**
     * Apply the entries of a write this node coordinates (stamped by its own clock).
     *
     * @return the number of writes submitted (each completes through {@code handler}).
     */
    private int applyEntries(final Keyspace keyspace, final ReplicationMessage message,
        final WriteCompletionHandler handler)
    {
        return applyEntries(keyspace, message, handler, Orswot.CONSISTENCY_SOURCE, null);
    }

    /**
     * Apply every entry of a checked message that changes the keyspace: submit it to the writer, then change the
     * set and tree, so the set never holds what storage was not asked to store. An entry from a peer stamped
     * further ahead of this node's wall clock than the clock's maximum drift is dropped and counted: it would win
     * every last-write-wins comparison of its key for as long as its stamp stays ahead.
     *
     * @param stampedAhead counts the entries dropped for their stamp; null for this node's own writes, unchecked.
     * @return the number of writes submitted (each completes through {@code handler}).
     */
    private int applyEntries(final Keyspace keyspace, final ReplicationMessage message,
        final WriteCompletionHandler handler, final int source, final AtomicCounter stampedAhead)
    {
        lastApplyBackPressured = false;
        lastApplyStampedAhead = 0;
        final long maxStampMillis = null == stampedAhead ? Long.MAX_VALUE : services.epochMs() + clock.maxDriftMs();
        int submitted = 0;
        long documentsDelta = 0;
        final Orswot set = keyspace.set();
        // Touch every key's lines in the set before applying any: on a set larger than the CPU caches each key is a
        // cache miss, and started together the misses overlap instead of following one another (a lone entry has
        // nothing to overlap with).
        message.rewind();
        if (message.entryCount() > 1)
        {
            while (message.next())
            {
                set.prefetch(message.key());
            }
            message.rewind();
        }
        while (message.next())
        {
            final long key = message.key();
            final long stamp = message.stamp();
            if (HlcTimestamp.millis(stamp) > maxStampMillis)
            {
                stampedAhead.increment();
                lastApplyStampedAhead++;
                continue;
            }
            final int nodeId = message.nodeId();
            final boolean tombstone = message.isTombstone();
            if (!keyspace.willApply(tombstone, source, key, stamp, nodeId))
            {
                continue;
            }
            final long sequence =
                submit(keyspace, message, tombstone, key, stamp, nodeId, handler, Orswot.REPAIR_SOURCE == source);
            if (sequence < 0)
            {
                lastApplyBackPressured = true;
                break;
            }
            final int liveBefore = set.liveCount();
            keyspace.apply(tombstone, source, key, stamp, nodeId);
            documentsDelta += set.liveCount() - liveBefore;
            submitted++;
        }
        statistics.documentsChanged(documentsDelta);
        return submitted;
    }

    /**
     * Submit an entry to the writer. What repair fetched goes in as a repair write: a peer holds it and repair fetches
     * it again if this node loses it, so the writer commits it in its repair windows (larger, and committed with the
     * storage's refetchable durability).
     */
    private long submit(final Keyspace keyspace, final ReplicationMessage message, final boolean tombstone,
        final long key, final long stamp, final int nodeId, final WriteCompletionHandler handler, final boolean repair)
    {
        final String name = keyspace.name();
        if (tombstone)
        {
            return repair ? writer.submitRepairTombstone(name, key, stamp, nodeId, handler) :
                writer.submitTombstone(name, key, stamp, nodeId, handler);
        }
        final DirectBuffer buffer = message.buffer();
        final int offset = message.valueOffset();
        final int length = message.valueLength();
        return repair ? writer.submitRepairPut(name, key, stamp, nodeId, buffer, offset, length, handler) :
            writer.submitPut(name, key, stamp, nodeId, buffer, offset, length, handler);
    }

    private void checkWriterRoom(final WriteCommand command)
    {
        long bytes = 0;
        for (int i = 0, count = command.entryCount(); i < count; i++)
        {
            bytes += writerRecordBytes(command.valueLength(i));
        }
        checkWriterRoom(command.entryCount(), bytes);
    }

    private void checkWriterRoom(final ReplicationMessage message)
    {
        long bytes = 0;
        message.rewind();
        while (message.next())
        {
            bytes += writerRecordBytes(Math.max(0, message.valueLength()));
        }
        checkWriterRoom(message.entryCount(), bytes);
    }

    private void checkWriterRoom(final int entryCount, final long bytes)
    {
        if (writer.inFlightWrites() + entryCount > writerContext.maxInFlightWrites() ||
            writer.inFlightBytes() + bytes > writerContext.maxInFlightBytes())
        {
            throw new StoreBackPressureException("node " + localNodeId + "'s storage writer holds " +
                writer.inFlightWrites() + " writes and " + writer.inFlightBytes() + " bytes in flight, no room for " +
                entryCount + " more writes of " + bytes + " bytes (StorageWriterContext.maxInFlightWrites, " +
                "maxInFlightBytes)");
        }
    }

    /**
     * What the writer counts for a write against its in-flight bytes: its ring record, a 40-byte header and the
     * value, aligned to 8 bytes.
     */
    private static long writerRecordBytes(final int valueLength)
    {
        return BitUtil.align(40 + valueLength, 8);
    }

    private Keyspace keyspace(final String name)
    {
        Keyspace keyspace = keyspaces.get(name);
        if (null == keyspace)
        {
            if (keyspaces.size() >= ctx.maxKeyspaces())
            {
                throw new IllegalStateException("node " + localNodeId + " already holds " + ctx.maxKeyspaces() +
                    " keyspaces: raise StoreContext.maxKeyspaces to write '" + name + "'");
            }
            keyspace = new Keyspace(name, new Orswot(), newTree());
            keyspaces.put(name, keyspace);
            addToOrder(name);
            statistics.keyspaces(keyspaces.size());
        }
        return keyspace;
    }

    private TictacTree newTree()
    {
        return new TictacTree(ctx.treeBranchCount(), ctx.treeSegmentsPerBranch());
    }

    private void loadKeyspaces()
    {
        final List<String> names = storage.keyspaces();
        if (names.size() > ctx.maxKeyspaces())
        {
            throw new IllegalStateException("storage holds " + names.size() + " keyspaces, more than " +
                "StoreContext.maxKeyspaces (" + ctx.maxKeyspaces() + ")");
        }
        final KeyspaceStateLoader loader = new KeyspaceStateLoader();
        try (ReadTransaction txn = storage.beginRead())
        {
            for (final String name : names)
            {
                final Orswot set = new Orswot();
                try
                {
                    loader.loadInto(txn, name, set, Orswot.CONSISTENCY_SOURCE);
                }
                catch (final RuntimeException ex)
                {
                    set.close();
                    throw ex;
                }
                keyspaces.put(name, new Keyspace(name, set, newTree()));
                addToOrder(name);
            }
        }

    }

    /**
     * The clock is not persisted: start it after the latest stamp this node stored in an earlier life, so its first
     * writes after a restart are not behind its earlier ones (every set that saw those would drop them as stale).
     */
    private void restoreClock()
    {
        long latest = HlcTimestamp.NULL_STAMP;
        for (final Keyspace keyspace : keyspaces.values())
        {
            latest = Math.max(latest, keyspace.set().seenStamp(Orswot.CONSISTENCY_SOURCE, localNodeId));
        }
        if (HlcTimestamp.NULL_STAMP == latest)
        {
            return;
        }
        try
        {
            clock.restore(latest);
        }
        catch (final ClockDriftException ex)
        {
            LOGGER.log(System.Logger.Level.WARNING, "node " + localNodeId + " stored a stamp of its own further " +
                "ahead of its clock than the maximum drift; its writes stay behind it until the clock catches up", ex);
        }
    }

    /**
     * A failed storage commit leaves the sets holding writes storage does not (they are applied to the set when
     * submitted), and repair compares trees built from the sets, so it would never bring those writes back: once the
     * writer has nothing in flight, rebuild every keyspace's set and tree from storage, and let repair fetch what
     * the peers hold. Commit failures are rare; the rebuild reads storage on the node thread (a read, never a sync).
     */
    private int reloadAfterFailedCommits()
    {
        if (0 != writer.inFlightWrites() || writer.failedCommits() == failedCommitsReloaded)
        {
            return 0;
        }
        failedCommitsReloaded = writer.failedCommits();
        final KeyspaceStateLoader loader = new KeyspaceStateLoader();
        final List<String> stored = storage.keyspaces();
        try (ReadTransaction txn = storage.beginRead())
        {
            for (final Keyspace keyspace : keyspaces.values())
            {
                final Orswot set = new Orswot();
                if (stored.contains(keyspace.name()))
                {
                    try
                    {
                        loader.loadInto(txn, keyspace.name(), set, Orswot.CONSISTENCY_SOURCE);
                    }
                    catch (final RuntimeException ex)
                    {
                        set.close();
                        throw ex;
                    }
                }
                keyspace.reload(set);
            }
        }
        keyspacesReloaded.increment();
        return 1;
    }

    private void refreshMembership()
    {
        final long version = view.version();
        if (null != selector && version == viewVersion)
        {
            return;
        }
        viewVersion = version;
        statistics.liveMembers(view.liveCount());
        if (null == selector)
        {
            selector = ctx.replicaSelectorFactory().newSelection(localNodeId, view.localDataCentre());
        }
        else
        {
            selector.clearMembers();
        }
        final int memberCount = view.memberCount();
        if (targets.length < memberCount)
        {
            targets = new int[BitUtil.findNextPositivePowerOfTwo(memberCount)];
            liveOthers = new int[targets.length];
        }
        liveOtherCount = 0;
        view.forEachMember(memberVisitor);
    }

    private void onMember(
        final int nodeId, final String dataCentre, final String endpoint, final long generation, final boolean live)
    {
        if (nodeId == localNodeId)
        {
            return;
        }
        selector.addMember(nodeId, dataCentre, live);
        peerByNodeId.put(nodeId, rpc.resolvePeer(endpoint));
        if (live)
        {
            liveOthers[liveOtherCount++] = nodeId;
        }
    }

    // ---- repair: the asking side (one round at a time, each step one call to the round's peer)

    private int startRepairRound()
    {
        if (0 == liveOtherCount)
        {
            return 0;
        }
        repairPeerCursor = repairPeerCursor + 1 < liveOtherCount ? repairPeerCursor + 1 : 0;
        repairNodeId = liveOthers[repairPeerCursor];
        repairPeer = peerByNodeId.get(repairNodeId);
        repairRounds.increment();
        // Wall time: synced times are compared with HLC stamps and reported to peers.
        repairStartedAtEpochMs = services.epochMs();
        repairAppliedThisRound = 0;
        repairState = REPAIR_AWAIT_KEYSPACES;
        repairRequest.putInt(0, keyspaceListFirst);
        sendRepair(REPAIR_KEYSPACES, Integer.BYTES);
        return 1;
    }

    private void sendRepair(final int messageTypeId, final int length)
    {
        repairRequestsSent.increment();
        statistics.onRepairRequest(length);
        final long sequence = ++repairCallSequence;
        repairCorrelationId = CALL_STARTING;
        final long correlationId = rpc.call(repairPeer, repairNodeId, SERVICE_ID, messageTypeId, repairRequest, 0,
            length, null, ctx.requestTimeoutMs(), repairListener);
        // The outcome may have arrived before call() returned (and started the next step): keep only a live id.
        if (sequence == repairCallSequence && CALL_STARTING == repairCorrelationId)
        {
            repairCorrelationId = correlationId;
        }
    }

    private boolean isRepairCall(final long correlationId)
    {
        return REPAIR_IDLE != repairState &&
            (correlationId == repairCorrelationId || CALL_STARTING == repairCorrelationId);
    }

    private void onRepairError(final long correlationId)
    {
        if (REPAIR_AWAIT_FETCH == repairState)
        {
            final int slot = repairFetches.slotOf(correlationId, CALL_STARTING);
            if (slot >= 0)
            {
                if (!repairFetches.hasFailed())
                {
                    repairRoundsFailed.increment();
                }
                // The fetches still in flight are applied when they answer; the round ends once none is left.
                repairFetches.onFailure(slot);
                if (repairFetches.isDone(REPAIR_MAX_FETCHES_PER_ROUND))
                {
                    endRepairRound();
                }
            }
            return;
        }
        if (isRepairCall(correlationId))
        {
            repairRoundsFailed.increment();
            endRepairRound();
        }
    }

    private void onRepairResponse(final long correlationId, final DirectBuffer body, final int offset, final int length)
    {
        final int reason;
        if (REPAIR_AWAIT_FETCH == repairState)
        {
            final int slot = repairFetches.slotOf(correlationId, CALL_STARTING);
            if (slot < 0)
            {
                return;
            }
            statistics.onRepairReply(length);
            reason = onFetchReply(slot, body, offset, length);
        }
        else
        {
            if (!isRepairCall(correlationId))
            {
                return;
            }
            repairCorrelationId = 0;
            statistics.onRepairReply(length);
            reason = REPAIR_AWAIT_KEYSPACES == repairState ?
                onKeyspaceList(body, offset, length) : onTreeReply(body, offset, length);
        }
        if (RepairMessages.OK != reason)
        {
            malformedRepairByReason[reason].increment();
            endRepairRound();
        }
    }

    /**
     * Learn from a checked keyspace list what purge needs: which keyspaces were equal to the peer's this round, and
     * the peer's own synced times and purge floors.
     */
    private void onPeerKeyspaceStates(final DirectBuffer body, final int offset, final int count)
    {
        final long maxFloorMs = services.epochMs() - ctx.tombstoneGraceMs();
        int at = offset;
        for (int i = 0; i < count; i++)
        {
            final int nameLength = Short.BYTES + (body.getShort(at) & 0xFFFF);
            final Keyspace local = keyspaces.get(RepairMessages.readName(body, at));
            at += nameLength;
            if (null != local)
            {
                if (body.getLong(at) == local.tree().root())
                {
                    local.syncedWith(repairNodeId, repairStartedAtEpochMs);
                }
                local.peerReported(repairNodeId, body.getLong(at + Long.BYTES), body.getLong(at + 2 * Long.BYTES),
                    maxFloorMs);
            }
            at += RepairMessages.KEYSPACE_STATE_LENGTH;
        }
    }

    private void endRepairRound()
    {
        if (REPAIR_AWAIT_FETCH == repairState)
        {
            repairKeyspace.repairResume(repairNodeId, repairFetches.resumePoint());
            for (int slot = 0, count = repairFetches.slotCount(); slot < count; slot++)
            {
                final long correlationId = repairFetches.inFlightCall(slot, CALL_STARTING);
                if (CALL_STARTING != correlationId)
                {
                    rpc.cancel(correlationId);
                }
            }
            repairFetches.end();
        }
        repairState = REPAIR_IDLE;
        repairKeyspace = null;
        refreshStateBytes();
        if (repairAppliedThisRound > 0)
        {
            // Behind a peer (a restart, a new node): the next round follows at once, still one round at a time.
            nextRepairAtMs = services.monotonicMs();
        }
    }

    /**
     * Check the whole list before acting on it, then take the first listed keyspace whose root differs from ours.
     */
    private int onKeyspaceList(final DirectBuffer body, final int offset, final int length)
    {
        if (length < 2 * Integer.BYTES)
        {
            return RepairMessages.TRUNCATED;
        }
        final int total = body.getInt(offset);
        final int count = body.getInt(offset + Integer.BYTES);
        if (count < 0 || count > RepairMessages.MAX_KEYSPACES_PER_LIST || total < 0)
        {
            return RepairMessages.BAD_COUNT;
        }
        final int limit = offset + length;
        int at = offset + 2 * Integer.BYTES;
        int chosenAt = -1;
        int chosenIndex = -1;
        for (int i = 0; i < count; i++)
        {
            final int nameLength = RepairMessages.nameFieldLength(body, at, limit);
            if (nameLength < 0 || at + nameLength + RepairMessages.KEYSPACE_STATE_LENGTH > limit)
            {
                return RepairMessages.TRUNCATED;
            }
            final String name = RepairMessages.readName(body, at);
            if (null == name)
            {
                return RepairMessages.BAD_KEYSPACE;
            }
            final Keyspace local = keyspaces.get(name);
            final long localRoot = null == local ? TictacTree.ABSENT : local.tree().root();
            if (chosenAt < 0 && body.getLong(at + nameLength) != localRoot)
            {
                chosenAt = at;
                chosenIndex = i;
            }
            at += nameLength + RepairMessages.KEYSPACE_STATE_LENGTH;
        }
        if (at != limit)
        {
            return RepairMessages.TRUNCATED;
        }
        onPeerKeyspaceStates(body, offset + 2 * Integer.BYTES, count);

        final int first = keyspaceListFirst;
        if (chosenAt < 0)
        {
            keyspaceListFirst = first + count >= total ? 0 : first + count;
            repairRoundsInSync.increment();
            endRepairRound();
            return RepairMessages.OK;
        }
        // The next round starts after the chosen keyspace, so every keyspace with work gets its turn.
        keyspaceListFirst = first + chosenIndex + 1 >= total ? 0 : first + chosenIndex + 1;
        try
        {
            repairKeyspace = keyspace(RepairMessages.readName(body, chosenAt));
        }
        catch (final IllegalStateException ex)
        {
            repairFetchesRefused.increment();
            endRepairRound();
            return RepairMessages.OK;
        }
        final int nameLength = RepairMessages.putName(repairRequest, 0, repairKeyspace.nameUtf8());
        repairRequest.checkLimit(nameLength + Integer.BYTES + TictacCodec.MAX_MESSAGE_LENGTH);
        final int requestLength = repairKeyspace.repairExchange(ctx.repairMaxSegmentsPerRound())
            .start(repairRequest, nameLength);
        repairState = REPAIR_AWAIT_TREE;
        sendRepair(REPAIR_TREE, nameLength + requestLength);
        return RepairMessages.OK;
    }

    private int onTreeReply(final DirectBuffer body, final int offset, final int length)
    {
        final Keyspace keyspace = repairKeyspace;
        final TictacExchange exchange = keyspace.repairExchange(ctx.repairMaxSegmentsPerRound());
        final int nameLength = RepairMessages.putName(repairRequest, 0, keyspace.nameUtf8());
        final int requestLength;
        try
        {
            requestLength = exchange.onMessage(body, offset, length, repairRequest, nameLength);
        }
        catch (final TictacMessageException ex)
        {
            return RepairMessages.BAD_TREE_MESSAGE;
        }
        if (requestLength > 0)
        {
            sendRepair(REPAIR_TREE, nameLength + requestLength);
            return RepairMessages.OK;
        }
        if (0 == exchange.mismatchedSegmentCount())
        {
            repairRoundsInSync.increment();
            endRepairRound();
            return RepairMessages.OK;
        }
        repairSegmentsFetched.getAndAdd(exchange.mismatchedSegmentCount());
        repairFetches.begin(exchange, keyspace.repairResume(repairNodeId));
        repairState = REPAIR_AWAIT_FETCH;
        sendFetches();
        return RepairMessages.OK;
    }

    /**
     * Send the round's next fetches, up to {@link StoreContext#repairMaxFetchesInFlight(int)} in flight, while the
     * storage writer has room for the replies of every fetch in flight (a fetch held back goes out from a later duty
     * cycle); end the round once nothing is in flight and nothing is left to send.
     *
     * @return fetches sent.
     */
    private int sendFetches()
    {
        int sent = 0;
        while (REPAIR_AWAIT_FETCH == repairState && hasWriterRoomForFetch(repairFetches.inFlight() + 1))
        {
            final int slot = repairFetches.nextToSend(REPAIR_MAX_FETCHES_PER_ROUND);
            if (slot < 0)
            {
                break;
            }
            final Keyspace keyspace = repairKeyspace;
            final int nameLength = RepairMessages.putName(repairRequest, 0, keyspace.nameUtf8());
            final int length = nameLength + repairFetches.encode(slot, keyspace.tree(), repairRequest, nameLength);
            repairRequestsSent.increment();
            statistics.onRepairRequest(length);
            repairFetches.sending(slot, CALL_STARTING);
            final long correlationId = rpc.call(repairPeer, repairNodeId, SERVICE_ID, REPAIR_FETCH, repairRequest,
                0, length, null, ctx.requestTimeoutMs(), repairListener);
            // The outcome may have come before call() returned (and ended the round): keep only a live id.
            if (REPAIR_AWAIT_FETCH == repairState)
            {
                repairFetches.sent(slot, CALL_STARTING, correlationId);
            }
            sent++;
        }
        if (REPAIR_AWAIT_FETCH == repairState && repairFetches.isDone(REPAIR_MAX_FETCHES_PER_ROUND))
        {
            endRepairRound();
        }
        return sent;
    }

    private boolean hasWriterRoomForFetch(final int fetches)
    {
        if (1 == fetches && 0 == writer.inFlightWrites())
        {
            // An idle writer takes any fetch its bounds allow (checked when the reply comes): never wait for room
            // that cannot come.
            return true;
        }
        return writer.inFlightWrites() + (long)fetches * ctx.repairMaxEntriesPerFetch() <=
            writerContext.maxInFlightWrites() &&
            writer.inFlightBytes() + fetches * writerBytesPerFetch <= writerContext.maxInFlightBytes();
    }

    /**
     * Check the fetched entries whole, then apply them as repair writes: the set decides what wins, the storage writer
     * commits, the tree follows. Then send what the round has left to send, or end it.
     */
    private int onFetchReply(final int slot, final DirectBuffer body, final int offset, final int length)
    {
        if (length < RepairMessages.FETCH_REPLY_HEADER_LENGTH)
        {
            return RepairMessages.TRUNCATED;
        }
        final Keyspace keyspace = repairKeyspace;
        final int nextSkip = body.getInt(offset);
        if (nextSkip < RepairMessages.FETCH_COMPLETE || 0 == nextSkip)
        {
            return RepairMessages.BAD_COUNT;
        }
        int entries = 0;
        long valueBytes = 0;
        if (length > RepairMessages.FETCH_REPLY_HEADER_LENGTH)
        {
            final int check = repairInbound.wrap(body, offset + RepairMessages.FETCH_REPLY_HEADER_LENGTH,
                length - RepairMessages.FETCH_REPLY_HEADER_LENGTH, ctx.repairMaxEntriesPerFetch(), maxValueLength);
            if (ReplicationMessage.OK != check)
            {
                return RepairMessages.BAD_ENTRIES;
            }
            if (!keyspace.name().equals(repairInbound.keyspace()))
            {
                return RepairMessages.BAD_KEYSPACE;
            }
            try
            {
                checkWriterRoom(repairInbound);
            }
            catch (final StoreBackPressureException ex)
            {
                repairFetchesRefused.increment();
                endRepairRound();
                return RepairMessages.OK;
            }
            entries = repairInbound.entryCount();
            repairInbound.rewind();
            while (repairInbound.next())
            {
                valueBytes += Math.max(0, repairInbound.valueLength());
            }
            repairEntriesFetched.getAndAdd(entries);
            final int applied = applyEntries(
                keyspace, repairInbound, oneWayCompletion, Orswot.REPAIR_SOURCE, repairStampedAhead);
            repairEntriesApplied.getAndAdd(applied);
            repairAppliedThisRound += applied;
        }
        repairFetches.onReply(slot, nextSkip, entries, valueBytes);
        sendFetches();
        return RepairMessages.OK;
    }

    private void addToOrder(final String name)
    {
        final int at = Collections.binarySearch(keyspaceOrder, name);
        if (at < 0)
        {
            keyspaceOrder.add(-at - 1, name);
        }
    }

    long repairRounds()
    {
        return repairRounds.get();
    }

    long repairRoundsInSync()
    {
        return repairRoundsInSync.get();
    }

    long repairRoundsFailed()
    {
        return repairRoundsFailed.get();
    }

    long repairRequestsSent()
    {
        return repairRequestsSent.get();
    }

    long repairSegmentsFetched()
    {
        return repairSegmentsFetched.get();
    }

    long repairEntriesFetched()
    {
        return repairEntriesFetched.get();
    }

    long repairFetchesRefused()
    {
        return repairFetchesRefused.get();
    }

    long repairEntriesApplied()
    {
        return repairEntriesApplied.get();
    }

    long tombstonesPurged()
    {
        return tombstonesPurged.get();
    }

    long purgeFailures()
    {
        return purgeFailures.get();
    }

    long malformedRepairDropped(final int reason)
    {
        return malformedRepairByReason[reason].get();
    }
}
