package io.datacake.membership;

import io.datacake.sim.Simulation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gossiping node's view is complete only once every seed has answered it: nodes restarted together in a partition
 * hear only the seeds on their side, know only each other, and must not pass their lists off as the whole cluster.
 */
final class MembershipCompletenessSimTest
{
    private static final int NODES = 4;
    private static final long CONVERGE_BUDGET_MS = 30_000;
    private static final long HEAL_BUDGET_MS = 30_000;

    @Test
    void aNodeRestartedInAPartitionIsIncompleteUntilEverySeedAnswered()
    {
        final long seed = Simulation.seedFromProperty(7);
        // Seeds: node 1 (every node's, from the harness) and node 2.
        try (MembershipCluster cluster = new MembershipCluster(seed, 0, (ctx) -> ctx.seeds("sim-2")))
        {
            System.out.println("membership completeness " + cluster.replayHint());
            for (int i = 0; i < NODES; i++)
            {
                cluster.addNode();
            }
            assertThat(cluster.msUntil(cluster::converged, CONVERGE_BUDGET_MS)).as("converged").isNotNegative();
            for (int nodeId = 1; nodeId <= NODES; nodeId++)
            {
                assertThat(cluster.component(nodeId).isComplete()).as("node %d complete", nodeId).isTrue();
            }

            final Simulation simulation = cluster.simulation();
            simulation.network().partition(List.of("sim-1", "sim-4"), List.of("sim-2", "sim-3"));
            cluster.crash(2);
            cluster.crash(3);
            simulation.restart(2);
            simulation.restart(3);
            simulation.runFor(20 * cluster.gossipIntervalMs());

            for (int nodeId = 2; nodeId <= 3; nodeId++)
            {
                final MembershipComponent restarted = cluster.component(nodeId);
                assertThat(restarted.memberCount()).as("node %d knows only nodes 2 and 3", nodeId).isEqualTo(2);
                assertThat(restarted.isComplete()).as("seed 1 has not answered node %d's new life", nodeId).isFalse();
            }
            assertThat(cluster.component(1).isComplete()).as("node 1 heard seed 2 before the partition").isTrue();

            simulation.network().heal();
            for (int nodeId = 2; nodeId <= 3; nodeId++)
            {
                final MembershipComponent restarted = cluster.component(nodeId);
                assertThat(cluster.msUntil(restarted::isComplete, HEAL_BUDGET_MS))
                    .as("node %d complete after the heal", nodeId).isNotNegative();
                assertThat(cluster.msUntil(() -> NODES == restarted.liveCount(), HEAL_BUDGET_MS))
                    .as("node %d holds every member live again", nodeId).isNotNegative();
            }
        }
    }
}
