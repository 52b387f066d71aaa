package io.datacake.storage;

import io.datacake.clock.HlcTimestamp;
import io.datacake.crdt.Orswot;

import java.util.Arrays;

/**
 * Rebuilds a keyspace's {@link Orswot} from storage at node start: reads the keyspace's metadata in one
 * {@link ReadTransaction}, sorts it by timestamp (stamp, then node id) and replays it into the set through one
 * source, tombstones as deletes and live entries as inserts. Sorting matters: the set rejects an operation older
 * than one it has already seen from the same node in the same source, and storage iterates in key order.
 * <p>
 * The loader keeps its arrays between keyspaces (a node loads many at start); they grow to the largest keyspace.
 * Not thread safe.
 */
public final class KeyspaceStateLoader
{
    private static final int INITIAL_CAPACITY = 1024;
    private static final int TOMBSTONE_BIT = 1;

    private long[] keys = new long[INITIAL_CAPACITY];
    private long[] stamps = new long[INITIAL_CAPACITY];
    private int[] nodesAndFlags = new int[INITIAL_CAPACITY];
    private int[] order = new int[INITIAL_CAPACITY];
    private int[] scratch = new int[INITIAL_CAPACITY];
    private int size;

    private final MetadataHandler collector = this::collect;

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
        size = 0;
        txn.forEachMetadata(keyspace, collector);
        sortByTimestamp();
        target.ensureCapacity(size);

        for (int i = 0; i < size; i++)
        {
            final int index = order[i];
            final int nodeAndFlag = nodesAndFlags[index];
            final int nodeId = nodeAndFlag >>> 1;
            if ((nodeAndFlag & TOMBSTONE_BIT) != 0)
            {
                target.delete(source, keys[index], stamps[index], nodeId);
            }
            else
            {
                target.insert(source, keys[index], stamps[index], nodeId);
            }
        }
        return size;
    }

    private void collect(final long key, final long stamp, final int nodeId, final boolean tombstone)
    {
        if (size == keys.length)
        {
            final int capacity = keys.length * 2;
            keys = Arrays.copyOf(keys, capacity);
            stamps = Arrays.copyOf(stamps, capacity);
            nodesAndFlags = Arrays.copyOf(nodesAndFlags, capacity);
            order = new int[capacity];
            scratch = new int[capacity];
        }
        keys[size] = key;
        stamps[size] = stamp;
        nodesAndFlags[size] = (nodeId << 1) | (tombstone ? TOMBSTONE_BIT : 0);
        size++;
    }

    private void sortByTimestamp()
    {
        for (int i = 0; i < size; i++)
        {
            order[i] = i;
        }
        // bottom-up merge sort of the index array: stable, O(n log n), no boxing
        int[] from = order;
        int[] to = scratch;
        for (int width = 1; width < size; width *= 2)
        {
            for (int lo = 0; lo < size; lo += 2 * width)
            {
                final int mid = Math.min(lo + width, size);
                final int hi = Math.min(lo + 2 * width, size);
                int left = lo;
                int right = mid;
                for (int k = lo; k < hi; k++)
                {
                    if (left < mid && (right >= hi || compare(from[left], from[right]) <= 0))
                    {
                        to[k] = from[left++];
                    }
                    else
                    {
                        to[k] = from[right++];
                    }
                }
            }
            final int[] swap = from;
            from = to;
            to = swap;
        }
        if (from != order)
        {
            System.arraycopy(from, 0, order, 0, size);
        }
    }

    private int compare(final int a, final int b)
    {
        return HlcTimestamp.compare(stamps[a], nodesAndFlags[a] >>> 1, stamps[b], nodesAndFlags[b] >>> 1);
    }
}
