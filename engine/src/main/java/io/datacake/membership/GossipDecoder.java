package io.datacake.membership;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.datacake.membership.GossipFrame.COUNT_LENGTH;
import static io.datacake.membership.GossipFrame.DIGEST_RANGE_LENGTH;
import static io.datacake.membership.GossipFrame.ENTRY_HEADER_LENGTH;
import static io.datacake.membership.GossipFrame.HEADER_LENGTH;
import static io.datacake.membership.GossipFrame.MAGIC;
import static io.datacake.membership.GossipFrame.MAGIC_OFFSET;
import static io.datacake.membership.GossipFrame.MIN_DIGEST_ROW_LENGTH;
import static io.datacake.membership.GossipFrame.NODE_HEADER_LENGTH;
import static io.datacake.membership.GossipFrame.ORDER;
import static io.datacake.membership.GossipFrame.TOMBSTONE_FLAG;
import static io.datacake.membership.GossipFrame.TYPE_OFFSET;
import static io.datacake.membership.GossipFrame.VERSION;
import static io.datacake.membership.GossipFrame.VERSION_OFFSET;
import static io.datacake.membership.MalformedGossipException.Reason;

/**
 * Reads a gossip frame written by {@link GossipEncoder}. {@link #wrap} checks the whole frame, every length, count,
 * field range and key encoding, before anything can be read from it, so a frame that reaches
 * {@link #applyDelta} is well formed and a malformed one changes nothing.
 * <p>
 * Not thread safe; reusable; wrapping and reading a digest allocate nothing once grown. Applying a delta allocates
 * only for entries that are new to this node.
 */
public final class GossipDecoder
{
    private final long[] seenNodes = new long[(NodeState.MAX_NODE_ID + 1) / Long.SIZE];
    private DirectBuffer buffer;
    private GossipMessageType type;
    private int digestOffset;
    private int digestCount;
    private int digestFromNodeId;
    private int digestToNodeId;
    private int varintEnd;
    private int deltaOffset;
    private int deltaNodeCount;

    /**
     * Check a frame and point this decoder at it.
     *
     * @param buffer holds the frame.
     * @param offset where it starts.
     * @param length its exact length.
     * @return this decoder.
     * @throws MalformedGossipException if the frame is malformed in any way; the decoder is then unusable until
     *                                  the next successful wrap.
     */
    public GossipDecoder wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = null;
        this.type = null;
        if (offset < 0 || length < 0 || (long)offset + length > buffer.capacity())
        {
            throw new MalformedGossipException(Reason.TRUNCATED, "range [" + offset + ", +" + length +
                ") is outside the buffer of " + buffer.capacity() + " bytes");
        }
        final int limit = offset + length;
        if (length < HEADER_LENGTH)
        {
            throw new MalformedGossipException(Reason.TRUNCATED, length + " bytes, the header alone is " +
                HEADER_LENGTH);
        }
        final int magic = buffer.getInt(offset + MAGIC_OFFSET, ORDER);
        if (magic != MAGIC)
        {
            throw new MalformedGossipException(Reason.BAD_MAGIC, "magic 0x" + Integer.toHexString(magic));
        }
        final int version = buffer.getByte(offset + VERSION_OFFSET) & 0xFF;
        if (version != VERSION)
        {
            throw new MalformedGossipException(Reason.UNSUPPORTED_VERSION, "encoding version " + version +
                ", this build reads " + VERSION);
        }
        final int typeCode = buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
        final GossipMessageType messageType = GossipMessageType.fromCode(typeCode);
        if (null == messageType)
        {
            throw new MalformedGossipException(Reason.UNKNOWN_TYPE, "message type " + typeCode);
        }

        int position = offset + HEADER_LENGTH;
        int rows = 0;
        int rowsStart = position;
        int fromNodeId = 0;
        int toNodeId = NodeState.MAX_NODE_ID;
        if (messageType.hasDigest())
        {
            if (position + DIGEST_RANGE_LENGTH > limit)
            {
                throw new MalformedGossipException(Reason.TRUNCATED, "frame ends before the digest range");
            }
            fromNodeId = buffer.getShort(position, ORDER) & 0xFFFF;
            toNodeId = buffer.getShort(position + 2, ORDER) & 0xFFFF;
            if (toNodeId < fromNodeId)
            {
                throw new MalformedGossipException(Reason.BAD_NODE_ORDER, "digest range " + fromNodeId + ".." +
                    toNodeId + " is empty");
            }
            final long count = readVarint(buffer, position + DIGEST_RANGE_LENGTH, limit, "digest row count", -1);
            if (count > toNodeId - fromNodeId + 1)
            {
                throw new MalformedGossipException(Reason.BAD_COUNT, "digest row count " + count + " exceeds its " +
                    "range " + fromNodeId + ".." + toNodeId);
            }
            rows = (int)count;
            rowsStart = varintEnd;
            if (rowsStart + (long)rows * MIN_DIGEST_ROW_LENGTH > limit)
            {
                throw new MalformedGossipException(Reason.TRUNCATED, rows + " digest rows need at least " +
                    (long)rows * MIN_DIGEST_ROW_LENGTH + " bytes, " + (limit - rowsStart) + " remain");
            }
            position = checkDigest(buffer, rowsStart, limit, rows, fromNodeId, toNodeId);
        }
        int nodes = 0;
        final int deltaStart = position;
        if (messageType.hasDelta())
        {
            nodes = readCount(buffer, position, limit, Digest.MAX_NODES, NODE_HEADER_LENGTH, "delta nodes");
            position = checkDelta(buffer, position + COUNT_LENGTH, limit, nodes);
        }
        if (position != limit)
        {
            throw new MalformedGossipException(Reason.TRAILING_BYTES, (limit - position) +
                " bytes after the last record of a " + messageType + " frame");
        }

