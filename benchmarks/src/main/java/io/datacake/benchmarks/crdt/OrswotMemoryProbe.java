package io.datacake.benchmarks.crdt;

import io.datacake.crdt.Orswot;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Bytes per key of live entries at 10M keys (or the count given as the first argument): the off-heap set's
 * allocated table bytes against the heap growth of the on-heap baseline ({@code HashMap<Long, Stamp>}), measured
 * after full GCs. Run with a heap big enough for the baseline, e.g.
 * {@code java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -Xmx8g -cp benchmarks/target/benchmarks.jar
 * io.datacake.benchmarks.crdt.OrswotMemoryProbe}.
 */
public final class OrswotMemoryProbe
{
    private OrswotMemoryProbe()
    {
    }

    /**
     * @param args optional key count.
     */
    public static void main(final String[] args)
    {
        final int keyCount = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        final long[] keys = OrswotFixture.randomKeys(42, keyCount);

        final long offHeapBytes;
        try (Orswot set = new Orswot())
        {
            OrswotFixture.load(set, keys, 0, keyCount, 1);
            offHeapBytes = set.offHeapBytes();
            System.out.printf("off-heap: %,d live keys, %,d bytes of tables%n", set.liveCount(), offHeapBytes);
        }

        final long heapBefore = usedHeapAfterGc();
        final HeapOrswot baseline = new HeapOrswot(Orswot.DEFAULT_SOURCE_COUNT);
        OrswotFixture.load(baseline, keys, 0, keyCount, 1);
        final long heapAfter = usedHeapAfterGc();
        final long heapBytes = heapAfter - heapBefore;
        System.out.printf("on-heap baseline: %,d live keys, %,d bytes of heap%n", baseline.liveCount(), heapBytes);

        System.out.println();
        System.out.println("| representation | keys | bytes | bytes/key |");
        System.out.println("|---|---|---|---|");
        System.out.printf("| off-heap Orswot (live + tombstone tables) | %,d | %,d | %.1f |%n",
            keyCount, offHeapBytes, offHeapBytes / (double)keyCount);
        System.out.printf("| on-heap HashMap<Long, Stamp> baseline | %,d | %,d | %.1f |%n",
            keyCount, heapBytes, heapBytes / (double)keyCount);
        System.out.printf("| ratio baseline / off-heap | | | %.2fx |%n", heapBytes / (double)offHeapBytes);
    }

    private static long usedHeapAfterGc()
    {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++)
        {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
