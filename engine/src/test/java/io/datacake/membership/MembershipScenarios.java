package io.datacake.membership;

import io.datacake.sim.Simulation;
import io.datacake.testing.SeededTrials;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;

import java.util.function.Consumer;

/**
 * The measured membership scenarios, each one seeded simulation run returning one figure in virtual time. Shared by
 * the default-run regression test and the campaign that prints the results table.
 */
final class MembershipScenarios
{
    /** Budget for a cluster to converge; a run that needs more reports -1. */
    static final long CONVERGE_BUDGET_MS = 120_000;

    /** Budget for a crash to be detected everywhere; a run that needs more reports -1. */
    static final long DETECT_BUDGET_MS = 120_000;

    /** Steady gossip before a crash, so detectors hold samples of the real heartbeat interval. */
    static final long WARMUP_MS = 30_000;


    private MembershipScenarios()
    {
    }

    /**
     * The seed of one test run, printed with how to replay it.
     *
     * @param test        names the run in the output.
     * @param defaultSeed the seed of the default run (see {@link SeededTrials#seed(String, long)}).
     * @return the seed.
     */
    static long seed(final String test, final long defaultSeed)
    {
        return SeededTrials.seed(test, defaultSeed);
    }

    /**
     * Start every node in the same instant, all through node 1.
     *
     * @param seed   the seed.
     * @param nodes  cluster size.
     * @param common membership settings.
     * @return virtual ms from the start until every node sees every node live, or -1.
     */
    static long convergeAllAtOnce(final long seed, final int nodes, final Consumer<MembershipContext> common)
    {
        try (MembershipCluster cluster = new MembershipCluster(seed, 0, common))
        {
            for (int i = 0; i < nodes; i++)
            {
                cluster.addNode();
            }
            return cluster.msUntil(cluster::converged, CONVERGE_BUDGET_MS);
        }
    }

    /**
     * Start the nodes one gossip interval apart, each through node 1.
     *
     * @param seed   the seed.
     * @param nodes  cluster size.
     * @param common membership settings.
     * @return virtual ms from the last node's start until every node sees every node live, or -1.
     */
    static long convergeOneByOne(final long seed, final int nodes, final Consumer<MembershipContext> common)
    {
        try (MembershipCluster cluster = new MembershipCluster(seed, 0, common))
        {
            for (int i = 0; i < nodes; i++)
            {
                if (i > 0)
                {
                    cluster.simulation().runFor(cluster.gossipIntervalMs());
                }
                cluster.addNode();
            }
            return cluster.msUntil(cluster::converged, CONVERGE_BUDGET_MS);
        }
    }

    /**
     * Converge, gossip for {@link #WARMUP_MS}, crash the last node and time its detection.
     *
     * @param seed     the seed.
     * @param nodes    cluster size.
     * @param lossRate frame loss throughout.
     * @param common   membership settings.
     * @return the detection, or a result with -1 if convergence or detection ran out of budget.
     */
    static Detection detectCrash(
        final long seed, final int nodes, final double lossRate, final Consumer<MembershipContext> common)
    {
        try (MembershipCluster cluster = new MembershipCluster(seed, lossRate, common))
        {
            for (int i = 0; i < nodes; i++)
            {
                cluster.addNode();
            }
            final long convergedMs = cluster.msUntil(cluster::converged, CONVERGE_BUDGET_MS);
            if (convergedMs < 0)
            {
                return new Detection(-1, -1, -1);
            }
            cluster.simulation().runFor(WARMUP_MS);
            cluster.resetDeaths();
            cluster.crash(nodes);
            final long detectedMs = cluster.msUntil(cluster::crashDetectedEverywhere, DETECT_BUDGET_MS);
            return new Detection(convergedMs, detectedMs, cluster.falseDeaths());
        }
    }

    /**
     * Converge, then count death events of running nodes over a span of lossy gossip.
     *
     * @param seed       the seed.
     * @param nodes      cluster size.
     * @param lossRate   frame loss throughout.
     * @param durationMs how long to watch after convergence.
     * @param common     membership settings.
     * @return death events of running members reported by anyone, or -1 if the cluster did not converge.
     */
    static int falseDeathsUnderLoss(
        final long seed,
        final int nodes,
        final double lossRate,
        final long durationMs,
        final Consumer<MembershipContext> common)
    {
        try (MembershipCluster cluster = new MembershipCluster(seed, lossRate, common))
        {
            for (int i = 0; i < nodes; i++)
            {
                cluster.addNode();
            }
            if (cluster.msUntil(cluster::converged, CONVERGE_BUDGET_MS) < 0)
            {
                return -1;
            }
            cluster.resetDeaths();
            cluster.simulation().runFor(durationMs);
            return cluster.falseDeaths();
        }
    }

