package io.datacake.storage.sqlite;

import io.datacake.clock.HlcTimestamp;
import io.datacake.storage.BulkMutationException;
import io.datacake.storage.StorageCorruptedException;
import io.datacake.storage.WriteBatch;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SQLite-specific behaviour beyond the conformance kit: WAL mode, the versioned schema, refusing corrupt, foreign
 * and future files, and all-or-nothing batches.
 */
class SqliteStorageTest
{
    private static final long T0 = 1_764_000_000_000L;

    @TempDir
    Path directory;

    private int counter;

    private long nextStamp()
    {
        return HlcTimestamp.pack(T0, ++counter);
    }

    @Test
    void createsAVersionedSchemaInWalMode() throws SQLException
    {
        final Path file = directory.resolve("store.db");
        SqliteStorage.open(file).close();

        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            Statement statement = connection.createStatement())
        {
            assertThat(queryString(statement, "PRAGMA journal_mode")).isEqualTo("wal");
            assertThat(queryString(statement, "PRAGMA user_version")).isEqualTo(String.valueOf(SqliteSchema.VERSION));
            assertThat(queryString(statement, "PRAGMA application_id"))
                .isEqualTo(String.valueOf(SqliteSchema.APPLICATION_ID));
            assertThat(queryString(statement, "SELECT group_concat(name) FROM " +
                "(SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)")).isEqualTo("entries,keyspaces");
        }

        try (SqliteStorage reopened = SqliteStorage.open(file))
        {
            assertThat(reopened.keyspaces()).isEmpty();
        }
    }

    @Test
    void aFileThatIsNotSqliteFailsToOpenAndIsLeftUnchanged() throws IOException
    {
        final Path file = directory.resolve("garbage.db");
        final byte[] garbage = new byte[8192];
        new SplittableRandom(5).nextBytes(garbage);
        Files.write(file, garbage);

        assertThatThrownBy(() -> SqliteStorage.open(file))
            .isInstanceOf(StorageCorruptedException.class)
            .hasMessageContaining(file.toString());
        assertThat(Files.readAllBytes(file)).isEqualTo(garbage);
    }

    @Test
    void anSqliteDatabaseOfAnotherProgramFailsToOpen() throws SQLException
    {
        final Path file = directory.resolve("other.db");
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            Statement statement = connection.createStatement())
        {
            statement.execute("CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL)");
        }

        assertThatThrownBy(() -> SqliteStorage.open(file))
            .isInstanceOf(StorageCorruptedException.class)
            .hasMessageContaining("not written by datacake");
    }

    @Test
    void aNewerSchemaVersionFailsToOpen() throws SQLException
    {
        final Path file = directory.resolve("future.db");
        SqliteStorage.open(file).close();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            Statement statement = connection.createStatement())
        {
            statement.execute("PRAGMA user_version = " + (SqliteSchema.VERSION + 1));
        }

        assertThatThrownBy(() -> SqliteStorage.open(file))
            .isInstanceOf(StorageCorruptedException.class)
            .hasMessageContaining("schema version " + (SqliteSchema.VERSION + 1));
    }

    @Test
    void aFailedBatchIsRolledBackEntirelyAndCanBeRetried() throws SQLException
    {
        final Path file = directory.resolve("busy.db");
        try (SqliteStorage storage = SqliteStorage.open(new SqliteStorageConfig(file).busyTimeoutMs(50)))
        {
            storage.put("ks", 1, nextStamp(), 1, "before".getBytes());

            final WriteBatch batch = storage.newWriteBatch();
            final UnsafeBuffer value = new UnsafeBuffer("after".getBytes());
            batch.put("ks", 1, nextStamp(), 1, value, 0, 5);
            batch.put("new-keyspace", 2, nextStamp(), 1, value, 0, 5);
            batch.tombstone("ks", 3, nextStamp(), 1);

            // another connection holds the write lock, so the commit fails after the busy timeout
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = other.createStatement())
            {
                statement.execute("BEGIN IMMEDIATE");
                assertThatThrownBy(() -> storage.commit(batch))
                    .isInstanceOfSatisfying(BulkMutationException.class, ex ->
                        assertThat(ex.appliedCount()).isZero());
                statement.execute("ROLLBACK");
            }

            assertThat(storage.get("ks", 1).value()).isEqualTo("before".getBytes());
            assertThat(storage.metadata("ks")).hasSize(1);
            assertThat(storage.keyspaces()).containsExactly("ks");

            assertThat(batch.size()).isEqualTo(3);
            storage.commit(batch);
            assertThat(storage.get("ks", 1).value()).isEqualTo("after".getBytes());
            assertThat(storage.get("new-keyspace", 2).value()).isEqualTo("after".getBytes());
            assertThat(storage.keyspaces()).containsExactlyInAnyOrder("ks", "new-keyspace");
        }
    }

    @Test
    void everyDurabilityModeKeepsCommittedWritesAcrossReopen()
    {
        for (final SqliteDurability durability : SqliteDurability.values())
        {
            final Path file = directory.resolve(durability.name() + ".db");
            final long stamp = nextStamp();
            try (SqliteStorage storage = SqliteStorage.open(new SqliteStorageConfig(file).durability(durability)))
            {
                storage.put("ks", 1, stamp, 2, durability.name().getBytes());
            }
            try (SqliteStorage storage = SqliteStorage.open(new SqliteStorageConfig(file).durability(durability)))
            {
                assertThat(storage.get("ks", 1).value()).isEqualTo(durability.name().getBytes());
                assertThat(storage.get("ks", 1).stamp()).isEqualTo(stamp);
            }
        }
    }

    @Test
    void invalidOptionsAreRejected()
    {
        final Path file = directory.resolve("x.db");
        assertThatThrownBy(() -> SqliteStorage.open(new SqliteStorageConfig(file).maxValueLength(-1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxValueLength");
        assertThatThrownBy(() -> SqliteStorage.open(new SqliteStorageConfig(file).busyTimeoutMs(-1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("busyTimeoutMs");
        assertThat(file).doesNotExist();
    }

    private static String queryString(final Statement statement, final String sql) throws SQLException
    {
        try (ResultSet row = statement.executeQuery(sql))
        {
            assertThat(row.next()).isTrue();
            return row.getString(1);
        }
    }
}
