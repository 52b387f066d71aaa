package io.datacake.benchmarks.crdt;

import io.datacake.benchmarks.ProcessStats;
import io.datacake.crdt.Orswot;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;

/**
 * Grows one set to a large key count (100M by default) and reports, at 25 points spaced evenly on a log scale from
 * 1M: bytes per live key, the insert rate of the step, the longest single insert of the step (the growth stall), and
 * at 1M, 10M and 100M the rate of get, overwrite and delete + reinsert on random existing keys (best of 3 rounds),
 * per wall-clock µs and per µs of the thread's CPU time (the CPU-time rate is the one to compare on a shared machine,
 * where the thread is descheduled for long stretches). Keys are a bijective mix of 0..n-1, so they are distinct and
 * need no key array.
 * <p>
 * Arguments: {@code offheap|heap [keyCount]}; {@code heap} runs the on-heap baseline ({@code HashMap<Long, Stamp>}),
 * whose bytes are the heap growth after full GCs. With {@code -Ddatacake.scale.bytesAtOpsOnly=true} the bytes are
 * measured only where the operations are timed (each heap measurement is three full GCs, which dominate a 100M heap
 * run). Example:
 * {@code java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -Xmx4g -cp benchmarks/target/benchmarks.jar
 * io.datacake.benchmarks.crdt.OrswotScaleProbe offheap 100000000}.
 */
public final class OrswotScaleProbe
{
    private static final int POINTS = 25;
    private static final int FIRST_POINT = 1_000_000;
    private static final int OPS_PER_ROUND = 4_000_000;
    private static final int ROUNDS = 3;
    private static final int NODE_ID = 1;
    private static final boolean BYTES_AT_OPS_ONLY = Boolean.getBoolean("datacake.scale.bytesAtOpsOnly");
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private OrswotScaleProbe()
    {
    }

    /**
     * @param args {@code offheap|heap} and an optional key count.
     */
    public static void main(final String[] args)
    {
        final boolean heap = args.length > 0 && "heap".equals(args[0]);
        final int keyCount = args.length > 1 ? Integer.parseInt(args[1]) : 100_000_000;
        final Orswot offHeap = heap ? null : new Orswot();
        final HeapOrswot onHeap = heap ? new HeapOrswot(Orswot.DEFAULT_SOURCE_COUNT) : null;
        final long heapBefore = heap ? usedHeapAfterGc() : 0;
        long stamp = OrswotFixture.BASE_STAMP;

        System.out.printf("%s, %,d keys, JDK %s%n", heap ? "on-heap baseline" : "off-heap Orswot", keyCount,
            Runtime.version());
        System.out.println("| keys | bytes | bytes/key | step inserts/µs | longest insert in step (µs) |");
        System.out.println("|---|---|---|---|---|");
        int count = 0;
        long longestToHalfNs = 0;
        for (int point = 0; point < POINTS; point++)
        {
            final int target = (int)Math.min(keyCount,
                Math.round(FIRST_POINT * Math.pow(keyCount / (double)FIRST_POINT, point / (double)(POINTS - 1))));
            long longestNs = 0;
            final long stepStart = System.nanoTime();
            final int stepFrom = count;
            for (; count < target; count++)
            {
                final long key = key(count);
                final long start = System.nanoTime();
                if (heap)
                {
                    onHeap.insert(Orswot.CONSISTENCY_SOURCE, key, ++stamp, NODE_ID);
                }
                else
                {
                    offHeap.insert(Orswot.CONSISTENCY_SOURCE, key, ++stamp, NODE_ID);
                }
                final long tookNs = System.nanoTime() - start;
                longestNs = Math.max(longestNs, tookNs);
                if (count < 50_000_000)
                {
                    longestToHalfNs = Math.max(longestToHalfNs, tookNs);
                }
            }
            final long stepNs = System.nanoTime() - stepStart;
            final boolean opsPoint = count == FIRST_POINT || count == 10_000_000 || count == 100_000_000 ||
                count == keyCount;
            final long bytes = !heap ? offHeap.offHeapBytes() :
                BYTES_AT_OPS_ONLY && !opsPoint ? 0 : usedHeapAfterGc() - heapBefore;
            System.out.printf("| %,d | %,d | %.1f | %.2f | %.1f |%n", count, bytes, bytes / (double)count,
                (count - stepFrom) * 1_000.0 / Math.max(1, stepNs), longestNs / 1_000.0);
            if (opsPoint)
            {
                stamp = operations(offHeap, onHeap, count, stamp);
            }
            if (count == keyCount)
            {
                break;
            }
        }
        System.out.printf("longest single insert up to 50M keys (or all): %.1f µs%n", longestToHalfNs / 1_000.0);
        if (null != offHeap)
        {
            offHeap.close();
        }
    }

