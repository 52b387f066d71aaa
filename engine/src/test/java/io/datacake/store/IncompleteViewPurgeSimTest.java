package io.datacake.store;

import io.datacake.membership.ClusterView;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.MemberVisitor;
import io.datacake.membership.StaticClusterView;
import io.datacake.node.Node;
import io.datacake.sim.Simulation;
import io.datacake.storage.StorageWriterContext;
import org.agrona.collections.Int2ObjectHashMap;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes that know only each other, as two gossiping nodes restarted together in a partition do, with wall clocks
 * two hours ahead: while their views may lack members they must not purge a tombstone, however well they match each
 * other, as members they have not heard of may still hold the key's older write.
 */
final class IncompleteViewPurgeSimTest
{
    private static final String KEYSPACE = "incomplete";
    private static final long KEY = 5;
    private static final long HOUR_MS = 3_600_000;
    private static final long INTERVAL_MS = 50;
    private static final long WATCH_MS = 5_000;
    private static final int NODES = 2;

    @Test
    void nodesWhoseViewsMayLackMembersPurgeNothing()
    {
        final Simulation simulation = new Simulation(Simulation.seedFromProperty(61));
        final Int2ObjectHashMap<ReplicatedStore> stores = new Int2ObjectHashMap<>();
        final Int2ObjectHashMap<CompletenessView> views = new Int2ObjectHashMap<>();
        final Int2ObjectHashMap<StoreHandle> handles = new Int2ObjectHashMap<>();
        try (simulation)
        {
            System.out.println("incomplete view purge " + simulation.replayHint());
            for (int id = 1; id <= NODES; id++)
            {
                final Node node = simulation.addNode(id, (ctx) ->
                {
                    final int nodeId = ctx.nodeId();
                    final CompletenessView view = new CompletenessView(nodeId);
                    final ReplicatedStore store = new ReplicatedStore(new StoreContext()
                        .storage(simulation.storage(nodeId))
                        .clusterView(view)
                        .repairIntervalMs(INTERVAL_MS)
                        .purgeIntervalMs(INTERVAL_MS)
                        .writerContext(new StorageWriterContext().useAgentInvoker(true)));
                    ctx.addComponent(store);
                    stores.put(nodeId, store);
                    views.put(nodeId, view);
                });
                handles.put(id, stores.get(id).handle(node));
            }
            final byte[] value = "v".getBytes(StandardCharsets.UTF_8);
            // ONE reaches both nodes; the levels sized by the member list are refused on an incomplete view.
            await(simulation, handles.get(1).put(KEYSPACE, KEY, value, ConsistencyLevel.ONE));
            await(simulation, handles.get(1).delete(KEYSPACE, KEY, ConsistencyLevel.ONE));
            for (int id = 1; id <= NODES; id++)
            {
                simulation.nodeClock(id).offsetMs(2 * HOUR_MS);
            }
            simulation.runFor(WATCH_MS);

            for (int id = 1; id <= NODES; id++)
            {
                assertThat(stores.get(id).keyspaceState(KEYSPACE).set().tombstoneCount())
                    .as("node %d keeps the tombstone while its view may lack members; %s", id,
                        simulation.replayHint()).isEqualTo(1);
            }

            views.values().forEach((view) -> view.complete = true);
            final boolean purged = simulation.runUntil(() ->
                0 == stores.get(1).keyspaceState(KEYSPACE).set().tombstoneCount() &&
                0 == stores.get(2).keyspaceState(KEYSPACE).set().tombstoneCount(), WATCH_MS);
            assertThat(purged).as("purged once the views are complete; %s", simulation.replayHint()).isTrue();
        }
    }

    private static void await(final Simulation simulation, final CompletableFuture<?> future)
    {
        assertThat(simulation.await(future, WATCH_MS).isDone()).as("done; %s", simulation.replayHint()).isTrue();
        future.join();
    }

    /** A fixed view of nodes 1 and 2 that says whether it is complete as told. */
    private static final class CompletenessView implements ClusterView
    {
        private final StaticClusterView members;
        private boolean complete;

        CompletenessView(final int nodeId)
        {
            members = new StaticClusterView(nodeId, "dc1", "sim-" + nodeId);
            final int other = 3 - nodeId;
            members.addMember(other, "dc1", "sim-" + other);
        }

        public int localNodeId()
        {
            return members.localNodeId();
        }

        public String localDataCentre()
        {
            return members.localDataCentre();
        }

        public long version()
        {
            return members.version();
        }

        public int memberCount()
        {
            return members.memberCount();
        }

        public int liveCount()
        {
            return members.liveCount();
        }

        public void forEachMember(final MemberVisitor visitor)
        {
            members.forEachMember(visitor);
        }

        public boolean isComplete()
        {
            return complete;
        }
    }
}
