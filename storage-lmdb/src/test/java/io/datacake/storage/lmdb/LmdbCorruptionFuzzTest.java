package io.datacake.storage.lmdb;

import io.datacake.storage.StorageCorruptedException;
import io.datacake.testing.StorageCorruption;
import io.datacake.testing.StorageCorruption.Outcome;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    /** Where a meta page keeps its page size and its transaction id (LMDB's 64-bit layout). */
    private static final int META_PAGE_SIZE_OFFSET = 40;
    private static final int META_TXN_ID_OFFSET = 144;

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

    /**
     * Found by fuzzing (flipped bytes, fixed seed -2869755007078521219, trial 33): the newest meta page claimed a
     * page size of 48128 bytes; LMDB paged the map with it, read past the end of the file and killed the JVM with
     * SIGBUS. The check compared the file's length using the other meta page's page size.
     */
    @Test
    void aNewestMetaPageWithADamagedPageSizeIsRefusedBeforeLmdbMapsIt() throws IOException
    {
        final ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.nativeOrder());
        final int pageSize = data.getInt(META_PAGE_SIZE_OFFSET);
        final int newest = data.getLong(pageSize + META_TXN_ID_OFFSET) > data.getLong(META_TXN_ID_OFFSET) ?
            pageSize : 0;
        data.putInt(newest + META_PAGE_SIZE_OFFSET, 0xBC00);
        Files.write(file, data.array());

        assertThatThrownBy(() -> LmdbStorage.open(directory))
            .isInstanceOf(StorageCorruptedException.class)
            .hasMessageContaining(directory.toString())
            .hasMessageContaining("page size of 48128");
    }

    /**
     * A seed replays only if the file it corrupts is the same: nothing in the file may depend on the clock, the
     * directory or memory the writer did not set.
     */
    @Test
    void theDataFileHoldsTheSameBytesEveryTimeItIsWritten(@TempDir final Path otherDirectory) throws IOException
    {
        try (LmdbStorage storage = LmdbStorage.open(otherDirectory))
        {
            StorageCorruption.fill(storage, KEYSPACES, KEYS);
        }

        assertThat(Files.readAllBytes(otherDirectory.resolve("data.mdb"))).isEqualTo(Files.readAllBytes(file));
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
