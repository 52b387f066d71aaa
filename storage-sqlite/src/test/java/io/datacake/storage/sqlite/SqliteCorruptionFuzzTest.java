package io.datacake.storage.sqlite;

import io.datacake.storage.StorageCorruptedException;
import io.datacake.testing.StorageCorruption;
import io.datacake.testing.StorageCorruption.Outcome;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An SQLite storage file with flipped bytes or cut short: opening and reading either fail with a StorageException
 * naming the file, or succeed. SQLite keeps no checksums, so a flipped byte inside a row reads back changed: the
 * trials count that rather than forbid it; a truncated file must never read back changed without an error.
 */
final class SqliteCorruptionFuzzTest
{
    private static final List<String> KEYSPACES = List.of("docs", "users");
    private static final int KEYS = 200;
    private static final int TRIALS = 200;

    @TempDir
    Path directory;

    private Path file;

    @BeforeEach
    void writeStorage()
    {
        file = directory.resolve("store.db");
        try (SqliteStorage storage = SqliteStorage.open(file))
        {
            StorageCorruption.fill(storage, KEYSPACES, KEYS);
        }
    }

    /**
     * Found by fuzzing: SQLite opened a file cut short and answered reads with rows missing, without an error.
     */
    @Test
    void aFileCutShortIsRefusedNamingTheFile() throws IOException
    {
        final byte[] data = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(data, data.length / 2));

        assertThatThrownBy(() -> SqliteStorage.open(file))
            .isInstanceOf(StorageCorruptedException.class)
            .hasMessageContaining(file.toString())
            .hasMessageContaining("cut short");
    }

    /**
     * Found by fuzzing: a damaged keyspace row without a name reached the keyspace map and failed the open with a
     * NullPointerException. The row is written here through an edited schema that drops the NOT NULL.
     */
    @Test
    void aKeyspaceRowWithoutANameIsRefusedNamingTheFile() throws SQLException
    {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            Statement statement = connection.createStatement())
        {
            statement.execute("PRAGMA writable_schema = ON");
            statement.executeUpdate("UPDATE sqlite_master SET sql = replace(sql, 'NOT NULL ', '') " +
                "WHERE type = 'table' AND name = 'keyspaces'");
        }
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            Statement statement = connection.createStatement())
        {
            statement.executeUpdate("INSERT INTO keyspaces(id, name) VALUES (1000, NULL)");
        }

        assertThatThrownBy(() -> SqliteStorage.open(file))
            .isInstanceOf(StorageCorruptedException.class)
            .hasMessageContaining(file.toAbsolutePath().toString())
            .hasMessageContaining("a row without a name");
    }

    /**
     * A seed replays only if the file it corrupts is the same: nothing in the file may depend on the clock or the
     * directory.
     */
    @Test
    void theFileHoldsTheSameBytesEveryTimeItIsWritten(@TempDir final Path otherDirectory) throws IOException
    {
        final Path otherFile = otherDirectory.resolve("store.db");
        try (SqliteStorage storage = SqliteStorage.open(otherFile))
        {
            StorageCorruption.fill(storage, KEYSPACES, KEYS);
        }

        assertThat(Files.readAllBytes(otherFile)).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void flippedBytesAreRefusedNamingTheFileOrReadBack()
    {
        final Map<Outcome, Integer> outcomes = StorageCorruption.run("sqlite flipped bytes", directory, file,
            file.toString(), (dir) -> SqliteStorage.open(file), KEYSPACES, KEYS, TRIALS, false,
            Integer.MAX_VALUE);
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(TRIALS);
    }

    @Test
    void aTruncatedFileIsRefusedNamingTheFileNeverReadBackChanged()
    {
        final Map<Outcome, Integer> outcomes = StorageCorruption.run("sqlite truncation", directory, file,
            file.toString(), (dir) -> SqliteStorage.open(file), KEYSPACES, KEYS, TRIALS, true, 0);
        assertThat(outcomes).doesNotContainKey(Outcome.READ_CHANGED);
    }
}
