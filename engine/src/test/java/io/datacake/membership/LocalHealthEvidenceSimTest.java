package io.datacake.membership;

import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What counts as evidence against a node's own health: losing some SYNs on a lossy network does not (else the
 * threshold of every node saturates and crashes go undetected for minutes), hearing no answer from anyone does.
 * Virtual time; seeds printed, replayable with {@code -Ddatacake.sim.seed=<seed>}.
 */
final class LocalHealthEvidenceSimTest
{
    private static final int NODES = 10;

    private static long seed(final String test, final long defaultSeed)
    {
        return SeededTrials.seed("LocalHealthEvidenceSimTest." + test, defaultSeed);
    }

    @Test
    void halfTheFramesLostLeavesEveryNodeHealthy()
    {
        try (MembershipCluster cluster = new MembershipCluster(seed("lossy", 401), 0.5, (ctx) -> {}))
        {
            for (int i = 0; i < NODES; i++)
            {
                cluster.addNode();
            }
            assertThat(cluster.msUntil(cluster::converged, MembershipScenarios.CONVERGE_BUDGET_MS)).isNotNegative();
            cluster.simulation().runFor(30_000);
            int maxScore = 0;
            long unanswered = 0;
            for (int nodeId = 1; nodeId <= NODES; nodeId++)
            {
                maxScore = Math.max(maxScore, cluster.component(nodeId).membership().health().score());
                unanswered += cluster.component(nodeId).synsUnanswered();
            }
            assertThat(unanswered).as("SYNs lost, counted").isPositive();
            assertThat(maxScore).as("highest local health score").isLessThanOrEqualTo(1);
        }
    }

    @Test
    void aNodeNobodyAnswersDoubtsItself()
    {
        try (MembershipCluster cluster = new MembershipCluster(seed("cutOff", 402), 0, (ctx) -> {}))
        {
            for (int i = 0; i < NODES; i++)
            {
                cluster.addNode();
            }
            assertThat(cluster.msUntil(cluster::converged, MembershipScenarios.CONVERGE_BUDGET_MS)).isNotNegative();
            final List<String> others = new ArrayList<>();
            for (int nodeId = 1; nodeId < NODES; nodeId++)
            {
                others.add("sim-" + nodeId);
            }
            cluster.simulation().network().partition(List.of("sim-" + NODES), others);
            final LocalHealth health = cluster.component(NODES).membership().health();
            assertThat(cluster.msUntil(() -> health.score() >= 3, 10_000)).as("score rises, %s",
                cluster.replayHint()).isNotNegative();
        }
    }
}
