package io.datacake.benchmarks.crdt;

import io.datacake.benchmarks.ProcessStats;
import io.datacake.crdt.Orswot;
import org.HdrHistogram.Histogram;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The node thread's longest stall from set growth: inserts {@code keyCount} new keys (100M by default) into one set
 * and does nothing else, timing every insert with {@link System#nanoTime()}. Inserts from {@code fromKeys} on (50M by
 * default) go into an HdrHistogram whose distribution is printed at the end, with the longest insert, the key count
 * it happened at, how many inserts took over 1 ms, and the load average before and after (on a shared machine a
 * descheduled thread looks like a stall; compare with the load). A second histogram holds each recorded insert's
 * thread CPU time: the work the insert did, without the time the thread waited for a core.
 * <p>
 * Keys are {@link OrswotScaleProbe#key(long)}, so the growth sequence is the same as the scale probe's. Usage:
 * {@code java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -Xmx1g -XX:MaxDirectMemorySize=4g
 * -cp benchmarks/target/benchmarks.jar io.datacake.benchmarks.crdt.OrswotGrowthStallProbe [keyCount] [fromKeys]}.
 */
public final class OrswotGrowthStallProbe
{
    private static final long HIGHEST_TRACKABLE_NS = 60_000_000_000L;
    private static final long SLOW_NS = 1_000_000L;
    private static final int NODE_ID = 1;

    private OrswotGrowthStallProbe()
    {
    }

    /**
     * @param args optional key count and the key count from which inserts are recorded.
     */
    public static void main(final String[] args)
    {
        final int keyCount = args.length > 0 ? Integer.parseInt(args[0]) : 100_000_000;
        final int fromKeys = args.length > 1 ? Integer.parseInt(args[1]) : 50_000_000;
        final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        final Histogram cpuHistogram = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long stamp = OrswotFixture.BASE_STAMP;
        long longestNs = 0;
        int longestAt = -1;
        long slowCount = 0;
        final String loadBefore = ProcessStats.loadAverage();
        final long start = System.nanoTime();
        try (Orswot set = new Orswot())
        {
            for (int count = 0; count < keyCount; count++)
            {
                final long key = OrswotScaleProbe.key(count);
                final boolean recorded = count >= fromKeys;
                final long cpuBefore = recorded ? threads.getCurrentThreadCpuTime() : 0;
                final long before = System.nanoTime();
                set.insert(Orswot.CONSISTENCY_SOURCE, key, ++stamp, NODE_ID);
                final long tookNs = System.nanoTime() - before;
                if (recorded)
                {
                    cpuHistogram.recordValue(Math.min(threads.getCurrentThreadCpuTime() - cpuBefore,
                        HIGHEST_TRACKABLE_NS));
                    histogram.recordValue(Math.min(tookNs, HIGHEST_TRACKABLE_NS));
                    if (tookNs > longestNs)
                    {
                        longestNs = tookNs;
                        longestAt = count;
                    }
                    if (tookNs > SLOW_NS)
                    {
                        slowCount++;
                    }
                }
            }
            System.out.printf("%,d new-key inserts into one set in %.1f s; recorded from %,d keys on; JDK %s%n",
                keyCount, (System.nanoTime() - start) / 1e9, fromKeys, Runtime.version());
            System.out.printf("load before %s, after %s; tables %,d MiB, %s%n", loadBefore, ProcessStats.loadAverage(),
                set.offHeapBytes() >> 20, ProcessStats.summary());
        }
        System.out.println("| time | inserts | p50 µs | p99 µs | p99.9 µs | p99.99 µs | p99.999 µs | max µs |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        print("wall", histogram);
        print("thread CPU", cpuHistogram);
        System.out.printf("wall: %,d inserts over 1 ms%n", slowCount);
        System.out.printf("longest insert at key count %,d%n", longestAt);
    }

    private static void print(final String name, final Histogram histogram)
    {
        System.out.printf("| %s | %,d | %.2f | %.2f | %.1f | %.1f | %.1f | %.1f |%n", name, histogram.getTotalCount(),
            histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
            histogram.getValueAtPercentile(99.9) / 1e3, histogram.getValueAtPercentile(99.99) / 1e3,
            histogram.getValueAtPercentile(99.999) / 1e3, histogram.getMaxValue() / 1e3);
    }
}
