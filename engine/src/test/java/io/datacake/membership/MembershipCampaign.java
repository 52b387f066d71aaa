package io.datacake.membership;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Prints the membership measurements: convergence, crash detection, false deaths and gossip cost, at a 300 ms
 * gossip interval, each over seeded simulation runs in virtual time. Run it through {@link MembershipCampaignSoakTest}.
 * The master seed comes from {@code -Ddatacake.sim.seed} (default {@link #DEFAULT_MASTER_SEED}); each run's seed is
 * drawn from it and printed, and a single scenario replays with that seed through the scenario methods.
 * {@code -Ddatacake.membership.seeds=<n>} sets the runs per figure (default {@link #DEFAULT_SEEDS}).
 */
final class MembershipCampaign
{
    static final long DEFAULT_MASTER_SEED = 20261129;
    static final int DEFAULT_SEEDS = 20;
    static final String SEEDS_PROPERTY = "datacake.membership.seeds";
    static final long FALSE_DEATH_WINDOW_MS = 30_000;
    static final long COST_WINDOW_MS = 30_000;

    private final PrintStream out;
    private final SplittableRandom seeds;
    private final int runs;

    MembershipCampaign(final PrintStream out, final long masterSeed, final int runs)
    {
        this.out = out;
        this.seeds = new SplittableRandom(masterSeed);
        this.runs = runs;
        out.println("membership campaign: master seed " + masterSeed + ", " + runs + " runs per figure, gossip " +
            MembershipCluster.GOSSIP_INTERVAL_MS + " ms");
    }

    void convergence(final int nodes, final boolean oneByOne, final int runCount, final Consumer<MembershipContext> c)
    {
        final String what = (oneByOne ? "converge one-by-one" : "converge all-at-once") + " N=" + nodes;
        final long[] ms = new long[runCount];
        for (int i = 0; i < runCount; i++)
        {
            final long seed = seeds.nextLong();
            ms[i] = oneByOne ? MembershipScenarios.convergeOneByOne(seed, nodes, c) :
                MembershipScenarios.convergeAllAtOnce(seed, nodes, c);
            out.println("  " + what + " seed " + seed + ": " + ms[i] + " ms = " + rounds(ms[i]) + " rounds");
        }
        final double goal = 2 * Math.log(nodes) / Math.log(2);
        out.printf("%s: rounds median %d max %d (virtual s median %.1f max %.1f); goal <= %.1f rounds%n",
            what, rounds(percentile(ms, 50)), rounds(percentile(ms, 100)), percentile(ms, 50) / 1000.0,
            percentile(ms, 100) / 1000.0, goal);
        out.flush();
    }

    void detection(final int nodes, final double loss, final Consumer<MembershipContext> c)
    {
        final String what = "detect crash N=" + nodes + " loss=" + loss;
        final long[] ms = new long[runs];
        int falseDeaths = 0;
        for (int i = 0; i < runs; i++)
        {
            final long seed = seeds.nextLong();
            final MembershipScenarios.Detection detection = MembershipScenarios.detectCrash(seed, nodes, loss, c);
            ms[i] = detection.detectedMs();
            falseDeaths += detection.falseDeaths();
            out.println("  " + what + " seed " + seed + ": converged in " + detection.convergedMs() + " ms, " +
                "detected in " + ms[i] + " ms, false deaths " + detection.falseDeaths());
        }
        out.printf("%s: p50 %.2f s p99 %.2f s max %.2f s; false deaths during detection %d%n", what,
            percentile(ms, 50) / 1000.0, percentile(ms, 99) / 1000.0, percentile(ms, 100) / 1000.0, falseDeaths);
        out.flush();
    }

    void falseDeaths(final int nodes, final double loss, final int runCount, final Consumer<MembershipContext> c)
    {
        final String what = "false deaths N=" + nodes + " loss=" + loss + " over " + FALSE_DEATH_WINDOW_MS + " ms";
        int total = 0;
        int worst = 0;
        for (int i = 0; i < runCount; i++)
        {
            final long seed = seeds.nextLong();
            final int deaths = MembershipScenarios.falseDeathsUnderLoss(seed, nodes, loss, FALSE_DEATH_WINDOW_MS, c);
            out.println("  " + what + " seed " + seed + ": " + deaths);
            total += deaths;
            worst = Math.max(worst, deaths);
        }
        out.printf("%s: %d death events of running nodes over %d runs (max %d in one run)%n",
            what, total, runCount, worst);
        out.flush();
    }

    void slowNode(
        final int nodes, final int slowFactor, final int runCount, final String label, final Consumer<MembershipContext> c)
    {
        final String what = "slow node x" + slowFactor + " (" + label + ") N=" + nodes + " over " +
            FALSE_DEATH_WINDOW_MS + " ms";
        int bySlow = 0;
        int healthyAccused = 0;
        int slowDeaths = 0;
        for (int i = 0; i < runCount; i++)
        {
            final long seed = seeds.nextLong();
            final MembershipScenarios.SlowNode result =
                MembershipScenarios.slowNode(seed, nodes, FALSE_DEATH_WINDOW_MS, slowFactor, c);
            out.println("  " + what + " seed " + seed + ": " + result);
            bySlow += result.deathsBySlowNode();
            healthyAccused += result.healthyAccused();
            slowDeaths += result.slowNodeDeaths();
        }
        out.printf("%s: over %d runs, deaths reported by the slow node %d, healthy nodes accused %d, " +
            "deaths of the slow node reported by others %d%n", what, runCount, bySlow, healthyAccused, slowDeaths);
        out.flush();
    }

    void cost(final int nodes, final int runCount, final Consumer<MembershipContext> c)
    {
        final String what = "cost N=" + nodes;
        double bytes = 0;
        double frames = 0;
        for (int i = 0; i < runCount; i++)
        {
            final long seed = seeds.nextLong();
            final MembershipScenarios.Cost cost = MembershipScenarios.steadyCost(seed, nodes, COST_WINDOW_MS, c);
            if (null == cost)
            {
                throw new AssertionError(what + " seed " + seed + ": did not converge within " +
                    MembershipScenarios.CONVERGE_BUDGET_MS + " ms");
            }
            out.printf("  %s seed %d: %.0f B/s %.1f frames/s per node%n", what, seed, cost.bytesPerSecond(),
                cost.framesPerSecond());
            bytes += cost.bytesPerSecond();
            frames += cost.framesPerSecond();
        }
        out.printf("%s: %.2f KB/s and %.1f frames/s sent per node (mean of %d runs, %d ms window)%n", what,
            bytes / runCount / 1000.0, frames / runCount, runCount, COST_WINDOW_MS);
        out.flush();
    }

    int runs()
    {
        return runs;
    }

    static long rounds(final long ms)
    {
        return ms < 0 ? -1 : (ms + MembershipCluster.GOSSIP_INTERVAL_MS - 1) / MembershipCluster.GOSSIP_INTERVAL_MS;
    }

    /**
     * Nearest-rank percentile; a run that ran out of budget (-1) counts as the worst.
     */
    static long percentile(final long[] values, final int percent)
    {
        final long[] sorted = Arrays.stream(values).map((v) -> v < 0 ? Long.MAX_VALUE : v).sorted().toArray();
        final int rank = Math.max(1, (int)Math.ceil(percent / 100.0 * sorted.length));
        final long value = sorted[rank - 1];
        return Long.MAX_VALUE == value ? -1 : value;
    }
}
