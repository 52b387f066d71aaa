package io.datacake.benchmarks.crdt;

import io.datacake.benchmarks.ProcessStats;
import io.datacake.crdt.Orswot;
import io.datacake.crdt.SetOperation;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Random gets of existing keys on one set of {@code keyCount} keys: the off-heap {@link Orswot} ({@code get} and
 * batched {@code getMany}) against the on-heap baseline ({@code HashMap<Long, Stamp>}), in interleaved rounds in one
 * JVM, so load on a shared machine hits every variant alike. Two more variants apply batches of 64 writes of existing
 * keys (willApply, then insert with a newer stamp), as the store applies a replicated batch, without and with a first
 * pass of {@link Orswot#prefetch} over the batch's keys. Each round looks up the same keys in every variant (the
 * same random draws and key mix as {@link OrswotScaleProbe}); the probe prints, per variant, the median and best rate
 * per wall-clock µs and per µs of the thread's CPU time, and the median over rounds of each round's ratio to the
 * baseline.
 * <p>
 * Arguments: {@code [keyCount [rounds]]} (default 10,000,000 keys, 10 rounds of 4M lookups per variant, 1M writes per
 * apply variant). With {@code -Ddatacake.get.baseline=false} the baseline is left out (it needs about 90 bytes of heap
 * per key). Example:
 * {@code java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -Xmx2g -cp benchmarks/target/benchmarks.jar
 * io.datacake.benchmarks.crdt.OrswotGetProbe 10000000}.
 */
public final class OrswotGetProbe
{
    private static final int OPS_PER_ROUND = 4_000_000;
    private static final int WARMUP_ROUNDS = 2;
    private static final int GET_MANY_KEYS = 64;
    private static final int NODE_ID = 1;
    private static final boolean BASELINE = Boolean.parseBoolean(System.getProperty("datacake.get.baseline", "true"));
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int APPLY_OPS_PER_ROUND = OPS_PER_ROUND / 4;
    private static final String[] VARIANTS = { "on-heap baseline get", "off-heap get", "off-heap getMany (64 keys)",
        "off-heap apply, batches of 64", "off-heap apply, batches of 64 prefetched" };

    private final int keyCount;
    private final Orswot set = new Orswot();
    private final HeapOrswot baseline = BASELINE ? new HeapOrswot(Orswot.DEFAULT_SOURCE_COUNT) : null;
    private final long[] batchKeys = new long[GET_MANY_KEYS];
    private final long[] batchStamps = new long[GET_MANY_KEYS];
    private long applyStamp;
    private long sink;

    private OrswotGetProbe(final int keyCount)
    {
        this.keyCount = keyCount;
    }

    /**
     * @param args optional key count and number of rounds.
     */
    public static void main(final String[] args)
    {
        final int keyCount = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        final OrswotGetProbe probe = new OrswotGetProbe(keyCount);
        System.out.printf("get probe, %,d keys, %d rounds of %,d lookups per variant, JDK %s%n", keyCount, rounds,
            OPS_PER_ROUND, Runtime.version());
        probe.fill();
        probe.run(rounds);
        probe.set.close();
    }

    private void fill()
    {
        long stamp = OrswotFixture.BASE_STAMP;
        applyStamp = OrswotFixture.BASE_STAMP + keyCount;
        final long start = System.nanoTime();
        for (int i = 0; i < keyCount; i++)
        {
            set.insert(Orswot.CONSISTENCY_SOURCE, OrswotScaleProbe.key(i), ++stamp, NODE_ID);
            if (null != baseline)
            {
                baseline.insert(Orswot.CONSISTENCY_SOURCE, OrswotScaleProbe.key(i), stamp, NODE_ID);
            }
        }
        System.out.printf("filled in %.1f s; %s%n", (System.nanoTime() - start) / 1e9, ProcessStats.summary());
    }

