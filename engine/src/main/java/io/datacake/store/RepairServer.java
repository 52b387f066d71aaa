package io.datacake.store;

import io.datacake.crdt.EntryConsumer;
import io.datacake.rpc.RpcBodyWriter;
import io.datacake.rpc.RpcReply;
import io.datacake.rpc.RpcRequest;
import io.datacake.storage.DocumentView;
import io.datacake.storage.ReadTransaction;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.List;
import java.util.Map;

/**
 * The answering side of peers' repair rounds, on the node thread: keyspace lists, Tictac descent steps and segment
 * fetches, over the store's keyspaces. It keeps no per-peer state; a malformed request is dropped, counted by
 * reason, and changes nothing. Reuses one reply buffer and one fetch's worth of arrays; a fetch reply is written
 * straight from the storage's read view into the transport's frame.
 */
final class RepairServer
{
    private static final int NOT_STORED = Integer.MIN_VALUE;

    private final StoreContext ctx;
    private final Map<String, Keyspace> keyspaces;
    private final List<String> keyspaceOrder;
    private final int localNodeId;
    private final AtomicCounter[] malformedByReason;
    private final AtomicCounter fetchesRefused;
    private final ExpandableDirectByteBuffer repairReply = new ExpandableDirectByteBuffer(4096);
        private final TictacMessage fetchSegments = new TictacMessage();
    private final DocumentView fetchDocument = new DocumentView();
    private final int[] fetchSegmentIds = new int[TictacCodec.MAX_SEGMENT_IDS_PER_MESSAGE];
    private final long[] fetchKeys;
    private final long[] fetchStamps;
    private final int[] fetchNodeIds;
    private final boolean[] fetchTombstones;
    private final int[] fetchValueLengths;
    private final RpcBodyWriter fetchWriter = this::writeFetched;
    private ReadTransaction fetchTxn;
    private Keyspace fetchKeyspace;
    private int fetchNextSkip;
    private int fetchEncoded;
    private final AtomicCounter fetchRepliesInPlace;
    private final AtomicCounter fetchRepliesStaged;
    private final EntryConsumer fetchLiveCollector = (key, stamp, nodeId) -> collectFetched(key, stamp, nodeId, false);
    private final EntryConsumer fetchDeadCollector = (key, stamp, nodeId) -> collectFetched(key, stamp, nodeId, true);
    private int fetchSegmentCount;
    private int fetchSkip;
    private int fetchMatched;
    private int fetchCount;

    /**
     * @param ctx               the store's configuration (storage, fetch bounds).
     * @param keyspaces         the store's keyspaces by name, read on every request.
     * @param keyspaceOrder     their names in order, read on every list request.
     * @param localNodeId       this node's id, for messages.
     * @param malformedByReason counters of dropped repair messages by {@link RepairMessages} reason.
     * @param fetchesRefused    counter of fetches refused (a reply longer than the node's largest body).
     * @param fetchRepliesInPlace counter of fetch replies written from the storage's view straight into the frame.
     * @param fetchRepliesStaged  counter of fetch replies staged in the reply buffer (a first entry longer than a
     *                            frame).
     */
    RepairServer(
        final StoreContext ctx,
        final Map<String, Keyspace> keyspaces,
        final List<String> keyspaceOrder,
        final int localNodeId,
        final AtomicCounter[] malformedByReason,
        final AtomicCounter fetchesRefused,
        final AtomicCounter fetchRepliesInPlace,
        final AtomicCounter fetchRepliesStaged)
    {
        this.fetchRepliesInPlace = fetchRepliesInPlace;
        this.fetchRepliesStaged = fetchRepliesStaged;
        this.ctx = ctx;
        this.keyspaces = keyspaces;
        this.keyspaceOrder = keyspaceOrder;
        this.localNodeId = localNodeId;
        this.malformedByReason = malformedByReason;
        this.fetchesRefused = fetchesRefused;
        final int maxFetch = ctx.repairMaxEntriesPerFetch();
        this.fetchKeys = new long[maxFetch];
        this.fetchStamps = new long[maxFetch];
        this.fetchNodeIds = new int[maxFetch];
        this.fetchTombstones = new boolean[maxFetch];
        this.fetchValueLengths = new int[maxFetch];
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
     * Send the entries of the asked segments, from the {@code skip}-th match on, bounded by the fetch bounds. Finding
     * them walks only the asked segments' keys (the keyspace's segment index): O(keys in those segments) per fetch.
     * What remains on the node thread: the collected entries are sorted (insertion sort over at most the fetch's
     * entry bound) and the live ones' values are read from storage in one read snapshot (never an fsync), twice
     * each (once to size the reply, once to copy the value into the frame), at most twice
     * {@link StoreContext#repairMaxEntriesPerFetch(int)} reads per fetch.
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

        fetchSegmentCount = fetchSegments.count();
        for (int i = 0; i < fetchSegmentCount; i++)
        {
            fetchSegmentIds[i] = fetchSegments.segmentId(i);
        }
        fetchSkip = skip;
        fetchMatched = 0;
        fetchCount = 0;
        for (int i = 0; i < fetchSegmentCount; i++)
        {
            keyspace.forEachInSegment(fetchSegmentIds[i], fetchLiveCollector, fetchDeadCollector);
        }
        sortFetchedByStamp();

        sendFetched(keyspace, reply);
    }

