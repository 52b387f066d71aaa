package io.datacake.benchmarks.clock;

import io.datacake.clock.HybridLogicalClock;
import org.agrona.concurrent.CachedEpochClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * HLC {@code send()} against an on-heap baseline returning a timestamp object. Physical time is a cached clock that
 * advances one millisecond every 1,024 events in both, so the counter never overflows and no syscall is measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class HlcBenchmark
{
    private final CachedEpochClock time = new CachedEpochClock();
    private HybridLogicalClock clock;
    private HeapHlc baseline;
    private int events;

    /**
     * Build both clocks.
     */
    @Setup
    public void setUp()
    {
        time.update(1_764_061_731_000L);
        clock = new HybridLogicalClock(1, time);
        baseline = new HeapHlc(1, time, HybridLogicalClock.DEFAULT_MAX_DRIFT_MS);
    }

    /**
     * @return a packed stamp.
     */
    @Benchmark
    public long send()
    {
        tick();
        return clock.send();
    }

    /**
     * @return a timestamp object.
     */
    @Benchmark
    public Object sendBaseline()
    {
        tick();
        return baseline.send();
    }

    private void tick()
    {
        if ((++events & 1023) == 0)
        {
            time.advance(1);
        }
    }
}
