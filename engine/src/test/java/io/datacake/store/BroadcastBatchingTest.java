package io.datacake.store;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.sim.Simulation;
import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The writes of one duty cycle reach each member that was not a selected replica in batched messages bounded by
 * entries and bytes, in stamp order with the synchronous replicate calls, and a broadcast the network dropped is
 * carried on by repair. Three simulated nodes; seeds replay with {@code -D}{@value Simulation#SEED_PROPERTY}.
 */
final class BroadcastBatchingTest
{
    private static final String KEYSPACE = "docs";
    private static final long NO_REPAIR_MS = 3_600_000;
    private static final long BOUND_VIRTUAL_MS = 30_000;
    private static final int MAX_BATCH = 4;
    private static final int PEERS = 2;

    private static List<CompletableFuture<Void>> putInOneCycle(
        final StoreSimCluster cluster, final int writes, final int valueLength, final ConsistencyLevel level)
    {
        final List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int key = 0; key < writes; key++)
        {
            futures.add(cluster.handle(1).put(KEYSPACE, key, new byte[valueLength], level));
        }
        return futures;
    }

    private static boolean everyNodeHolds(final StoreSimCluster cluster, final int documents)
    {
        for (int id = 1; id <= cluster.nodeCount(); id++)
        {
            if (cluster.store(id).statistics().documents() != documents)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * In one duty cycle: a write at NONE to a keyspace (broadcast to both peers), then one at ALL to {@value #KEYSPACE}
     * (a call to both peers).
     *
     * @return whether both writes reached every node within the bound.
     */
    private static boolean broadcastThenCallEveryPeer(final StoreSimCluster cluster, final String broadcastKeyspace)
    {
        final CompletableFuture<Void> broadcast =
            cluster.handle(1).put(broadcastKeyspace, 1, new byte[8], ConsistencyLevel.NONE);
        final CompletableFuture<Void> synchronous =
            cluster.handle(1).put(KEYSPACE, 2, new byte[8], ConsistencyLevel.ALL);
        cluster.await(broadcast);
        cluster.await(synchronous);
        return cluster.simulation.runUntil(() -> everyNodeHolds(cluster, 2), BOUND_VIRTUAL_MS);
    }

    @Test
    void theWritesOfOneDutyCycleGoToEachPeerInCeilNOverMaxBatchMessages()
    {
        try (StoreSimCluster cluster = new StoreSimCluster(SeededTrials.seed("BroadcastBatchingTest", 701), 3,
            (ctx) -> ctx.broadcastMaxEntries(MAX_BATCH).repairIntervalMs(NO_REPAIR_MS)))
        {
            final int writes = 10;
            putInOneCycle(cluster, writes, 8, ConsistencyLevel.NONE).forEach(cluster::await);

            assertThat(cluster.simulation.runUntil(() -> everyNodeHolds(cluster, writes), BOUND_VIRTUAL_MS))
                .as("broadcast reached every node; %s", cluster.simulation.replayHint()).isTrue();
            final long perPeer = (writes + MAX_BATCH - 1) / MAX_BATCH;
            assertThat(cluster.store(1).statistics().broadcastMessages()).isEqualTo(PEERS * perPeer);
            assertThat(cluster.store(1).statistics().broadcastsDropped()).isZero();
        }
    }

    @Test
    void theByteBoundCutsABatchEarly()
    {
        try (StoreSimCluster cluster = new StoreSimCluster(SeededTrials.seed("BroadcastBatchingTest", 702), 3,
            (ctx) -> ctx.broadcastMaxEntries(MAX_BATCH).broadcastMaxBytes(2_500).repairIntervalMs(NO_REPAIR_MS)))
        {
            final int writes = 10;
            putInOneCycle(cluster, writes, 1_000, ConsistencyLevel.NONE).forEach(cluster::await);

            assertThat(cluster.simulation.runUntil(() -> everyNodeHolds(cluster, writes), BOUND_VIRTUAL_MS))
                .as("broadcast reached every node; %s", cluster.simulation.replayHint()).isTrue();
            assertThat(cluster.store(1).statistics().broadcastMessages()).as("two 1,000-byte values a message")
                .isEqualTo(PEERS * (writes / 2));
        }
    }

    @Test
    void batchedWritesReachAPeerBeforeALaterSynchronousWriteToIt()
    {
        try (StoreSimCluster cluster = new StoreSimCluster(SeededTrials.seed("BroadcastBatchingTest", 703), 3,
            (ctx) -> ctx.repairIntervalMs(NO_REPAIR_MS)))
        {
            // Had the later write arrived first, the peers would refuse the earlier one as stale; no repair runs.
            assertThat(broadcastThenCallEveryPeer(cluster, KEYSPACE))
                .as("both writes on every node; %s", cluster.simulation.replayHint()).isTrue();
        }
    }

    @Test
    void aPeersBatchRidesInTheNextReplicateCallToItAheadOfTheCallsWrite()
    {
        try (StoreSimCluster cluster = new StoreSimCluster(Simulation.seedFromProperty(705), 3,
            (ctx) -> ctx.repairIntervalMs(NO_REPAIR_MS)))
        {
            // At ONE the two peers take turns as the replica: each write's broadcast to the other peer is pending
            // when the next write calls that peer, so it goes inside that call; only the last one goes on its own.
            final int writes = 10;
            putInOneCycle(cluster, writes, 8, ConsistencyLevel.ONE).forEach(cluster::await);

            assertThat(cluster.simulation.runUntil(() -> everyNodeHolds(cluster, writes), BOUND_VIRTUAL_MS))
                .as("every write on every node, in stamp order (no repair runs); %s",
                cluster.simulation.replayHint()).isTrue();
            assertThat(cluster.store(1).statistics().broadcastMessages()).as("one-way messages sent").isEqualTo(1);
            assertThat(cluster.store(1).statistics().broadcastsDropped()).isZero();
        }
    }

    @Test
    void aBatchOfAnotherKeyspaceGoesOnItsOwnBeforeTheCall()
    {
        try (StoreSimCluster cluster = new StoreSimCluster(Simulation.seedFromProperty(706), 3,
            (ctx) -> ctx.repairIntervalMs(NO_REPAIR_MS)))
        {
            assertThat(broadcastThenCallEveryPeer(cluster, "other"))
                .as("both writes on every node; %s", cluster.simulation.replayHint()).isTrue();
            assertThat(cluster.store(1).statistics().broadcastMessages()).as("the other keyspace's batch, per peer")
                .isEqualTo(PEERS);
        }
    }

    @Test
    void aBroadcastTheNetworkDroppedIsCarriedOnByRepair()
    {
        try (StoreSimCluster cluster = new StoreSimCluster(SeededTrials.seed("BroadcastBatchingTest", 704), 3,
            (ctx) -> ctx.repairIntervalMs(100)))
        {
            cluster.simulation.network().partition(List.of("sim-1", "sim-2"), List.of("sim-3"));
            final int writes = 5;
            putInOneCycle(cluster, writes, 8, ConsistencyLevel.NONE).forEach(cluster::await);
            cluster.simulation.runFor(10);
            assertThat(cluster.store(3).statistics().documents()).as("the partition dropped the broadcast").isZero();

            cluster.simulation.network().heal();
            assertThat(cluster.simulation.runUntil(() -> everyNodeHolds(cluster, writes), BOUND_VIRTUAL_MS))
                .as("repaired; %s", cluster.simulation.replayHint()).isTrue();
            assertThat(cluster.store(3).statistics().documentsFetched()).isEqualTo(writes);
        }
    }
}
