package io.datacake.storage;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;

/**
 * Layout of one write in the writer's ring buffer, after the ring's own record header. The ring's message type is
 * the operation ({@link WriteBatch#PUT}, {@link WriteBatch#TOMBSTONE}, {@link WriteBatch#REMOVE_TOMBSTONE}), plus
 * {@link #REPAIR_FLAG} for a repair write.
 * <pre>
 *   0  sequence     long
 *   8  key          long
 *  16  stamp        long  (packed HLC stamp)
 *  24  node id      int
 *  28  keyspace id  int   (index into the writer's keyspace table)
 *  32  value bytes  (puts only)
 * </pre>
 * Little-endian, as Agrona buffers write by default.
 */
final class WriteRecord
{
    static final int SEQUENCE_OFFSET = 0;
    static final int KEY_OFFSET = 8;
    static final int STAMP_OFFSET = 16;
    static final int NODE_ID_OFFSET = 24;
    static final int KEYSPACE_ID_OFFSET = 28;
    static final int VALUE_OFFSET = 32;

    /** Added to the operation in the ring's message type of a repair write (one a replica would send again). */
    static final int REPAIR_FLAG = 0x10;

    /** The ring buffer's header in front of every record. */
    static final int RECORD_HEADER_LENGTH = RecordDescriptor.HEADER_LENGTH;

    private WriteRecord()
    {
    }

    /**
     * Bytes a record takes in the ring, which is what the writer's in-flight bound counts.
     *
     * @param valueLength the value length, 0 for other operations.
     * @return aligned record bytes.
     */
    static int alignedLength(final int valueLength)
    {
        return BitUtil.align(RECORD_HEADER_LENGTH + VALUE_OFFSET + valueLength, RecordDescriptor.ALIGNMENT);
    }

    static void encode(
        final MutableDirectBuffer buffer,
        final int index,
        final long sequence,
        final long key,
        final long stamp,
        final int nodeId,
        final int keyspaceId)
    {
        buffer.putLong(index + SEQUENCE_OFFSET, sequence);
        buffer.putLong(index + KEY_OFFSET, key);
        buffer.putLong(index + STAMP_OFFSET, stamp);
        buffer.putInt(index + NODE_ID_OFFSET, nodeId);
        buffer.putInt(index + KEYSPACE_ID_OFFSET, keyspaceId);
    }

    static long sequence(final DirectBuffer buffer, final int index)
    {
        return buffer.getLong(index + SEQUENCE_OFFSET);
    }

    static long key(final DirectBuffer buffer, final int index)
    {
        return buffer.getLong(index + KEY_OFFSET);
    }

    static long stamp(final DirectBuffer buffer, final int index)
    {
        return buffer.getLong(index + STAMP_OFFSET);
    }

    static int nodeId(final DirectBuffer buffer, final int index)
    {
        return buffer.getInt(index + NODE_ID_OFFSET);
    }

    static int keyspaceId(final DirectBuffer buffer, final int index)
    {
        return buffer.getInt(index + KEYSPACE_ID_OFFSET);
    }

    static int messageType(final byte operation, final boolean repair)
    {
        return repair ? operation | REPAIR_FLAG : operation;
    }

    static boolean isRepair(final int messageType)
    {
        return (messageType & REPAIR_FLAG) != 0;
    }

    static int operation(final int messageType)
    {
        return messageType & ~REPAIR_FLAG;
    }
}
