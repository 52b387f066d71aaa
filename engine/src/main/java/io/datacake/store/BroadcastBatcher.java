package io.datacake.store;

import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * Gathers the writes a coordinator broadcasts to members that were not its selected replicas, one batch per peer,
 * and sends each batch as one one-way replicate message per duty cycle: N writes of a cycle reach a peer in
 * {@code ceil(N / maxEntries)} messages (more only when the byte bound, or a change of keyspace, cuts a batch
 * early). A batch holds one keyspace's writes in the order they were coordinated, and is sent before a synchronous
 * replicate call to the same peer, or taken into that call ahead of the call's own write ({@link #takeWith}), so a
 * peer never sees a coordinator's writes out of stamp order. Best effort: a batch the transport refuses is dropped
 * (the sender counts it) and repair carries its writes on. Node thread only; one batch object per peer, reused, so
 * steady state allocates nothing.
 */
final class BroadcastBatcher
{
    /**
     * Sends one batch to a peer.
     */
    @FunctionalInterface
    interface Sender
    {
        /**
         * @param peerNodeId the peer.
         * @param message    the encoded replicate message.
         * @param length     its length.
         */
        void send(int peerNodeId, DirectBuffer message, int length);
    }

    private final int maxEntries;
    private final int maxBytes;
    private final Sender sender;
    private final Int2ObjectHashMap<PeerBatch> batchByPeer = new Int2ObjectHashMap<>();
    private final ArrayList<PeerBatch> filled = new ArrayList<>();

    /**
     * @param maxEntries bound on the entries of one message.
     * @param maxBytes   bound on the bytes of one message; a message always holds at least one entry.
     * @param sender     sends a batch.
     */
    BroadcastBatcher(final int maxEntries, final int maxBytes, final Sender sender)
    {
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.sender = sender;
    }

    /**
     * Add every entry of a checked message to a peer's batch, sending the batch first whenever the next entry would
     * pass a bound or belongs to another keyspace.
     */
    void add(final int peerNodeId, final byte[] keyspaceUtf8, final ReplicationMessage entries)
    {
        PeerBatch batch = batchByPeer.get(peerNodeId);
        if (null == batch)
        {
            batch = new PeerBatch(peerNodeId);
            batchByPeer.put(peerNodeId, batch);
        }
        if (batch.count() > 0 && !Arrays.equals(batch.keyspaceUtf8, keyspaceUtf8))
        {
            send(batch);
        }
        entries.rewind();
        while (entries.next())
        {
            final int valueLength = Math.max(0, entries.valueLength());
            if (batch.count() > 0 && (batch.count() == maxEntries ||
                batch.message.encodedLength() + ReplicationMessage.ENTRY_HEADER_LENGTH + valueLength > maxBytes))
            {
                send(batch);
            }
            if (0 == batch.count())
            {
                batch.begin(keyspaceUtf8);
                filled.add(batch);
            }
            append(batch, entries);
        }
    }

    private static void append(final PeerBatch batch, final ReplicationMessage entries)
    {
        if (entries.isTombstone())
        {
            batch.message.encodeTombstone(entries.key(), entries.stamp(), entries.nodeId());
        }
        else
        {
            batch.message.encodePut(entries.key(), entries.stamp(), entries.nodeId(), entries.buffer(),
                entries.valueOffset(), Math.max(0, entries.valueLength()));
        }
    }

    /**
     * Hand over a peer's open batch with a synchronous write's entries appended, so one replicate call carries both,
     * in stamp order, instead of a one-way message followed by the call: the batch must hold the same keyspace and
     * have room for every entry within both bounds. The batch is empty afterwards; the returned message stays
     * readable until the next {@link #add}.
     *
     * @param peerNodeId   the peer the call goes to.
     * @param keyspaceUtf8 the write's keyspace.
     * @param entries      the write's checked entries.
     * @return the batch's message holding the batch and then the entries, or null (nothing changed) when the peer
     * has no open batch, it holds another keyspace, or the entries do not fit: {@link #flush} it and send the write
     * on its own.
     */
    ReplicationMessage takeWith(final int peerNodeId, final byte[] keyspaceUtf8, final ReplicationMessage entries)
    {
        final PeerBatch batch = batchByPeer.get(peerNodeId);
        if (null == batch || 0 == batch.count() || !Arrays.equals(batch.keyspaceUtf8, keyspaceUtf8) ||
            batch.count() + entries.entryCount() > maxEntries)
        {
            return null;
        }
        long bytes = batch.message.encodedLength();
        entries.rewind();
        while (entries.next())
        {
            bytes += ReplicationMessage.ENTRY_HEADER_LENGTH + Math.max(0, entries.valueLength());
        }
        if (bytes > maxBytes)
        {
            return null;
        }
        entries.rewind();
        while (entries.next())
        {
            append(batch, entries);
        }
        batch.clear();
        filled.remove(batch);
        return batch.message;
    }

    /**
     * Send the peer's batch now, if it holds anything.
     */
    void flush(final int peerNodeId)
    {
        final PeerBatch batch = batchByPeer.get(peerNodeId);
        if (null != batch && batch.count() > 0)
        {
            send(batch);
        }
    }

    /**
     * Send every batch that holds anything: once per duty cycle.
     *
     * @return the number of messages sent.
     */
    int flushAll()
    {
        final int count = filled.size();
        for (int i = count - 1; i >= 0; i--)
        {
            final PeerBatch batch = filled.get(i);
            sender.send(batch.peerNodeId, batch.message.encoded(), batch.message.encodedLength());
            batch.clear();
        }
        filled.clear();
        return count;
    }

    private void send(final PeerBatch batch)
    {
        sender.send(batch.peerNodeId, batch.message.encoded(), batch.message.encodedLength());
        batch.clear();
        filled.remove(batch);
    }

    /**
     * One peer's batch: an encoder for one keyspace's entries.
     */
    private static final class PeerBatch
    {
        final int peerNodeId;
        final ReplicationMessage message = new ReplicationMessage();
        byte[] keyspaceUtf8;
        boolean open;

        PeerBatch(final int peerNodeId)
        {
            this.peerNodeId = peerNodeId;
        }

        int count()
        {
            return open ? message.encodedCount() : 0;
        }

        void begin(final byte[] keyspaceUtf8)
        {
            this.keyspaceUtf8 = keyspaceUtf8;
            message.beginEncode(keyspaceUtf8);
            open = true;
        }

        void clear()
        {
            open = false;
            keyspaceUtf8 = null;
        }
    }
}