    private static long operations(final Orswot offHeap, final HeapOrswot onHeap, final int count, final long stamp)
    {
        final SplittableRandom random = new SplittableRandom(count);
        long nextStamp = stamp;
        double bestGet = 0;
        double bestOverwrite = 0;
        double bestDeleteReinsert = 0;
        double bestGetCpu = 0;
        double bestOverwriteCpu = 0;
        double bestDeleteReinsertCpu = 0;
        long sink = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            long start = System.nanoTime();
            long cpuStart = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < OPS_PER_ROUND; i++)
            {
                final long key = key(random.nextInt(count));
                sink += null != offHeap ? offHeap.get(key) : onHeap.get(key);
            }
            bestGet = Math.max(bestGet, OPS_PER_ROUND * 1_000.0 / (System.nanoTime() - start));
            bestGetCpu = Math.max(bestGetCpu, OPS_PER_ROUND * 1_000.0 / (THREADS.getCurrentThreadCpuTime() - cpuStart));

            start = System.nanoTime();
            cpuStart = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < OPS_PER_ROUND; i++)
            {
                final long key = key(random.nextInt(count));
                if (null != offHeap)
                {
                    offHeap.insert(Orswot.CONSISTENCY_SOURCE, key, ++nextStamp, NODE_ID);
                }
                else
                {
                    onHeap.insert(Orswot.CONSISTENCY_SOURCE, key, ++nextStamp, NODE_ID);
                }
            }
            bestOverwrite = Math.max(bestOverwrite, OPS_PER_ROUND * 1_000.0 / (System.nanoTime() - start));
            bestOverwriteCpu = Math.max(bestOverwriteCpu,
                OPS_PER_ROUND * 1_000.0 / (THREADS.getCurrentThreadCpuTime() - cpuStart));

            start = System.nanoTime();
            cpuStart = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < OPS_PER_ROUND; i += 2)
            {
                final long key = key(random.nextInt(count));
                if (null != offHeap)
                {
                    offHeap.delete(Orswot.CONSISTENCY_SOURCE, key, ++nextStamp, NODE_ID);
                    offHeap.insert(Orswot.CONSISTENCY_SOURCE, key, ++nextStamp, NODE_ID);
                }
                else
                {
                    onHeap.delete(Orswot.CONSISTENCY_SOURCE, key, ++nextStamp, NODE_ID);
                    onHeap.insert(Orswot.CONSISTENCY_SOURCE, key, ++nextStamp, NODE_ID);
                }
            }
            bestDeleteReinsert = Math.max(bestDeleteReinsert, OPS_PER_ROUND * 1_000.0 / (System.nanoTime() - start));
            bestDeleteReinsertCpu = Math.max(bestDeleteReinsertCpu,
                OPS_PER_ROUND * 1_000.0 / (THREADS.getCurrentThreadCpuTime() - cpuStart));
        }
        System.out.printf("ops at %,d keys (best of %d × %,d ops/µs): get %.2f, overwrite %.2f, " +
            "delete + reinsert %.2f (each counted as one op)  [sink %d]%n" +
            "  per µs of thread CPU time: get %.2f, overwrite %.2f, delete + reinsert %.2f%n  %s%n",
            count, ROUNDS, OPS_PER_ROUND, bestGet, bestOverwrite, bestDeleteReinsert, sink & 1, bestGetCpu,
            bestOverwriteCpu, bestDeleteReinsertCpu, ProcessStats.summary());
        return nextStamp;
    }

    /**
     * A bijection of the index (Stafford's mix 13 of a golden-ratio step): distinct, random-looking keys.
     */
    static long key(final long index)
    {
        long z = index * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static long usedHeapAfterGc()
    {
        for (int i = 0; i < 3; i++)
        {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
