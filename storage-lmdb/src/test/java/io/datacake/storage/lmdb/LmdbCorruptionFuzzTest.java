package io.datacake.storage.lmdb;

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
 * An LMDB data file with flipped bytes or cut short: opening and reading either fail with a StorageException naming
 * the directory, or succeed. LMDB checks its meta pages but keeps no checksums on data pages, so a flipped byte in a
 * value reads back changed: the trials count that rather than forbid it; a truncated file must never read back
 * changed without an error.
 */
final class LmdbCorruptionFuzzTest
{
    private static final List<String> KEYSPACES = List.of("docs", "users");
    private static final int KEYS = 200;
    private static final int TRIALS = 200;
    /**
     * Flips stay in the two meta pages (4 KiB each here), the only pages LMDB checks: a flipped page number in a
     * data page sends LMDB outside the map, which kills the JVM and cannot be tested in-process.
     */
    private static final int META_PAGES_BYTES = 2 * 4096;

    @TempDir
    Path directory;

    private Path file;

    @BeforeEach
    void writeStorage()
    {
        file = directory.resolve("data.mdb");
        try (LmdbStorage storage = LmdbStorage.open(directory))
        {
            StorageCorruption.fill(storage, KEYSPACES, KEYS);
        }
    }

    /**
     * Found by fuzzing: LMDB mapped a data file cut short and read past its end, killing the JVM with SIGBUS.
     */
    @Test
    void aDataFileCutShortIsRefusedBeforeLmdbMapsIt() throws IOException
    {
        final byte[] data = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(data, data.length / 2));

        assertThatThrownBy(() -> LmdbStorage.open(directory))
            .isInstanceOf(StorageCorruptedException.class)
            .hasMessageContaining(directory.toString())
            .hasMessageContaining("cut short");
    }

    @Test
    void flippedMetaPageBytesAreRefusedNamingTheDirectoryOrReadBack()
    {
        final Map<Outcome, Integer> outcomes = StorageCorruption.run("lmdb flipped bytes", directory, file,
            directory.toString(), LmdbStorage::open, KEYSPACES, KEYS, TRIALS, false,
            META_PAGES_BYTES);
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(TRIALS);
    }

    @Test
    void aTruncatedFileIsRefusedNamingTheDirectoryNeverReadBackChanged()
    {
        final Map<Outcome, Integer> outcomes = StorageCorruption.run("lmdb truncation", directory, file,
            directory.toString(), LmdbStorage::open, KEYSPACES, KEYS, TRIALS, true, 0);
        assertThat(outcomes).doesNotContainKey(Outcome.READ_CHANGED);
    }
}
