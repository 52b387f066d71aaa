package io.datacake.storage;

import io.datacake.clock.HlcTimestamp;
import io.datacake.crdt.Orswot;
import org.agrona.collections.Long2LongHashMap;

import java.util.Arrays;

/**
 * Rebuilds a keyspace's {@link Orswot} from storage at node start: reads the keyspace's metadata in one
 * {@link ReadTransaction} and puts every stored entry in the set, so that the set ends up holding exactly the stored
 * entries and, for the source it is loaded through, the highest stamp stored from each node as seen.
 * <p>
 * Into an empty set with a {@link Orswot#REPAIR_SOURCE} (datacake's sets), the entries stream straight in, in
 * storage order, through {@link Orswot#repair} (which takes entries in any order and records no stamp as seen), and
 * each node's highest stamp is then recorded as seen through the source asked for: the set is the one a replay in
 * timestamp order would give, and the load holds nothing per entry (a map of the node ids met), however large the
 * keyspace. A first pass over the metadata counts the live entries, to size the set once. Storage holds one entry
 * per key, so no entry can lose to another.
 * <p>
 * Otherwise (a set with one source, or one that already holds something) the entries are sorted by timestamp (stamp,
 * then node id) and replayed through the source, tombstones as deletes and live entries as inserts. Sorting matters
 * there: the set rejects an operation older than one it has already seen from the same node in the same source, and
 * storage iterates in key order.
 * <p>
 * The sort is a least-significant-byte-first radix sort that moves the entries themselves (key, stamp, node and
 * flag), a byte per pass over the node id and then the stamp, skipping any byte that is the same in every entry
 * (the high bytes of stamps written within days of each other). Every pass reads and writes the arrays in order, so
 * a keyspace of 100M entries sorts in a few sequential sweeps instead of the n log n random reads of a comparison
 * sort through an index, and the replay then reads the sorted arrays in order too. It costs 20 bytes per entry of
 * collected capacity (which doubles) plus 20 per entry for the scratch copy, allocated at sort time to the exact
 * count.
 * <p>
 * The loader keeps its arrays between keyspaces (a node loads many at start); they grow to the largest keyspace.
 * Not thread safe.
 */
public final class KeyspaceStateLoader
{
    private static final int INITIAL_CAPACITY = 1024;
    private static final int TOMBSTONE_BIT = 1;
    private static final int RADIX_BITS = 8;
    private static final int RADIX = 1 << RADIX_BITS;
    private static final int NODE_ID_BYTES = 2;
    private static final int PASSES = NODE_ID_BYTES + Long.BYTES;

    private long[] keys = new long[INITIAL_CAPACITY];
    private long[] stamps = new long[INITIAL_CAPACITY];
    private int[] nodesAndFlags = new int[INITIAL_CAPACITY];
    private long[] scratchKeys = new long[INITIAL_CAPACITY];
    private long[] scratchStamps = new long[INITIAL_CAPACITY];
    private int[] scratchNodesAndFlags = new int[INITIAL_CAPACITY];
    private final int[][] counts = new int[PASSES][RADIX];
    private int size;

    private final MetadataHandler collector = this::collect;
    private final Long2LongHashMap highestStampByNode = new Long2LongHashMap(HlcTimestamp.NULL_STAMP);
    private final MetadataHandler streamer = this::stream;
    private final MetadataHandler liveCounter = this::countLive;
    private Orswot streamTarget;
    private int liveCount;

    /**
     * Load a keyspace into a new set with datacake's defaults (see {@link Orswot#Orswot()}).
     *
     * @param storage  the storage.
     * @param keyspace keyspace name; an unknown keyspace gives an empty set.
     * @return the rebuilt set; the caller owns (and closes) it.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws StorageException             if the storage failed.
     */
    public Orswot load(final Storage storage, final String keyspace)
    {
        final Orswot set = new Orswot();
        try (ReadTransaction txn = storage.beginRead())
        {
            loadInto(txn, keyspace, set, Orswot.CONSISTENCY_SOURCE);
        }
        catch (final RuntimeException ex)
        {
            set.close();
            throw ex;
        }
        return set;
    }

    /**
     * Replay a keyspace's metadata into an existing set.
     *
     * @param txn      an open read transaction.
     * @param keyspace keyspace name.
     * @param target   the set to fill; usually empty.
     * @param source   the set's source to replay through.
     * @return the number of entries replayed.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws IllegalArgumentException     if the source is out of the set's range.
     * @throws StorageException             if the storage failed.
     */
    public int loadInto(final ReadTransaction txn, final String keyspace, final Orswot target, final int source)
    {
        if (source < 0 || source >= target.sourceCount())
        {
            throw new IllegalArgumentException(
                "source out of range [0, " + target.sourceCount() + "): " + source);
        }
        if (target.sourceCount() > Orswot.REPAIR_SOURCE && isEmpty(target))
        {
            return stream(txn, keyspace, target, source);
        }
        size = 0;
        txn.forEachMetadata(keyspace, collector);
        sortByTimestamp();
        target.ensureCapacity(size);

        for (int i = 0; i < size; i++)
        {
            final int nodeAndFlag = nodesAndFlags[i];
            final int nodeId = nodeAndFlag >>> 1;
            if ((nodeAndFlag & TOMBSTONE_BIT) != 0)
            {
                target.delete(source, keys[i], stamps[i], nodeId);
            }
            else
            {
                target.insert(source, keys[i], stamps[i], nodeId);
            }
        }
        return size;
    }

