package io.datacake.membership;

import io.datacake.sim.Simulation;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Gossip and failure detection run on each node's monotonic clock: a wall clock stepped an hour either way (within
 * the HLC's tolerated drift, so its frames are still accepted) neither stalls a node's gossip nor makes anyone accuse
 * a healthy member.
 */
final class MembershipClockStepSimTest
{
    private static final long HOUR_MS = 3_600_000;
    private static final int NODES = 4;
    private static final long CONVERGE_BUDGET_MS = 30_000;
    private static final long WATCH_MS = 30_000;
    private static final long DETECT_BUDGET_MS = 30_000;

    @Test
    void aWallClockSteppedForwardByAnHourMakesTheFailureDetectorAccuseNobody()
    {
        assertNoAccusationsAfterAStep(41, HOUR_MS);
    }

    @Test
    void aWallClockSteppedBackByAnHourDoesNotDelayGossipOrFailureDetection()
    {
        assertNoAccusationsAfterAStep(42, -HOUR_MS);
    }

    private static void assertNoAccusationsAfterAStep(final long seed, final long stepMs)
    {
        final long seedToRun = Simulation.seedFromProperty(seed);
        try (MembershipCluster cluster = new MembershipCluster(seedToRun, 0, (ctx) -> {}))
        {
            System.out.println("membership clock step " + cluster.replayHint());
            for (int i = 0; i < NODES; i++)
            {
                cluster.addNode();
            }
            assertThat(cluster.msUntil(cluster::converged, CONVERGE_BUDGET_MS)).as("converged").isNotNegative();
            cluster.simulation().runFor(10 * cluster.gossipIntervalMs());
            cluster.resetDeaths();
            final long framesBefore = cluster.traffic().framesSent(2);

            cluster.simulation().nodeClock(2).offsetMs(stepMs);
            cluster.simulation().runFor(WATCH_MS);

            assertThat(cluster.falseDeaths()).as("healthy members accused after node 2's wall clock moved %d ms; %s",
                stepMs, cluster.replayHint()).isZero();
            assertThat(cluster.converged()).isTrue();
            assertThat(cluster.traffic().framesSent(2) - framesBefore)
                .as("node 2 kept gossiping: at least one frame per round").isGreaterThanOrEqualTo(
                    WATCH_MS / cluster.gossipIntervalMs());

            cluster.crash(NODES);
            assertThat(cluster.msUntil(cluster::crashDetectedEverywhere, DETECT_BUDGET_MS))
                .as("a real crash is still detected by every node, node 2 included").isNotNegative();
            assertThat(cluster.falseDeaths()).isZero();
        }
    }
}
