package io.datacake.store;

import io.datacake.membership.ConsistencyException;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.sim.NetworkFaults;
import io.datacake.sim.Simulation;
import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Each figure of {@link StoreStatistics} moves when its event happens, on three simulated nodes. Seeds replay with
 * {@code -D}{@value Simulation#SEED_PROPERTY}.
 */
final class StoreStatisticsTest
{
    private static final String KEYSPACE = "docs";
    private static final long BOUND_VIRTUAL_MS = 30_000;

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Throwable failureOf(final CompletableFuture<?> future)
    {
        final Throwable thrown = catchThrowable(future::join);
        return thrown instanceof CompletionException ? thrown.getCause() : thrown;
    }

    @Test
    void gaugesAndWriteCountsFollowTheStore()
    {
        try (StoreSimCluster cluster = new StoreSimCluster(SeededTrials.seed("StoreStatisticsTest", 601), 3,
            (ctx) -> ctx.repairIntervalMs(100).purgeIntervalMs(50).tombstoneGraceMs(200)))
        {
            final StoreStatistics node1 = cluster.store(1).statistics();
            final StoreStatistics node3 = cluster.store(3).statistics();
            assertThat(node1.liveMembers()).isEqualTo(3);
            assertThat(node1.keyspaces()).isZero();
            assertThat(node1.documents()).isZero();

            cluster.await(cluster.handle(1).put(KEYSPACE, 1, bytes("a"), ConsistencyLevel.ALL));
            cluster.await(cluster.handle(1).putMany(KEYSPACE, new long[]{2, 3}, new byte[][]{bytes("b"), bytes("c")},
                ConsistencyLevel.ONE));
            cluster.await(cluster.handle(1).delete(KEYSPACE, 1, ConsistencyLevel.ALL));
            assertThat(node1.writes(ConsistencyLevel.ALL)).isEqualTo(2);
            assertThat(node1.writes(ConsistencyLevel.ONE)).isEqualTo(1);
            assertThat(node1.writes(ConsistencyLevel.QUORUM)).isZero();
            assertThat(node1.keyspaces()).isEqualTo(1);
            assertThat(node1.documents()).as("three put, one deleted").isEqualTo(2);
            assertThat(cluster.simulation.runUntil(() -> 2 == node3.documents(), BOUND_VIRTUAL_MS)).isTrue();
            assertThat(node3.keyspaces()).isEqualTo(1);
            assertThat(cluster.simulation.runUntil(() -> 1 == node1.tombstonesPurged(), BOUND_VIRTUAL_MS))
                .as("the delete is purged; %s", cluster.simulation.replayHint()).isTrue();
            assertThat(node1.documents()).as("a purge removes no document").isEqualTo(2);

            cluster.view(1).live(2, false);
            cluster.view(1).live(3, false);
            final CompletableFuture<Void> refused = cluster.handle(1).put(KEYSPACE, 4, bytes("d"), ConsistencyLevel.ALL);
            cluster.simulation.runFor(10);
            assertThat(failureOf(refused)).isInstanceOf(ConsistencyException.class);
            assertThat(node1.failures(WriteFailureKind.CONSISTENCY)).isEqualTo(1);
            assertThat(node1.writes(ConsistencyLevel.ALL)).as("a refused write was not coordinated").isEqualTo(2);
            assertThat(node1.liveMembers()).isEqualTo(1);
        }
    }

    @Test
    void failuresAreCountedByKind()
    {
        try (StoreSimCluster cluster = new StoreSimCluster(SeededTrials.seed("StoreStatisticsTest", 602), 3,
            (ctx) -> ctx.maxPendingWrites(1)))
        {
            final StoreStatistics node1 = cluster.store(1).statistics();
            cluster.simulation.network().partition(List.of("sim-1", "sim-2"), List.of("sim-3"));
            final CompletableFuture<Void> waiting = cluster.handle(1).put(KEYSPACE, 1, bytes("a"), ConsistencyLevel.ALL);
            cluster.simulation.runFor(10);
            final CompletableFuture<Void> refused = cluster.handle(1).put(KEYSPACE, 2, bytes("b"), ConsistencyLevel.NONE);
            cluster.simulation.runFor(10);
            assertThat(failureOf(refused)).isInstanceOf(StoreBackPressureException.class);
            assertThat(node1.failures(WriteFailureKind.BACK_PRESSURE)).isEqualTo(1);

            cluster.await(waiting);
            assertThat(failureOf(waiting)).isInstanceOf(ReplicationException.class);
            assertThat(node1.failures(WriteFailureKind.TIMEOUT)).isEqualTo(1);
            assertThat(node1.failures(WriteFailureKind.STORAGE)).isZero();
        }
    }

    @Test
    void aFailedLocalCommitCountsAsAStorageFailure()
    {
        final SwitchableStorageFaults faults = new SwitchableStorageFaults("sim-1");
        final Simulation simulation =
            new Simulation(SeededTrials.seed("StoreStatisticsTest", 603), NetworkFaults.NONE, faults);
        try (StoreSimCluster cluster = new StoreSimCluster(simulation, 3, (ctx) -> { }))
        {
            faults.failing(true);
            final CompletableFuture<Void> write = cluster.handle(1).put(KEYSPACE, 1, bytes("a"), ConsistencyLevel.ONE);
            cluster.await(write);
            assertThat(failureOf(write)).isInstanceOf(ReplicationException.class);
            assertThat(cluster.store(1).statistics().failures(WriteFailureKind.STORAGE)).isEqualTo(1);
        }
    }

    @Test
    void repairFiguresMoveWhenARoundFetchesWhatANodeMissed()
    {
        try (StoreSimCluster cluster = new StoreSimCluster(SeededTrials.seed("StoreStatisticsTest", 604), 3,
            (ctx) -> ctx.repairIntervalMs(100)))
        {
            final StoreStatistics node3 = cluster.store(3).statistics();
            cluster.simulation.network().partition(List.of("sim-1", "sim-2"), List.of("sim-3"));
            cluster.await(cluster.handle(1).put(KEYSPACE, 1, bytes("a"), ConsistencyLevel.QUORUM));
            cluster.simulation.network().heal();
            assertThat(cluster.simulation.runUntil(() -> 1 == node3.documents(), BOUND_VIRTUAL_MS))
                .as("repaired; %s", cluster.simulation.replayHint()).isTrue();
            assertThat(node3.repairRounds()).isPositive();
            assertThat(node3.repairBytesCompared()).isPositive();
            assertThat(node3.repairEntriesCompared()).isPositive();
            assertThat(node3.documentsFetched()).isEqualTo(1);
        }
    }
}
