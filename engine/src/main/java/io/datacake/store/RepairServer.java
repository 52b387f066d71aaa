package io.datacake.store;

import io.datacake.rpc.RpcReply;
import io.datacake.rpc.RpcRequest;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.Storage;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.List;
import java.util.Map;

/**
 * The answering side of peers' repair rounds: keyspace lists, Tictac descent steps and segment fetches, over the
 * store's keyspaces. It keeps no per-peer state; a malformed request is dropped, counted by reason, and changes
 * nothing.
 * <p>
 * Lists and descent steps are answered on the node thread from node-owned state. A fetch's entries are collected
 * on the node thread too (from the keyspace's set), but their values are read from storage off it, by the store's
 * {@link RepairReader}: the fetch's reply is deferred, the reader reads the values in one read snapshot and encodes
 * the reply into a pooled off-heap staging buffer, and the node thread sends it, one copy from that buffer into the
 * transport's frame (no byte[] on the way: for LMDB the values go from the mapped pages to the staging buffer to the
 * frame). A fetch that finds the reader holding its bound of fetches is refused at once and counted; a read that
 * fails fails the fetch and is counted. Only over a storage that {@linkplain Storage#readsWithoutBlocking() reads
 * without blocking} does the node thread read the values itself and write them from the storage's view straight
 * into the frame.
 */
final class RepairServer implements AutoCloseable
{
    private static final System.Logger LOGGER = System.getLogger(RepairServer.class.getName());

    private final StoreContext ctx;
    private final Map<String, Keyspace> keyspaces;
    private final List<String> keyspaceOrder;
    private final int localNodeId;
    private final AtomicCounter[] malformedByReason;
    private final AtomicCounter fetchesRefused;
    private final AtomicCounter fetchRepliesInPlace;
    private final AtomicCounter fetchRepliesStaged;
    private final StoreStatistics statistics;
    private final boolean stepped;
    private final ExpandableDirectByteBuffer repairReply = new ExpandableDirectByteBuffer(4096);
    private final TictacMessage fetchSegments = new TictacMessage();
    private final int[] fetchSegmentIds = new int[TictacCodec.MAX_SEGMENT_IDS_PER_MESSAGE];
    private final RepairFetch inPlaceFetch;
    private final RepairReader reader;
    private final String readerBusyMessage;

    /**
     * @param ctx                 the store's configuration (storage, fetch bounds, repair reader).
     * @param keyspaces           the store's keyspaces by name, read on every request.
     * @param keyspaceOrder       their names in order, read on every list request.
     * @param localNodeId         this node's id, for messages.
     * @param malformedByReason   counters of dropped repair messages by {@link RepairMessages} reason.
     * @param fetchesRefused      counter of fetches refused (a reply longer than the node's largest body).
     * @param fetchRepliesInPlace counter of fetch replies written on the node thread from the storage's view straight
     *                            into the frame (a storage that reads without blocking).
     * @param fetchRepliesStaged  counter of fetch replies encoded into a staging buffer first: by the repair reader,
     *                            or on the node thread when a first entry alone is longer than a frame.
     * @param statistics          the store's statistics: fetches refused by a busy reader, failed reads.
     * @param stepped             true to step the repair reader on the node thread ({@link #doWork()}) rather than
     *                            give it a thread.
     */
    RepairServer(
        final StoreContext ctx,
        final Map<String, Keyspace> keyspaces,
        final List<String> keyspaceOrder,
        final int localNodeId,
        final AtomicCounter[] malformedByReason,
        final AtomicCounter fetchesRefused,
        final AtomicCounter fetchRepliesInPlace,
        final AtomicCounter fetchRepliesStaged,
        final StoreStatistics statistics,
        final boolean stepped)
    {
        this.ctx = ctx;
        this.keyspaces = keyspaces;
        this.keyspaceOrder = keyspaceOrder;
        this.localNodeId = localNodeId;
        this.malformedByReason = malformedByReason;
        this.fetchesRefused = fetchesRefused;
        this.fetchRepliesInPlace = fetchRepliesInPlace;
        this.fetchRepliesStaged = fetchRepliesStaged;
        this.statistics = statistics;
        this.stepped = stepped;
        this.readerBusyMessage = "node " + localNodeId + "'s repair reader already holds " +
            ctx.repairReaderQueueCapacity() + " fetches (StoreContext.repairReaderQueueCapacity): ask again later";
        if (ctx.storage().readsWithoutBlocking())
        {
            this.inPlaceFetch = new RepairFetch(ctx.repairMaxEntriesPerFetch());
            this.reader = null;
        }
        else
        {
            this.inPlaceFetch = null;
            this.reader = new RepairReader(ctx, localNodeId, stepped, (throwable) -> LOGGER.log(
                System.Logger.Level.WARNING, "node " + localNodeId + "'s repair reader failed", throwable));
        }
    }

