package io.datacake.benchmarks.storage;

import io.datacake.clock.HlcTimestamp;
import io.datacake.storage.MemoryStorage;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.WriteBatch;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.datacake.benchmarks.storage.LmdbStorageBenchmark.BATCH;
import static io.datacake.benchmarks.storage.LmdbStorageBenchmark.KEYS;
import static io.datacake.benchmarks.storage.LmdbStorageBenchmark.KEYSPACE;
import static io.datacake.benchmarks.storage.LmdbStorageBenchmark.KEY_MASK;
import static io.datacake.benchmarks.storage.LmdbStorageBenchmark.MULTI_GET;
import static io.datacake.benchmarks.storage.LmdbStorageBenchmark.T0;
import static io.datacake.benchmarks.storage.LmdbStorageBenchmark.VALUE_LENGTH;

/**
 * {@link MemoryStorage} doing the LMDB benchmark's work, for reference (same key count, value size and batches).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class MemoryStorageBenchmark
{
    private MemoryStorage storage;
    private WriteBatch batch;
    private final long[] randomKeys = new long[KEY_MASK + 1];
    private final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(VALUE_LENGTH));
    private final LmdbStorageBenchmark.Sink sink = new LmdbStorageBenchmark.Sink();
    private int cursor;
    private long stamp = HlcTimestamp.pack(T0, 0);

    /**
     * Create the storages and load the same documents into each.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < randomKeys.length; i++)
        {
            randomKeys[i] = random.nextInt(KEYS);
        }
        storage = new MemoryStorage();
        batch = storage.newWriteBatch();
        for (int key = 0; key < KEYS; key++)
        {
            batch.put(KEYSPACE, key, ++stamp, 1, value, 0, VALUE_LENGTH);
            if (batch.size() == BATCH)
            {
                storage.commit(batch);
            }
        }
        storage.commit(batch);
    }

    /**
     * Close everything and delete the files.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        storage.close();
    }

    /**
     * One point get in its own read scope, through the storage.
     *
     * @return a checksum of what was read.
     */
    @Benchmark
    public long getStorage()
    {
        try (ReadTransaction txn = storage.beginRead())
        {
            txn.get(KEYSPACE, nextKey(), sink);
        }
        return sink.sum;
    }

    /**
     * A multi-get of consecutive random keys in one read scope, through the storage.
     *
     * @return a checksum of what was read.
     */
    @Benchmark
    @OperationsPerInvocation(MULTI_GET)
    public long multiGetStorage()
    {
        final int from = Math.min(cursor, KEY_MASK + 1 - MULTI_GET);
        cursor = (cursor + MULTI_GET) & KEY_MASK;
        try (ReadTransaction txn = storage.beginRead())
        {
            txn.getMany(KEYSPACE, randomKeys, from, MULTI_GET, sink);
        }
        return sink.sum;
    }

    /**
     * A batch of puts committed in one transaction, through the storage.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void batchedPutStorage()
    {
        for (int i = 0; i < BATCH; i++)
        {
            batch.put(KEYSPACE, nextKey(), ++stamp, 1, value, 0, VALUE_LENGTH);
        }
        storage.commit(batch);
    }

    /**
     * A scan of the whole keyspace's metadata, through the storage.
     *
     * @return a checksum of what was read.
     */
    @Benchmark
    @OperationsPerInvocation(KEYS)
    public long metadataScanStorage()
    {
        try (ReadTransaction txn = storage.beginRead())
        {
            txn.forEachMetadata(KEYSPACE, sink);
        }
        return sink.sum;
    }

    private long nextKey()
    {
        cursor = (cursor + 1) & KEY_MASK;
        return randomKeys[cursor];
    }
}
