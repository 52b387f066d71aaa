package io.datacake.store;

import io.datacake.storage.KeyspaceNames;
import io.datacake.storage.MemoryStorage;
import io.datacake.storage.ReadTransaction;
import org.agrona.ExpandableDirectByteBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fetch's reply from a storage snapshot: only writes storage holds exactly as the set listed them go out, each with
 * its own stamp and value.
 */
final class RepairFetchTest
{
    private static final String KEYSPACE = "docs";
    private static final int ROOM_BYTES = 64 * 1024;
    private static final int MAX_VALUE_BYTES = 1024 * 1024;

    @Test
    void anEntryWhoseStoredWriteChangedSinceItWasListedIsLeftOutNeverSentUnderTheListedStamp()
    {
        try (MemoryStorage storage = new MemoryStorage())
        {
            storage.put(KEYSPACE, 1, 100, 1, bytes("one"));
            storage.put(KEYSPACE, 2, 200, 2, bytes("two, newer"));
            storage.put(KEYSPACE, 4, 130, 3, bytes("four"));
            final RepairFetch fetch = new RepairFetch(8);
            fetch.start(KEYSPACE, KeyspaceNames.encode(KEYSPACE), 0);
            fetch.add(1, 100, 1, false);
            fetch.add(3, 120, 1, true);
            fetch.add(4, 130, 2, false); // same stamp, another node: another write
            fetch.add(2, 150, 2, false); // the set listed it before the newer write landed
            fetch.add(5, 160, 1, false); // listed, not committed yet

            final ReplicationMessage reply = encode(storage, fetch);

            assertThat(reply.entryCount()).isEqualTo(2);
            assertThat(reply.next()).isTrue();
            assertThat(reply.key()).isEqualTo(1);
            assertThat(reply.stamp()).isEqualTo(100);
            assertThat(reply.nodeId()).isEqualTo(1);
            assertThat(value(reply)).isEqualTo("one");
            assertThat(reply.next()).isTrue();
            assertThat(reply.key()).isEqualTo(3);
            assertThat(reply.stamp()).isEqualTo(120);
            assertThat(reply.isTombstone()).isTrue();
            assertThat(reply.next()).isFalse();
        }
    }

    @Test
    void aFetchWhoseEntriesAreAllGoneRepliesWithTheNextSkipAlone()
    {
        try (MemoryStorage storage = new MemoryStorage())
        {
            storage.put(KEYSPACE, 1, 300, 1, bytes("newer"));
            final RepairFetch fetch = new RepairFetch(8);
            fetch.start(KEYSPACE, KeyspaceNames.encode(KEYSPACE), 0);
            fetch.add(1, 100, 1, false);
            try (ReadTransaction txn = storage.beginRead())
            {
                final int length = fetch.size(txn, ROOM_BYTES, MAX_VALUE_BYTES);
                final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(length);
                fetch.writeBody(out, 0, length);
                fetch.unbind();
                assertThat(length).isEqualTo(RepairMessages.FETCH_REPLY_HEADER_LENGTH);
                assertThat(out.getInt(0)).isEqualTo(RepairMessages.FETCH_COMPLETE);
                assertThat(fetch.encodedCount()).isZero();
            }
        }
    }

    private static ReplicationMessage encode(final MemoryStorage storage, final RepairFetch fetch)
    {
        final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(256);
        final int length;
        try (ReadTransaction txn = storage.beginRead())
        {
            length = fetch.size(txn, ROOM_BYTES, MAX_VALUE_BYTES);
            out.checkLimit(length);
            fetch.writeBody(out, 0, length);
            fetch.unbind();
        }
        assertThat(out.getInt(0)).as("next skip").isEqualTo(RepairMessages.FETCH_COMPLETE);
        final ReplicationMessage message = new ReplicationMessage();
        assertThat(message.wrap(out, RepairMessages.FETCH_REPLY_HEADER_LENGTH,
            length - RepairMessages.FETCH_REPLY_HEADER_LENGTH, 8, MAX_VALUE_BYTES)).isEqualTo(ReplicationMessage.OK);
        assertThat(message.keyspace()).isEqualTo(KEYSPACE);
        return message;
    }

    private static String value(final ReplicationMessage message)
    {
        final byte[] bytes = new byte[message.valueLength()];
        message.buffer().getBytes(message.valueOffset(), bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(final String value)
    {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