    private int stream(final ReadTransaction txn, final String keyspace, final Orswot target, final int source)
    {
        highestStampByNode.clear();
        // A first pass over the metadata sizes the set once: growing it entry by entry would rehash it many times.
        liveCount = 0;
        txn.forEachMetadata(keyspace, liveCounter);
        target.ensureCapacity(liveCount);
        streamTarget = target;
        final int count;
        try
        {
            count = txn.forEachMetadata(keyspace, streamer);
        }
        finally
        {
            streamTarget = null;
        }
        final Long2LongHashMap.EntryIterator nodes = highestStampByNode.entrySet().iterator();
        while (nodes.hasNext())
        {
            nodes.next();
            target.addSeenStamp(source, (int)nodes.getLongKey(), nodes.getLongValue());
        }
        return count;
    }

    private void stream(final long key, final long stamp, final int nodeId, final boolean tombstone)
    {
        streamTarget.repair(tombstone, key, stamp, nodeId);
        if (stamp > highestStampByNode.get(nodeId))
        {
            highestStampByNode.put(nodeId, stamp);
        }
    }

    private void countLive(final long key, final long stamp, final int nodeId, final boolean tombstone)
    {
        if (!tombstone)
        {
            liveCount++;
        }
    }

    private static boolean isEmpty(final Orswot set)
    {
        if (set.liveCount() > 0 || set.tombstoneCount() > 0)
        {
            return false;
        }
        final boolean[] seen = new boolean[1];
        set.forEachSeenStamp((source, nodeId, stamp) -> seen[0] = true);
        return !seen[0];
    }

    private void collect(final long key, final long stamp, final int nodeId, final boolean tombstone)
    {
        if (size == keys.length)
        {
            final int capacity = keys.length * 2;
            keys = Arrays.copyOf(keys, capacity);
            stamps = Arrays.copyOf(stamps, capacity);
            nodesAndFlags = Arrays.copyOf(nodesAndFlags, capacity);
        }
        keys[size] = key;
        stamps[size] = stamp;
        nodesAndFlags[size] = (nodeId << 1) | (tombstone ? TOMBSTONE_BIT : 0);
        size++;
    }

    /**
     * Stable radix sort of the entries by (stamp, node id), as {@link HlcTimestamp#compare} orders them.
     */
    private void sortByTimestamp()
    {
        if (scratchKeys.length < size)
        {
            // Sized to the entries, not the doubled capacity, and only once the collect's old arrays are garbage.
            scratchKeys = new long[size];
            scratchStamps = new long[size];
            scratchNodesAndFlags = new int[size];
        }
        for (final int[] count : counts)
        {
            Arrays.fill(count, 0);
        }
        for (int i = 0; i < size; i++)
        {
            final int nodeId = nodesAndFlags[i] >>> 1;
            final long stamp = stamps[i];
            counts[0][digit(nodeId, 0)]++;
            counts[1][digit(nodeId, 1)]++;
            for (int b = 0; b < Long.BYTES; b++)
            {
                counts[NODE_ID_BYTES + b][digit(stamp, b)]++;
            }
        }

        for (int pass = 0; pass < PASSES; pass++)
        {
            final int[] count = counts[pass];
            if (count[digitOf(0, pass)] == size)
            {
                continue; // this byte is the same in every entry: the pass would not move anything
            }
            int offset = 0;
            for (int d = 0; d < RADIX; d++)
            {
                final int n = count[d];
                count[d] = offset;
                offset += n;
            }
            for (int i = 0; i < size; i++)
            {
                final int to = count[digitOf(i, pass)]++;
                scratchKeys[to] = keys[i];
                scratchStamps[to] = stamps[i];
                scratchNodesAndFlags[to] = nodesAndFlags[i];
            }
            swapWithScratch();
        }
    }

    private int digitOf(final int index, final int pass)
    {
        return pass < NODE_ID_BYTES ? digit(nodesAndFlags[index] >>> 1, pass) :
            digit(stamps[index], pass - NODE_ID_BYTES);
    }

    private static int digit(final int nodeId, final int byteIndex)
    {
        return (nodeId >>> (byteIndex * RADIX_BITS)) & (RADIX - 1);
    }

    private static int digit(final long stamp, final int byteIndex)
    {
        final int digit = (int)(stamp >>> (byteIndex * RADIX_BITS)) & (RADIX - 1);
        // Flip the sign bit in the top byte so negative values sort first, as Long.compare orders them.
        return byteIndex == Long.BYTES - 1 ? digit ^ (RADIX >>> 1) : digit;
    }

    private void swapWithScratch()
    {
        final long[] sortedKeys = scratchKeys;
        scratchKeys = keys;
        keys = sortedKeys;
        final long[] sortedStamps = scratchStamps;
        scratchStamps = stamps;
        stamps = sortedStamps;
        final int[] sortedNodesAndFlags = scratchNodesAndFlags;
        scratchNodesAndFlags = nodesAndFlags;
        nodesAndFlags = sortedNodesAndFlags;
    }
}