        this.buffer = buffer;
        this.type = messageType;
        this.digestOffset = rowsStart;
        this.digestCount = rows;
        this.digestFromNodeId = fromNodeId;
        this.digestToNodeId = toNodeId;
        this.deltaOffset = deltaStart + COUNT_LENGTH;
        this.deltaNodeCount = nodes;
        return this;
    }

    /**
     * @return the message type of the wrapped frame.
     * @throws IllegalStateException if no frame is wrapped.
     */
    public GossipMessageType type()
    {
        checkWrapped();
        return type;
    }

    /**
     * @return the number of digest rows (0 for an ACK).
     * @throws IllegalStateException if no frame is wrapped.
     */
    public int digestCount()
    {
        checkWrapped();
        return digestCount;
    }

    /**
     * @return the number of members in the delta (0 for a SYN).
     * @throws IllegalStateException if no frame is wrapped.
     */
    public int deltaNodeCount()
    {
        checkWrapped();
        return deltaNodeCount;
    }

    /**
     * Copy the frame's digest with its range: a SYN's is complete over its range, a SYN_ACK's is a reply digest
     * (see {@link Digest}).
     *
     * @param into cleared and filled.
     * @throws IllegalStateException if no frame is wrapped or the frame carries no digest.
     */
    public void readDigest(final Digest into)
    {
        checkWrapped();
        if (!type.hasDigest())
        {
            throw new IllegalStateException("an " + type + " frame carries no digest");
        }
        into.clear();
        into.cover(digestFromNodeId, digestToNodeId, type == GossipMessageType.SYN);
        final int limit = buffer.capacity();
        int position = digestOffset;
        int nodeId = digestFromNodeId - 1;
        for (int i = 0; i < digestCount; i++)
        {
            nodeId += 1 + (int)readVarint(buffer, position, limit, null, i);
            final long generation = buffer.getLong(varintEnd, ORDER);
            final long heartbeat = readVarint(buffer, varintEnd + Long.BYTES, limit, null, nodeId);
            final long maxVersion = readVarint(buffer, varintEnd, limit, null, nodeId);
            final long lastGcVersion = readVarint(buffer, varintEnd, limit, null, nodeId);
            position = varintEnd;
            into.add(nodeId, generation, heartbeat, maxVersion, lastGcVersion);
        }
    }

    /**
     * Apply the frame's delta to a cluster view. Idempotent: entries already known are skipped. Members this node
     * knows in a newer generation, and parts that do not join up with what is known here, are skipped whole.
     *
     * @param state the local cluster view.
     * @param nowMs the current time, recorded as the arrival time of tombstones.
     * @return the number of entries that were new here.
     * @throws IllegalStateException if no frame is wrapped or the frame carries no delta.
     */
    public int applyDelta(final ClusterState state, final long nowMs)
    {
        checkWrapped();
        if (!type.hasDelta())
        {
            throw new IllegalStateException("a " + type + " frame carries no delta");
        }
        int applied = 0;
        int position = deltaOffset;
        for (int n = 0; n < deltaNodeCount; n++)
        {
            final int nodeId = buffer.getShort(position, ORDER) & 0xFFFF;
            final NodeState node = state.beginNodeDelta(
                nodeId,
                buffer.getLong(position + 2, ORDER),
                buffer.getLong(position + 10, ORDER),
                buffer.getLong(position + 18, ORDER),
                buffer.getLong(position + 34, ORDER),
                buffer.getLong(position + 42, ORDER));
            final long toVersion = buffer.getLong(position + 26, ORDER);
            final int entries = buffer.getInt(position + NODE_HEADER_LENGTH - COUNT_LENGTH, ORDER);
            position += NODE_HEADER_LENGTH;
            for (int e = 0; e < entries; e++)
            {
                final long version = buffer.getLong(position, ORDER);
                final boolean tombstone = (buffer.getByte(position + 8) & TOMBSTONE_FLAG) != 0;
                final int keyLength = buffer.getShort(position + 9, ORDER) & 0xFFFF;
                final int valueLength = buffer.getInt(position + 11, ORDER);
                final int keyPosition = position + ENTRY_HEADER_LENGTH;
                if (null != node && version > node.maxVersion())
                {
                    final byte[] keyUtf8 = new byte[keyLength];
                    buffer.getBytes(keyPosition, keyUtf8);
                    final byte[] value = 0 == valueLength ? VersionedEntry.NO_VALUE : new byte[valueLength];
                    buffer.getBytes(keyPosition + keyLength, value);
                    if (state.applyEntry(node, new String(keyUtf8, StandardCharsets.UTF_8), keyUtf8, value,
                        version, tombstone, nowMs))
                    {
                        applied++;
                    }
                }
                position = keyPosition + keyLength + valueLength;
            }
            if (null != node)
            {
                node.raiseMaxVersion(toVersion);
            }
        }
        return applied;
    }

    private void checkWrapped()
    {
        if (null == type)
        {
            throw new IllegalStateException("no valid frame is wrapped");
        }
    }

    private static int readCount(
        final DirectBuffer buffer,
        final int position,
        final int limit,
        final int maxCount,
        final int minRecordLength,
        final String what)
    {
        if (position + COUNT_LENGTH > limit)
        {
            throw new MalformedGossipException(Reason.TRUNCATED, "frame ends before the count of " + what);
        }
        final int count = buffer.getInt(position, ORDER);
        if (count < 0 || count > maxCount)
        {
            throw new MalformedGossipException(Reason.BAD_COUNT, what + " count " + count + " is outside 0.." +
                maxCount);
        }
        if (position + COUNT_LENGTH + (long)count * minRecordLength > limit)
        {
            throw new MalformedGossipException(Reason.TRUNCATED, count + " " + what + " need at least " +
                (long)count * minRecordLength + " bytes, " + (limit - position - COUNT_LENGTH) + " remain");
        }
        return count;
    }

    private int checkDigest(
        final DirectBuffer buffer,
        final int start,
        final int limit,
        final int rows,
        final int fromNodeId,
        final int toNodeId)
    {
        int position = start;
        long nodeId = fromNodeId - 1;
        for (int i = 0; i < rows; i++)
        {
            nodeId += 1 + readVarint(buffer, position, limit, "node id gap of digest row ", i);
            if (nodeId > toNodeId)
            {
                throw new MalformedGossipException(Reason.BAD_NODE_ORDER, "digest row " + i + " names node " +
                    nodeId + ", outside the range " + fromNodeId + ".." + toNodeId);
            }
            if (varintEnd + Long.BYTES > limit)
            {
                throw new MalformedGossipException(Reason.TRUNCATED, "frame ends inside digest row " + i);
            }
            final long generation = buffer.getLong(varintEnd, ORDER);
            if (generation < 0)
            {
                throw new MalformedGossipException(Reason.NEGATIVE_FIELD, "digest row of node " + nodeId +
                    " has negative generation " + generation);
            }
            readVarint(buffer, varintEnd + Long.BYTES, limit, "heartbeat of node ", nodeId);
            readVarint(buffer, varintEnd, limit, "max version of node ", nodeId);
            readVarint(buffer, varintEnd, limit, "last collected version of node ", nodeId);
            position = varintEnd;
        }
        return position;
    }

    /**
     * Read a varint in its shortest form; the position after it is left in {@link #varintEnd}. The field is named
     * by {@code what} and {@code id} (-1 for none), joined only when the frame is rejected.
     */
    private long readVarint(
        final DirectBuffer buffer, final int start, final int limit, final String what, final long id)
    {
        long value = 0;
        int position = start;
        for (int shift = 0; ; shift += 7)
        {
            if (position >= limit)
            {
                throw new MalformedGossipException(Reason.TRUNCATED, "frame ends inside the " + field(what, id));
            }
            final int b = buffer.getByte(position++) & 0xFF;
            final boolean more = (b & 0x80) != 0;
            final long bits = b & 0x7F;
            if (position - start == Varint.MAX_LENGTH && more)
            {
                throw new MalformedGossipException(Reason.BAD_VARINT, "the " + field(what, id) + " is longer than " +
                    Varint.MAX_LENGTH + " bytes");
            }
            value |= bits << shift;
            if (!more)
            {
                if (0 == bits && position - start > 1)
                {
                    throw new MalformedGossipException(Reason.BAD_VARINT, "the " + field(what, id) + " is not in its " +
                        "shortest form");
                }
                varintEnd = position;
                return value;
            }
        }
    }

    private static String field(final String what, final long id)
    {
        return id < 0 ? what : what + id;
    }

    private int checkDelta(final DirectBuffer buffer, final int start, final int limit, final int nodes)
    {
        Arrays.fill(seenNodes, 0);
        int position = start;
        for (int n = 0; n < nodes; n++)
        {
            if (position + NODE_HEADER_LENGTH > limit)
            {
                throw new MalformedGossipException(Reason.TRUNCATED, "frame ends inside delta node " + n);
            }
            final int nodeId = buffer.getShort(position, ORDER) & 0xFFFF;
            markSeen(nodeId, "delta");
            for (int field = 0; field < 6; field++)
            {
                final long value = buffer.getLong(position + 2 + field * 8, ORDER);
                if (value < 0)
                {
                    throw new MalformedGossipException(Reason.NEGATIVE_FIELD, "delta of node " + nodeId +
                        " has negative field " + field + ": " + value);
                }
            }
            final long fromVersion = buffer.getLong(position + 18, ORDER);
            final long toVersion = buffer.getLong(position + 26, ORDER);
            final long senderMaxVersion = buffer.getLong(position + 42, ORDER);
            if (toVersion < fromVersion || senderMaxVersion < toVersion)
            {
                throw new MalformedGossipException(Reason.BAD_ENTRY_VERSION, "delta of node " + nodeId +
                    " covers versions (" + fromVersion + ", " + toVersion + "] of a sender at version " +
                    senderMaxVersion);
            }
            final int entries = buffer.getInt(position + NODE_HEADER_LENGTH - COUNT_LENGTH, ORDER);
            if (entries < 0 || entries > NodeState.MAX_ENTRIES)
            {
                throw new MalformedGossipException(Reason.BAD_COUNT, "delta of node " + nodeId + " has " + entries +
                    " entries, the bound is " + NodeState.MAX_ENTRIES);
            }
            position += NODE_HEADER_LENGTH;
            long previousVersion = fromVersion;
            for (int e = 0; e < entries; e++)
            {
                if (position + ENTRY_HEADER_LENGTH > limit)
                {
                    throw new MalformedGossipException(Reason.TRUNCATED, "frame ends inside entry " + e +
                        " of node " + nodeId);
                }
                final long version = buffer.getLong(position, ORDER);
                if (version <= previousVersion || version > toVersion)
                {
                    throw new MalformedGossipException(Reason.BAD_ENTRY_VERSION, "entry " + e + " of node " +
                        nodeId + " has version " + version + ", not in (" + previousVersion + ", " + toVersion + "]");
                }
                previousVersion = version;
                final int flags = buffer.getByte(position + 8) & 0xFF;
                if ((flags & ~TOMBSTONE_FLAG) != 0)
                {
                    throw new MalformedGossipException(Reason.BAD_FLAGS, "entry " + e + " of node " + nodeId +
                        " has flags 0x" + Integer.toHexString(flags));
                }
                final int keyLength = buffer.getShort(position + 9, ORDER) & 0xFFFF;
                if (keyLength == 0 || keyLength > NodeState.MAX_KEY_LENGTH)
                {
                    throw new MalformedGossipException(Reason.BAD_KEY, "entry " + e + " of node " + nodeId +
                        " has key length " + keyLength + ", allowed 1.." + NodeState.MAX_KEY_LENGTH);
                }
                final int valueLength = buffer.getInt(position + 11, ORDER);
                if (valueLength < 0 || valueLength > NodeState.MAX_VALUE_LENGTH ||
                    ((flags & TOMBSTONE_FLAG) != 0 && valueLength != 0))
                {
                    throw new MalformedGossipException(Reason.BAD_VALUE, "entry " + e + " of node " + nodeId +
                        " has value length " + valueLength + (0 != (flags & TOMBSTONE_FLAG) ?
                        " on a tombstone" : ", allowed 0.." + NodeState.MAX_VALUE_LENGTH));
                }
                final int keyPosition = position + ENTRY_HEADER_LENGTH;
                if ((long)keyPosition + keyLength + valueLength > limit)
                {
                    throw new MalformedGossipException(Reason.TRUNCATED, "frame ends inside the key or value of " +
                        "entry " + e + " of node " + nodeId);
                }
                if (!Utf8.isValid(buffer, keyPosition, keyLength))
                {
                    throw new MalformedGossipException(Reason.BAD_KEY, "entry " + e + " of node " + nodeId +
                        " has a key that is not valid UTF-8");
                }
                position = keyPosition + keyLength + valueLength;
            }
        }
        return position;
    }

    private void markSeen(final int nodeId, final String section)
    {
        final int word = nodeId >>> 6;
        final long bit = 1L << (nodeId & 63);
        if ((seenNodes[word] & bit) != 0)
        {
            throw new MalformedGossipException(Reason.DUPLICATE_NODE, "node " + nodeId + " appears twice in the " +
                section);
        }
        seenNodes[word] |= bit;
    }
}