    /**
     * Converge on a fault-free network, then make the last node slow: its clock stands still for
     * {@code slowFactor} gossip intervals and then jumps by all of them, so its gossip timer, its failure
     * detector and its view of time advance only every {@code slowFactor}th round (messages are still received
     * and answered as they arrive, stamped with the stale time).
     *
     * @param seed       the seed.
     * @param nodes      cluster size.
     * @param durationMs how long the node runs slow.
     * @param slowFactor gossip rounds per step of the slow node.
     * @param common     membership settings.
     * @return what was accused, or -1 counts if the cluster did not converge.
     */
    static SlowNode slowNode(
        final long seed,
        final int nodes,
        final long durationMs,
        final int slowFactor,
        final Consumer<MembershipContext> common)
    {
        final SteppingClock[] slowClock = new SteppingClock[1];
        try (MembershipCluster cluster = new MembershipCluster(seed, 0, common))
        {
            for (int i = 1; i < nodes; i++)
            {
                cluster.addNode();
            }
            final int slow = cluster.addNode((clock) -> slowClock[0] = new SteppingClock(clock));
            if (cluster.msUntil(cluster::converged, CONVERGE_BUDGET_MS) < 0)
            {
                return new SlowNode(-1, -1, -1);
            }
            cluster.simulation().runFor(WARMUP_MS);
            cluster.resetDeaths();
            slowClock[0].periodMs(slowFactor * cluster.gossipIntervalMs());
            cluster.simulation().runFor(durationMs);
            final int bySlow = cluster.deathsReportedBy(slow);
            return new SlowNode(bySlow, cluster.healthyNodesAccused(slow), cluster.deathsReportedOf(slow));
        }
    }

    /**
     * Converge, gossip for {@link #WARMUP_MS}, then measure what each node sends over a window.
     *
     * @param seed     the seed.
     * @param nodes    cluster size.
     * @param windowMs the measured window.
     * @param common   membership settings.
     * @return mean per node per second, or null if the cluster did not converge.
     */
    static Cost steadyCost(
        final long seed, final int nodes, final long windowMs, final Consumer<MembershipContext> common)
    {
        try (MembershipCluster cluster = new MembershipCluster(seed, 0, common))
        {
            for (int i = 0; i < nodes; i++)
            {
                cluster.addNode();
            }
            if (cluster.msUntil(cluster::converged, CONVERGE_BUDGET_MS) < 0)
            {
                return null;
            }
            cluster.simulation().runFor(WARMUP_MS);
            final MembershipCluster.TrafficMeter traffic = cluster.traffic();
            long frames = 0;
            long bytes = 0;
            for (int nodeId = 1; nodeId <= nodes; nodeId++)
            {
                frames -= traffic.framesSent(nodeId);
                bytes -= traffic.bytesSent(nodeId);
            }
            cluster.simulation().runFor(windowMs);
            for (int nodeId = 1; nodeId <= nodes; nodeId++)
            {
                frames += traffic.framesSent(nodeId);
                bytes += traffic.bytesSent(nodeId);
            }
            final double seconds = windowMs / 1000.0;
            return new Cost(bytes / seconds / nodes, frames / seconds / nodes);
        }
    }

    /**
     * @param convergedMs virtual ms until the cluster first converged, or -1 if it did not (nothing crashed then).
     * @param detectedMs  virtual ms from the crash until every running node marked it dead, or -1.
     * @param falseDeaths death events of running nodes during detection.
     */
    record Detection(long convergedMs, long detectedMs, int falseDeaths)
    {
    }

    /**
     * @param deathsBySlowNode death events the slow node reported (of healthy nodes: nothing crashed).
     * @param healthyAccused   healthy nodes other than the slow one that anyone marked dead.
     * @param slowNodeDeaths   death events of the slow node reported by the others.
     */
    record SlowNode(int deathsBySlowNode, int healthyAccused, int slowNodeDeaths)
    {
    }

    /**
     * @param bytesPerSecond  mean bytes one node sends per second (transport frames, headers included).
     * @param framesPerSecond mean frames one node sends per second.
     */
    record Cost(double bytesPerSecond, double framesPerSecond)
    {
    }

    /**
     * A node's monotonic clock that can be made to stand still and jump: once a period is set it reads the wrapped
     * clock rounded down to a multiple of the period.
     */
    static final class SteppingClock implements NanoClock
    {
        private static final long NANOS_PER_MS = 1_000_000;

        private final NanoClock clock;
        private long periodNs = NANOS_PER_MS;

        SteppingClock(final NanoClock clock)
        {
            this.clock = clock;
        }

        void periodMs(final long periodMs)
        {
            this.periodNs = periodMs * NANOS_PER_MS;
        }

        public long nanoTime()
        {
            final long nowNs = clock.nanoTime();
            return nowNs - Math.floorMod(nowNs, periodNs);
        }
    }
}
