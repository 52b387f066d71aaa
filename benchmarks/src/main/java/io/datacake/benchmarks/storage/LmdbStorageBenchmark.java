package io.datacake.benchmarks.storage;

import io.datacake.clock.HlcTimestamp;
import io.datacake.storage.DocumentHandler;
import io.datacake.storage.MetadataHandler;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.WriteBatch;
import io.datacake.storage.lmdb.LmdbDurability;
import io.datacake.storage.lmdb.LmdbStorage;
import io.datacake.storage.lmdb.LmdbStorageConfig;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.DirectBufferProxy;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;
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
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@link LmdbStorage} against raw lmdbjava doing the same work in the same run: point get, multi-get of
 * {@value #MULTI_GET} keys in one read transaction, batched puts of {@value #BATCH} documents per write
 * transaction, and a metadata scan of {@value #KEYS} entries. Both sides use {@code MDB_NOSYNC}, direct
 * buffers and the Agrona proxy; values are {@value #VALUE_LENGTH} bytes.
 * <p>
 * Raw lmdbjava stores one record per document (8-byte key, stamp + node id + value) in one database, and keeps
 * the metadata it scans in a second one. {@code batchedPutRawWithMeta} also maintains that second database per
 * put and checks the old stamp first, which is the work the storage does to keep metadata scans off value
 * pages and to enforce last-write-wins.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class LmdbStorageBenchmark
{
    static final int KEYS = 100_000;
    static final int VALUE_LENGTH = 100;
    static final int MULTI_GET = 16;
    static final int BATCH = 100;
    static final int KEY_MASK = 64 * 1024 - 1;
    static final String KEYSPACE = "bench";
    static final long T0 = 1_764_000_000_000L;
    private static final PutFlags[] NO_FLAGS = new PutFlags[0];

    private Path storageDir;
    private Path rawDir;
    private LmdbStorage storage;
    private WriteBatch batch;
    private Env<DirectBuffer> rawEnv;
    private Dbi<DirectBuffer> rawData;
    private Dbi<DirectBuffer> rawMeta;
    private Txn<DirectBuffer> rawReader;

    private final long[] randomKeys = new long[KEY_MASK + 1];
    private final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(VALUE_LENGTH));
    private final UnsafeBuffer rawKey = new UnsafeBuffer(ByteBuffer.allocateDirect(8));
    private final UnsafeBuffer rawRecord = new UnsafeBuffer(ByteBuffer.allocateDirect(12 + VALUE_LENGTH));
    private final UnsafeBuffer rawMetaRecord = new UnsafeBuffer(ByteBuffer.allocateDirect(16));
    private final Sink sink = new Sink();
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

        storageDir = BenchmarkFiles.newDirectory("bench-lmdb-storage");
        storage = LmdbStorage.open(new LmdbStorageConfig(storageDir)
            .initialMapSizeBytes(1L << 30).durability(LmdbDurability.NO_SYNC));
        batch = storage.newWriteBatch();

        rawDir = BenchmarkFiles.newDirectory("bench-lmdb-raw");
        rawEnv = Env.create(DirectBufferProxy.PROXY_DB).setMapSize(1L << 30).setMaxDbs(2)
            .open(rawDir.toFile(), EnvFlags.MDB_NOSYNC, EnvFlags.MDB_NOTLS);
        rawData = rawEnv.openDbi("data", DbiFlags.MDB_CREATE);
        rawMeta = rawEnv.openDbi("meta", DbiFlags.MDB_CREATE);

        for (int from = 0; from < KEYS; from += BATCH)
        {
            for (int key = from; key < from + BATCH; key++)
            {
                value.putLong(0, key);
                batch.put(KEYSPACE, key, nextStamp(), 1, value, 0, VALUE_LENGTH);
            }
            storage.commit(batch);
            try (Txn<DirectBuffer> txn = rawEnv.txnWrite())
            {
                for (int key = from; key < from + BATCH; key++)
                {
                    rawPut(txn, key, nextStamp(), true, false);
                }
                txn.commit();
            }
        }
        rawReader = rawEnv.txnRead();
        rawReader.reset();
    }

    /**
     * Close everything and delete the files.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        rawReader.close();
        rawEnv.close();
        storage.close();
        BenchmarkFiles.delete(storageDir);
        BenchmarkFiles.delete(rawDir);
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
     * One point get in a renewed read transaction, raw lmdbjava / JDBC.
     *
     * @return a checksum of what was read.
     */
    @Benchmark
    public long getRaw()
    {
        rawReader.renew();
        rawKey.putLong(0, nextKey(), ByteOrder.BIG_ENDIAN);
        final DirectBuffer record = rawData.get(rawReader, rawKey);
        sink.onDocument(0, record.getLong(0), record.getInt(8), record, 12, record.capacity() - 12);
        rawReader.reset();
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
        final int from = cursor;
        cursor = (cursor + MULTI_GET) & KEY_MASK;
        try (ReadTransaction txn = storage.beginRead())
        {
            txn.getMany(KEYSPACE, randomKeys, Math.min(from, KEY_MASK + 1 - MULTI_GET), MULTI_GET, sink);
        }
        return sink.sum;
    }

    /**
     * The same gets in one read transaction, raw.
     *
     * @return a checksum of what was read.
     */
    @Benchmark
    @OperationsPerInvocation(MULTI_GET)
    public long multiGetRaw()
    {
        final int from = Math.min(cursor, KEY_MASK + 1 - MULTI_GET);
        cursor = (cursor + MULTI_GET) & KEY_MASK;
        rawReader.renew();
        for (int i = from; i < from + MULTI_GET; i++)
        {
            rawKey.putLong(0, randomKeys[i], ByteOrder.BIG_ENDIAN);
            final DirectBuffer record = rawData.get(rawReader, rawKey);
            sink.onDocument(randomKeys[i], record.getLong(0), record.getInt(8), record, 12, record.capacity() - 12);
        }
        rawReader.reset();
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
            batch.put(KEYSPACE, nextKey(), nextStamp(), 1, value, 0, VALUE_LENGTH);
        }
        storage.commit(batch);
    }

    /**
     * The same puts in one write transaction, raw: one record per document.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void batchedPutRaw()
    {
        try (Txn<DirectBuffer> txn = rawEnv.txnWrite())
        {
            for (int i = 0; i < BATCH; i++)
            {
                rawPut(txn, nextKey(), nextStamp(), false, false);
            }
            txn.commit();
        }
    }

    /**
     * The same puts, raw, also checking the old stamp and maintaining a metadata record.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void batchedPutRawWithMeta()
    {
        try (Txn<DirectBuffer> txn = rawEnv.txnWrite())
        {
            for (int i = 0; i < BATCH; i++)
            {
                rawPut(txn, nextKey(), nextStamp(), true, true);
            }
            txn.commit();
        }
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

    /**
     * The same scan, raw.
     *
     * @return a checksum of what was read.
     */
    @Benchmark
    @OperationsPerInvocation(KEYS)
    public long metadataScanRaw()
    {
        rawReader.renew();
        try (Cursor<DirectBuffer> scan = rawMeta.openCursor(rawReader))
        {
            boolean found = scan.first();
            while (found)
            {
                final DirectBuffer meta = scan.val();
                sink.onMetadata(scan.key().getLong(0, ByteOrder.BIG_ENDIAN), meta.getLong(0), meta.getInt(8),
                    (meta.getInt(12) & 1) != 0);
                found = scan.next();
            }
        }
        rawReader.reset();
        return sink.sum;
    }

    private void rawPut(
        final Txn<DirectBuffer> txn, final long key, final long stamp, final boolean withMeta, final boolean checkOld)
    {
        rawKey.putLong(0, key, ByteOrder.BIG_ENDIAN);
        if (checkOld)
        {
            final DirectBuffer old = rawMeta.get(txn, rawKey);
            if (null != old && old.getLong(0) >= stamp)
            {
                return;
            }
        }
        rawRecord.putLong(0, stamp);
        rawRecord.putInt(8, 1);
        rawRecord.putBytes(12, value, 0, VALUE_LENGTH);
        rawData.put(txn, rawKey, rawRecord, NO_FLAGS);
        if (withMeta)
        {
            rawMetaRecord.putLong(0, stamp);
            rawMetaRecord.putInt(8, 1);
            rawMetaRecord.putInt(12, 0);
            rawMeta.put(txn, rawKey, rawMetaRecord, NO_FLAGS);
        }
    }

    private long nextKey()
    {
        cursor = (cursor + 1) & KEY_MASK;
        return randomKeys[cursor];
    }

    private long nextStamp()
    {
        return ++stamp;
    }

    /** Consumes what a read hands out so the JIT cannot drop it. */
    static final class Sink implements DocumentHandler, MetadataHandler
    {
        long sum;

        public void onDocument(
            final long key, final long stamp, final int nodeId, final DirectBuffer buffer, final int offset,
            final int length)
        {
            sum += stamp + buffer.getByte(offset) + length;
        }

        public void onMetadata(final long key, final long stamp, final int nodeId, final boolean tombstone)
        {
            sum += key + stamp;
        }
    }
}
