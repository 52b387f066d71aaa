package io.datacake.store;

import io.datacake.clock.HlcTimestamp;
import io.datacake.storage.InvalidKeyspaceNameException;
import io.datacake.storage.KeyspaceNames;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The replicate message a coordinator sends to replicas: one keyspace and a batch of writes, each a key with the
 * coordinator's timestamp and either a value or a tombstone. Little-endian layout:
 * <pre>
 *   0: u16 version (1)       2: u16 keyspace name length   4: i32 entry count   8: keyspace name (UTF-8)
 *   then per entry: i64 key, i64 stamp, i32 node id, i32 value length (-1 for a tombstone), value bytes
 * </pre>
 * Encoding appends into a reused expandable buffer; decoding ({@link #wrap}) checks the whole message before any of
 * it is used, so a malformed message is refused as a whole, with a reason. Node thread only.
 */
final class ReplicationMessage
{
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 8;
    static final int ENTRY_HEADER_LENGTH = 24;
    static final int TOMBSTONE_LENGTH = -1;

    static final int OK = 0;
    static final int TRUNCATED = 1;
    static final int BAD_VERSION = 2;
    static final int BAD_KEYSPACE = 3;
    static final int BAD_ENTRY_COUNT = 4;
    static final int BAD_TIMESTAMP = 5;
    static final int BAD_VALUE_LENGTH = 6;
    static final int TRAILING_BYTES = 7;
    static final int REASON_COUNT = 8;

    private static final String[] REASONS = {
        "ok", "truncated", "unknown version", "invalid keyspace name", "entry count out of range",
        "invalid timestamp", "value length out of range", "bytes after the last entry"};

    private final ExpandableDirectByteBuffer encodeBuffer = new ExpandableDirectByteBuffer(4096);
    private int encodeLength;
    private int encodeCount;

    private DirectBuffer buffer;
    private int offset;
    private int entryCount;
    private String keyspace;
    private String lastName;
    private byte[] lastNameUtf8;
    private int cursor;
    private int entryOffset;

    static String reason(final int reason)
    {
        return REASONS[reason];
    }

    // ---- encoding

    void beginEncode(final byte[] keyspaceUtf8)
    {
        encodeLength = putHeader(encodeBuffer, 0, keyspaceUtf8, 0);
        encodeCount = 0;
    }

    /**
     * Write a message header with its keyspace name, for a message encoded in place elsewhere.
     *
     * @return bytes written: where the first entry goes, relative to {@code offset}.
     */
    static int putHeader(final MutableDirectBuffer out, final int offset, final byte[] keyspaceUtf8, final int count)
    {
        out.putShort(offset, (short)VERSION);
        out.putShort(offset + 2, (short)keyspaceUtf8.length);
        out.putInt(offset + 4, count);
        out.putBytes(offset + HEADER_LENGTH, keyspaceUtf8);
        return HEADER_LENGTH + keyspaceUtf8.length;
    }

    /**
     * Write an entry's header; its value ({@code valueLength} bytes, none for a {@link #TOMBSTONE_LENGTH}) follows.
     */
    static void putEntryHeader(
        final MutableDirectBuffer out, final int at, final long key, final long stamp, final int nodeId,
        final int valueLength)
    {
        out.putLong(at, key);
        out.putLong(at + 8, stamp);
        out.putInt(at + 16, nodeId);
        out.putInt(at + 20, valueLength);
    }

    void encodePut(final long key, final long stamp, final int nodeId, final byte[] value)
    {
        encodeEntry(key, stamp, nodeId, value.length);
        encodeBuffer.putBytes(encodeLength, value);
        encodeLength += value.length;
    }

    void encodePut(
        final long key, final long stamp, final int nodeId, final DirectBuffer value, final int offset, final int length)
    {
        encodeEntry(key, stamp, nodeId, length);
        encodeBuffer.putBytes(encodeLength, value, offset, length);
        encodeLength += length;
    }

    void encodeTombstone(final long key, final long stamp, final int nodeId)
    {
        encodeEntry(key, stamp, nodeId, TOMBSTONE_LENGTH);
    }

    private void encodeEntry(final long key, final long stamp, final int nodeId, final int valueLength)
    {
        putEntryHeader(encodeBuffer, encodeLength, key, stamp, nodeId, valueLength);
        encodeLength += ENTRY_HEADER_LENGTH;
        encodeBuffer.putInt(4, ++encodeCount);
    }

    DirectBuffer encoded()
    {
        return encodeBuffer;
    }

    int encodedLength()
    {
        return encodeLength;
    }

    /**
     * @return entries encoded since {@link #beginEncode}.
     */
    int encodedCount()
    {
        return encodeCount;
    }

    // ---- decoding

    /**
     * Wrap and check a message.
     *
     * @return {@link #OK}, or the reason the message is malformed.
     */
    int wrap(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int maxEntries,
        final int maxValueLength)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.keyspace = null;
        this.entryCount = 0;
        if (length < HEADER_LENGTH)
        {
            return TRUNCATED;
        }
        if (VERSION != (buffer.getShort(offset) & 0xFFFF))
        {
            return BAD_VERSION;
        }
        final int nameLength = buffer.getShort(offset + 2) & 0xFFFF;
        final int count = buffer.getInt(offset + 4);
        if (HEADER_LENGTH + nameLength > length)
        {
            return TRUNCATED;
        }
        if (count < 1 || count > maxEntries)
        {
            return BAD_ENTRY_COUNT;
        }
        final String name = keyspaceName(buffer, offset + HEADER_LENGTH, nameLength);
        if (null == name)
        {
            return BAD_KEYSPACE;
        }
        int at = HEADER_LENGTH + nameLength;
        for (int i = 0; i < count; i++)
        {
            if (at + ENTRY_HEADER_LENGTH > length)
            {
                return TRUNCATED;
            }
            final long stamp = buffer.getLong(offset + at + 8);
            final int nodeId = buffer.getInt(offset + at + 16);
            final int valueLength = buffer.getInt(offset + at + 20);
            if (stamp <= HlcTimestamp.NULL_STAMP || nodeId < 0 || nodeId > HlcTimestamp.MAX_NODE_ID)
            {
                return BAD_TIMESTAMP;
            }
            if (valueLength < TOMBSTONE_LENGTH || valueLength > maxValueLength)
            {
                return BAD_VALUE_LENGTH;
            }
            at += ENTRY_HEADER_LENGTH + Math.max(0, valueLength);
            if (at > length)
            {
                return TRUNCATED;
            }
        }
        if (at != length)
        {
            return TRAILING_BYTES;
        }
        this.keyspace = name;
        this.entryCount = count;
        rewind();
        return OK;
    }

    String keyspace()
    {
        return keyspace;
    }

    int entryCount()
    {
        return entryCount;
    }

    DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Go back to before the first entry.
     */
    void rewind()
    {
        cursor = 0;
        entryOffset = -1;
    }

    /**
     * Move to the next entry of a checked message.
     *
     * @return false past the last entry.
     */
    boolean next()
    {
        if (cursor == entryCount)
        {
            return false;
        }
        if (entryOffset < 0)
        {
            entryOffset = offset + HEADER_LENGTH + (buffer.getShort(offset + 2) & 0xFFFF);
        }
        else
        {
            entryOffset += ENTRY_HEADER_LENGTH + Math.max(0, valueLength());
        }
        cursor++;
        return true;
    }

    long key()
    {
        return buffer.getLong(entryOffset);
    }

    long stamp()
    {
        return buffer.getLong(entryOffset + 8);
    }

    int nodeId()
    {
        return buffer.getInt(entryOffset + 16);
    }

    boolean isTombstone()
    {
        return TOMBSTONE_LENGTH == valueLength();
    }

    int valueLength()
    {
        return buffer.getInt(entryOffset + 20);
    }

    int valueOffset()
    {
        return entryOffset + ENTRY_HEADER_LENGTH;
    }

    /**
     * The keyspace name of a message, or null if invalid. The last valid name is remembered with its bytes, so a
     * stream of messages for one keyspace decodes without allocating.
     */
    private String keyspaceName(final DirectBuffer buffer, final int index, final int length)
    {
        if (null != lastName && lastNameUtf8.length == length)
        {
            int i = 0;
            while (i < length && buffer.getByte(index + i) == lastNameUtf8[i])
            {
                i++;
            }
            if (i == length)
            {
                return lastName;
            }
        }
        final byte[] utf8 = new byte[length];
        buffer.getBytes(index, utf8);
        final String name = new String(utf8, StandardCharsets.UTF_8);
        try
        {
            KeyspaceNames.validate(name);
        }
        catch (final InvalidKeyspaceNameException ex)
        {
            return null;
        }
        // Bytes that are not UTF-8 decode to replacement characters: refuse them rather than invent a name.
        if (!Arrays.equals(name.getBytes(StandardCharsets.UTF_8), utf8))
        {
            return null;
        }
        lastName = name;
        lastNameUtf8 = utf8;
        return name;
    }
}
