package io.datacake.store;

import io.datacake.membership.ConsistencyException;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.ReplicaSelection;
import io.datacake.membership.ReplicaSelectorFactory;
import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A replicated store takes its replica selection from {@link StoreContext#replicaSelectorFactory}: a selection that
 * pins every write to node 3 decides which replica acknowledges, whatever the level.
 */
final class ReplicaSelectionStoreTest
{
    private static final String KEYSPACE = "pinned";

    @Test
    void aPutWaitsForThePinnedReplicaTheCustomSelectionNames()
    {
        final List<String> made = new ArrayList<>();
        final ReplicaSelectorFactory pinToNodeThree = (localNodeId, localDataCentre) ->
        {
            made.add(localNodeId + "@" + localDataCentre);
            return new PinnedToNodeThree();
        };
        try (StoreSimCluster cluster = new StoreSimCluster(SeededTrials.seed("ReplicaSelectionStoreTest", 511), 3,
            (ctx) -> ctx.replicaSelectorFactory(pinToNodeThree)))
        {
            final CompletableFuture<Void> put =
                cluster.handle(1).put(KEYSPACE, 1, "one".getBytes(StandardCharsets.UTF_8), ConsistencyLevel.ONE);
            cluster.await(put);
            assertThat(put).isCompleted().isNotCompletedExceptionally();
            assertThat(made).as("the coordinator made its selection from the factory").contains("1@" +
                StoreSimCluster.DATA_CENTRE);
            assertThat(cluster.get(3, KEYSPACE, 1)).as("the pinned replica committed before acknowledging")
                .isNotNull();
        }
    }

    @Test
    void theDefaultIsTheDataCentreAwareSelectorAndNullIsRejected()
    {
        assertThat(new StoreContext().replicaSelectorFactory()).isSameAs(ReplicaSelectorFactory.DEFAULT);
        assertThatThrownBy(() -> new StoreContext().replicaSelectorFactory(null))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ReplicaSelectorFactory.DEFAULT");
    }

    /** Every level but NONE needs node 3, live. */
    private static final class PinnedToNodeThree implements ReplicaSelection
    {
        private boolean nodeThreeLive;

        public void clearMembers()
        {
            nodeThreeLive = false;
        }

        public void addMember(final int nodeId, final String dataCentre, final boolean live)
        {
            nodeThreeLive |= 3 == nodeId && live;
        }

        public int select(final ConsistencyLevel level, final int[] targets)
        {
            if (ConsistencyLevel.NONE == level)
            {
                return 0;
            }
            if (!nodeThreeLive)
            {
                throw new ConsistencyException(level, 1, 0, null, "node 3");
            }
            targets[0] = 3;
            return 1;
        }
    }
}