    /**
     * Answer a keyspace list request: up to {@link RepairMessages#MAX_KEYSPACES_PER_LIST} keyspaces from the asked
     * index on, each with its root, this node's synced time over its live peers, and its purge floor.
     */
    void onKeyspaces(final RpcRequest request, final RpcReply reply, final int[] liveOthers, final int liveOtherCount)
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
            repairReply.putLong(at + Long.BYTES, keyspace.syncedMs(liveOthers, liveOtherCount));
            repairReply.putLong(at + 2 * Long.BYTES, keyspace.purgeFloorMs());
            at += RepairMessages.KEYSPACE_STATE_LENGTH;
        }
        reply.send(repairReply, 0, at);
    }

    /**
     * Answer one step of a peer's Tictac descent over a keyspace's tree.
     */
    void onTree(final RpcRequest request, final RpcReply reply)
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
     * Answer a fetch: the entries of the asked segments, from the {@code skip}-th match on, bounded by the fetch
     * bounds. On the node thread, finding them walks only the asked segments' keys (the keyspace's segment index):
     * O(keys in those segments) per fetch, then sorts them (insertion sort over at most the fetch's entry bound).
     * Their values are read by the repair reader, which reads each live one twice in one snapshot (once to size the
     * reply, once to copy it), and the reply goes out from {@link #doWork()}; or, over a storage that reads without
     * blocking, here.
     */
    void onFetch(final RpcRequest request, final RpcReply reply)
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
        if (request.isOneWay())
        {
            return; // Nothing to answer to: not worth a read.
        }
        final int segmentCount = fetchSegments.count();
        for (int i = 0; i < segmentCount; i++)
        {
            fetchSegmentIds[i] = fetchSegments.segmentId(i);
        }
        if (null == reader)
        {
            inPlaceFetch.collect(keyspace, skip, fetchSegmentIds, segmentCount);
            sendInPlace(inPlaceFetch, reply);
            return;
        }
        final RepairReadJob job = reader.claim();
        if (null == job)
        {
            statistics.onRepairFetchReaderBusy();
            reply.fail(readerBusyMessage);
            return;
        }
        job.fetch().collect(keyspace, skip, fetchSegmentIds, segmentCount);
        try
        {
            job.bind(reply, stepped ? null : Thread.currentThread());
        }
        catch (final RuntimeException ex)
        {
            reader.release(job);
            throw ex;
        }
        reader.submit(job);
    }

    /**
     * Node thread, every duty cycle: step the repair reader (stepped mode), then send the replies it has read.
     *
     * @return replies sent or failed, plus jobs read in stepped mode.
     */
    int doWork()
    {
        if (null == reader)
        {
            return 0;
        }
        int work = reader.step();
        RepairReadJob job;
        while (null != (job = reader.pollCompleted()))
        {
            try
            {
                sendRead(job);
            }
            finally
            {
                reader.release(job);
            }
            work++;
        }
        return work;
    }

    /**
     * Stop the repair reader, if any, waiting for the read it is doing; replies not sent yet are dropped.
     */
    public void close()
    {
        if (null != reader)
        {
            reader.close();
        }
    }

    private void sendRead(final RepairReadJob job)
    {
        final Throwable failure = job.failure();
        if (null != failure)
        {
            failRead(job.reply(), job.fetch(), failure);
            return;
        }
        fetchRepliesStaged.increment();
        sendStaged(job.reply(), job.staging(), job.length());
    }

    /**
     * Over a storage that reads without blocking: size the reply in one read snapshot, then, once the transport has
     * claimed the frame, copy each value from the storage's view (for LMDB the mapped page) straight into it. Only a
     * reply whose first entry alone is longer than a frame is staged in the reply buffer, to be streamed.
     */
    private void sendInPlace(final RepairFetch fetch, final RpcReply reply)
    {
        final int roomBytes = reply.maxInPlaceBodyLength();
        try (ReadTransaction txn = ctx.storage().beginRead())
        {
            try
            {
                final int length = fetch.size(txn, roomBytes, ctx.repairMaxBytesPerFetch());
                if (length <= roomBytes)
                {
                    reply.send(length, fetch);
                    fetchRepliesInPlace.increment();
                }
                else
                {
                    repairReply.checkLimit(length);
                    fetch.writeBody(repairReply, 0, length);
                    fetchRepliesStaged.increment();
                    sendStaged(reply, repairReply, length);
                }
            }
            finally
            {
                fetch.unbind();
            }
        }
        catch (final RuntimeException ex)
        {
            if (reply.isDone())
            {
                throw ex;
            }
            failRead(reply, fetch, ex);
        }
    }

    private void failRead(final RpcReply reply, final RepairFetch fetch, final Throwable failure)
    {
        statistics.onRepairFetchReadFailure();
        LOGGER.log(System.Logger.Level.WARNING, "node " + localNodeId + " failed to read a repair fetch of " +
            "keyspace '" + fetch.keyspaceName() + "' from its storage", failure);
        reply.fail("node " + localNodeId + " failed to read repair fetch of keyspace '" + fetch.keyspaceName() +
            "' from its storage: " + failure);
    }

    private void sendStaged(final RpcReply reply, final DirectBuffer staged, final int length)
    {
        try
        {
            reply.send(staged, 0, length);
        }
        catch (final IllegalArgumentException ex)
        {
            // Longer than the node's largest body: one large value over the byte bound.
            fetchesRefused.increment();
            reply.fail("repair fetch reply of " + length + " bytes is longer than node " + localNodeId +
                "'s largest body (NodeContext.maxBodyLength): " + ex.getMessage());
        }
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
        malformedByReason[reason].increment();
        if (!request.isOneWay())
        {
            reply.fail("malformed repair message: " + RepairMessages.reason(reason));
        }
    }
}
