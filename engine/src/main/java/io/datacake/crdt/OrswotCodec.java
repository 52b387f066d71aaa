package io.datacake.crdt;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.datacake.clock.HlcTimestamp.NULL_STAMP;

/**
 * Compact binary form of an {@link Orswot}, written into and read from Agrona buffers in place, for the wire
 * (anti-entropy state transfer) and for snapshots. All fields are little-endian:
 * <pre>
 *   header (24 bytes)
 *     0  int32  magic 0x44435357 ("DCSW")
 *     4  uint8  version ({@link #VERSION})
 *     5  uint8  source count
 *     6  uint16 reserved, zero
 *     8  int32  seen-stamp count
 *    12  int32  live entry count
 *    16  int32  tombstone count
 *    20  int32  reserved, zero
 *   seen-stamps (12 bytes each): uint16 source, uint16 node id, int64 stamp
 *   live entries (18 bytes each): int64 key, int64 stamp, uint16 node id
 *   tombstones   (18 bytes each): int64 key, int64 stamp, uint16 node id
 * </pre>
 * Decoding validates the whole buffer before touching the target set, and clears the target if a duplicate key is
 * found while filling, so a bad encoding never yields a half-merged set. To merge a received state, decode into a
 * scratch set and {@link Orswot#merge} that.
 */
public final class OrswotCodec
{
    /** "DCSW" read as a little-endian int. */
    public static final int MAGIC = 0x57534344;

    /** Current encoding version. */
    public static final int VERSION = 1;

    /** Header length in bytes. */
    public static final int HEADER_LENGTH = 24;

    /** Length of one seen-stamp record. */
    public static final int SEEN_STAMP_LENGTH = 12;

    /** Length of one live entry or tombstone record. */
    public static final int ENTRY_LENGTH = 18;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int MAGIC_OFFSET = 0;
    private static final int VERSION_OFFSET = 4;
    private static final int SOURCE_COUNT_OFFSET = 5;
    private static final int SEEN_COUNT_OFFSET = 8;
    private static final int LIVE_COUNT_OFFSET = 12;
    private static final int DEAD_COUNT_OFFSET = 16;

    private OrswotCodec()
    {
    }

    /**
     * @param set the set to encode.
     * @return the exact number of bytes {@link #encode} writes for it.
     */
    public static long encodedLength(final Orswot set)
    {
        final int[] seen = { 0 };
        set.forEachSeenStamp((source, nodeId, stamp) -> seen[0]++);
        return HEADER_LENGTH + (long)seen[0] * SEEN_STAMP_LENGTH +
            (long)(set.liveCount() + set.tombstoneCount()) * ENTRY_LENGTH;
    }

    /**
     * Encode a set at an offset. The buffer must have room for {@link #encodedLength(Orswot)} bytes.
     *
     * @param set    the set to encode.
     * @param buffer destination.
     * @param offset where the encoding starts.
     * @return the number of bytes written.
     * @throws IllegalArgumentException if the buffer is too small.
     */
    public static int encode(final Orswot set, final MutableDirectBuffer buffer, final int offset)
    {
        final long length = encodedLength(set);
        if (offset < 0 || offset + length > buffer.capacity())
        {
            throw new IllegalArgumentException("buffer too small: need " + length + " bytes at offset " + offset +
                ", capacity " + buffer.capacity());
        }

        final int[] seenCount = { 0 };
        final int[] position = { offset + HEADER_LENGTH };
        set.forEachSeenStamp((source, nodeId, stamp) ->
        {
            final int p = position[0];
            buffer.putShort(p, (short)source, ORDER);
            buffer.putShort(p + 2, (short)nodeId, ORDER);
            buffer.putLong(p + 4, stamp, ORDER);
            position[0] = p + SEEN_STAMP_LENGTH;
            seenCount[0]++;
        });
        final EntryConsumer writer = (key, stamp, nodeId) ->
        {
            final int p = position[0];
            buffer.putLong(p, key, ORDER);
            buffer.putLong(p + 8, stamp, ORDER);
            buffer.putShort(p + 16, (short)nodeId, ORDER);
            position[0] = p + ENTRY_LENGTH;
        };
        set.forEachLive(writer);
        set.forEachTombstone(writer);

        buffer.putInt(offset + MAGIC_OFFSET, MAGIC, ORDER);
        buffer.putByte(offset + VERSION_OFFSET, (byte)VERSION);
        buffer.putByte(offset + SOURCE_COUNT_OFFSET, (byte)set.sourceCount());
        buffer.putShort(offset + SOURCE_COUNT_OFFSET + 1, (short)0, ORDER);
        buffer.putInt(offset + SEEN_COUNT_OFFSET, seenCount[0], ORDER);
        buffer.putInt(offset + LIVE_COUNT_OFFSET, set.liveCount(), ORDER);
        buffer.putInt(offset + DEAD_COUNT_OFFSET, set.tombstoneCount(), ORDER);
        buffer.putInt(offset + DEAD_COUNT_OFFSET + 4, 0, ORDER);

        return position[0] - offset;
    }

