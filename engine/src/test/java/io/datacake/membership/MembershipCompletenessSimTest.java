package io.datacake.membership;

import io.datacake.sim.Simulation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gossiping node's view is complete only once every seed is heard: nodes restarted together in a partition hear
 * only the seeds on their side, know only each other, and must not pass their lists off as the whole cluster. A seed
 * that is down but known to the members that answered counts as heard, and one nobody knows is given up on after
 * the seed wait, so neither holds the view incomplete for ever.
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

    @Test
    void aSeedThatIsDownButKnownToTheMembersThatAnsweredCountsAsHeard()
    {
        final long seed = Simulation.seedFromProperty(11);
        // Seeds: node 1 (every node's, from the harness) and node 2, which goes down for good.
        try (MembershipCluster cluster = new MembershipCluster(seed, 0, (ctx) -> ctx.seeds("sim-2")))
        {
            System.out.println("membership completeness, seed down " + cluster.replayHint());
            for (int i = 0; i < NODES; i++)
            {
                cluster.addNode();
            }
            assertThat(cluster.msUntil(cluster::converged, CONVERGE_BUDGET_MS)).as("converged").isNotNegative();

            final Simulation simulation = cluster.simulation();
            cluster.crash(2);
            cluster.crash(3);
            simulation.restart(3);
            final MembershipComponent restarted = cluster.component(3);
            assertThat(cluster.msUntil(restarted::isComplete, HEAL_BUDGET_MS))
                .as("node 3 complete though seed 2 never answers it").isNotNegative();
            assertThat(restarted.seedsHeard()).isEqualTo(2);
            assertThat(restarted.memberCount()).as("seed 2 came through node 1's gossip").isEqualTo(NODES);
        }
    }

    @Test
    void aSeedNoMemberKnowsIsGivenUpOnAfterTheSeedWait()
    {
        final long seed = Simulation.seedFromProperty(13);
        final long seedWaitMs = 20 * MembershipCluster.GOSSIP_INTERVAL_MS;
        // Seeds: node 1 and an endpoint no node ever had.
        try (MembershipCluster cluster = new MembershipCluster(seed, 0,
            (ctx) -> ctx.seeds("sim-99").seedWaitMs(seedWaitMs)))
        {
            System.out.println("membership completeness, seed unknown " + cluster.replayHint());
            final long startMs = cluster.nowMs();
            cluster.addNode();
            cluster.addNode();
            assertThat(cluster.msUntil(cluster::converged, CONVERGE_BUDGET_MS)).as("converged").isNotNegative();
            final MembershipComponent node2 = cluster.component(2);
            assertThat(node2.isComplete()).as("sim-99 not heard yet").isFalse();
            assertThat(node2.seedsHeard()).as("node 1 heard").isEqualTo(1);
            assertThat(node2.seedCount()).isEqualTo(2);

            assertThat(cluster.msUntil(node2::isComplete, 2 * seedWaitMs)).as("complete after the wait")
                .isNotNegative();
            assertThat(cluster.nowMs() - startMs).as("not before the wait").isGreaterThanOrEqualTo(seedWaitMs);
        }
    }
}
