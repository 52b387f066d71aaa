package io.datacake.store;

import io.datacake.store.TictacMessageException.Reason;
import org.agrona.DirectBuffer;

import static io.datacake.store.TictacCodec.BRANCH_BITS_OFFSET;
import static io.datacake.store.TictacCodec.BRANCH_HASHES;
import static io.datacake.store.TictacCodec.BRANCH_HASHES_REQUEST;
import static io.datacake.store.TictacCodec.COUNT_OFFSET;
import static io.datacake.store.TictacCodec.FIRST_OFFSET;
import static io.datacake.store.TictacCodec.HEADER_LENGTH;
import static io.datacake.store.TictacCodec.MAX_HASHES_PER_MESSAGE;
import static io.datacake.store.TictacCodec.MAX_SEGMENT_IDS_PER_MESSAGE;
import static io.datacake.store.TictacCodec.ORDER;
import static io.datacake.store.TictacCodec.RESERVED_OFFSET;
import static io.datacake.store.TictacCodec.ROOT;
import static io.datacake.store.TictacCodec.SEGMENT_BITS_OFFSET;
import static io.datacake.store.TictacCodec.SEGMENT_HASHES;
import static io.datacake.store.TictacCodec.SEGMENT_HASHES_REQUEST;
import static io.datacake.store.TictacCodec.SEGMENT_IDS;
import static io.datacake.store.TictacCodec.TYPE_OFFSET;
import static io.datacake.store.TictacCodec.VERSION;
import static io.datacake.store.TictacCodec.VERSION_OFFSET;

/**
 * Reads one Tictac exchange message (layout in {@link TictacCodec}) in place. {@link #wrap} checks the whole
 * message first, every length and range and the order of segment ids, and only then points the flyweight at it, so
 * a malformed buffer throws and leaves the flyweight as it was. Reusable; allocates nothing unless a check fails.
 */
public final class TictacMessage
{
    private DirectBuffer buffer;
    private int offset;
    private int length;
    private int type;
    private int branchBits;
    private int segmentBits;
    private int first;
    private int count;

