package io.datacake.store;

import io.datacake.crdt.EntryConsumer;
import io.datacake.rpc.RpcBodyWriter;
import io.datacake.storage.DocumentView;
import io.datacake.storage.ReadTransaction;
import org.agrona.MutableDirectBuffer;

/**
 * One repair fetch's answer: the entries of the asked segments, collected from the keyspace's set on the node thread
 * (the set is node-owned), then sized and encoded from one storage read snapshot on whichever thread reads it (the
 * repair reader, or the node thread for a storage that reads without blocking). Holds a fetch's worth of arrays,
 * reused from one fetch to the next; nothing is allocated per fetch.
 * <p>
 * A live entry is sent only if storage holds exactly the write the set listed (same stamp and node id): a newer
 * write that landed after the collection, or one not committed yet, leaves the entry out, so a value never goes out
 * under another write's stamp. A later round finds what was left out. Tombstones carry no value and go out as the
 * set listed them.
 */
final class RepairFetch implements RpcBodyWriter
{
    private static final int NOT_STORED = Integer.MIN_VALUE;

    private final long[] keys;
    private final long[] stamps;
    private final int[] nodeIds;
    private final boolean[] tombstones;
    private final int[] valueLengths;
    private final DocumentView document = new DocumentView();
    private final EntryConsumer liveCollector = (key, stamp, nodeId) -> add(key, stamp, nodeId, false);
    private final EntryConsumer deadCollector = (key, stamp, nodeId) -> add(key, stamp, nodeId, true);
    private String keyspaceName;
    private byte[] keyspaceNameUtf8;
    private ReadTransaction txn;
    private int skip;
    private int matched;
    private int count;
    private int encoded;
    private int nextSkip;

    /**
     * @param maxEntries the most entries one fetch carries ({@link StoreContext#repairMaxEntriesPerFetch(int)}).
     */
    RepairFetch(final int maxEntries)
    {
        keys = new long[maxEntries];
        stamps = new long[maxEntries];
        nodeIds = new int[maxEntries];
        tombstones = new boolean[maxEntries];
        valueLengths = new int[maxEntries];
    }

    /**
     * Node thread: collect the entries of the asked segments from the {@code skip}-th match on, up to the entry
     * bound, and sort them by stamp. Walks only those segments' keys (the keyspace's segment index).
     */
    void collect(final Keyspace keyspace, final int skip, final int[] segmentIds, final int segmentCount)
    {
        start(keyspace.name(), keyspace.nameUtf8(), skip);
        for (int i = 0; i < segmentCount; i++)
        {
            keyspace.forEachInSegment(segmentIds[i], liveCollector, deadCollector);
        }
        sortByStamp();
    }

    /**
     * Begin a fetch of a keyspace with no entries yet; {@link #add} adds them.
     */
    void start(final String name, final byte[] nameUtf8, final int skip)
    {
        this.keyspaceName = name;
        this.keyspaceNameUtf8 = nameUtf8;
        this.skip = skip;
        this.matched = 0;
        this.count = 0;
    }

    /**
     * Count one matching entry, and keep it if it is past the skip and the entry bound leaves room.
     */
    void add(final long key, final long stamp, final int nodeId, final boolean tombstone)
    {
        if (matched++ < skip || count == keys.length)
        {
            return;
        }
        keys[count] = key;
        stamps[count] = stamp;
        nodeIds[count] = nodeId;
        tombstones[count] = tombstone;
        count++;
    }