    private void collectFetched(final long key, final long stamp, final int nodeId, final boolean tombstone)
    {
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
     * Answer with the collected entries, live ones with their stored values (an entry whose value storage does not
     * hold yet is left for a later round), stopping at the byte bound, or where the reply would no longer fit one
     * frame, once one entry is in. Two passes over one read snapshot: the first reads each value's length to size
     * the reply; the second, once the transport has claimed the frame, reads each value again and copies it from
     * the storage's view (for LMDB the mapped page) straight into the frame. Only a reply whose first entry alone
     * is longer than a frame is staged in the reply buffer, to be streamed.
     */
    private void sendFetched(final Keyspace keyspace, final RpcReply reply)
    {
        fetchKeyspace = keyspace;
        final int roomBytes = reply.maxInPlaceBodyLength();
        try (ReadTransaction txn = ctx.storage().beginRead())
        {
            fetchTxn = txn;
            int length = RepairMessages.FETCH_REPLY_HEADER_LENGTH + ReplicationMessage.HEADER_LENGTH +
                keyspace.nameUtf8().length;
            long valueBytes = 0;
            int encoded = 0;
            boolean cut = false;
            for (int i = 0; i < fetchCount; i++)
            {
                final int valueLength = storedValueLength(i);
                fetchValueLengths[i] = valueLength;
                if (NOT_STORED == valueLength)
                {
                    continue;
                }
                final int entryLength = ReplicationMessage.ENTRY_HEADER_LENGTH + Math.max(0, valueLength);
                if (encoded > 0 && (valueBytes + Math.max(0, valueLength) > ctx.repairMaxBytesPerFetch() ||
                    length + entryLength > roomBytes))
                {
                    cut = true;
                    fetchCount = i;
                    break;
                }
                valueBytes += Math.max(0, valueLength);
                length += entryLength;
                encoded++;
            }
            // Entries cut by a bound are sorted, not a prefix of the scan: a later cycle from skip 0 finds them.
            final boolean more = cut || fetchMatched > fetchSkip + fetchCount;
            fetchNextSkip = more ? fetchSkip + Math.max(1, cut ? encoded : fetchCount) : RepairMessages.FETCH_COMPLETE;
            fetchEncoded = encoded;
            if (0 == encoded)
            {
                length = RepairMessages.FETCH_REPLY_HEADER_LENGTH;
            }
            if (length <= roomBytes)
            {
                reply.send(length, fetchWriter);
                fetchRepliesInPlace.increment();
            }
            else
            {
                repairReply.checkLimit(length);
                writeFetched(repairReply, 0, length);
                fetchRepliesStaged.increment();
                sendStaged(reply, length);
            }
        }
        finally
        {
            fetchTxn = null;
            fetchKeyspace = null;
        }
    }

    private void sendStaged(final RpcReply reply, final int length)
    {
        try
        {
            reply.send(repairReply, 0, length);
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
     * @return the entry's value length, {@link ReplicationMessage#TOMBSTONE_LENGTH} for a tombstone, or
     * {@link #NOT_STORED} if storage does not hold this write of it (yet).
     */
    private int storedValueLength(final int i)
    {
        if (fetchTombstones[i])
        {
            return ReplicationMessage.TOMBSTONE_LENGTH;
        }
        if (!fetchTxn.get(fetchKeyspace.name(), fetchKeys[i], fetchDocument) ||
            fetchDocument.stamp() != fetchStamps[i] || fetchDocument.nodeId() != fetchNodeIds[i])
        {
            return NOT_STORED;
        }
        return fetchDocument.valueLength();
    }

    /**
     * Write the sized reply: next skip, replicate message header, entries; live values read again from the open
     * snapshot and copied from its view into {@code out}.
     */
    private void writeFetched(final MutableDirectBuffer out, final int offset, final int length)
    {
        out.putInt(offset, fetchNextSkip);
        if (0 == fetchEncoded)
        {
            return;
        }
        int at = offset + RepairMessages.FETCH_REPLY_HEADER_LENGTH;
        at += ReplicationMessage.putHeader(out, at, fetchKeyspace.nameUtf8(), fetchEncoded);
        for (int i = 0; i < fetchCount; i++)
        {
            final int valueLength = fetchValueLengths[i];
            if (NOT_STORED == valueLength)
            {
                continue;
            }
            ReplicationMessage.putEntryHeader(out, at, fetchKeys[i], fetchStamps[i], fetchNodeIds[i], valueLength);
            at += ReplicationMessage.ENTRY_HEADER_LENGTH;
            if (valueLength > 0)
            {
                fetchTxn.get(fetchKeyspace.name(), fetchKeys[i], fetchDocument);
                out.putBytes(at, fetchDocument.value(), 0, valueLength);
                at += valueLength;
            }
        }
        if (at != offset + length)
        {
            throw new IllegalStateException("fetch reply sized " + length + " bytes, wrote " + (at - offset));
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
