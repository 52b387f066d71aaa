package io.datacake.store;

import io.datacake.storage.InvalidKeyspaceNameException;
import io.datacake.storage.KeyspaceNames;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Layouts of the store's repair messages (all integers in native order, as the replicate message):
 * <ul>
 *   <li>keyspace list request: {@code int first}; reply: {@code int total, int count}, then {@code count} times
 *       {@code short nameLength, name (UTF-8), long root, long syncedMs, long purgeFloorMs} for the keyspaces
 *       {@code [first, first + count)} in name order (syncedMs: the earliest time, over the answering node's live
 *       peers, it last found its copy equal to theirs; purgeFloorMs: the time below which it purges tombstones);</li>
 *   <li>tree request: {@code short nameLength, name}, then one Tictac request; reply: the Tictac reply;</li>
 *   <li>fetch request: {@code short nameLength, name, int skip}, then a Tictac segment id message; reply:
 *       {@code int nextSkip} (-1 once the segments' entries are all sent), then a replicate message of up to the
 *       fetch bound of entries, or nothing when none matched.</li>
 * </ul>
 * And the reasons a repair message is dropped as malformed.
 */
final class RepairMessages
{
    static final int OK = 0;
    static final int TRUNCATED = 1;
    static final int BAD_KEYSPACE = 2;
    static final int UNKNOWN_KEYSPACE = 3;
    static final int BAD_TREE_MESSAGE = 4;
    static final int BAD_ENTRIES = 5;
    static final int BAD_COUNT = 6;
    static final int REASON_COUNT = 7;

    /** Bound on the keyspaces one list reply names. */
    static final int MAX_KEYSPACES_PER_LIST = 64;

    /** Bytes after a keyspace's name in a list reply: root, synced time and purge floor. */
    static final int KEYSPACE_STATE_LENGTH = 3 * Long.BYTES;

    /** Bytes of the fetch reply's header, before its replicate message. */
    static final int FETCH_REPLY_HEADER_LENGTH = Integer.BYTES;

    /** {@code nextSkip} of a fetch reply that sent the last of the segments' entries. */
    static final int FETCH_COMPLETE = -1;

    private static final String[] REASONS = {
        "ok", "truncated", "invalid keyspace name", "unknown keyspace", "invalid tree message",
        "invalid entries", "count out of range"};

    private RepairMessages()
    {
    }

    static String reason(final int reason)
    {
        return REASONS[reason];
    }

    /**
     * Write a name as {@code short length, UTF-8 bytes}.
     *
     * @return bytes written.
     */
    static int putName(final MutableDirectBuffer buffer, final int offset, final byte[] utf8)
    {
        buffer.putShort(offset, (short)utf8.length);
        buffer.putBytes(offset + Short.BYTES, utf8);
        return Short.BYTES + utf8.length;
    }

    /**
     * @return bytes of the name field at {@code offset}, or -1 if it does not fit in {@code limit}.
     */
    static int nameFieldLength(final DirectBuffer buffer, final int offset, final int limit)
    {
        if (offset + Short.BYTES > limit)
        {
            return -1;
        }
        final int length = Short.BYTES + (buffer.getShort(offset) & 0xFFFF);
        return offset + length > limit ? -1 : length;
    }

    /**
     * @return the valid keyspace name of a name field that fits, or null if it is not a valid name.
     */
    static String readName(final DirectBuffer buffer, final int offset)
    {
        final byte[] utf8 = new byte[buffer.getShort(offset) & 0xFFFF];
        buffer.getBytes(offset + Short.BYTES, utf8);
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
        return Arrays.equals(name.getBytes(StandardCharsets.UTF_8), utf8) ? name : null;
    }
}
