package io.datacake.storage.lmdb;

import io.datacake.clock.HlcTimestamp;
import io.datacake.storage.BulkMutationException;
import io.datacake.storage.DocumentView;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.StorageCorruptedException;
import io.datacake.storage.StorageException;
import io.datacake.storage.WriteBatch;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.DirectBufferProxy;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * LMDB-specific behaviour beyond the conformance kit: zero-copy reads, key order, map growth and its bound,
 * refusing corrupt, foreign and future environments, durability modes.
 */
class LmdbStorageTest
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
    void aRefetchableBatchCommitsWithTheRelaxedDurabilityOnlyWhereThatIsWeaker()
    {
        final Path syncDirectory = directory.resolve("sync");
        try (LmdbStorage storage = LmdbStorage.open(new LmdbStorageConfig(syncDirectory)))
        {
            final WriteBatch batch = storage.newWriteBatch();
            storage.commit(batch.put("ks", 1, nextStamp(), 1, new UnsafeBuffer("a".getBytes()), 0, 1));
            assertThat(storage.relaxedCommits()).isZero();
            storage.commit(batch.refetchable(true).put("ks", 2, nextStamp(), 1, new UnsafeBuffer("b".getBytes()), 0, 1)
                .tombstone("ks", 3, nextStamp(), 2));
            assertThat(storage.relaxedCommits()).isEqualTo(1);
            assertThat(batch.isRefetchable()).as("a commit clears the mark with the batch").isFalse();
            storage.commit(batch.put("ks", 4, nextStamp(), 1, new UnsafeBuffer("c".getBytes()), 0, 1));
            assertThat(storage.relaxedCommits()).isEqualTo(1);
        }
        try (LmdbStorage reopened = LmdbStorage.open(syncDirectory))
        {
            assertThat(reopened.get("ks", 1).value()).containsExactly('a');
            assertThat(reopened.get("ks", 2).value()).containsExactly('b');
            assertThat(reopened.get("ks", 3)).isNull();
            assertThat(reopened.get("ks", 4).value()).containsExactly('c');
        }

        try (LmdbStorage noSync = LmdbStorage.open(
            new LmdbStorageConfig(directory.resolve("no-sync")).durability(LmdbDurability.NO_SYNC)))
        {
            noSync.commit(noSync.newWriteBatch().refetchable(true).tombstone("ks", 1, nextStamp(), 1));
            assertThat(noSync.relaxedCommits()).as("nothing weaker than NO_SYNC").isZero();
        }
        try (LmdbStorage strict = LmdbStorage.open(
            new LmdbStorageConfig(directory.resolve("strict")).refetchableDurability(LmdbDurability.SYNC)))
        {
            strict.commit(strict.newWriteBatch().refetchable(true).tombstone("ks", 1, nextStamp(), 1));
            assertThat(strict.relaxedCommits()).as("refetchable durability SYNC relaxes nothing").isZero();
        }
    }

    @Test
    void theRelaxingFlagFollowsTheWeakerDurability()
    {
        assertThat(SyncFlagSwitch.relaxingFlag(LmdbDurability.SYNC, LmdbDurability.NO_META_SYNC)).isEqualTo(0x40000);
        assertThat(SyncFlagSwitch.relaxingFlag(LmdbDurability.SYNC, LmdbDurability.NO_SYNC)).isEqualTo(0x10000);
        assertThat(SyncFlagSwitch.relaxingFlag(LmdbDurability.NO_META_SYNC, LmdbDurability.NO_SYNC))
            .isEqualTo(0x10000);
        assertThat(SyncFlagSwitch.relaxingFlag(LmdbDurability.NO_META_SYNC, LmdbDurability.NO_META_SYNC)).isZero();
        assertThat(SyncFlagSwitch.relaxingFlag(LmdbDurability.NO_SYNC, LmdbDurability.SYNC)).isZero();
    }

    @Test
    void readsAreViewsOfTheMemoryMappedFile() throws IOException
    {
        try (LmdbStorage storage = LmdbStorage.open(directory))
        {
            storage.put("ks", 1, nextStamp(), 1, "zero-copy".getBytes());
            final long[] mapping = dataFileMapping(directory.resolve("data.mdb"));
            try (ReadTransaction txn = storage.beginRead())
            {
                final List<DirectBuffer> buffers = new ArrayList<>();
                final int[] offsets = new int[1];
                assertThat(txn.get("ks", 1, (key, stamp, nodeId, buffer, offset, length) ->
                {
                    buffers.add(buffer);
                    offsets[0] = offset;
                    assertThat(buffer.getStringWithoutLengthAscii(offset, length)).isEqualTo("zero-copy");
                })).isTrue();

                final DirectBuffer buffer = buffers.get(0);
                assertThat(buffer.byteArray()).as("no heap copy").isNull();
                final long address = buffer.addressOffset() + offsets[0];
                assertThat(address).as("address inside the data.mdb mapping")
                    .isBetween(mapping[0], mapping[1] - 1);

                final DocumentView view = new DocumentView();
                assertThat(txn.get("ks", 1, view)).isTrue();
                assertThat(view.value().addressOffset()).isBetween(mapping[0], mapping[1] - 1);
            }
        }
    }

    @Test
    void metadataIsVisitedInUnsignedKeyOrder()
    {
        try (LmdbStorage storage = LmdbStorage.open(directory))
        {
            final long[] keys = {5, -1, 0, Long.MAX_VALUE, Long.MIN_VALUE, 3};
            final WriteBatch batch = storage.newWriteBatch();
            for (final long key : keys)
            {
                batch.tombstone("ks", key, nextStamp(), 1);
            }
            batch.tombstone("other", 4, nextStamp(), 1); // a neighbouring keyspace must not leak in
            storage.commit(batch);

            final List<Long> visited = new ArrayList<>();
            try (ReadTransaction txn = storage.beginRead())
            {
                txn.forEachMetadata("ks", (key, stamp, nodeId, tombstone) -> visited.add(key));
            }
            assertThat(visited).containsExactly(0L, 3L, 5L, Long.MAX_VALUE, Long.MIN_VALUE, -1L);
        }
    }

    @Test
    void theMapIsAdvisedAsRandomAccessUnlessReadAheadIsSetAndStaysSoWhenItGrows() throws IOException
    {
        final Path smaps = Path.of("/proc/self/smaps");
        assumeTrue(Files.isReadable(smaps), "needs Linux's /proc/self/smaps");
        final Path random = directory.resolve("random");
        final Path readAhead = directory.resolve("read-ahead");
        try (LmdbStorage byDefault = LmdbStorage.open(new LmdbStorageConfig(random).initialMapSizeBytes(64 * 1024));
            LmdbStorage withReadAhead = LmdbStorage.open(new LmdbStorageConfig(readAhead).readAhead(true)))
        {
            assertThat(new LmdbStorageConfig(random).readAhead()).isFalse();
            assertThat(mapFlags(smaps, random)).as("MADV_RANDOM shows as rr").contains("rr");
            assertThat(mapFlags(smaps, readAhead)).isNotEmpty().doesNotContain("rr");

            final byte[] value = new byte[4096];
            final WriteBatch batch = byDefault.newWriteBatch();
            for (int i = 0; i < 512; i++)
            {
                batch.put("grow", i, nextStamp(), 1, new UnsafeBuffer(value), 0, value.length);
            }
            byDefault.commit(batch);
            assertThat(byDefault.mapSizeBytes()).isGreaterThan(64 * 1024);
            assertThat(mapFlags(smaps, random)).as("the grown map is advised again").contains("rr");
        }
    }

    @Test
    void anOpenWithoutReadAheadReadsTheDataFileUpToItsBound() throws IOException
    {
        try (LmdbStorage storage = LmdbStorage.open(directory))
        {
            final WriteBatch batch = storage.newWriteBatch();
            for (int i = 0; i < 256; i++)
            {
                batch.put("warm", i, nextStamp(), 1, new UnsafeBuffer(new byte[1024]), 0, 1024);
            }
            storage.commit(batch);
        }
        final long fileBytes = Files.size(directory.resolve("data.mdb"));
        assertThat(fileBytes).isGreaterThan(256 * 1024);
        try (LmdbStorage whole = LmdbStorage.open(directory))
        {
            assertThat(whole.warmedUpBytes()).isEqualTo(fileBytes);
            assertThat(whole.get("warm", 255).value()).hasSize(1024);
        }
        try (LmdbStorage bounded = LmdbStorage.open(new LmdbStorageConfig(directory).warmUpMaxBytes(4096)))
        {
            assertThat(bounded.warmedUpBytes()).isEqualTo(4096);
        }
        try (LmdbStorage off = LmdbStorage.open(new LmdbStorageConfig(directory).warmUpMaxBytes(0));
            LmdbStorage readAhead = LmdbStorage.open(new LmdbStorageConfig(directory.resolve("ra")).readAhead(true)))
        {
            assertThat(off.warmedUpBytes()).isZero();
            assertThat(readAhead.warmedUpBytes()).as("read-ahead on: the first scan reads ahead itself").isZero();
        }
        assertThatThrownBy(() -> LmdbStorage.open(new LmdbStorageConfig(directory).warmUpMaxBytes(-1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("warmUpMaxBytes");
    }

    /**
     * The VmFlags of this process's mappings of {@code directory}'s data file.
     */
    private static List<String> mapFlags(final Path smaps, final Path directory) throws IOException
    {
        final String dataFile = directory.toRealPath().resolve("data.mdb").toString();
        final List<String> flags = new ArrayList<>();
        boolean inMapping = false;
        for (final String line : Files.readAllLines(smaps))
        {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*"))
            {
                inMapping = line.endsWith(" " + dataFile);
            }
            else if (inMapping && line.startsWith("VmFlags:"))
            {
                flags.addAll(List.of(line.substring("VmFlags:".length()).trim().split(" +")));
            }
        }
        return flags;
    }

    @Test
    void mapGrowsWhenFullInsteadOfFailing()
    {
        final long initial = 64 * 1024;
        try (LmdbStorage storage = LmdbStorage.open(
            new LmdbStorageConfig(directory).initialMapSizeBytes(initial).durability(LmdbDurability.NO_SYNC)))
        {
            assertThat(storage.mapSizeBytes()).isEqualTo(initial);
            final byte[] value = new byte[4096];
            new SplittableRandom(7).nextBytes(value);
            final WriteBatch batch = storage.newWriteBatch();
            final UnsafeBuffer buffer = new UnsafeBuffer(value);
            for (int round = 0; round < 8; round++)
            {
                for (int i = 0; i < 64; i++)
                {
                    batch.put("grow", round * 64L + i, nextStamp(), 1, buffer, 0, value.length);
                }
                storage.commit(batch);
            }
            assertThat(storage.mapSizeBytes()).isGreaterThan(2L * 1024 * 1024);
            assertThat(storage.metadata("grow")).hasSize(8 * 64);
            assertThat(storage.get("grow", 511).value()).isEqualTo(value);
        }

        try (LmdbStorage reopened = LmdbStorage.open(new LmdbStorageConfig(directory).initialMapSizeBytes(initial)))
        {
            assertThat(reopened.mapSizeBytes()).as("an environment keeps its grown size").isGreaterThan(initial);
            assertThat(reopened.metadata("grow")).hasSize(8 * 64);
        }
    }

    @Test
    void mapFullAtItsBoundFailsTheWholeBatch()
    {
        final long max = 256 * 1024;
        try (LmdbStorage storage = LmdbStorage.open(new LmdbStorageConfig(directory)
            .initialMapSizeBytes(128 * 1024).maxMapSizeBytes(max).durability(LmdbDurability.NO_SYNC)))
        {
            storage.put("ks", 1, nextStamp(), 1, "survivor".getBytes());
            final UnsafeBuffer value = new UnsafeBuffer(new byte[8192]);
            final WriteBatch batch = storage.newWriteBatch();
            for (int i = 0; i < 64; i++)
            {
                batch.put("ks", 100 + i, nextStamp(), 1, value, 0, value.capacity());
            }

            assertThatThrownBy(() -> storage.commit(batch))
                .isInstanceOfSatisfying(BulkMutationException.class, ex ->
                    assertThat(ex.appliedCount()).isZero())
                .hasMessageContaining("maxMapSizeBytes");
            assertThat(batch.size()).as("a failed batch is left for the caller").isEqualTo(64);
            assertThat(storage.mapSizeBytes()).isEqualTo(max);
            assertThat(storage.metadata("ks")).hasSize(1);
            assertThat(storage.get("ks", 1).value()).isEqualTo("survivor".getBytes());
        }
    }

    @Test
    void readersKeepReadingWhileTheMapGrows() throws InterruptedException
    {
        try (LmdbStorage storage = LmdbStorage.open(new LmdbStorageConfig(directory)
            .initialMapSizeBytes(64 * 1024).durability(LmdbDurability.NO_SYNC)))
        {
            final byte[] first = "first".getBytes();
            storage.put("ks", 0, nextStamp(), 1, first);
            final AtomicBoolean done = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final long[] reads = new long[1];
            final Thread reader = new Thread(() ->
            {
                final DocumentView view = new DocumentView();
                try
                {
                    while (!done.get())
                    {
                        try (ReadTransaction txn = storage.beginRead())
                        {
                            if (!txn.get("ks", 0, view) || !"first".equals(new String(view.valueBytes())))
                            {
                                throw new AssertionError("document 0 changed or vanished");
                            }
                        }
                        reads[0]++;
                    }
                }
                catch (final Throwable t)
                {
                    failure.set(t);
                }
            });
            reader.start();

            final UnsafeBuffer value = new UnsafeBuffer(new byte[2048]);
            final WriteBatch batch = storage.newWriteBatch();
            for (int round = 0; round < 32; round++)
            {
                for (int i = 0; i < 32; i++)
                {
                    batch.put("ks", 1 + round * 32L + i, nextStamp(), 1, value, 0, value.capacity());
                }
                storage.commit(batch);
            }
            done.set(true);
            reader.join(60_000);
            assertThat(failure.get()).isNull();
            assertThat(reads[0]).isPositive();
            assertThat(storage.mapSizeBytes()).isGreaterThan(64 * 1024);
        }
    }

    @Test
    void aFileThatIsNotLmdbFailsToOpenAndIsLeftUnchanged() throws IOException
    {
        final byte[] garbage = new byte[16 * 1024];
        new SplittableRandom(3).nextBytes(garbage);
        final Path file = directory.resolve("data.mdb");
        Files.write(file, garbage);

        assertThatThrownBy(() -> LmdbStorage.open(directory))
            .isInstanceOf(StorageCorruptedException.class)
            .hasMessageContaining(directory.toString())
            .hasMessageContaining("not an LMDB file");
        assertThat(Files.readAllBytes(file)).isEqualTo(garbage);
    }

    @Test
    void anLmdbEnvironmentOfAnotherProgramFailsToOpen()
    {
        try (Env<DirectBuffer> env = Env.create(DirectBufferProxy.PROXY_DB).setMaxDbs(2).open(directory.toFile()))
        {
            env.openDbi("someone-elses-table", DbiFlags.MDB_CREATE);
        }

        assertThatThrownBy(() -> LmdbStorage.open(directory))
            .isInstanceOf(StorageCorruptedException.class)
            .hasMessageContaining("not written by datacake")
            .hasMessageContaining("someone-elses-table");
    }

    @Test
    void aNewerFormatVersionFailsToOpen()
    {
        LmdbStorage.open(directory).close();
        try (Env<DirectBuffer> env = Env.create(DirectBufferProxy.PROXY_DB).setMaxDbs(8).open(directory.toFile()))
        {
            final var info = env.openDbi(LmdbLayout.INFO_DB);
            try (Txn<DirectBuffer> txn = env.txnWrite())
            {
                final UnsafeBuffer key = direct("format".getBytes());
                final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(8));
                value.putInt(0, LmdbLayout.MAGIC, ByteOrder.BIG_ENDIAN);
                value.putInt(4, LmdbLayout.FORMAT_VERSION + 1, ByteOrder.BIG_ENDIAN);
                info.put(txn, key, value);
                txn.commit();
            }
        }

        assertThatThrownBy(() -> LmdbStorage.open(directory))
            .isInstanceOf(StorageCorruptedException.class)
            .hasMessageContaining("format version " + (LmdbLayout.FORMAT_VERSION + 1));
    }

    @Test
    void everyDurabilityModeKeepsCommittedWritesAcrossReopen()
    {
        for (final LmdbDurability durability : LmdbDurability.values())
        {
            final Path dir = directory.resolve(durability.name());
            final long stamp = nextStamp();
            try (LmdbStorage storage = LmdbStorage.open(new LmdbStorageConfig(dir).durability(durability)))
            {
                storage.put("ks", 1, stamp, 2, durability.name().getBytes());
            }
            try (LmdbStorage storage = LmdbStorage.open(new LmdbStorageConfig(dir).durability(durability)))
            {
                assertThat(storage.get("ks", 1).value()).isEqualTo(durability.name().getBytes());
                assertThat(storage.get("ks", 1).stamp()).isEqualTo(stamp);
            }
        }
    }

    @Test
    void closingWithAnOpenReaderFailsClearly()
    {
        final LmdbStorage storage = LmdbStorage.open(new LmdbStorageConfig(directory).resizeWaitTimeoutMs(10));
        final ReadTransaction txn = storage.beginRead();
        assertThatThrownBy(storage::close).isInstanceOf(StorageException.class).hasMessageContaining("still open");
        txn.close();
    }

    @Test
    void nestedReadScopesOnOneThreadAreIndependent()
    {
        try (LmdbStorage storage = LmdbStorage.open(directory))
        {
            storage.put("ks", 1, nextStamp(), 1, "one".getBytes());
            final DocumentView outer = new DocumentView();
            final DocumentView inner = new DocumentView();
            try (ReadTransaction a = storage.beginRead())
            {
                try (ReadTransaction b = storage.beginRead())
                {
                    assertThat(b).isNotSameAs(a);
                    assertThat(b.get("ks", 1, inner)).isTrue();
                }
                assertThat(a.get("ks", 1, outer)).isTrue();
                assertThat(outer.valueBytes()).isEqualTo("one".getBytes());
            }
            try (ReadTransaction again = storage.beginRead())
            {
                assertThat(again.get("ks", 1, outer)).isTrue();
            }
        }
    }

    @Test
    void runningOutOfReaderSlotsFailsClearly() throws InterruptedException
    {
        try (LmdbStorage storage = LmdbStorage.open(new LmdbStorageConfig(directory).maxReaders(1)))
        {
            storage.put("ks", 1, nextStamp(), 1, "x".getBytes());
            storage.beginRead().close(); // this thread's pooled reader now holds the only slot

            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread other = new Thread(() ->
            {
                try
                {
                    storage.beginRead().close();
                }
                catch (final Throwable t)
                {
                    failure.set(t);
                }
            });
            other.start();
            other.join(60_000);
            assertThat(failure.get()).isInstanceOf(StorageException.class).hasMessageContaining("maxReaders");

            // the failed attempt released the reader gate: this thread still reads, and close does not wait
            assertThat(storage.get("ks", 1).value()).isEqualTo("x".getBytes());
        }
    }

    @Test
    void invalidOptionsAreRejected()
    {
        assertThatThrownBy(() -> LmdbStorage.open(new LmdbStorageConfig(directory).initialMapSizeBytes(1024)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initialMapSizeBytes");
        assertThatThrownBy(() -> LmdbStorage.open(new LmdbStorageConfig(directory).maxMapSizeBytes(1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxMapSizeBytes");
        assertThatThrownBy(() -> LmdbStorage.open(new LmdbStorageConfig(directory).maxReaders(0)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxReaders");
        assertThatThrownBy(() -> LmdbStorage.open(new LmdbStorageConfig(directory).maxValueLength(-1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxValueLength");
    }

    private static UnsafeBuffer direct(final byte[] bytes)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes.length));
        buffer.putBytes(0, bytes);
        return buffer;
    }

    static long[] dataFileMapping(final Path file) throws IOException
    {
        final String path = file.toRealPath().toString();
        for (final String line : Files.readAllLines(Path.of("/proc/self/maps")))
        {
            if (line.endsWith(path))
            {
                final String[] range = line.substring(0, line.indexOf(' ')).split("-");
                return new long[]{ Long.parseUnsignedLong(range[0], 16), Long.parseUnsignedLong(range[1], 16) };
            }
        }
        throw new AssertionError("no mapping of " + path + " in /proc/self/maps");
    }
}
