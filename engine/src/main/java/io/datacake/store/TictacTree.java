package io.datacake.store;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The content summary of one keyspace: a two-level hash tree in the style of Tictac trees, kept current in O(1) per
 * change.
 * <p>
 * Every key maps to one <em>segment</em> ({@link #segmentOf(long)}); a segment's hash is the XOR of the 64-bit
 * hashes of the entries whose key falls in it, a <em>branch</em> hash is the XOR of its segments, and the root the
 * XOR of the branches. XOR is its own inverse and commutes, so a change is applied by XOR-ing the old entry hash out
 * and the new one in at one segment, one branch and the root ({@link #apply(long, long, long)}), and two trees that
 * saw the same final entries are equal at every level whatever the order of the changes. Two replicas compare
 * roots, then branch hashes, then only the segments of mismatched branches, so the work follows the size of the
 * difference, not of the keyspace, and content that differs under equal version stamps is still found.
 * <p>
 * Shape: {@code branchCount × segmentsPerBranch} segments, both powers of two. Two shapes are named:
 * <ul>
 *   <li>{@link #DEFAULT_BRANCH_COUNT} × {@link #DEFAULT_SEGMENTS_PER_BRANCH} (1,024 × 1,024 = 1,048,576 segments,
 *   8 MiB of segment hashes): a keyspace of 10 million keys holds about 10 keys per segment, so a mismatched segment
 *   moves a handful of entries, and a full branch-hash listing is 8 KiB (two messages).</li>
 *   <li>{@link #SMALL_BRANCH_COUNT} × {@link #SMALL_SEGMENTS_PER_BRANCH} (256 × 256 = 65,536 segments, 512 KiB): for
 *   keyspaces up to about a million keys, where the default's memory would dominate the keyspace itself; the branch
 *   listing is one message and one branch's segments are one message.</li>
 * </ul>
 * Both use 64-bit segment hashes (Riak's trees use 32 bits); with 64 bits two different segment contents collide
 * with probability 2<sup>-64</sup>, so a repair is never missed for practical purposes. That holds only if entry
 * hashes are strong, well-mixed 64-bit hashes: if two replicas' differences were correlated (say each flipped the
 * same bit of an entry hash) they could cancel in a branch hash and hide their segments from the comparison.
 * <p>
 * Memory: one off-heap Agrona buffer of {@code 8 × (branchCount + segmentCount)} bytes and no per-entry objects.
 * Not thread safe: a keyspace's tree is owned by one thread (the node thread). {@link #apply} allocates nothing.
 * Holds off-heap memory: {@link #close()} it; a closed tree must not be used.
 */
public final class TictacTree implements AutoCloseable
{
    /** Branches of the default shape. */
    public static final int DEFAULT_BRANCH_COUNT = 1024;

    /** Segments per branch of the default shape. */
    public static final int DEFAULT_SEGMENTS_PER_BRANCH = 1024;

    /** Branches of the small-keyspace shape. */
    public static final int SMALL_BRANCH_COUNT = 256;

    /** Segments per branch of the small-keyspace shape. */
    public static final int SMALL_SEGMENTS_PER_BRANCH = 256;

    /** Largest number of branches (a power of two). */
    public static final int MAX_BRANCH_COUNT = 1 << 16;

    /** Largest number of segments per branch (a power of two). */
    public static final int MAX_SEGMENTS_PER_BRANCH = 1 << 16;

    /** Largest number of segments in a tree: 2<sup>24</sup>, 128 MiB of segment hashes. */
    public static final int MAX_SEGMENT_COUNT = 1 << 24;

    /** Bytes of one branch or segment hash. */
    public static final int HASH_LENGTH = Long.BYTES;

    /** The entry hash that means "no entry". */
    public static final long ABSENT = 0L;

    /** Mixed into a key before it is mapped to a segment, so the segment choice is unrelated to other mixes of it. */
    private static final long SEGMENT_SEED = 0x6A09E667F3BCC909L;

    /** Bits 40..63 of the mixed key select the segment; {@link #MAX_SEGMENT_COUNT} is 2^24. */
    private static final int SEGMENT_HASH_SHIFT = Long.SIZE - Integer.numberOfTrailingZeros(MAX_SEGMENT_COUNT);

    private final int branchCount;
    private final int segmentsPerBranch;
    private final int segmentCount;
    private final int segmentMask;
    private final int segmentBits;
    private final int branchBits;
    private final int segmentsOffset;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private ByteBuffer byteBuffer;
    private long address;
    private long root;

    /**
     * A tree of the default shape, {@link #DEFAULT_BRANCH_COUNT} × {@link #DEFAULT_SEGMENTS_PER_BRANCH}.
     */
    public TictacTree()
    {
        this(DEFAULT_BRANCH_COUNT, DEFAULT_SEGMENTS_PER_BRANCH);
    }

    /**
     * @param branchCount       number of branches: a power of two in [1, {@link #MAX_BRANCH_COUNT}].
     * @param segmentsPerBranch segments under each branch: a power of two in [1, {@link #MAX_SEGMENTS_PER_BRANCH}].
     * @throws IllegalArgumentException if either is not a power of two or out of range, or if their product exceeds
     *                                  {@link #MAX_SEGMENT_COUNT}.
     */
    public TictacTree(final int branchCount, final int segmentsPerBranch)
    {
        checkShape(branchCount, segmentsPerBranch);
        this.branchCount = branchCount;
        this.segmentsPerBranch = segmentsPerBranch;
        this.segmentCount = branchCount * segmentsPerBranch;
        this.segmentMask = segmentCount - 1;
        this.segmentBits = Integer.numberOfTrailingZeros(segmentsPerBranch);
        this.branchBits = Integer.numberOfTrailingZeros(branchCount);
        this.segmentsOffset = branchCount * HASH_LENGTH;
        this.byteBuffer = ByteBuffer.allocateDirect(segmentsOffset + segmentCount * HASH_LENGTH);
        buffer.wrap(byteBuffer);
        this.address = buffer.addressOffset();
    }

    /**
     * @return a tree of the small-keyspace shape, {@link #SMALL_BRANCH_COUNT} × {@link #SMALL_SEGMENTS_PER_BRANCH}.
     */
    public static TictacTree small()
    {
        return new TictacTree(SMALL_BRANCH_COUNT, SMALL_SEGMENTS_PER_BRANCH);
    }

    /**
     * Validate a shape without allocating a tree.
     *
     * @param branchCount       number of branches.
     * @param segmentsPerBranch segments under each branch.
     * @throws IllegalArgumentException naming the offending parameter if the shape is invalid.
     */
    public static void checkShape(final int branchCount, final int segmentsPerBranch)
    {
        if (branchCount < 1 || branchCount > MAX_BRANCH_COUNT || Integer.bitCount(branchCount) != 1)
        {
            throw new IllegalArgumentException(
                "branchCount must be a power of two in [1, " + MAX_BRANCH_COUNT + "]: " + branchCount);
        }
        if (segmentsPerBranch < 1 || segmentsPerBranch > MAX_SEGMENTS_PER_BRANCH ||
            Integer.bitCount(segmentsPerBranch) != 1)
        {
            throw new IllegalArgumentException(
                "segmentsPerBranch must be a power of two in [1, " + MAX_SEGMENTS_PER_BRANCH + "]: " +
                segmentsPerBranch);
        }
        if ((long)branchCount * segmentsPerBranch > MAX_SEGMENT_COUNT)
        {
            throw new IllegalArgumentException("branchCount × segmentsPerBranch = " + branchCount + " × " +
                segmentsPerBranch + " exceeds " + MAX_SEGMENT_COUNT + " segments: use fewer branches or segments");
        }
    }

    /**
     * @return number of branches.
     */
    public int branchCount()
    {
        return branchCount;
    }

    /**
     * @return segments under each branch.
     */
    public int segmentsPerBranch()
    {
        return segmentsPerBranch;
    }

    /**
     * @return total number of segments, {@code branchCount × segmentsPerBranch}.
     */
    public int segmentCount()
    {
        return segmentCount;
    }

    /**
     * @return log2 of {@link #branchCount()}.
     */
    public int branchBits()
    {
        return branchBits;
    }

    /**
     * @return log2 of {@link #segmentsPerBranch()}.
     */
    public int segmentBits()
    {
        return segmentBits;
    }

    /**
     * @return off-heap bytes held for branch and segment hashes.
     */
    public long offHeapBytes()
    {
        return buffer.capacity();
    }

    /**
     * The segment a key belongs to. Keys are often sequential ids, so the key is first run through a 64-bit mixer
     * and the segment taken from the mixed high bits: consecutive keys spread evenly over all branches.
     *
     * @param key the document key.
     * @return its segment, in [0, {@link #segmentCount()}).
     */
    public int segmentOf(final long key)
    {
        return (int)(mix64(key ^ SEGMENT_SEED) >>> SEGMENT_HASH_SHIFT) & segmentMask;
    }

    /**
     * @param segment a segment index.
     * @return the branch that holds it.
     */
    public int branchOf(final int segment)
    {
        return segment >>> segmentBits;
    }

    /**
     * Record a change of one entry: XOR the old entry hash out and the new one in at the key's segment, its branch
     * and the root. Insert is {@code apply(key, ABSENT, hash)}, delete {@code apply(key, hash, ABSENT)}. O(1) and
     * allocation free. The caller must pass the hash the entry had before (the tree does not keep entries); an entry
     * whose hash is 0 cannot be told from an absent one.
     *
     * @param key          the document key.
     * @param oldEntryHash the entry's hash before the change, or {@link #ABSENT} if it did not exist.
     * @param newEntryHash the entry's hash after the change, or {@link #ABSENT} if it no longer exists.
     */
    public void apply(final long key, final long oldEntryHash, final long newEntryHash)
    {
        final long delta = oldEntryHash ^ newEntryHash;
        if (0 != delta)
        {
            final int segment = segmentOf(key);
            final int segmentOffset = segmentsOffset + segment * HASH_LENGTH;
            final int branchOffset = (segment >>> segmentBits) * HASH_LENGTH;
            buffer.putLong(segmentOffset, buffer.getLong(segmentOffset) ^ delta);
            buffer.putLong(branchOffset, buffer.getLong(branchOffset) ^ delta);
            root ^= delta;
        }
    }

    /**
     * @return the XOR of all entry hashes; 0 for an empty keyspace.
     */
    public long root()
    {
        return root;
    }

    /**
     * @param branch a branch index in [0, {@link #branchCount()}).
     * @return the XOR of the entry hashes of the branch's segments.
     * @throws IndexOutOfBoundsException if the branch is out of range.
     */
    public long branchHash(final int branch)
    {
        checkIndex(branch, branchCount, "branch");
        return buffer.getLong(branch * HASH_LENGTH);
    }

    /**
     * @param segment a segment index in [0, {@link #segmentCount()}).
     * @return the XOR of the entry hashes whose keys fall in the segment.
     * @throws IndexOutOfBoundsException if the segment is out of range.
     */
    public long segmentHash(final int segment)
    {
        checkIndex(segment, segmentCount, "segment");
        return buffer.getLong(segmentsOffset + segment * HASH_LENGTH);
    }

    /**
     * Compare a run of a peer's branch hashes, read from a buffer as little-endian longs, with this tree's, and
     * append the index of each branch that differs.
     *
     * @param firstBranch the branch of the first hash.
     * @param count       number of hashes to compare.
     * @param otherHashes the peer's hashes.
     * @param otherOffset where the first hash starts in {@code otherHashes}.
     * @param mismatched  receives the indices of differing branches, in ascending order.
     * @return the number of indices appended.
     * @throws IndexOutOfBoundsException if the run is outside the tree or the buffer.
     * @throws IllegalStateException     if the tree is closed.
     */
    public int mismatchedBranches(
        final int firstBranch,
        final int count,
        final DirectBuffer otherHashes,
        final int otherOffset,
        final IntArrayList mismatched)
    {
        ensureOpen();
        checkRun(firstBranch, count, branchCount, "branch");
        checkBuffer(otherHashes, otherOffset, count);
        return compareRun(firstBranch * HASH_LENGTH, firstBranch, count, otherHashes, otherOffset, mismatched,
            Integer.MAX_VALUE);
    }

    /**
     * Compare a run of a peer's segment hashes, read from a buffer as little-endian longs, with this tree's, and
     * append the index of each segment that differs, stopping once {@code limit} indices have been appended.
     *
     * @param firstSegment the segment of the first hash.
     * @param count        number of hashes to compare.
     * @param otherHashes  the peer's hashes.
     * @param otherOffset  where the first hash starts in {@code otherHashes}.
     * @param mismatched   receives the indices of differing segments, in ascending order.
     * @param limit        most indices to append; comparison stops there.
     * @return the number of indices appended.
     * @throws IndexOutOfBoundsException if the run is outside the tree or the buffer.
     * @throws IllegalStateException     if the tree is closed.
     */
    public int mismatchedSegments(
        final int firstSegment,
        final int count,
        final DirectBuffer otherHashes,
        final int otherOffset,
        final IntArrayList mismatched,
        final int limit)
    {
        ensureOpen();
        checkRun(firstSegment, count, segmentCount, "segment");
        checkBuffer(otherHashes, otherOffset, count);
        return compareRun(segmentsOffset + firstSegment * HASH_LENGTH, firstSegment, count, otherHashes, otherOffset,
            mismatched, limit);
    }

    /**
     * Find the segments in which this tree and another of the same shape differ, descending only into branches
     * whose hashes differ: the local form of the exchange that {@link TictacExchange} runs between peers.
     *
     * @param other      a tree of the same shape.
     * @param mismatched receives the indices of differing segments, in ascending order.
     * @param limit      most indices to append; the search stops there.
     * @return the number of indices appended.
     * @throws IllegalArgumentException if the shapes differ.
     * @throws IllegalStateException    if either tree is closed.
     */
    public int mismatchedSegments(final TictacTree other, final IntArrayList mismatched, final int limit)
    {
        if (other.branchCount != branchCount || other.segmentsPerBranch != segmentsPerBranch)
        {
            throw new IllegalArgumentException("cannot compare a " + branchCount + " × " + segmentsPerBranch +
                " tree with a " + other.branchCount + " × " + other.segmentsPerBranch + " tree");
        }
        ensureOpen();
        other.ensureOpen();
        int appended = 0;
        if (root != other.root && limit > 0)
        {
            // Both trees are open and of this shape, so every offset below is in bounds: read raw memory.
            final long ours = address;
            final long theirs = other.address;
            for (int branch = 0; branch < branchCount; branch++)
            {
                final long branchOffset = (long)branch * HASH_LENGTH;
                if (UnsafeApi.getLong(ours + branchOffset) != UnsafeApi.getLong(theirs + branchOffset))
                {
                    final int first = branch << segmentBits;
                    final long start = segmentsOffset + (long)first * HASH_LENGTH;
                    final long end = start + (long)segmentsPerBranch * HASH_LENGTH;
                    for (long o = start; o < end; o += HASH_LENGTH)
                    {
                        if (UnsafeApi.getLong(ours + o) != UnsafeApi.getLong(theirs + o))
                        {
                            mismatched.addInt(first + (int)((o - start) / HASH_LENGTH));
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

    /**
     * Copy a run of branch hashes into a buffer as little-endian longs.
     *
     * @param firstBranch the first branch to copy.
     * @param count       number of branches.
     * @param to          destination.
     * @param offset      where the first hash goes.
     * @throws IndexOutOfBoundsException if the run is outside the tree or the destination.
     */
    public void copyBranchHashes(final int firstBranch, final int count, final MutableDirectBuffer to,
        final int offset)
    {
        checkRun(firstBranch, count, branchCount, "branch");
        copyRun(firstBranch * HASH_LENGTH, count, to, offset);
    }

    /**
     * Copy a run of segment hashes into a buffer as little-endian longs.
     *
     * @param firstSegment the first segment to copy.
     * @param count        number of segments.
     * @param to           destination.
     * @param offset       where the first hash goes.
     * @throws IndexOutOfBoundsException if the run is outside the tree or the destination.
     */
    public void copySegmentHashes(final int firstSegment, final int count, final MutableDirectBuffer to,
        final int offset)
    {
        checkRun(firstSegment, count, segmentCount, "segment");
        copyRun(segmentsOffset + firstSegment * HASH_LENGTH, count, to, offset);
    }

    /**
     * @param other another tree.
     * @return true if both have the same shape and equal root, branch and segment hashes.
     */
    public boolean contentEquals(final TictacTree other)
    {
        return other.branchCount == branchCount && other.segmentsPerBranch == segmentsPerBranch &&
            other.root == root && 0 == buffer.compareTo(other.buffer);
    }

    /**
     * Reset every hash to 0, the tree of an empty keyspace.
     */
    public void clear()
    {
        buffer.setMemory(0, buffer.capacity(), (byte)0);
        root = 0;
    }

    /**
     * Release the off-heap memory. Idempotent; the tree must not be used afterwards.
     */
    public void close()
    {
        if (null != byteBuffer)
        {
            BufferUtil.free(byteBuffer);
            byteBuffer = null;
            buffer.wrap(0, 0);
            address = 0;
            root = 0;
        }
    }

    /**
     * A 64-bit finaliser (xor-shift, multiply by odd constants): every input bit affects every output bit, so
     * sequential keys land in unrelated segments.
     *
     * @param value the value to mix.
     * @return the mixed value.
     */
    static long mix64(final long value)
    {
        long x = value;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    private int compareRun(
        final int localOffset,
        final int firstIndex,
        final int count,
        final DirectBuffer otherHashes,
        final int otherOffset,
        final IntArrayList mismatched,
        final int limit)
    {
        int appended = 0;
        for (int i = 0; i < count && appended < limit; i++)
        {
            if (UnsafeApi.getLong(address + localOffset + (long)i * HASH_LENGTH) !=
                otherHashes.getLong(otherOffset + i * HASH_LENGTH, ByteOrder.LITTLE_ENDIAN))
            {
                mismatched.addInt(firstIndex + i);
                appended++;
            }
        }
        return appended;
    }

    private void copyRun(final int localOffset, final int count, final MutableDirectBuffer to,
        final int offset)
    {
        checkBuffer(to, offset, count);
        if (ByteOrder.LITTLE_ENDIAN == ByteOrder.nativeOrder())
        {
            // Hashes are held in native order, which is the wire order here: one bulk copy.
            to.putBytes(offset, buffer, localOffset, count * HASH_LENGTH);
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                to.putLong(offset + i * HASH_LENGTH, buffer.getLong(localOffset + i * HASH_LENGTH),
                    ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    private void ensureOpen()
    {
        if (null == byteBuffer)
        {
            throw new IllegalStateException("the tree is closed");
        }
    }

    private static void checkIndex(final int index, final int bound, final String what)
    {
        if (index < 0 || index >= bound)
        {
            throw new IndexOutOfBoundsException(what + " " + index + " outside [0, " + bound + ")");
        }
    }

    private static void checkRun(final int first, final int count, final int bound, final String what)
    {
        if (first < 0 || count < 0 || (long)first + count > bound)
        {
            throw new IndexOutOfBoundsException(
                what + " run [" + first + ", +" + count + ") outside [0, " + bound + ")");
        }
    }

    private static void checkBuffer(final DirectBuffer hashes, final int offset, final int count)
    {
        if (offset < 0 || (long)offset + (long)count * HASH_LENGTH > hashes.capacity())
        {
            throw new IndexOutOfBoundsException("run of " + count + " hashes at offset " + offset +
                " does not fit a buffer of " + hashes.capacity() + " bytes");
        }
    }
}
