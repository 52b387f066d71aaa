package io.datacake.store;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.sim.NetworkFaults;
import io.datacake.sim.Simulation;
import io.datacake.sim.StorageFaults;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Store bugs the reliability campaign found, each reduced to a fixed scenario on a simulated cluster.
 */
final class StoreFaultRegressionTest
{
    private static final String KEYSPACE = "regression";
    private static final long CONVERGE_BOUND_VIRTUAL_MS = 30_000;
    private static final long MINUTE_MS = 60_000;

    /**
     * Campaign seed 14: a replica applied a broadcast delete to its set, its storage commit failed, and from then on
     * its set (and tree) said "deleted" while its storage still served the value: repair saw equal trees and never
     * fixed it, so the node read a deleted key for ever.
     */
    @Test
    void aFailedCommitLeavesNoDifferenceBetweenTheSetAndStorage()
    {
        final FailingCommits faults = new FailingCommits("sim-2");
        try (StoreSimCluster cluster = new StoreSimCluster(
            new Simulation(14, NetworkFaults.NONE, faults), 3, (ctx) -> ctx.repairIntervalMs(50)))
        {
            final byte[] value = "v".getBytes(StandardCharsets.UTF_8);
            cluster.await(cluster.handle(1).put(KEYSPACE, 7, value, ConsistencyLevel.ALL)).join();
            assertThat(cluster.get(2, KEYSPACE, 7)).isNotNull();

            faults.failing = true;
            cluster.await(cluster.handle(1).delete(KEYSPACE, 7, ConsistencyLevel.NONE)).join();
            cluster.simulation.runUntil(() -> faults.failed > 0, CONVERGE_BOUND_VIRTUAL_MS);
            faults.failing = false;
            assertThat(faults.failed).as("node 2's commit of the broadcast delete failed").isPositive();

            final boolean converged = cluster.simulation.runUntil(
                () -> null == cluster.get(2, KEYSPACE, 7), CONVERGE_BOUND_VIRTUAL_MS);
            assertThat(converged).as("node 2 stores the delete within %d virtual ms; %s",
                CONVERGE_BOUND_VIRTUAL_MS, cluster.simulation.replayHint()).isTrue();
        }
    }

    /**
     * Campaign seed 22: a node whose clock had been pushed ahead by a peer's (within the maximum drift) restarted,
     * and its first writes were stamped behind the stamps it had issued before the crash; its own set and every
     * replica dropped them as stale yet acknowledged them, so a write acknowledged at ALL was stored nowhere.
     */
    @Test
    void aRestartedNodeStampsItsWritesAfterTheOnesItStoredBeforeTheCrash()
    {
        final Simulation simulation = new Simulation(22);
        simulation.nodeClock(3).offsetMs(10 * MINUTE_MS);
        try (StoreSimCluster cluster = new StoreSimCluster(simulation, 3, (ctx) -> ctx.repairIntervalMs(MINUTE_MS)))
        {
            final byte[] value = "v".getBytes(StandardCharsets.UTF_8);
            cluster.await(cluster.handle(1).put(KEYSPACE, 1, value, ConsistencyLevel.ALL)).join();
            cluster.await(cluster.handle(1).put(KEYSPACE, 2, value, ConsistencyLevel.ALL)).join();
            final long stampBeforeCrash = cluster.get(1, KEYSPACE, 2).stamp();

            simulation.crash(1);
            cluster.restart(1);
            cluster.await(cluster.handle(1).put(KEYSPACE, 3, value, ConsistencyLevel.ALL)).join();

            for (int id = 1; id <= 3; id++)
            {
                assertThat(cluster.get(id, KEYSPACE, 3)).as("node %d holds the write acknowledged at ALL", id)
                    .isNotNull();
                assertThat(cluster.get(id, KEYSPACE, 3).stamp()).isGreaterThan(stampBeforeCrash);
            }
        }
    }

    /**
     * Campaign finding: timers followed the node's wall clock, so a clock stepped back delayed every pending request
     * timeout and the next repair round by the whole step. Timers and RPC deadlines now run on the node's monotonic
     * clock ({@code NodeContext.nanoClock}), which a wall clock step does not move.
     */
    @Test
    void aClockSteppedBackDoesNotDelayTheTimeoutOfAWriteNobodyAnswers()
    {
        try (StoreSimCluster cluster = new StoreSimCluster(23, 3))
        {
            cluster.simulation.crash(3);
            final CompletableFuture<Void> write = cluster.handle(1).put(
                KEYSPACE, 1, "v".getBytes(StandardCharsets.UTF_8), ConsistencyLevel.ALL);
            cluster.simulation.runFor(10);
            cluster.simulation.nodeClock(1).offsetMs(-MINUTE_MS);

            cluster.simulation.runUntil(write::isDone, 5 * StoreSimCluster.REQUEST_TIMEOUT_MS);
            assertThat(write).as("the write to a crashed replica failed within 5 request timeouts of virtual time")
                .isCompletedExceptionally();
        }
    }

    /**
     * Fails every commit of one storage while armed; durable at once otherwise.
     */
    private static final class FailingCommits implements StorageFaults
    {
        private final String storageName;
        boolean failing;
        int failed;

        FailingCommits(final String storageName)
        {
            this.storageName = storageName;
        }

        public boolean failsCommit(final String name, final int operationCount)
        {
            if (failing && storageName.equals(name))
            {
                failed++;
                return true;
            }
            return false;
        }

        public long syncDelayMs(final String name, final int operationCount)
        {
            return 0;
        }
    }
}