    private void run(final int rounds)
    {
        final int first = null != baseline ? 0 : 1;
        for (int round = 0; round < WARMUP_ROUNDS; round++)
        {
            for (int variant = first; variant < VARIANTS.length; variant++)
            {
                lookUp(variant, -1 - round);
            }
        }
        final double[][] wall = new double[VARIANTS.length][rounds];
        final double[][] cpu = new double[VARIANTS.length][rounds];
        for (int round = 0; round < rounds; round++)
        {
            for (int variant = first; variant < VARIANTS.length; variant++)
            {
                final long wallStart = System.nanoTime();
                final long cpuStart = THREADS.getCurrentThreadCpuTime();
                final int ops = lookUp(variant, round);
                cpu[variant][round] = ops * 1_000.0 / (THREADS.getCurrentThreadCpuTime() - cpuStart);
                wall[variant][round] = ops * 1_000.0 / (System.nanoTime() - wallStart);
            }
        }

        System.out.printf("| variant | wall ops/µs median | wall best | CPU ops/µs median | CPU best | " +
            "wall / baseline | CPU / baseline |%n|---|---|---|---|---|---|---|%n");
        for (int variant = first; variant < VARIANTS.length; variant++)
        {
            System.out.printf("| %s | %.2f | %.2f | %.2f | %.2f | %s | %s |%n", VARIANTS[variant], median(wall[variant]),
                max(wall[variant]), median(cpu[variant]), max(cpu[variant]),
                0 == first ? String.format("%.2f×", medianRatio(wall[variant], wall[0])) : "–",
                0 == first ? String.format("%.2f×", medianRatio(cpu[variant], cpu[0])) : "–");
        }
        System.out.printf("apply prefetched / apply: wall %.2f×, CPU %.2f×%n",
            medianRatio(wall[VARIANTS.length - 1], wall[VARIANTS.length - 2]),
            medianRatio(cpu[VARIANTS.length - 1], cpu[VARIANTS.length - 2]));
        System.out.printf("(ratios: median over rounds of each round's ratio)  [sink %d]%n%s%n", sink & 1,
            ProcessStats.summary());
    }

    private int lookUp(final int variant, final int round)
    {
        final SplittableRandom random = new SplittableRandom(round);
        if (variant >= 3)
        {
            apply(random, 4 == variant);
            return APPLY_OPS_PER_ROUND;
        }
        long sum = 0;
        if (0 == variant)
        {
            for (int i = 0; i < OPS_PER_ROUND; i++)
            {
                sum += baseline.get(OrswotScaleProbe.key(random.nextInt(keyCount)));
            }
        }
        else if (1 == variant)
        {
            for (int i = 0; i < OPS_PER_ROUND; i++)
            {
                sum += set.get(OrswotScaleProbe.key(random.nextInt(keyCount)));
            }
        }
        else
        {
            final long[] keys = batchKeys;
            final long[] stamps = batchStamps;
            for (int i = 0; i < OPS_PER_ROUND; i += GET_MANY_KEYS)
            {
                for (int k = 0; k < GET_MANY_KEYS; k++)
                {
                    keys[k] = OrswotScaleProbe.key(random.nextInt(keyCount));
                }
                set.getMany(keys, 0, GET_MANY_KEYS, stamps, 0);
                for (int k = 0; k < GET_MANY_KEYS; k++)
                {
                    sum += stamps[k];
                }
            }
        }
        sink += sum;
        return OPS_PER_ROUND;
    }

    /**
     * The set's share of the store applying a replicated batch: each entry is checked (willApply) then inserted with
     * a newer stamp; prefetched, the batch's keys are first passed to {@link Orswot#prefetch}, as the store does.
     */
    private void apply(final SplittableRandom random, final boolean prefetch)
    {
        final long[] keys = batchKeys;
        int applied = 0;
        for (int i = 0; i < APPLY_OPS_PER_ROUND; i += GET_MANY_KEYS)
        {
            for (int k = 0; k < GET_MANY_KEYS; k++)
            {
                keys[k] = OrswotScaleProbe.key(random.nextInt(keyCount));
            }
            if (prefetch)
            {
                for (int k = 0; k < GET_MANY_KEYS; k++)
                {
                    set.prefetch(keys[k]);
                }
            }
            for (int k = 0; k < GET_MANY_KEYS; k++)
            {
                final long stamp = ++applyStamp;
                if (set.willApply(SetOperation.INSERT, Orswot.CONSISTENCY_SOURCE, keys[k], stamp, NODE_ID) &&
                    set.insert(Orswot.CONSISTENCY_SOURCE, keys[k], stamp, NODE_ID))
                {
                    applied++;
                }
            }
        }
        sink += applied;
    }

    private static double medianRatio(final double[] rates, final double[] baselineRates)
    {
        final double[] ratios = new double[rates.length];
        for (int i = 0; i < rates.length; i++)
        {
            ratios[i] = rates[i] / baselineRates[i];
        }
        return median(ratios);
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double max(final double[] values)
    {
        return Arrays.stream(values).max().orElse(0);
    }
}
