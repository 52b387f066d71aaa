package io.datacake.benchmarks.storage;

import io.datacake.benchmarks.ProcessStats;
import io.datacake.clock.HlcTimestamp;
import io.datacake.crdt.Orswot;
import io.datacake.storage.KeyspaceStateLoader;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.WriteBatch;
import io.datacake.storage.lmdb.LmdbDurability;
import io.datacake.storage.lmdb.LmdbStorage;
import io.datacake.storage.lmdb.LmdbStorageConfig;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * A node's restart at scale on LMDB: {@code fill} writes one keyspace of {@code count} documents with
 * {@value #VALUE_LENGTH}-byte values, {@code load} (run in a fresh JVM, as a restarted node would) opens the storage
 * and rebuilds the keyspace's set with {@link KeyspaceStateLoader}, then prints the time of each step and the peak
 * memory: RSS, heap and direct (the set's tables). Before the rebuild it times one bare metadata scan of the keyspace
 * (what the loader's read costs on its own; it also warms the page cache for the rebuild, so both figures are for
 * a warm cache).
 * <p>
 * Documents have ids 0..count-1, written in id order (LMDB appends, so filling is quick), and stamps that are a
 * permutation of the ids, as if written over time in random order: the loader must sort them back into time order,
 * and the rebuilt set's inserts land on random slots, as they would for real data.
 * <p>
 * Usage ({@code fill} and {@code load} in separate JVMs; LMDB's map grows by doubling up to 1 TiB of address space, the
 * file only as large as the data):
 * <pre>
 * java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -Xmx1g \
 *   -cp benchmarks/target/benchmarks.jar io.datacake.benchmarks.storage.StoreRestartProbe fill DIR COUNT
 * java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -Xmx8g \
 *   -XX:MaxDirectMemorySize=4g \
 *   -cp benchmarks/target/benchmarks.jar io.datacake.benchmarks.storage.StoreRestartProbe load DIR
 * </pre>
 */
public final class StoreRestartProbe
{
    static final String KEYSPACE = "scale";
    static final int VALUE_LENGTH = 16;
    static final int NODE_ID = 1;
    static final long BASE_STAMP = HlcTimestamp.pack(1_764_061_731_000L, 0);
    private static final long STAMP_STRIDE = 1_000_003L;
    private static final int REPORT_EVERY = 10_000_000;
    /**
     * System property setting {@link LmdbStorageConfig#readAhead(boolean)} for {@code load}; default the storage's
     * default. Compare the two on a cold page cache ({@code echo 1 > /proc/sys/vm/drop_caches} before each load).
     */
    public static final String READ_AHEAD_PROPERTY = "restart.readAhead";

    private StoreRestartProbe()
    {
    }

    /**
     * @param args {@code fill DIR COUNT} or {@code load DIR}.
     */
    public static void main(final String[] args)
    {
        if (args.length == 3 && "fill".equals(args[0]))
        {
            fill(Path.of(args[1]), Integer.parseInt(args[2]));
        }
        else if (args.length == 2 && "load".equals(args[0]))
        {
            load(Path.of(args[1]));
        }
        else
        {
            throw new IllegalArgumentException("usage: fill DIR COUNT | load DIR");
        }
    }

    /**
     * The stamp of document {@code id} out of {@code count}: a permutation of 0..count-1 (the stride is a prime, so
     * coprime with count unless it divides it) over a base.
     */
    static long stampOf(final long id, final long count)
    {
        if (count % STAMP_STRIDE == 0)
        {
            throw new IllegalArgumentException("count must not be a multiple of " + STAMP_STRIDE + ": " + count);
        }
        return BASE_STAMP + (id * STAMP_STRIDE) % count;
    }

    private static void fill(final Path directory, final int count)
    {
        final LmdbStorageConfig config = new LmdbStorageConfig(directory).durability(LmdbDurability.NO_SYNC)
            .initialMapSizeBytes(1L << 30);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_LENGTH]);
        final long start = System.nanoTime();
        try (LmdbStorage storage = LmdbStorage.open(config))
        {
            final WriteBatch batch = new WriteBatch(storage.maxValueLength());
            for (int id = 0; id < count; id++)
            {
                if (batch.remainingOperations() == 0)
                {
                    storage.commit(batch);
                    batch.clear();
                }
                value.putLong(0, id);
                value.putLong(8, ~id);
                batch.put(KEYSPACE, id, stampOf(id, count), NODE_ID, value, 0, VALUE_LENGTH);
                if ((id + 1) % REPORT_EVERY == 0)
                {
                    System.out.printf("filled %,d in %.1f s (%s)%n", id + 1, (System.nanoTime() - start) / 1e9,
                        ProcessStats.loadAverage());
                }
            }
            if (!batch.isEmpty())
            {
                storage.commit(batch);
            }
            System.out.printf("filled %,d documents of %d bytes in %.1f s; map %,d MiB; %s%n", count, VALUE_LENGTH,
                (System.nanoTime() - start) / 1e9, storage.mapSizeBytes() >> 20, ProcessStats.summary());
        }
    }

    private static void load(final Path directory)
    {
        System.out.printf("before open: %s%n", ProcessStats.summary());
        final LmdbStorageConfig config = new LmdbStorageConfig(directory);
        config.readAhead(Boolean.parseBoolean(
            System.getProperty(READ_AHEAD_PROPERTY, String.valueOf(config.readAhead()))));
        System.out.printf("read-ahead %s%n", config.readAhead());
        final long openStart = System.nanoTime();
        try (LmdbStorage storage = LmdbStorage.open(config))
        {
            final long scanStart = System.nanoTime();
            final long[] scanned = new long[1];
            try (ReadTransaction txn = storage.beginRead())
            {
                txn.forEachMetadata(KEYSPACE, (key, stamp, nodeId, tombstone) -> scanned[0]++);
            }
            System.out.printf("open %.2f s, bare metadata scan of %,d entries %.1f s%n", (scanStart - openStart) / 1e9,
                scanned[0], (System.nanoTime() - scanStart) / 1e9);

            final long loadStart = System.nanoTime();
            final KeyspaceStateLoader loader = new KeyspaceStateLoader();
            try (Orswot set = loader.load(storage, KEYSPACE))
            {
                final long end = System.nanoTime();
                System.out.printf("rebuild %.1f s: %,d live keys, %,d tombstones, tables %,d MiB " +
                    "(%.1f bytes/key)%n", (end - loadStart) / 1e9, set.liveCount(),
                    set.tombstoneCount(), set.offHeapBytes() >> 20, set.offHeapBytes() / (double)set.liveCount());
                System.out.printf("after rebuild (loader arrays still reachable): %s%n", ProcessStats.summary());
                final long probe = set.liveCount() / 2;
                System.out.printf("check: get(%d) = %d, expected %d%n", probe, set.get(probe),
                    stampOf(probe, set.liveCount()));
            }
        }
    }
}