    /**
     * Validate a message and point this flyweight at it.
     *
     * @param buffer holds the message.
     * @param offset where it starts.
     * @param length its length in bytes; must match the header exactly.
     * @return this flyweight.
     * @throws TictacMessageException if the message is malformed; this flyweight is unchanged.
     */
    public TictacMessage wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        if (offset < 0 || length < 0 || (long)offset + length > buffer.capacity())
        {
            throw new TictacMessageException(Reason.BAD_LENGTH, "range [" + offset + ", +" + length +
                ") is outside the buffer of " + buffer.capacity() + " bytes");
        }
        if (length < HEADER_LENGTH)
        {
            throw new TictacMessageException(Reason.BAD_LENGTH, length + " bytes, the header alone is " +
                HEADER_LENGTH);
        }
        final int version = buffer.getByte(offset + VERSION_OFFSET) & 0xFF;
        if (VERSION != version)
        {
            throw new TictacMessageException(Reason.UNSUPPORTED_VERSION, "version " + version + ", this build reads " +
                VERSION);
        }
        final int type = buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
        if (type < ROOT || type > SEGMENT_IDS)
        {
            throw new TictacMessageException(Reason.UNKNOWN_TYPE, "type " + type);
        }
        final int reserved = buffer.getInt(offset + RESERVED_OFFSET, ORDER);
        if (0 != reserved)
        {
            throw new TictacMessageException(Reason.RESERVED_NOT_ZERO, "reserved field holds " + reserved);
        }
        final int branchBits = buffer.getByte(offset + BRANCH_BITS_OFFSET) & 0xFF;
        final int segmentBits = buffer.getByte(offset + SEGMENT_BITS_OFFSET) & 0xFF;
        if (branchBits > Integer.numberOfTrailingZeros(TictacTree.MAX_BRANCH_COUNT) ||
            segmentBits > Integer.numberOfTrailingZeros(TictacTree.MAX_SEGMENTS_PER_BRANCH) ||
            branchBits + segmentBits > Integer.numberOfTrailingZeros(TictacTree.MAX_SEGMENT_COUNT))
        {
            throw new TictacMessageException(Reason.BAD_SHAPE, "2^" + branchBits + " branches × 2^" + segmentBits +
                " segments is not a valid tree shape");
        }
        final int first = buffer.getInt(offset + FIRST_OFFSET, ORDER);
        final int count = buffer.getInt(offset + COUNT_OFFSET, ORDER);
        final int itemLength = checkCount(type, count);
        final long expectedLength = HEADER_LENGTH + (long)count * itemLength;
        if (expectedLength != length)
        {
            throw new TictacMessageException(Reason.BAD_LENGTH, "type " + type + " with " + count + " items is " +
                expectedLength + " bytes, got " + length);
        }
        checkRun(type, first, count, branchBits, segmentBits);
        if (SEGMENT_IDS == type)
        {
            checkSegmentIds(buffer, offset + HEADER_LENGTH, count, 1 << (branchBits + segmentBits));
        }

        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        this.type = type;
        this.branchBits = branchBits;
        this.segmentBits = segmentBits;
        this.first = first;
        this.count = count;
        return this;
    }

    /**
     * @return the message type, one of the type constants of {@link TictacCodec}.
     */
    public int type()
    {
        return type;
    }

    /**
     * @return the message length in bytes.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return log2 of the sender's branch count.
     */
    public int branchBits()
    {
        return branchBits;
    }

    /**
     * @return log2 of the sender's segments per branch.
     */
    public int segmentBits()
    {
        return segmentBits;
    }

    /**
     * @return first branch or segment of the run; 0 for {@link TictacCodec#ROOT} and {@link TictacCodec#SEGMENT_IDS}.
     */
    public int first()
    {
        return first;
    }

    /**
     * @return number of items, or of hashes asked for in a request.
     */
    public int count()
    {
        return count;
    }

    /**
     * @return the root hash of a {@link TictacCodec#ROOT} message.
     * @throws IllegalStateException if the message is of another type.
     */
    public long root()
    {
        requireType(ROOT);
        return buffer.getLong(offset + HEADER_LENGTH, ORDER);
    }

    /**
     * @param index item index in [0, {@link #count()}).
     * @return the hash of branch or segment {@code first() + index} in a hashes message.
     * @throws IllegalStateException     if the message does not carry hashes.
     * @throws IndexOutOfBoundsException if the index is out of range.
     */
    public long hash(final int index)
    {
        if (BRANCH_HASHES != type && SEGMENT_HASHES != type)
        {
            throw new IllegalStateException("message type " + type + " carries no hashes");
        }
        checkIndex(index);
        return buffer.getLong(offset + HEADER_LENGTH + index * TictacTree.HASH_LENGTH, ORDER);
    }

    /**
     * @param index item index in [0, {@link #count()}).
     * @return the segment id at that index of a {@link TictacCodec#SEGMENT_IDS} message.
     * @throws IllegalStateException     if the message is of another type.
     * @throws IndexOutOfBoundsException if the index is out of range.
     */
    public int segmentId(final int index)
    {
        requireType(SEGMENT_IDS);
        checkIndex(index);
        return buffer.getInt(offset + HEADER_LENGTH + index * Integer.BYTES, ORDER);
    }

    /**
     * @return the buffer the message is in, for reading its body in bulk.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return offset of the body (the first item) in {@link #buffer()}.
     */
    public int bodyOffset()
    {
        return offset + HEADER_LENGTH;
    }

    /**
     * @param tree the local tree.
     * @return true if the sender's tree has the same shape.
     */
    public boolean shapeMatches(final TictacTree tree)
    {
        return tree.branchBits() == branchBits && tree.segmentBits() == segmentBits;
    }

    private static int checkCount(final int type, final int count)
    {
        final int min;
        final int max;
        final int itemLength;
        switch (type)
        {
            case ROOT:
                min = 1;
                max = 1;
                itemLength = TictacTree.HASH_LENGTH;
                break;
            case BRANCH_HASHES_REQUEST:
            case SEGMENT_HASHES_REQUEST:
                min = 1;
                max = MAX_HASHES_PER_MESSAGE;
                itemLength = 0;
                break;
            case BRANCH_HASHES:
            case SEGMENT_HASHES:
                min = 1;
                max = MAX_HASHES_PER_MESSAGE;
                itemLength = TictacTree.HASH_LENGTH;
                break;
            default:
                min = 0;
                max = MAX_SEGMENT_IDS_PER_MESSAGE;
                itemLength = Integer.BYTES;
                break;
        }
        if (count < min || count > max)
        {
            throw new TictacMessageException(Reason.BAD_COUNT, "type " + type + " holds " + min + ".." + max +
                " items, header says " + count);
        }
        return itemLength;
    }

    private static void checkRun(
        final int type, final int first, final int count, final int branchBits, final int segmentBits)
    {
        switch (type)
        {
            case BRANCH_HASHES_REQUEST:
            case BRANCH_HASHES:
                if (first < 0 || (long)first + count > (1L << branchBits))
                {
                    throw new TictacMessageException(Reason.BAD_RANGE, "branch run [" + first + ", +" + count +
                        ") outside [0, " + (1L << branchBits) + ")");
                }
                break;
            case SEGMENT_HASHES_REQUEST:
            case SEGMENT_HASHES:
                if (first < 0 || (long)first + count > (1L << (branchBits + segmentBits)) ||
                    (first >>> segmentBits) != ((first + count - 1) >>> segmentBits))
                {
                    throw new TictacMessageException(Reason.BAD_RANGE, "segment run [" + first + ", +" + count +
                        ") is not inside one branch of [0, " + (1L << (branchBits + segmentBits)) + ")");
                }
                break;
            default:
                if (0 != first)
                {
                    throw new TictacMessageException(Reason.BAD_RANGE, "type " + type + " must have first = 0, got " +
                        first);
                }
                break;
        }
    }

    private static void checkSegmentIds(
        final DirectBuffer buffer, final int bodyOffset, final int count, final int segmentCount)
    {
        int previous = -1;
        for (int i = 0; i < count; i++)
        {
            final int id = buffer.getInt(bodyOffset + i * Integer.BYTES, ORDER);
            if (id < 0 || id >= segmentCount)
            {
                throw new TictacMessageException(Reason.BAD_RANGE, "segment id " + id + " outside [0, " +
                    segmentCount + ")");
            }
            if (id <= previous)
            {
                throw new TictacMessageException(Reason.UNSORTED_SEGMENT_IDS, "segment id " + id + " follows " +
                    previous);
            }
            previous = id;
        }
    }

    private void requireType(final int expected)
    {
        if (expected != type)
        {
            throw new IllegalStateException("message type is " + type + ", not " + expected);
        }
    }

    private void checkIndex(final int index)
    {
        if (index < 0 || index >= count)
        {
            throw new IndexOutOfBoundsException("item " + index + " outside [0, " + count + ")");
        }
    }
}
