package io.datacake.store;

import io.datacake.clock.HybridLogicalClock;
import io.datacake.crdt.Orswot;
import io.datacake.membership.ClusterView;
import io.datacake.membership.ConsistencyException;
import io.datacake.membership.MemberVisitor;
import io.datacake.membership.ReplicaSelector;
import io.datacake.node.Component;
import io.datacake.node.Node;
import io.datacake.node.NodeClosedException;
import io.datacake.node.NodeServices;
import io.datacake.rpc.Rpc;
import io.datacake.rpc.RpcReply;
import io.datacake.rpc.RpcRequest;
import io.datacake.rpc.RpcService;
import io.datacake.storage.KeyspaceStateLoader;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.Storage;
import io.datacake.storage.StorageWriter;
import io.datacake.storage.StorageWriterContext;
import io.datacake.storage.WriteCompletionHandler;
import org.agrona.BitUtil;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.ArrayDeque;
import java.util.ArrayList;
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
 * reuses pooled state and a reused encoding buffer; the handle allocates the command, its copies of the arguments
 * and the future, and a replica allocates its deferred reply.
 * <p>
 * Not in this version: anti-entropy rounds and tombstone purge.
 */
public final class ReplicatedStore implements Component
{
    /** Name of the store's RPC service. */
    public static final String SERVICE_NAME = "datacake.store";

    static final int SERVICE_ID = RpcService.idOf(SERVICE_NAME);
    static final int REPLICATE = 1;

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
    private ReplicaSelector selector;
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
            writer = StorageWriter.launch(writerContext);
            services.addService(new RpcService(SERVICE_NAME).handler(REPLICATE, this::onReplicate));
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
        final int entryCount = command.keys.length;
        checkWriterRoom(entryCount, command.values);
        final long stamp = clock.send();
        final Keyspace keyspace = keyspace(command.keyspace);

        outbound.beginEncode(command.keyspaceUtf8);
        for (int i = 0; i < entryCount; i++)
        {
            if (command.isDelete())
            {
                outbound.encodeTombstone(command.keys[i], stamp, localNodeId);
            }
            else
            {
                outbound.encodePut(command.keys[i], stamp, localNodeId, command.values[i]);
            }
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
            .reset(command.future, command.keyspace, replicaCount);
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
        lastApplyBackPressured = false;
        int submitted = 0;
        message.rewind();
        while (message.next())
        {
            final long key = message.key();
            final long stamp = message.stamp();
            final int nodeId = message.nodeId();
            final boolean tombstone = message.isTombstone();
            if (!keyspace.willApply(tombstone, Orswot.CONSISTENCY_SOURCE, key, stamp, nodeId))
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
            keyspace.apply(tombstone, Orswot.CONSISTENCY_SOURCE, key, stamp, nodeId);
            submitted++;
        }
        return submitted;
    }

    private void checkWriterRoom(final int entryCount, final byte[][] values)
    {
        long bytes = 0;
        for (int i = 0; i < entryCount; i++)
        {
            bytes += writerRecordBytes(null == values ? 0 : values[i].length);
        }
        checkWriterRoom(entryCount, bytes);
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
            selector = new ReplicaSelector(localNodeId, view.localDataCentre());
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
}
