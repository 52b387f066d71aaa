package io.datacake.membership;

import io.datacake.sim.SimNodeClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Membership at its limits in the simulation: a cluster whose digest does not fit one gossip frame, and nodes whose
 * clocks are skewed and drift at the simulation's largest rate. Virtual time; each test prints its seed, replayable
 * with {@code -Ddatacake.sim.seed=<seed>}.
 */
final class MembershipLimitsSimTest
{
    private static final long CONVERGE_BUDGET_MS = 60_000;

    private static long seed(final String test, final long defaultSeed)
    {
        return MembershipScenarios.seed("MembershipLimitsSimTest." + test, defaultSeed);
    }

    /**
     * Forty members need more digest than the smallest gossip frame holds (512 bytes, about 35 compact rows), so
     * every SYN covers part of the view and the next one continues: the cluster still converges, and stays so.
     */
    @Test
    void aClusterWhoseDigestExceedsOneFrameConvergesOverSplitDigests()
    {
        final int nodes = 40;
        try (MembershipCluster cluster = new MembershipCluster(seed("splitDigest", 401), 0,
            (ctx) -> ctx.maxFrameBytes(MembershipContext.MIN_FRAME_BYTES)))
        {
            for (int i = 0; i < nodes; i++)
            {
                cluster.addNode();
            }
            assertThat(cluster.msUntil(cluster::converged, CONVERGE_BUDGET_MS)).as("virtual ms to converge")
                .isNotNegative();
            cluster.resetDeaths();
            cluster.simulation().runFor(5_000);
            assertThat(cluster.converged()).isTrue();
            assertThat(cluster.falseDeaths()).as("death events of running nodes").isZero();
            long repliesCutShort = 0;
            for (int nodeId = 1; nodeId <= nodes; nodeId++)
            {
                repliesCutShort += cluster.component(nodeId).membership().repliesTooLarge();
                assertThat(cluster.component(nodeId).sendFailures()).isZero();
            }
            System.out.println("SYN_ACKs with a reply digest cut short: " + repliesCutShort);
        }
    }

    /**
     * Half the nodes run ahead of virtual time by 10 s and half behind by 10 s, and every node drifts at the
     * simulation's largest rate, alternately fast and slow: the clocks disagree on the time and on its pace. Nothing in
     * membership compares one node's clock with another's, so the cluster converges, marks no running node dead over
     * 30 s, and still detects a crash.
     */
    @Test
    void skewedAndDriftingClocksNeitherStopConvergenceNorCauseFalseDeaths()
    {
        final int nodes = 10;
        try (MembershipCluster cluster = new MembershipCluster(seed("skew", 402), 0, (ctx) -> {}))
        {
            cluster.simulation().runFor(20_000);
            for (int i = 0; i < nodes; i++)
            {
                final int nodeId = cluster.addNode();
                final SimNodeClock clock = cluster.simulation().nodeClock(nodeId);
                final boolean ahead = 0 == nodeId % 2;
                clock.offsetMs(ahead ? 10_000 : -10_000);
                clock.driftPpm((0 == (nodeId / 2) % 2 ? 1 : -1) * SimNodeClock.MAX_DRIFT_PPM);
            }
            assertThat(cluster.msUntil(cluster::converged, CONVERGE_BUDGET_MS)).as("virtual ms to converge")
                .isNotNegative();
            cluster.resetDeaths();
            cluster.simulation().runFor(30_000);
            assertThat(cluster.falseDeaths()).as("death events of running nodes").isZero();
            assertThat(cluster.converged()).isTrue();

            cluster.crash(nodes);
            assertThat(cluster.msUntil(cluster::crashDetectedEverywhere, CONVERGE_BUDGET_MS)).as("crash detected")
                .isNotNegative();
            assertThat(cluster.falseDeaths()).isZero();
        }
    }
}
