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
