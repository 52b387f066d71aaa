package io.datacake.store;

import io.datacake.clock.HybridLogicalClock;
import io.datacake.crdt.Orswot;
import io.datacake.membership.ClusterView;
import io.datacake.membership.ConsistencyException;
import io.datacake.membership.MemberVisitor;
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
import io.datacake.crdt.EntryConsumer;
import io.datacake.storage.DocumentView;
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
import java.util.Arrays;
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
 *       fail the write with {@link ConsistencyException} before anything is written;</li>
 *   <li>the write is stamped once by the coordinator's clock, applied to the keyspace's set and content tree and
 *       submitted to the storage writer;</li>
 *   <li>it is sent to each selected replica, which applies it with the coordinator's stamp and answers only once
 *       its storage commit completed; and as a one-way message to every other live member;</li>
 *   <li>the future completes once the local commit and every selected replica acknowledged (the local commit counts
 *       as one acknowledgement, as in datacake), or fails with {@link ReplicationException} naming how many
 *       acknowledged when a replica fails or does not answer within {@link StoreContext#requestTimeoutMs(long)}.
 *       A failed write is not undone: it may have landed on some replicas, and repair carries it on.</li>
 * </ol>
 * Level NONE applies and commits locally and sends to no one synchronously. An entry that loses to a newer write of
 * its key (or a key given twice in one batch, after its first occurrence) changes nothing and is not stored again.
 *
 * <h2>Reads</h2>
 * Reads are local: a handle reads the node's storage on the caller's thread and copies the result. Once a write's
 * future completed, a read on the coordinator sees it (the local commit precedes completion).
 *
 * <h2>Start</h2>
 * When the node starts, every keyspace in storage is rebuilt (its set and content tree), the store's RPC service is
 * registered and its storage writer launched: stepped with the node in invoker mode (set
 * {@code useAgentInvoker(true)} on {@link StoreContext#writerContext()}), on its own thread otherwise.
 *
 * <h2>Bounds and allocation</h2>
 * Writes waiting for acknowledgements ({@link StoreContext#maxPendingWrites(int)}), entries per write
 * ({@link StoreContext#maxBatchEntries(int)}, which replicas also enforce on what they receive), keyspaces
 * ({@link StoreContext#maxKeyspaces(int)}) and the storage writer's in-flight writes and bytes are bounded; a write
 * that would pass a bound is refused before anything is written. A replicate message that is malformed is refused
 * whole, counted by reason in the node's counters, and changes nothing. On the node thread a coordinated write
 * reuses pooled state and a reused encoding buffer; the handle's future form allocates the command, its copies of
 * the arguments and the future (its callback form reuses pooled commands and allocates nothing), and a replica
 * allocates its deferred reply.
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
 *   <li>one fetch asks the peer for the entries of those segments (key, stamp, node, value or tombstone), at most
 *       {@link StoreContext#repairMaxEntriesPerFetch(int)} entries and about
 *       {@link StoreContext#repairMaxBytesPerFetch(int)} value bytes, in stamp order; the rest come in later rounds.
 *       They are applied like replicate messages but through {@link Orswot#REPAIR_SOURCE}: the set decides what wins
 *       ({@link Orswot#repair}, last write by stamp and node id, whatever order repair brings them in), the storage
 *       writer commits and the tree follows.</li>
 * </ol>
 * Repair pulls only: a node holding what its peer lacks waits for the peer's own round. The answering side keeps
 * no per-peer state; finding a segment's entries scans the keyspace's whole set, O(keys in the keyspace) per fetch,
 * and reads the live entries' values from storage on the node thread (a read, never a sync), acceptable at one fetch
 * per round and interval. A malformed repair request or reply is dropped, counted by reason, and changes nothing;
 * a failed or timed-out call ends the round. Rounds, rounds in sync, failed rounds, requests, segments fetched,
 * entries fetched and applied are counted in the node's counters.
 * <p>
 * Not in this version: tombstone purge.
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

    private static final int NO_PEER = -1;

    private final StoreContext ctx;
    private final ClusterView view;
    private final Storage storage;
    private final StorageWriterContext writerContext;
    private final int maxValueLength;
    private final HashMap<String, Keyspace> keyspaces = new HashMap<>();
    private final ArrayDeque<PendingWrite> freeWrites = new ArrayDeque<>();
    private final ReplicationMessage outbound = new ReplicationMessage();
    private final ReplicationMessage local = new ReplicationMessage();
    private final ReplicationMessage inbound = new ReplicationMessage();
    private final Int2IntHashMap peerByNodeId = new Int2IntHashMap(NO_PEER);
    private final MemberVisitor memberVisitor = this::onMember;
    private final AtomicCounter[] malformedByReason = new AtomicCounter[ReplicationMessage.REASON_COUNT];
    private final AtomicCounter[] malformedRepairByReason = new AtomicCounter[RepairMessages.REASON_COUNT];
    private final ArrayList<String> keyspaceOrder = new ArrayList<>();
    private final ExpandableDirectByteBuffer repairRequest = new ExpandableDirectByteBuffer(4096);
    private final ExpandableDirectByteBuffer repairReply = new ExpandableDirectByteBuffer(4096);
    private final ReplicationMessage repairOutbound = new ReplicationMessage();
    private final ReplicationMessage repairInbound = new ReplicationMessage();
    private final TictacMessage fetchSegments = new TictacMessage();
    private final DocumentView fetchDocument = new DocumentView();
    private final int[] fetchSegmentIds = new int[TictacCodec.MAX_SEGMENT_IDS_PER_MESSAGE];
    private final long[] fetchKeys;
    private final long[] fetchStamps;
    private final int[] fetchNodeIds;
    private final boolean[] fetchTombstones;
    private final EntryConsumer fetchLiveCollector = (key, stamp, nodeId) -> collectFetched(key, stamp, nodeId, false);
    private final EntryConsumer fetchDeadCollector = (key, stamp, nodeId) -> collectFetched(key, stamp, nodeId, true);
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
    private AtomicCounter repairRounds;
    private AtomicCounter repairRoundsInSync;
    private AtomicCounter repairRoundsFailed;
    private AtomicCounter repairRequestsSent;
    private AtomicCounter repairSegmentsFetched;
    private AtomicCounter repairEntriesFetched;
    private AtomicCounter repairEntriesApplied;
    private AtomicCounter repairFetchesRefused;
    private long nextRepairAtMs;
    private int repairState = REPAIR_IDLE;
    private long repairCorrelationId;
    private long repairCallSequence;
    private int repairPeerCursor;
    private int repairNodeId;
    private int repairPeer;
    private int keyspaceListFirst;
    private Keyspace repairKeyspace;
    private int fetchSegmentCount;
    private TictacTree fetchTree;
    private int fetchSkip;
    private int fetchMatched;
    private int fetchCount;

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
        final int maxFetch = ctx.repairMaxEntriesPerFetch();
        this.fetchKeys = new long[maxFetch];
        this.fetchStamps = new long[maxFetch];
        this.fetchNodeIds = new int[maxFetch];
        this.fetchTombstones = new boolean[maxFetch];
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
     * Rebuild every keyspace from storage, launch the storage writer and register the replication service.
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
        this.rpc = services.rpc();
        this.clock = services.clock();
        this.localNodeId = services.nodeId();
        try
        {
            loadKeyspaces();
            writesCoordinated = services.counters().newCounter("store writes coordinated");
            writesFailed = services.counters().newCounter("store writes failed after the local apply");
            replicateRequestsServed = services.counters().newCounter("store replicate messages applied");
            replicateRefused =
                services.counters().newCounter("store replicate messages refused (back-pressure, bounds)");
            broadcastsDropped = services.counters().newCounter("store broadcasts dropped");
            oneWayCommitFailures = services.counters().newCounter("store one-way commit failures");
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
            nextRepairAtMs = services.nowMs() + ctx.repairIntervalMs();
            writer = StorageWriter.launch(writerContext);
            services.addService(new RpcService(SERVICE_NAME)
                .handler(REPLICATE, this::onReplicate)
                .handler(REPAIR_KEYSPACES, this::onRepairKeyspaces)
                .handler(REPAIR_TREE, this::onRepairTree)
                .handler(REPAIR_FETCH, this::onRepairFetch));
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
     * Step the storage writer (stepped mode), hand finished commits to their writes, and follow membership.
     *
     * @param nowMs the node clock's time.
     * @return work done.
     */
    @Override
    public int doWork(final long nowMs)
    {
        int work = 0;
        if (null != writer.invoker() && !writerHeld)
        {
            work += writer.invoker().invoke();
        }
        work += writer.drainCompletions(ctx.completionLimit());
        refreshMembership();
        if (REPAIR_IDLE == repairState && nowMs >= nextRepairAtMs)
        {
            nextRepairAtMs = nowMs + ctx.repairIntervalMs();
            work += startRepairRound();
        }
        return work;
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

    void coordinate(final WriteCommand command)
    {
        refreshMembership();
        if (pendingCount >= ctx.maxPendingWrites())
        {
            throw new StoreBackPressureException("node " + localNodeId + " already has " + pendingCount +
                " writes waiting for acknowledgements (StoreContext.maxPendingWrites)");
        }
        final int replicaCount = selector.select(command.level, targets);
        final int entryCount = command.entryCount();
        checkWriterRoom(command);
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
            write.fail("the local storage writer was back-pressured part way through the batch");
            return;
        }

        for (int i = 0; i < replicaCount && !write.isDone(); i++)
        {
            final int nodeId = targets[i];
            write.beginCall(nodeId);
            write.callStarted(rpc.call(peerByNodeId.get(nodeId), nodeId, SERVICE_ID, REPLICATE,
                outbound.encoded(), 0, length, null, ctx.requestTimeoutMs(), write));
        }
        broadcast(replicaCount, length);
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

    void onWriteFailed()
    {
        writesFailed.increment();
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

    private void broadcast(final int replicaCount, final int length)
    {
        for (int i = 0; i < liveOtherCount; i++)
        {
            final int nodeId = liveOthers[i];
            if (isTarget(nodeId, replicaCount))
            {
                continue;
            }
            try
            {
                if (rpc.send(peerByNodeId.get(nodeId), SERVICE_ID, REPLICATE, outbound.encoded(), 0, length, null) < 0)
                {
                    broadcastsDropped.increment();
                }
            }
            catch (final IllegalArgumentException ex)
            {
                // Larger than one frame: one-way messages are not streamed, so this member waits for repair.
                broadcastsDropped.increment();
            }
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
            applyEntries(keyspace, inbound, oneWayCompletion);
            return;
        }
        final ReplicaAck ack = new ReplicaAck(reply.defer());
        ack.outstanding(applyEntries(keyspace, inbound, ack));
        if (lastApplyBackPressured)
        {
            ack.failNow("replica " + localNodeId + "'s storage writer was back-pressured part way through the batch");
        }
        else
        {
            ack.submitDone();
        }
    }

    /**
     * Apply every entry of a checked message that changes the keyspace: submit it to the writer, then change the
     * set and tree, so the set never holds what storage was not asked to store.
     *
     * @return the number of writes submitted (each completes through {@code handler}).
     */
    private int applyEntries(final Keyspace keyspace, final ReplicationMessage message,
        final WriteCompletionHandler handler)
    {
        return applyEntries(keyspace, message, handler, Orswot.CONSISTENCY_SOURCE);
    }

    private int applyEntries(final Keyspace keyspace, final ReplicationMessage message,
        final WriteCompletionHandler handler, final int source)
    {
        lastApplyBackPressured = false;
        int submitted = 0;
        message.rewind();
        while (message.next())
        {
            final long key = message.key();
            final long stamp = message.stamp();
            final int nodeId = message.nodeId();
            final boolean tombstone = message.isTombstone();
            if (!keyspace.willApply(tombstone, source, key, stamp, nodeId))
            {
                continue;
            }
            final long sequence = tombstone ?
                writer.submitTombstone(keyspace.name(), key, stamp, nodeId, handler) :
                writer.submitPut(keyspace.name(), key, stamp, nodeId, message.buffer(), message.valueOffset(),
                    message.valueLength(), handler);
            if (sequence < 0)
            {
                lastApplyBackPressured = true;
                break;
            }
            keyspace.apply(tombstone, source, key, stamp, nodeId);
            submitted++;
        }
        return submitted;
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

    private void refreshMembership()
    {
        final long version = view.version();
        if (null != selector && version == viewVersion)
        {
            return;
        }
        viewVersion = version;
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
        repairState = REPAIR_AWAIT_KEYSPACES;
        repairRequest.putInt(0, keyspaceListFirst);
        sendRepair(REPAIR_KEYSPACES, Integer.BYTES);
        return 1;
    }

    private void sendRepair(final int messageTypeId, final int length)
    {
        repairRequestsSent.increment();
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
        if (isRepairCall(correlationId))
        {
            repairRoundsFailed.increment();
            endRepairRound();
        }
    }

    private void onRepairResponse(final long correlationId, final DirectBuffer body, final int offset, final int length)
    {
        if (!isRepairCall(correlationId))
        {
            return;
        }
        repairCorrelationId = 0;
        final int reason;
        switch (repairState)
        {
            case REPAIR_AWAIT_KEYSPACES:
                reason = onKeyspaceList(body, offset, length);
                break;
            case REPAIR_AWAIT_TREE:
                reason = onTreeReply(body, offset, length);
                break;
            default:
                reason = onFetchReply(body, offset, length);
                break;
        }
        if (RepairMessages.OK != reason)
        {
            malformedRepairByReason[reason].increment();
            endRepairRound();
        }
    }

    private void endRepairRound()
    {
        repairState = REPAIR_IDLE;
        repairKeyspace = null;
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
            if (nameLength < 0 || at + nameLength + Long.BYTES > limit)
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
            at += nameLength + Long.BYTES;
        }
        if (at != limit)
        {
            return RepairMessages.TRUNCATED;
        }

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
        repairRequest.putInt(nameLength, keyspace.repairSkip());
        final int idsLength = exchange.encodeMismatchedSegments(repairRequest, nameLength + Integer.BYTES);
        repairSegmentsFetched.getAndAdd(exchange.mismatchedSegmentCount());
        repairState = REPAIR_AWAIT_FETCH;
        sendRepair(REPAIR_FETCH, nameLength + Integer.BYTES + idsLength);
        return RepairMessages.OK;
    }

    /**
     * Check the fetched entries whole, then apply them as repair writes: the set decides what wins, the storage writer
     * commits, the tree follows.
     */
    private int onFetchReply(final DirectBuffer body, final int offset, final int length)
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
            repairEntriesFetched.getAndAdd(repairInbound.entryCount());
            repairEntriesApplied.getAndAdd(
                applyEntries(keyspace, repairInbound, oneWayCompletion, Orswot.REPAIR_SOURCE));
        }
        keyspace.repairSkip(RepairMessages.FETCH_COMPLETE == nextSkip ? 0 : nextSkip);
        endRepairRound();
        return RepairMessages.OK;
    }

    // ---- repair: the answering side (no per-peer state)

    private void onRepairKeyspaces(final RpcRequest request, final RpcReply reply)
    {
        if (Integer.BYTES != request.bodyLength())
        {
            dropRepair(request, reply, RepairMessages.TRUNCATED);
            return;
        }
        final int first = request.body().getInt(request.bodyOffset());
        if (first < 0)
        {
            dropRepair(request, reply, RepairMessages.BAD_COUNT);
            return;
        }
        final int total = keyspaceOrder.size();
        final int count = Math.min(RepairMessages.MAX_KEYSPACES_PER_LIST, Math.max(0, total - first));
        repairReply.putInt(0, total);
        repairReply.putInt(Integer.BYTES, count);
        int at = 2 * Integer.BYTES;
        for (int i = 0; i < count; i++)
        {
            final Keyspace keyspace = keyspaces.get(keyspaceOrder.get(first + i));
            at += RepairMessages.putName(repairReply, at, keyspace.nameUtf8());
            repairReply.putLong(at, keyspace.tree().root());
            at += Long.BYTES;
        }
        reply.send(repairReply, 0, at);
    }

    private void onRepairTree(final RpcRequest request, final RpcReply reply)
    {
        final Keyspace keyspace = requestedKeyspace(request, reply);
        if (null == keyspace)
        {
            return;
        }
        final int nameLength = Short.BYTES + keyspace.nameUtf8().length;
        repairReply.checkLimit(TictacCodec.MAX_MESSAGE_LENGTH);
        final int length;
        try
        {
            length = keyspace.repairResponder().respond(request.body(), request.bodyOffset() + nameLength,
                request.bodyLength() - nameLength, repairReply, 0);
        }
        catch (final TictacMessageException ex)
        {
            dropRepair(request, reply, RepairMessages.BAD_TREE_MESSAGE);
            return;
        }
        reply.send(repairReply, 0, length);
    }

    /**
     * Send the entries of the asked segments, from the {@code skip}-th match on, bounded by the fetch bounds. Finding
     * them scans the keyspace's whole set: O(keys in the keyspace) per fetch on this side, acceptable while repair
     * runs one round per interval; values are read from storage on the node thread (a read, never an fsync).
     */
    private void onRepairFetch(final RpcRequest request, final RpcReply reply)
    {
        final Keyspace keyspace = requestedKeyspace(request, reply);
        if (null == keyspace)
        {
            return;
        }
        final DirectBuffer body = request.body();
        final int at = request.bodyOffset() + Short.BYTES + keyspace.nameUtf8().length;
        final int limit = request.bodyOffset() + request.bodyLength();
        if (at + Integer.BYTES > limit)
        {
            dropRepair(request, reply, RepairMessages.TRUNCATED);
            return;
        }
        final int skip = body.getInt(at);
        if (skip < 0)
        {
            dropRepair(request, reply, RepairMessages.BAD_COUNT);
            return;
        }
        try
        {
            fetchSegments.wrap(body, at + Integer.BYTES, limit - at - Integer.BYTES);
        }
        catch (final TictacMessageException ex)
        {
            dropRepair(request, reply, RepairMessages.BAD_TREE_MESSAGE);
            return;
        }
        if (TictacCodec.SEGMENT_IDS != fetchSegments.type() || !fetchSegments.shapeMatches(keyspace.tree()))
        {
            dropRepair(request, reply, RepairMessages.BAD_TREE_MESSAGE);
            return;
        }

        fetchSegmentCount = fetchSegments.count();
        for (int i = 0; i < fetchSegmentCount; i++)
        {
            fetchSegmentIds[i] = fetchSegments.segmentId(i);
        }
        fetchTree = keyspace.tree();
        fetchSkip = skip;
        fetchMatched = 0;
        fetchCount = 0;
        keyspace.set().forEachLive(fetchLiveCollector);
        keyspace.set().forEachTombstone(fetchDeadCollector);
        fetchTree = null;
        sortFetchedByStamp();

        final int length = encodeFetched(keyspace);
        try
        {
            reply.send(repairReply, 0, length);
        }
        catch (final IllegalArgumentException ex)
        {
            // Longer than the node's largest body: one large value over the byte bound.
            repairFetchesRefused.increment();
            reply.fail("repair fetch reply of " + length + " bytes is longer than node " + localNodeId +
                "'s largest body (NodeContext.maxBodyLength): " + ex.getMessage());
        }
    }

    private void collectFetched(final long key, final long stamp, final int nodeId, final boolean tombstone)
    {
        if (Arrays.binarySearch(fetchSegmentIds, 0, fetchSegmentCount, fetchTree.segmentOf(key)) < 0)
        {
            return;
        }
        if (fetchMatched++ < fetchSkip || fetchCount == fetchKeys.length)
        {
            return;
        }
        fetchKeys[fetchCount] = key;
        fetchStamps[fetchCount] = stamp;
        fetchNodeIds[fetchCount] = nodeId;
        fetchTombstones[fetchCount] = tombstone;
        fetchCount++;
    }

    /**
     * Repair applies one node's writes in stamp order within a fetch (its set treats an older stamp from a node it
     * already saw newer from, in the same source, as stale); insertion sort, as a fetch is small and bounded.
     */
    private void sortFetchedByStamp()
    {
        for (int i = 1; i < fetchCount; i++)
        {
            final long key = fetchKeys[i];
            final long stamp = fetchStamps[i];
            final int nodeId = fetchNodeIds[i];
            final boolean tombstone = fetchTombstones[i];
            int j = i - 1;
            while (j >= 0 && fetchStamps[j] > stamp)
            {
                fetchKeys[j + 1] = fetchKeys[j];
                fetchStamps[j + 1] = fetchStamps[j];
                fetchNodeIds[j + 1] = fetchNodeIds[j];
                fetchTombstones[j + 1] = fetchTombstones[j];
                j--;
            }
            fetchKeys[j + 1] = key;
            fetchStamps[j + 1] = stamp;
            fetchNodeIds[j + 1] = nodeId;
            fetchTombstones[j + 1] = tombstone;
        }
    }

    /**
     * Encode the collected entries in the fetch reply, live ones with their stored values (an entry whose value
     * storage does not hold yet is left for a later round), stopping at the byte bound once one entry is in.
     *
     * @return the reply length.
     */
    private int encodeFetched(final Keyspace keyspace)
    {
        final String name = keyspace.name();
        repairOutbound.beginEncode(keyspace.nameUtf8());
        int encoded = 0;
        long valueBytes = 0;
        boolean cut = false;
        try (ReadTransaction txn = storage.beginRead())
        {
            for (int i = 0; i < fetchCount; i++)
            {
                if (fetchTombstones[i])
                {
                    repairOutbound.encodeTombstone(fetchKeys[i], fetchStamps[i], fetchNodeIds[i]);
                    encoded++;
                    continue;
                }
                if (!txn.get(name, fetchKeys[i], fetchDocument) ||
                    fetchDocument.stamp() != fetchStamps[i] || fetchDocument.nodeId() != fetchNodeIds[i])
                {
                    continue;
                }
                final int valueLength = fetchDocument.valueLength();
                if (encoded > 0 && valueBytes + valueLength > ctx.repairMaxBytesPerFetch())
                {
                    cut = true;
                    break;
                }
                repairOutbound.encodePut(
                    fetchKeys[i], fetchStamps[i], fetchNodeIds[i], fetchDocument.value(), 0, valueLength);
                valueBytes += valueLength;
                encoded++;
            }
        }
        // Entries cut by the byte bound are sorted, not a prefix of the scan: a later cycle from skip 0 finds them.
        final boolean more = cut || fetchMatched > fetchSkip + fetchCount;
        repairReply.putInt(0, more ? fetchSkip + Math.max(1, cut ? encoded : fetchCount) :
            RepairMessages.FETCH_COMPLETE);
        if (0 == encoded)
        {
            return RepairMessages.FETCH_REPLY_HEADER_LENGTH;
        }
        final int length = repairOutbound.encodedLength();
        repairReply.putBytes(RepairMessages.FETCH_REPLY_HEADER_LENGTH, repairOutbound.encoded(), 0, length);
        return RepairMessages.FETCH_REPLY_HEADER_LENGTH + length;
    }

    /**
     * @return the keyspace a tree or fetch request names, or null after dropping a request that names none.
     */
    private Keyspace requestedKeyspace(final RpcRequest request, final RpcReply reply)
    {
        final int offset = request.bodyOffset();
        final int nameLength = RepairMessages.nameFieldLength(request.body(), offset, offset + request.bodyLength());
        if (nameLength < 0)
        {
            dropRepair(request, reply, RepairMessages.TRUNCATED);
            return null;
        }
        final String name = RepairMessages.readName(request.body(), offset);
        if (null == name)
        {
            dropRepair(request, reply, RepairMessages.BAD_KEYSPACE);
            return null;
        }
        final Keyspace keyspace = keyspaces.get(name);
        if (null == keyspace)
        {
            dropRepair(request, reply, RepairMessages.UNKNOWN_KEYSPACE);
        }
        return keyspace;
    }

    private void dropRepair(final RpcRequest request, final RpcReply reply, final int reason)
    {
        malformedRepairByReason[reason].increment();
        if (!request.isOneWay())
        {
            reply.fail("malformed repair message: " + RepairMessages.reason(reason));
        }
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

    long repairEntriesApplied()
    {
        return repairEntriesApplied.get();
    }

    long malformedRepairDropped(final int reason)
    {
        return malformedRepairByReason[reason].get();
    }
}
