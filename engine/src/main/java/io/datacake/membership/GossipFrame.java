package io.datacake.membership;

import java.nio.ByteOrder;

/**
 * Layout of a gossip frame, shared by {@link GossipEncoder} and {@link GossipDecoder}. All fields little-endian:
 * <pre>
 *   header (8 bytes)
 *     0  int32  magic 0x53474344 ("DCGS")
 *     4  uint8  encoding version ({@link #VERSION})
 *     5  uint8  message type ({@link GossipMessageType#code()})
 *     6  uint16 reserved, written as zero, ignored on read
 *   digest section (SYN, SYN_ACK)
 *     uint16 first node id covered, uint16 last node id covered, varint row count, then per row in increasing
 *     node id order, all within the covered range (12 to 38 bytes):
 *       varint node id gap (the first row: id - first covered; later rows: id - previous id - 1),
 *       int64 generation, varint heartbeat, varint max version, varint last collected version
 *   delta section (SYN_ACK after the digest, ACK)
 *     int32 node count, then per node:
 *       uint16 node id, int64 generation, int64 heartbeat, int64 from version (exclusive),
 *       int64 to version (inclusive: the entries cover everything the sender holds in (from, to]),
 *       int64 last collected version, int64 sender's max version, int32 entry count           (54 bytes)
 *       per entry, in increasing version order:
 *         int64 version, uint8 flags (bit 0: tombstone), uint16 key length, int32 value length  (15 bytes)
 *         key (UTF-8), value
 * </pre>
 * A varint is an unsigned LEB128 number of at most {@link Varint#MAX_LENGTH} bytes in its shortest form, below 2^63.
 */
final class GossipFrame
{
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    static final int MAGIC = 0x53474344;
    static final int VERSION = 2;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int TYPE_OFFSET = 5;
    static final int RESERVED_OFFSET = 6;
    static final int HEADER_LENGTH = 8;

    static final int COUNT_LENGTH = 4;
    static final int DIGEST_RANGE_LENGTH = 2 + 2;
    /** Bytes of a digest section's range and largest row count. */
    static final int DIGEST_HEADER_MAX_LENGTH = DIGEST_RANGE_LENGTH + 3;
    static final int MIN_DIGEST_ROW_LENGTH = 1 + 8 + 1 + 1 + 1;
    static final int MAX_DIGEST_ROW_LENGTH = 3 + 8 + 3 * Varint.MAX_LENGTH;
    static final int NODE_HEADER_LENGTH = 2 + 6 * 8 + 4;
    static final int ENTRY_HEADER_LENGTH = 8 + 1 + 2 + 4;

    static final int TOMBSTONE_FLAG = 1;

    /** Bytes of the largest possible single entry, header included. */
    static final int MAX_ENTRY_LENGTH = ENTRY_HEADER_LENGTH + NodeState.MAX_KEY_LENGTH + NodeState.MAX_VALUE_LENGTH;

    private GossipFrame()
    {
    }
}
