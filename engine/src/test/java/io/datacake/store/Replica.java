package io.datacake.store;

import org.agrona.collections.Long2LongHashMap;

import java.util.SplittableRandom;

/**
 * A test replica: the entries of a keyspace (key to a non-zero 64-bit entry hash) and the tree that summarises them,
 * kept in step the way the store will keep them.
 */
final class Replica implements AutoCloseable
{
    final Long2LongHashMap entries = new Long2LongHashMap(TictacTree.ABSENT);
    final TictacTree tree;

    Replica(final int branchCount, final int segmentsPerBranch)
    {
        tree = new TictacTree(branchCount, segmentsPerBranch);
    }

    void put(final long key, final long hash)
    {
        final long old = hash == TictacTree.ABSENT ? entries.remove(key) : entries.put(key, hash);
        tree.apply(key, old, hash);
    }

    void remove(final long key)
    {
        put(key, TictacTree.ABSENT);
    }

    /**
     * Make this replica's entries of one segment equal to the other's, as a repair of that segment would.
     */
    void copySegmentFrom(final Replica other, final int segment)
    {
        final Long2LongHashMap.KeyIterator keys = entries.keySet().iterator();
        final org.agrona.collections.LongArrayList stale = new org.agrona.collections.LongArrayList();
        while (keys.hasNext())
        {
            final long key = keys.nextValue();
            if (tree.segmentOf(key) == segment && !other.entries.containsKey(key))
            {
                stale.addLong(key);
            }
        }
        for (int i = 0; i < stale.size(); i++)
        {
            remove(stale.getLong(i));
        }
        other.entries.forEachLong((key, hash) ->
        {
            if (tree.segmentOf(key) == segment)
            {
                put(key, hash);
            }
        });
    }

    static long nonZeroHash(final SplittableRandom random)
    {
        long hash;
        do
        {
            hash = random.nextLong();
        }
        while (TictacTree.ABSENT == hash);
        return hash;
    }

    public void close()
    {
        tree.close();
    }
}
