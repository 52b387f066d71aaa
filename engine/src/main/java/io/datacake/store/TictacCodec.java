package io.datacake.store;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Wire form of the messages of a Tictac tree exchange, written in place into Agrona buffers; {@link TictacMessage}
 * reads them. Every message is a 16-byte header and a body of {@code count} items, all little-endian:
 * <pre>
 *   header (16 bytes)
 *     0  uint8  version ({@link #VERSION})
 *     1  uint8  type
 *     2  uint8  branch bits: log2 of the sender's branch count
 *     3  uint8  segment bits: log2 of the sender's segments per branch
 *     4  int32  first: first branch or segment of the run, 0 for other types
 *     8  int32  count: number of items (or, in a request, of hashes asked for)
 *    12  int32  reserved, zero
 *   body, by type
 *     {@link #ROOT}                    count = 1: int64 root hash
 *     {@link #BRANCH_HASHES_REQUEST}   no body: asks for the hashes of branches [first, first + count)
 *     {@link #BRANCH_HASHES}           count × int64: hashes of branches [first, first + count)
 *     {@link #SEGMENT_HASHES_REQUEST}  no body: asks for the hashes of segments [first, first + count), one branch
 *     {@link #SEGMENT_HASHES}          count × int64: hashes of segments [first, first + count), one branch
 *     {@link #SEGMENT_IDS}             count × int32: segment ids, strictly ascending, first = 0
 * </pre>
 * Runs of hashes hold at most {@link #MAX_HASHES_PER_MESSAGE} and id lists at most
 * {@link #MAX_SEGMENT_IDS_PER_MESSAGE} items, so no message is longer than {@link #MAX_MESSAGE_LENGTH} bytes and
 * every message fits one transport frame. A segment run never crosses a branch, so a branch of more than
 * {@link #MAX_HASHES_PER_MESSAGE} segments is asked for in several runs.
 */
public final class TictacCodec
{
    /** Current encoding version. */
    public static final int VERSION = 1;

    /** A tree root: the opening request of an exchange and its reply. */
    public static final int ROOT = 1;

    /** Request for a run of branch hashes. */
    public static final int BRANCH_HASHES_REQUEST = 2;

    /** A run of branch hashes. */
    public static final int BRANCH_HASHES = 3;

    /** Request for a run of segment hashes within one branch. */
    public static final int SEGMENT_HASHES_REQUEST = 4;

    /** A run of segment hashes within one branch. */
    public static final int SEGMENT_HASHES = 5;

    /** The mismatched segments an exchange round found, whose entries must be exchanged. */
    public static final int SEGMENT_IDS = 6;

    /** Header length in bytes. */
    public static final int HEADER_LENGTH = 16;

    /** Most hashes in one message: 4 KiB of hashes, which fits the smallest transport frame with room to spare. */
    public static final int MAX_HASHES_PER_MESSAGE = 512;

    /** Most segment ids in one message: 4 KiB of ids. */
    public static final int MAX_SEGMENT_IDS_PER_MESSAGE = 1024;

    /** Length of the longest message. */
    public static final int MAX_MESSAGE_LENGTH = HEADER_LENGTH + Math.max(
        MAX_HASHES_PER_MESSAGE * TictacTree.HASH_LENGTH, MAX_SEGMENT_IDS_PER_MESSAGE * Integer.BYTES);

    /** Length of a {@link #ROOT} message. */
    public static final int ROOT_LENGTH = HEADER_LENGTH + TictacTree.HASH_LENGTH;

    /** Length of a request message. */
    public static final int REQUEST_LENGTH = HEADER_LENGTH;

    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    static final int VERSION_OFFSET = 0;
    static final int TYPE_OFFSET = 1;
    static final int BRANCH_BITS_OFFSET = 2;
    static final int SEGMENT_BITS_OFFSET = 3;
    static final int FIRST_OFFSET = 4;
    static final int COUNT_OFFSET = 8;
    static final int RESERVED_OFFSET = 12;

    private TictacCodec()
    {
    }

    /**
     * Encode the tree's root.
     *
     * @param tree   the tree.
     * @param buffer destination.
     * @param offset where the message starts.
     * @return bytes written, {@link #ROOT_LENGTH}.
     * @throws IllegalArgumentException if the buffer has no room for the message.
     */
    public static int encodeRoot(final TictacTree tree, final MutableDirectBuffer buffer, final int offset)
    {
        checkRoom(buffer, offset, ROOT_LENGTH);
        putHeader(buffer, offset, ROOT, tree, 0, 1);
        buffer.putLong(offset + HEADER_LENGTH, tree.root(), ORDER);
        return ROOT_LENGTH;
    }

    /**
     * Encode a request for the hashes of branches {@code [firstBranch, firstBranch + count)}.
     *
     * @param tree        the requester's tree (for its shape).
     * @param firstBranch first branch asked for.
     * @param count       number of branches, 1..{@link #MAX_HASHES_PER_MESSAGE}.
     * @param buffer      destination.
     * @param offset      where the message starts.
     * @return bytes written, {@link #REQUEST_LENGTH}.
     * @throws IllegalArgumentException if the run is outside the tree or too long, or the buffer has no room.
     */
    public static int encodeBranchHashesRequest(
        final TictacTree tree,
        final int firstBranch,
        final int count,
        final MutableDirectBuffer buffer,
        final int offset)
    {
        checkBranchRun(tree, firstBranch, count);
        return putRunHeader(buffer, offset, BRANCH_HASHES_REQUEST, tree, firstBranch, count, REQUEST_LENGTH);
    }

    /**
     * Encode the hashes of branches {@code [firstBranch, firstBranch + count)}.
     *
     * @param tree        the tree.
     * @param firstBranch first branch.
     * @param count       number of branches, 1..{@link #MAX_HASHES_PER_MESSAGE}.
     * @param buffer      destination.
     * @param offset      where the message starts.
     * @return bytes written.
     * @throws IllegalArgumentException if the run is outside the tree or too long, or the buffer has no room.
     */
    public static int encodeBranchHashes(
        final TictacTree tree,
        final int firstBranch,
        final int count,
        final MutableDirectBuffer buffer,
        final int offset)
    {
        checkBranchRun(tree, firstBranch, count);
        final int length = putRunHeader(buffer, offset, BRANCH_HASHES, tree, firstBranch, count, hashesLength(count));
        tree.copyBranchHashes(firstBranch, count, buffer, offset + HEADER_LENGTH);
        return length;
    }

    /**
     * Encode a request for the hashes of segments {@code [firstSegment, firstSegment + count)}, all in one branch.
     *
     * @param tree         the requester's tree (for its shape).
     * @param firstSegment first segment asked for.
     * @param count        number of segments, 1..{@link #MAX_HASHES_PER_MESSAGE}.
     * @param buffer       destination.
     * @param offset       where the message starts.
     * @return bytes written, {@link #REQUEST_LENGTH}.
     * @throws IllegalArgumentException if the run is outside the tree, crosses a branch or is too long, or the buffer
     *                                  has no room.
     */
    public static int encodeSegmentHashesRequest(
        final TictacTree tree,
        final int firstSegment,
        final int count,
        final MutableDirectBuffer buffer,
        final int offset)
    {
        checkSegmentRun(tree, firstSegment, count);
        return putRunHeader(buffer, offset, SEGMENT_HASHES_REQUEST, tree, firstSegment, count, REQUEST_LENGTH);
    }

    /**
     * Encode the hashes of segments {@code [firstSegment, firstSegment + count)}, all in one branch.
     *
     * @param tree         the tree.
     * @param firstSegment first segment.
     * @param count        number of segments, 1..{@link #MAX_HASHES_PER_MESSAGE}.
     * @param buffer       destination.
     * @param offset       where the message starts.
     * @return bytes written.
     * @throws IllegalArgumentException if the run is outside the tree, crosses a branch or is too long, or the buffer
     *                                  has no room.
     */
    public static int encodeSegmentHashes(
        final TictacTree tree,
        final int firstSegment,
        final int count,
        final MutableDirectBuffer buffer,
        final int offset)
    {
        checkSegmentRun(tree, firstSegment, count);
        final int length =
            putRunHeader(buffer, offset, SEGMENT_HASHES, tree, firstSegment, count, hashesLength(count));
        tree.copySegmentHashes(firstSegment, count, buffer, offset + HEADER_LENGTH);
        return length;
    }

    /**
     * Encode a list of segment ids.
     *
     * @param tree       the sender's tree (for its shape).
     * @param segmentIds ids, strictly ascending, each in [0, segmentCount).
     * @param from       index of the first id in {@code segmentIds}.
     * @param count      number of ids, 0..{@link #MAX_SEGMENT_IDS_PER_MESSAGE}.
     * @param buffer     destination.
     * @param offset     where the message starts.
     * @return bytes written.
     * @throws IllegalArgumentException if the count is out of range, an id is out of range or out of order, or the
     *                                  buffer has no room.
     */
    public static int encodeSegmentIds(
        final TictacTree tree,
        final int[] segmentIds,
        final int from,
        final int count,
        final MutableDirectBuffer buffer,
        final int offset)
    {
        if (count < 0 || count > MAX_SEGMENT_IDS_PER_MESSAGE || from < 0 || from + count > segmentIds.length)
        {
            throw new IllegalArgumentException("segment id run [" + from + ", +" + count + ") must hold at most " +
                MAX_SEGMENT_IDS_PER_MESSAGE + " ids of an array of " + segmentIds.length);
        }
        final int length = HEADER_LENGTH + count * Integer.BYTES;
        checkRoom(buffer, offset, length);
        int previous = -1;
        for (int i = 0; i < count; i++)
        {
            final int id = segmentIds[from + i];
            if (id <= previous || id >= tree.segmentCount())
            {
                throw new IllegalArgumentException("segment ids must be strictly ascending in [0, " +
                    tree.segmentCount() + "): " + id + " follows " + previous);
            }
            previous = id;
        }
        putHeader(buffer, offset, SEGMENT_IDS, tree, 0, count);
        for (int i = 0; i < count; i++)
        {
            buffer.putInt(offset + HEADER_LENGTH + i * Integer.BYTES, segmentIds[from + i], ORDER);
        }
        return length;
    }

    /**
     * The header of a message about a checked run (a request, or the run's hashes), once the buffer is known to hold
     * the whole message.
     *
     * @return the message's length.
     */
    private static int putRunHeader(
        final MutableDirectBuffer buffer,
        final int offset,
        final int type,
        final TictacTree tree,
        final int first,
        final int count,
        final int length)
    {
        checkRoom(buffer, offset, length);
        putHeader(buffer, offset, type, tree, first, count);
        return length;
    }

    private static int hashesLength(final int count)
    {
        return HEADER_LENGTH + count * TictacTree.HASH_LENGTH;
    }

    private static void putHeader(
        final MutableDirectBuffer buffer,
        final int offset,
        final int type,
        final TictacTree tree,
        final int first,
        final int count)
    {
        buffer.putByte(offset + VERSION_OFFSET, (byte)VERSION);
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
        buffer.putByte(offset + BRANCH_BITS_OFFSET, (byte)tree.branchBits());
        buffer.putByte(offset + SEGMENT_BITS_OFFSET, (byte)tree.segmentBits());
        buffer.putInt(offset + FIRST_OFFSET, first, ORDER);
        buffer.putInt(offset + COUNT_OFFSET, count, ORDER);
        buffer.putInt(offset + RESERVED_OFFSET, 0, ORDER);
    }

    private static void checkBranchRun(final TictacTree tree, final int firstBranch, final int count)
    {
        if (count < 1 || count > MAX_HASHES_PER_MESSAGE || firstBranch < 0 ||
            (long)firstBranch + count > tree.branchCount())
        {
            throw new IllegalArgumentException("branch run [" + firstBranch + ", +" + count + ") must hold 1.." +
                MAX_HASHES_PER_MESSAGE + " branches of [0, " + tree.branchCount() + ")");
        }
    }

    private static void checkSegmentRun(final TictacTree tree, final int firstSegment, final int count)
    {
        if (count < 1 || count > MAX_HASHES_PER_MESSAGE || firstSegment < 0 ||
            (long)firstSegment + count > tree.segmentCount() ||
            tree.branchOf(firstSegment) != tree.branchOf(firstSegment + count - 1))
        {
            throw new IllegalArgumentException("segment run [" + firstSegment + ", +" + count + ") must hold 1.." +
                MAX_HASHES_PER_MESSAGE + " segments of one branch of [0, " + tree.segmentCount() + ")");
        }
    }

    private static void checkRoom(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        if (offset < 0 || (long)offset + length > buffer.capacity())
        {
            throw new IllegalArgumentException("buffer too small: need " + length + " bytes at offset " + offset +
                ", capacity " + buffer.capacity());
        }
    }
}
