package io.datacake.storage.sqlite;

import io.datacake.clock.HybridLogicalClock;
import io.datacake.storage.DocumentView;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.WriteBatch;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An executable walk through the SQLite storage: open a file, write in batches, read, reopen.
 */
class TutorialTest
{
    @TempDir
    Path directory;

    @Test
    void walkThroughTheSqliteStorage()
    {
        final int nodeId = 2;
        final HybridLogicalClock clock = new HybridLogicalClock(nodeId, new SystemEpochClock());

        // 1. Open a file; the schema (version 1) is created on first open, WAL mode is switched on, and
        //    NORMAL durability is the default (a process crash loses nothing, a power cut may lose the last commits).
        final SqliteStorageConfig config = new SqliteStorageConfig(directory.resolve("node-2.db"))
            .durability(SqliteDurability.NORMAL);
        final long stamp;
        try (SqliteStorage storage = SqliteStorage.open(config))
        {
            // 2. One batch is one SQLite transaction, executed with reused prepared statements.
            final WriteBatch batch = storage.newWriteBatch();
            final UnsafeBuffer value = new UnsafeBuffer(new byte[32]);
            final int length = value.putStringWithoutLengthAscii(0, "row");
            stamp = clock.send();
            batch.put("tables", 1, stamp, nodeId, value, 0, length);
            batch.tombstone("tables", 2, clock.send(), nodeId);
            storage.commit(batch);

            // 3. Reads: each thread gets its own reader connection; WAL lets it read while the writer writes.
            final DocumentView view = new DocumentView();
            try (ReadTransaction txn = storage.beginRead())
            {
                assertThat(txn.get("tables", 1, view)).isTrue();
                assertThat(txn.get("tables", 2, view)).isFalse();
            }
        }

        // 4. Reopen: the data and the keyspace list are back.
        try (SqliteStorage storage = SqliteStorage.open(config))
        {
            assertThat(storage.keyspaces()).containsExactly("tables");
            assertThat(storage.get("tables", 1).stamp()).isEqualTo(stamp);
            assertThat(storage.metadata("tables")).hasSize(2);
        }
    }
}
