package io.datacake.benchmarks.crdt;

import io.datacake.crdt.Orswot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

import static io.datacake.benchmarks.crdt.OrswotFixture.KEY_COUNT;

/**
 * Whole-set ORSWOT operations at 1M keys, off-heap against the on-heap baseline: replica A holds keys [0, 1M) from
 * node 1, replica B holds keys [0.5M, 1.5M) from node 2 with later stamps, and 1% of A's keys deleted by node 2.
 * {@code merge} merges B into a fresh copy of A (the copy is rebuilt outside the measurement); {@code diff} computes
 * what A must fetch and delete to catch up with B.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = { "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx6g" })
public class OrswotBulkBenchmark
{
    private long[] keys;
    private Orswot a;
    private Orswot b;
    private HeapOrswot baselineA;
    private HeapOrswot baselineB;

    /**
     * Merge target for the off-heap set: a fresh copy of replica A before each merge, outside the measurement.
     */
    @State(Scope.Thread)
    public static class MergeTarget
    {
        final long[] keys = OrswotFixture.randomKeys(42, KEY_COUNT + KEY_COUNT / 2);
        final Orswot target = new Orswot(1, 0, KEY_COUNT * 2);

        /**
         * Rebuild the target.
         */
        @Setup(Level.Invocation)
        public void reset()
        {
            target.clear();
            OrswotFixture.load(target, keys, 0, KEY_COUNT, 1);
        }

        /**
         * Free the off-heap target.
         */
        @TearDown(Level.Trial)
        public void free()
        {
            target.close();
        }
    }

    /**
     * Merge target for the baseline: a fresh copy of replica A before each merge, outside the measurement.
     */
    @State(Scope.Thread)
    public static class BaselineMergeTarget
    {
        final long[] keys = OrswotFixture.randomKeys(42, KEY_COUNT + KEY_COUNT / 2);
        HeapOrswot target;

        /**
         * Rebuild the target.
         */
        @Setup(Level.Invocation)
        public void reset()
        {
            target = new HeapOrswot(1);
            OrswotFixture.load(target, keys, 0, KEY_COUNT, 1);
        }
    }

    /**
     * Build the two replicas in both representations.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        keys = OrswotFixture.randomKeys(42, KEY_COUNT + KEY_COUNT / 2);
        a = new Orswot(1, 0, KEY_COUNT);
        b = new Orswot(1, 0, KEY_COUNT);
        baselineA = new HeapOrswot(1);
        baselineB = new HeapOrswot(1);
        build(a, b);
        buildBaseline(baselineA, baselineB);
    }

    private void build(final Orswot replicaA, final Orswot replicaB)
    {
        OrswotFixture.load(replicaA, keys, 0, KEY_COUNT, 1);
        final long deleteStamp = OrswotFixture.BASE_STAMP + keys.length + 1;
        for (int i = 0; i < KEY_COUNT / 2; i += 100)
        {
            replicaB.delete(keys[i], deleteStamp + i, 2);
        }
        final long later = deleteStamp + KEY_COUNT;
        for (int i = KEY_COUNT / 2; i < keys.length; i++)
        {
            replicaB.insert(keys[i], later + i, 2);
        }
    }

    private void buildBaseline(final HeapOrswot replicaA, final HeapOrswot replicaB)
    {
        OrswotFixture.load(replicaA, keys, 0, KEY_COUNT, 1);
        final long deleteStamp = OrswotFixture.BASE_STAMP + keys.length + 1;
        for (int i = 0; i < KEY_COUNT / 2; i += 100)
        {
            replicaB.delete(0, keys[i], deleteStamp + i, 2);
        }
        final long later = deleteStamp + KEY_COUNT;
        for (int i = KEY_COUNT / 2; i < keys.length; i++)
        {
            replicaB.insert(0, keys[i], later + i, 2);
        }
    }

    /**
     * Free the off-heap sets.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        a.close();
        b.close();
    }

    /**
     * @param targets fresh copy of replica A.
     * @return live entries after the merge.
     */
    @Benchmark
    public int merge(final MergeTarget targets)
    {
        targets.target.merge(b);
        return targets.target.liveCount();
    }

    /**
     * @param targets fresh copy of replica A.
     * @return live entries after the merge.
     */
    @Benchmark
    public int mergeBaseline(final BaselineMergeTarget targets)
    {
        targets.target.merge(baselineB);
        return targets.target.liveCount();
    }

    /**
     * @param blackhole consumes the differences.
     */
    @Benchmark
    public void diff(final Blackhole blackhole)
    {
        a.diff(b, (key, stamp, node) -> blackhole.consume(key), (key, stamp, node) -> blackhole.consume(stamp));
    }

    /**
     * @param blackhole consumes the differences.
     */
    @Benchmark
    public void diffBaseline(final Blackhole blackhole)
    {
        baselineA.diff(baselineB, (key, ts) -> blackhole.consume(key), (key, ts) -> blackhole.consume(ts));
    }
}