    /**
     * Size the reply from the transaction's snapshot and keep the transaction for {@link #writeBody}: entries in
     * stamp order, live ones with their stored values, stopping at the value byte bound or where the reply would no
     * longer fit {@code roomBytes}, once one entry is in.
     *
     * @param txn           an open read transaction, used until {@link #unbind()}.
     * @param roomBytes     the longest body that fits one frame.
     * @param maxValueBytes the value byte bound of one fetch.
     * @return the reply's length in bytes.
     */
    int size(final ReadTransaction txn, final int roomBytes, final int maxValueBytes)
    {
        this.txn = txn;
        int length = RepairMessages.FETCH_REPLY_HEADER_LENGTH + ReplicationMessage.HEADER_LENGTH +
            keyspaceNameUtf8.length;
        long valueBytes = 0;
        int encoded = 0;
        boolean cut = false;
        for (int i = 0; i < count; i++)
        {
            final int valueLength = storedValueLength(i);
            valueLengths[i] = valueLength;
            if (NOT_STORED == valueLength)
            {
                continue;
            }
            final int entryLength = ReplicationMessage.ENTRY_HEADER_LENGTH + Math.max(0, valueLength);
            if (encoded > 0 && (valueBytes + Math.max(0, valueLength) > maxValueBytes ||
                length + entryLength > roomBytes))
            {
                cut = true;
                count = i;
                break;
            }
            valueBytes += Math.max(0, valueLength);
            length += entryLength;
            encoded++;
        }
        // Entries cut by a bound are sorted, not a prefix of the scan: a later cycle from skip 0 finds them.
        final boolean more = cut || matched > skip + count;
        this.nextSkip = more ? skip + Math.max(1, cut ? encoded : count) : RepairMessages.FETCH_COMPLETE;
        this.encoded = encoded;
        return 0 == encoded ? RepairMessages.FETCH_REPLY_HEADER_LENGTH : length;
    }

    /**
     * Write the sized reply: next skip, replicate message header, entries; live values read again from the bound
     * snapshot and copied from the storage's view into {@code out}.
     *
     * @throws IllegalStateException if the length is not the one {@link #size} returned.
     */
    public void writeBody(final MutableDirectBuffer out, final int offset, final int length)
    {
        out.putInt(offset, nextSkip);
        if (0 == encoded)
        {
            return;
        }
        int at = offset + RepairMessages.FETCH_REPLY_HEADER_LENGTH;
        at += ReplicationMessage.putHeader(out, at, keyspaceNameUtf8, encoded);
        for (int i = 0; i < count; i++)
        {
            final int valueLength = valueLengths[i];
            if (NOT_STORED == valueLength)
            {
                continue;
            }
            ReplicationMessage.putEntryHeader(out, at, keys[i], stamps[i], nodeIds[i], valueLength);
            at += ReplicationMessage.ENTRY_HEADER_LENGTH;
            if (valueLength > 0)
            {
                txn.get(keyspaceName, keys[i], document);
                out.putBytes(at, document.value(), 0, valueLength);
                at += valueLength;
            }
        }
        if (at != offset + length)
        {
            throw new IllegalStateException("fetch reply sized " + length + " bytes, wrote " + (at - offset));
        }
    }

    /**
     * Forget the transaction {@link #size} bound, before it closes.
     */
    void unbind()
    {
        txn = null;
    }

    /**
     * @return the keyspace this fetch reads.
     */
    String keyspaceName()
    {
        return keyspaceName;
    }

    /**
     * @return entries the reply carries, once sized.
     */
    int encodedCount()
    {
        return encoded;
    }

    /**
     * @return the entry's value length, {@link ReplicationMessage#TOMBSTONE_LENGTH} for a tombstone, or
     * {@link #NOT_STORED} if storage does not hold exactly this write of it.
     */
    private int storedValueLength(final int i)
    {
        if (tombstones[i])
        {
            return ReplicationMessage.TOMBSTONE_LENGTH;
        }
        if (!txn.get(keyspaceName, keys[i], document) ||
            document.stamp() != stamps[i] || document.nodeId() != nodeIds[i])
        {
            return NOT_STORED;
        }
        return document.valueLength();
    }

    /**
     * Repair applies one node's writes in stamp order within a fetch (its set treats an older stamp from a node it
     * already saw newer from, in the same source, as stale); insertion sort, as a fetch is small and bounded.
     */
    private void sortByStamp()
    {
        for (int i = 1; i < count; i++)
        {
            final long key = keys[i];
            final long stamp = stamps[i];
            final int nodeId = nodeIds[i];
            final boolean tombstone = tombstones[i];
            int j = i - 1;
            while (j >= 0 && stamps[j] > stamp)
            {
                keys[j + 1] = keys[j];
                stamps[j + 1] = stamps[j];
                nodeIds[j + 1] = nodeIds[j];
                tombstones[j + 1] = tombstones[j];
                j--;
            }
            keys[j + 1] = key;
            stamps[j + 1] = stamp;
            nodeIds[j + 1] = nodeId;
            tombstones[j + 1] = tombstone;
        }
    }
}
