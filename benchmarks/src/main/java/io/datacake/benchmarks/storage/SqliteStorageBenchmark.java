package io.datacake.benchmarks.storage;

import io.datacake.clock.HlcTimestamp;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.WriteBatch;
import io.datacake.storage.sqlite.SqliteDurability;
import io.datacake.storage.sqlite.SqliteStorage;
import io.datacake.storage.sqlite.SqliteStorageConfig;
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

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.datacake.benchmarks.storage.LmdbStorageBenchmark.BATCH;
import static io.datacake.benchmarks.storage.LmdbStorageBenchmark.KEYSPACE;
import static io.datacake.benchmarks.storage.LmdbStorageBenchmark.KEY_MASK;
import static io.datacake.benchmarks.storage.LmdbStorageBenchmark.MULTI_GET;
import static io.datacake.benchmarks.storage.LmdbStorageBenchmark.T0;
import static io.datacake.benchmarks.storage.LmdbStorageBenchmark.VALUE_LENGTH;

/**
 * {@link SqliteStorage} against raw JDBC on sqlite-jdbc doing the same work in the same run. Both use WAL with
 * {@code synchronous=NORMAL}, prepared statements created once, one transaction per batch of {@value
 * LmdbStorageBenchmark#BATCH} upserts, and a table keyed by the document id; raw JDBC's table has no keyspace
 * column and its upsert no last-write-wins condition.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class SqliteStorageBenchmark
{
    static final int KEYS = 20_000;

    private Path directory;
    private SqliteStorage storage;
    private WriteBatch batch;
    private Connection raw;
    private PreparedStatement rawGet;
    private PreparedStatement rawUpsert;
    private PreparedStatement rawScan;

    private final long[] randomKeys = new long[KEY_MASK + 1];
    private final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_LENGTH]);
    private final LmdbStorageBenchmark.Sink sink = new LmdbStorageBenchmark.Sink();
    private final UnsafeBuffer rawView = new UnsafeBuffer(new byte[0]);
    private int cursor;
    private long stamp = HlcTimestamp.pack(T0, 0);

    /**
     * Create the storages and load the same documents into each.
     *
     * @throws SQLException if JDBC fails.
     */
    @Setup(Level.Trial)
    public void setUp() throws SQLException
    {
        final SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < randomKeys.length; i++)
        {
            randomKeys[i] = random.nextInt(KEYS);
        }
        directory = BenchmarkFiles.newDirectory("bench-sqlite");
        storage = SqliteStorage.open(
            new SqliteStorageConfig(directory.resolve("storage.db")).durability(SqliteDurability.NORMAL));
        batch = storage.newWriteBatch();

        raw = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("raw.db"));
        try (Statement statement = raw.createStatement())
        {
            statement.execute("PRAGMA journal_mode = WAL");
            statement.execute("PRAGMA synchronous = NORMAL");
            statement.execute("CREATE TABLE docs(id INTEGER PRIMARY KEY, stamp INTEGER NOT NULL, " +
                "node_id INTEGER NOT NULL, tombstone INTEGER NOT NULL, data BLOB)");
        }
        raw.setAutoCommit(false);
        rawGet = raw.prepareStatement("SELECT stamp, node_id, data FROM docs WHERE id = ? AND tombstone = 0");
        rawUpsert = raw.prepareStatement("INSERT INTO docs(id, stamp, node_id, tombstone, data) VALUES(?, ?, ?, 0, ?) " +
            "ON CONFLICT(id) DO UPDATE SET stamp = excluded.stamp, node_id = excluded.node_id, tombstone = 0, " +
            "data = excluded.data");
        rawScan = raw.prepareStatement("SELECT id, stamp, node_id, tombstone FROM docs ORDER BY id");

        for (int from = 0; from < KEYS; from += BATCH)
        {
            for (int key = from; key < from + BATCH; key++)
            {
                batch.put(KEYSPACE, key, nextStamp(), 1, value, 0, VALUE_LENGTH);
                bindRawPut(key, nextStamp());
            }
            storage.commit(batch);
            rawUpsert.executeBatch();
            raw.commit();
        }
    }

    /**
     * Close everything and delete the files.
     *
     * @throws SQLException if JDBC fails.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws SQLException
    {
        rawGet.close();
        rawUpsert.close();
        rawScan.close();
        raw.close();
        storage.close();
        BenchmarkFiles.delete(directory);
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
     * @throws SQLException if JDBC fails.
     */
    @Benchmark
    public long getRaw() throws SQLException
    {
        readRaw(nextKey());
        raw.commit();
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
     * The same gets in one read transaction, raw.
     *
     * @return a checksum of what was read.
     * @throws SQLException if JDBC fails.
     */
    @Benchmark
    @OperationsPerInvocation(MULTI_GET)
    public long multiGetRaw() throws SQLException
    {
        final int from = Math.min(cursor, KEY_MASK + 1 - MULTI_GET);
        cursor = (cursor + MULTI_GET) & KEY_MASK;
        for (int i = from; i < from + MULTI_GET; i++)
        {
            readRaw(randomKeys[i]);
        }
        raw.commit();
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
     * @throws SQLException if JDBC fails.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void batchedPutRaw() throws SQLException
    {
        for (int i = 0; i < BATCH; i++)
        {
            bindRawPut(nextKey(), nextStamp());
        }
        rawUpsert.executeBatch();
        raw.commit();
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
     * @throws SQLException if JDBC fails.
     */
    @Benchmark
    @OperationsPerInvocation(KEYS)
    public long metadataScanRaw() throws SQLException
    {
        try (ResultSet rows = rawScan.executeQuery())
        {
            while (rows.next())
            {
                sink.onMetadata(rows.getLong(1), rows.getLong(2), rows.getInt(3), rows.getInt(4) != 0);
            }
        }
        raw.commit();
        return sink.sum;
    }

    private void readRaw(final long key) throws SQLException
    {
        rawGet.setLong(1, key);
        try (ResultSet row = rawGet.executeQuery())
        {
            if (row.next())
            {
                final long rowStamp = row.getLong(1);
                final int nodeId = row.getInt(2);
                rawView.wrap(row.getBytes(3));
                sink.onDocument(key, rowStamp, nodeId, rawView, 0, rawView.capacity());
            }
        }
    }

    private void bindRawPut(final long key, final long rowStamp) throws SQLException
    {
        rawUpsert.setLong(1, key);
        rawUpsert.setLong(2, rowStamp);
        rawUpsert.setInt(3, 1);
        final byte[] bytes = new byte[VALUE_LENGTH];
        value.getBytes(0, bytes);
        rawUpsert.setBytes(4, bytes);
        rawUpsert.addBatch();
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
}
