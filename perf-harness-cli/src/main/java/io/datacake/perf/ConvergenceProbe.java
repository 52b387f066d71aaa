package io.datacake.perf;

import io.datacake.storage.MetadataHandler;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.Storage;

import java.util.List;

/**
 * Whether every node's storage holds the same last write of every key: per node and keyspace, an order-independent
 * digest of every entry's key, stamp, writing node and tombstone flag as the storage has committed them (what a
 * read would see, not what the in-memory set holds), plus the entry count. Equal digests on every node mean every
 * replica holds every last write. Reads run on the caller's thread in one read transaction per node.
 */
final class ConvergenceProbe implements MetadataHandler
{
    private final List<Storage> storages;
    private final int keyspaces;
    private long digest;
    private long count;

    /**
     * @param storages  each node's storage.
     * @param keyspaces number of keyspaces, named by {@link WorkloadSettings#keyspaceName(int)}.
     */
    ConvergenceProbe(final List<Storage> storages, final int keyspaces)
    {
        this.storages = storages;
        this.keyspaces = keyspaces;
    }

    /**
     * Compare every node's keyspaces with the first node's.
     *
     * @return true when every node holds the same entries in every keyspace.
     * @throws io.datacake.storage.StorageException if a storage cannot be read.
     */
    boolean converged()
    {
        for (int k = 0; k < keyspaces; k++)
        {
            final String keyspace = WorkloadSettings.keyspaceName(k);
            digest(storages.get(0), keyspace);
            final long firstDigest = digest;
            final long firstCount = count;
            for (int node = 1; node < storages.size(); node++)
            {
                digest(storages.get(node), keyspace);
                if (digest != firstDigest || count != firstCount)
                {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Entries of every keyspace on one node: live documents and tombstones.
     *
     * @param node node index, 0-based.
     * @return the entry count.
     */
    long entries(final int node)
    {
        long entries = 0;
        for (int k = 0; k < keyspaces; k++)
        {
            digest(storages.get(node), WorkloadSettings.keyspaceName(k));
            entries += count;
        }
        return entries;
    }

    private void digest(final Storage storage, final String keyspace)
    {
        digest = 0;
        count = 0;
        try (ReadTransaction read = storage.beginRead())
        {
            read.forEachMetadata(keyspace, this);
        }
    }

    /**
     * Add one entry to the digest being computed.
     *
     * @param key       document id.
     * @param stamp     stamp of its last write.
     * @param nodeId    node of that write.
     * @param tombstone true for a delete.
     */
    public void onMetadata(final long key, final long stamp, final int nodeId, final boolean tombstone)
    {
        long h = mix(key);
        h = mix(h ^ stamp);
        h = mix(h ^ ((long)nodeId << 1 | (tombstone ? 1 : 0)));
        digest += h;
        count++;
    }

    /**
     * A 64-bit finaliser (the one SplittableRandom uses): every input bit changes about half the output bits, so a
     * sum of entries' mixes differs when any entry differs, with overwhelming probability.
     */
    private static long mix(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
