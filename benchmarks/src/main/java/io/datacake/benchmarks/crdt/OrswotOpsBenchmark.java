package io.datacake.benchmarks.crdt;

import io.datacake.crdt.Orswot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

import static io.datacake.benchmarks.crdt.OrswotFixture.BASE_STAMP;

/**
 * Single-key ORSWOT operations on a set of {@code keyCount} random keys (default 1M = 2^20; a power of two), off-heap
 * against the on-heap baseline. Each
 * operation is steady state: insert overwrites an existing key with a newer stamp; get looks up a random existing
 * key; deleteReinsert deletes a key and inserts it back (two operations, moving the key between the tables).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx4g" })
public class OrswotOpsBenchmark
{
    /** Number of keys in both sets; a power of two. */
    @Param("1048576")
    public int keyCount;

    private int keyMask;
    private long[] keys;
    private long[] lookups;
    private Orswot set;
    private HeapOrswot baseline;
    private long stamp;
    private int cursor;

    /**
     * Load the keys into both sets.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        if (Integer.bitCount(keyCount) != 1)
        {
            throw new IllegalArgumentException("keyCount must be a power of two: " + keyCount);
        }
        keyMask = keyCount - 1;
        keys = OrswotFixture.randomKeys(42, keyCount);
        lookups = OrswotFixture.shuffled(keys, 7);
        set = new Orswot(Orswot.DEFAULT_SOURCE_COUNT, 0, keyCount);
        baseline = new HeapOrswot(Orswot.DEFAULT_SOURCE_COUNT);
        OrswotFixture.load(set, keys, 0, keyCount, 1);
        OrswotFixture.load(baseline, keys, 0, keyCount, 1);
        stamp = BASE_STAMP + keyCount;
    }

    /**
     * Free the off-heap set.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        set.close();
    }

    /**
     * @return whether the entry changed.
     */
    @Benchmark
    public boolean insert()
    {
        return set.insert(lookups[cursor++ & keyMask], ++stamp, 1);
    }

    /**
     * @return whether the entry changed.
     */
    @Benchmark
    public boolean insertBaseline()
    {
        return baseline.insert(0, lookups[cursor++ & keyMask], ++stamp, 1);
    }

    /**
     * @return the stamp found.
     */
    @Benchmark
    public long get()
    {
        return set.get(lookups[cursor++ & keyMask]);
    }

    /**
     * @return the stamp found.
     */
    @Benchmark
    public long getBaseline()
    {
        return baseline.get(lookups[cursor++ & keyMask]);
    }

    /**
     * @return whether the key came back.
     */
    @Benchmark
    public boolean deleteReinsert()
    {
        final long key = lookups[cursor++ & keyMask];
        set.delete(key, ++stamp, 1);
        return set.insert(key, ++stamp, 1);
    }

    /**
     * @return whether the key came back.
     */
    @Benchmark
    public boolean deleteReinsertBaseline()
    {
        final long key = lookups[cursor++ & keyMask];
        baseline.delete(0, key, ++stamp, 1);
        return baseline.insert(0, key, ++stamp, 1);
    }
}