    /**
     * Replace the state of {@code into} with the set encoded in {@code buffer}.
     *
     * @param buffer holds the encoding.
     * @param offset where it starts.
     * @param length its length in bytes (must match exactly).
     * @param into   the set to fill; it must have the same source count. Cleared first; left empty on error.
     * @throws OrswotEncodingException if the encoding is malformed or truncated, or its source count differs.
     */
    public static void decode(final DirectBuffer buffer, final int offset, final int length, final Orswot into)
    {
        validate(buffer, offset, length, into.sourceCount());

        into.clear();
        final int seenCount = buffer.getInt(offset + SEEN_COUNT_OFFSET, ORDER);
        final int liveCount = buffer.getInt(offset + LIVE_COUNT_OFFSET, ORDER);
        final int deadCount = buffer.getInt(offset + DEAD_COUNT_OFFSET, ORDER);
        int p = offset + HEADER_LENGTH;
        for (int i = 0; i < seenCount; i++, p += SEEN_STAMP_LENGTH)
        {
            into.addSeenStamp(
                buffer.getShort(p, ORDER) & 0xFFFF, buffer.getShort(p + 2, ORDER) & 0xFFFF,
                buffer.getLong(p + 4, ORDER));
        }
        into.ensureCapacity(liveCount);
        for (int i = 0; i < liveCount + deadCount; i++, p += ENTRY_LENGTH)
        {
            final long key = buffer.getLong(p, ORDER);
            if (into.get(key) != NULL_STAMP || into.getTombstone(key) != NULL_STAMP)
            {
                into.clear();
                throw new OrswotEncodingException("key " + key + " appears twice in the encoding");
            }
            final long stamp = buffer.getLong(p + 8, ORDER);
            final int nodeId = buffer.getShort(p + 16, ORDER) & 0xFFFF;
            if (i < liveCount)
            {
                into.putLiveUnchecked(key, stamp, nodeId);
            }
            else
            {
                into.addRawTombstone(key, stamp, nodeId);
            }
        }
    }

    private static void validate(final DirectBuffer buffer, final int offset, final int length, final int sourceCount)
    {
        if (offset < 0 || length < 0 || (long)offset + length > buffer.capacity())
        {
            throw new OrswotEncodingException("range [" + offset + ", +" + length + ") is outside the buffer of " +
                buffer.capacity() + " bytes");
        }
        if (length < HEADER_LENGTH)
        {
            throw new OrswotEncodingException("truncated: " + length + " bytes, the header alone is " + HEADER_LENGTH);
        }
        final int magic = buffer.getInt(offset + MAGIC_OFFSET, ORDER);
        if (magic != MAGIC)
        {
            throw new OrswotEncodingException("not an ORSWOT encoding: magic 0x" + Integer.toHexString(magic));
        }
        final int version = buffer.getByte(offset + VERSION_OFFSET) & 0xFF;
        if (version != VERSION)
        {
            throw new OrswotEncodingException("unsupported encoding version " + version + ", this build reads " +
                VERSION);
        }
        final int encodedSources = buffer.getByte(offset + SOURCE_COUNT_OFFSET) & 0xFF;
        if (encodedSources != sourceCount)
        {
            throw new OrswotEncodingException(
                "encoding has " + encodedSources + " sources, the target set has " + sourceCount);
        }
        final int seenCount = buffer.getInt(offset + SEEN_COUNT_OFFSET, ORDER);
        final int liveCount = buffer.getInt(offset + LIVE_COUNT_OFFSET, ORDER);
        final int deadCount = buffer.getInt(offset + DEAD_COUNT_OFFSET, ORDER);
        if (seenCount < 0 || liveCount < 0 || deadCount < 0 ||
            liveCount > Orswot.MAX_ENTRIES || deadCount > Orswot.MAX_ENTRIES)
        {
            throw new OrswotEncodingException("invalid counts: seen=" + seenCount + " live=" + liveCount +
                " tombstones=" + deadCount);
        }
        final long expected = HEADER_LENGTH + (long)seenCount * SEEN_STAMP_LENGTH +
            ((long)liveCount + deadCount) * ENTRY_LENGTH;
        if (expected != length)
        {
            throw new OrswotEncodingException((expected > length ? "truncated" : "trailing bytes") + ": counts need " +
                expected + " bytes, got " + length);
        }

        int p = offset + HEADER_LENGTH;
        for (int i = 0; i < seenCount; i++, p += SEEN_STAMP_LENGTH)
        {
            final int source = buffer.getShort(p, ORDER) & 0xFFFF;
            if (source >= sourceCount)
            {
                throw new OrswotEncodingException("seen-stamp " + i + " names source " + source + " of " +
                    sourceCount);
            }
            checkStamp(buffer.getLong(p + 4, ORDER), "seen-stamp " + i);
        }
        for (int i = 0; i < liveCount + deadCount; i++, p += ENTRY_LENGTH)
        {
            checkStamp(buffer.getLong(p + 8, ORDER), "entry " + i);
        }
    }

    private static void checkStamp(final long stamp, final String what)
    {
        if (stamp <= NULL_STAMP)
        {
            throw new OrswotEncodingException(what + " has a non-positive stamp " + stamp);
        }
    }
}
