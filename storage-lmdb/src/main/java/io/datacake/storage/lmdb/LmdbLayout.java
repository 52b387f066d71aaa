package io.datacake.storage.lmdb;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * On-disk layout, format version 1. Four named databases in one environment:
 * <pre>
 *   datacake.info       "format"          -> magic u32 | version u32
 *                       "next-keyspace"   -> next keyspace id u32
 *   datacake.keyspaces  name (UTF-8)      -> keyspace id u32
 *   datacake.meta       ksId u32 | key u64 -> stamp u64 | node id u32 | flags u32 (bit 0: tombstone)
 *   datacake.data       ksId u32 | key u64 -> stamp u64 | node id u32 | value bytes
 * </pre>
 * All integers are big-endian, so LMDB's memcmp order is keyspace, then unsigned key order, and one keyspace is
 * one contiguous key range. Metadata iteration scans {@code datacake.meta} only and never touches value pages;
 * a get is one lookup in {@code datacake.data}, whose record repeats the timestamp so the reader needs nothing
 * else. A tombstone has a meta record with the flag and no data record.
 */
final class LmdbLayout
{
    static final String INFO_DB = "datacake.info";
    static final String KEYSPACES_DB = "datacake.keyspaces";
    static final String META_DB = "datacake.meta";
    static final String DATA_DB = "datacake.data";
    static final int MAX_DBS = 8;

    static final String FORMAT_KEY = "format";
    static final String NEXT_KEYSPACE_KEY = "next-keyspace";
    /** "DCKL" */
    static final int MAGIC = 0x44434B4C;
    static final int FORMAT_VERSION = 1;

    static final int KEY_LENGTH = 12;
    static final int KEY_KEYSPACE_OFFSET = 0;
    static final int KEY_DOC_OFFSET = 4;

    static final int META_LENGTH = 16;
    static final int STAMP_OFFSET = 0;
    static final int NODE_ID_OFFSET = 8;
    static final int META_FLAGS_OFFSET = 12;
    static final int TOMBSTONE_FLAG = 1;

    static final int DATA_HEADER_LENGTH = 12;

    static final long MIN_MAP_SIZE_BYTES = 64 * 1024;
    /** Largest value: LMDB stores up to 2^32-1 bytes per record; keep well inside int range with the header. */
    static final int MAX_VALUE_LENGTH = Integer.MAX_VALUE - 4096;

    static final ByteOrder ORDER = ByteOrder.BIG_ENDIAN;

    private LmdbLayout()
    {
    }

    static void encodeKey(final MutableDirectBuffer buffer, final int keyspaceId, final long key)
    {
        buffer.putInt(KEY_KEYSPACE_OFFSET, keyspaceId, ORDER);
        buffer.putLong(KEY_DOC_OFFSET, key, ORDER);
    }

    static int keyspaceId(final DirectBuffer key)
    {
        return key.getInt(KEY_KEYSPACE_OFFSET, ORDER);
    }

    static long docKey(final DirectBuffer key)
    {
        return key.getLong(KEY_DOC_OFFSET, ORDER);
    }

    static long stamp(final DirectBuffer record)
    {
        return record.getLong(STAMP_OFFSET, ORDER);
    }

    static int nodeId(final DirectBuffer record)
    {
        return record.getInt(NODE_ID_OFFSET, ORDER);
    }

    static boolean isTombstone(final DirectBuffer meta)
    {
        return (meta.getInt(META_FLAGS_OFFSET, ORDER) & TOMBSTONE_FLAG) != 0;
    }
}
