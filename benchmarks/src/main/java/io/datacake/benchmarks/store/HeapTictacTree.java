package io.datacake.benchmarks.store;

import org.agrona.collections.IntArrayList;

/**
 * Baseline for {@code TictacTree}: the same two-level XOR tree and the same key-to-segment mix, written the obvious
 * way with on-heap {@code long[]} arrays.
 */
final class HeapTictacTree
{
    private final int segmentsPerBranch;
    private final int segmentBits;
    private final int segmentMask;
    private final long[] branches;
    private final long[] segments;
    private long root;

    HeapTictacTree(final int branchCount, final int segmentsPerBranch)
    {
        this.segmentsPerBranch = segmentsPerBranch;
        this.segmentBits = Integer.numberOfTrailingZeros(segmentsPerBranch);
        this.segmentMask = branchCount * segmentsPerBranch - 1;
        this.branches = new long[branchCount];
        this.segments = new long[branchCount * segmentsPerBranch];
    }

    int segmentOf(final long key)
    {
        long x = key ^ 0x6A09E667F3BCC909L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        x ^= x >>> 31;
        return (int)(x >>> 40) & segmentMask;
    }

    void apply(final long key, final long oldEntryHash, final long newEntryHash)
    {
        final long delta = oldEntryHash ^ newEntryHash;
        if (0 != delta)
        {
            final int segment = segmentOf(key);
            segments[segment] ^= delta;
            branches[segment >>> segmentBits] ^= delta;
            root ^= delta;
        }
    }

    long root()
    {
        return root;
    }

    int mismatchedSegments(final HeapTictacTree other, final IntArrayList mismatched, final int limit)
    {
        int appended = 0;
        if (root != other.root && limit > 0)
        {
            for (int branch = 0; branch < branches.length; branch++)
            {
                if (branches[branch] != other.branches[branch])
                {
                    final int first = branch << segmentBits;
                    for (int i = first, end = first + segmentsPerBranch; i < end; i++)
                    {
                        if (segments[i] != other.segments[i])
                        {
                            mismatched.addInt(i);
                            if (++appended == limit)
                            {
                                return appended;
                            }
                        }
                    }
                }
            }
        }
        return appended;
    }
}
