package io.datacake.store;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.MembershipComponent;
import io.datacake.membership.MembershipContext;
import io.datacake.membership.MembershipFormingException;
import io.datacake.node.Node;
import io.datacake.sim.Simulation;
import io.datacake.storage.StorageWriterContext;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A gossiping node restarted in a partition knows only the members it has heard from: it must refuse the levels
 * sized by the member list (QUORUM, ALL) with {@link MembershipFormingException} before writing anything, serve the
 * fixed counts, and serve every level again once its view is complete.
 */
final class MembershipFormingStoreSimTest
{
    private static final int NODES = 4;
    private static final String KEYSPACE = "forming";
    private static final long GOSSIP_INTERVAL_MS = 100;
    private static final long BUDGET_MS = 30_000;

    @Test
    void aRestartedNodeRefusesQuorumAndAllUntilItsViewIsComplete()
    {
        final Simulation simulation = new Simulation(Simulation.seedFromProperty(29));
        final ReplicatedStore[] stores = new ReplicatedStore[NODES + 1];
        final MembershipComponent[] memberships = new MembershipComponent[NODES + 1];
        try (simulation)
        {
            System.out.println("membership forming store " + simulation.replayHint());
            for (int id = 1; id <= NODES; id++)
            {
                simulation.addNode(id, (ctx) ->
                {
                    final int nodeId = ctx.nodeId();
                    final MembershipComponent membership = new MembershipComponent(new MembershipContext()
                        .bootstrap(1 == nodeId)
                        .seeds("sim-1", "sim-2")
                        .gossipIntervalMs(GOSSIP_INTERVAL_MS));
                    final ReplicatedStore store = new ReplicatedStore(new StoreContext()
                        .storage(simulation.storage(nodeId))
                        .clusterView(membership)
                        .writerContext(new StorageWriterContext().useAgentInvoker(true)));
                    ctx.addComponent(membership);
                    ctx.addComponent(store);
                    memberships[nodeId] = membership;
                    stores[nodeId] = store;
                });
            }
            assertThat(simulation.runUntil(() -> allSeeAll(memberships), BUDGET_MS)).as("formed").isTrue();

            // Nodes 2 and 3 restart cut off from nodes 1 and 4: node 3 hears seed 2, which knows nothing of node 1.
            simulation.network().partition(List.of("sim-1", "sim-4"), List.of("sim-2", "sim-3"));
            simulation.crash(2);
            simulation.crash(3);
            simulation.restart(2);
            final Node node3 = simulation.restart(3);
            final StoreHandle handle = stores[3].handle(node3);
            assertThat(simulation.runUntil(() -> 2 == memberships[3].liveCount(), BUDGET_MS))
                .as("node 3 hears node 2").isTrue();
            simulation.runFor(10 * GOSSIP_INTERVAL_MS);
            assertThat(memberships[3].isComplete()).as("seed 1 unheard").isFalse();

            for (final ConsistencyLevel level : List.of(ConsistencyLevel.QUORUM, ConsistencyLevel.ALL))
            {
                final CompletableFuture<Void> refused = handle.put(KEYSPACE, level.ordinal(), value(), level);
                simulation.await(refused, BUDGET_MS);
                assertThatThrownBy(refused::join).isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(MembershipFormingException.class)
                    .hasMessageContaining("1 of its 2 seeds heard");
                assertThat(StoreInspector.kind(stores[3], KEYSPACE, level.ordinal()))
                    .as("nothing written at %s", level).isEqualTo(StoreInspector.ABSENT);
            }
            assertThat(stores[3].statistics().failures(WriteFailureKind.MEMBERSHIP_FORMING)).isEqualTo(2);
            assertThat(stores[3].statistics().failures(WriteFailureKind.CONSISTENCY)).isZero();
            final CompletableFuture<Void> one = handle.put(KEYSPACE, 100, value(), ConsistencyLevel.ONE);
            simulation.await(one, BUDGET_MS);
            assertThat(one).as("ONE is served on a forming view").isCompleted();

            simulation.network().heal();
            assertThat(simulation.runUntil(() -> memberships[3].isComplete() &&
                NODES == memberships[3].liveCount(), BUDGET_MS)).as("node 3 complete after the heal").isTrue();
            for (final ConsistencyLevel level : List.of(ConsistencyLevel.QUORUM, ConsistencyLevel.ALL))
            {
                final CompletableFuture<Void> accepted = handle.put(KEYSPACE, 200 + level.ordinal(), value(), level);
                simulation.await(accepted, BUDGET_MS);
                assertThat(accepted).as("%s once complete; %s", level, simulation.replayHint()).isCompleted();
            }
        }
    }

    private static boolean allSeeAll(final MembershipComponent[] memberships)
    {
        for (int id = 1; id <= NODES; id++)
        {
            if (NODES != memberships[id].liveCount() || !memberships[id].isComplete())
            {
                return false;
            }
        }
        return true;
    }

    private static byte[] value()
    {
        return "v".getBytes(StandardCharsets.UTF_8);
    }
}
