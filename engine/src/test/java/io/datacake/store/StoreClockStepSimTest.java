package io.datacake.store;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.sim.Simulation;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Repair rounds and broadcast flushes are scheduled on each node's monotonic clock: a wall clock stepped back by an
 * hour (within the HLC's tolerated drift) delays neither.
 */
final class StoreClockStepSimTest
{
    private static final String KEYSPACE = "clock-step";
    private static final long HOUR_MS = 3_600_000;
    private static final long MINUTE_MS = 60_000;
    private static final long REPAIR_INTERVAL_MS = 100;
    private static final long WATCH_MS = 2_000;
    private static final long BROADCAST_BOUND_VIRTUAL_MS = 100;

    @Test
    void aWallClockSteppedBackDoesNotDelayRepairRounds()
    {
        try (StoreSimCluster cluster = new StoreSimCluster(
            new Simulation(Simulation.seedFromProperty(51)), 3, (ctx) -> ctx.repairIntervalMs(REPAIR_INTERVAL_MS)))
        {
            cluster.simulation.runFor(2 * REPAIR_INTERVAL_MS);
            final long roundsBefore = cluster.counter(1, "store repair rounds");
            assertThat(roundsBefore).as("repair runs before the step").isPositive();

            cluster.simulation.nodeClock(1).offsetMs(-HOUR_MS);
            cluster.simulation.runFor(WATCH_MS);

            assertThat(cluster.counter(1, "store repair rounds") - roundsBefore)
                .as("repair rounds of the stepped node in %d virtual ms; %s", WATCH_MS,
                    cluster.simulation.replayHint())
                .isGreaterThanOrEqualTo(WATCH_MS / REPAIR_INTERVAL_MS / 2);
        }
    }

    @Test
    void aWallClockSteppedBackDoesNotDelayBroadcastFlushes()
    {
        // Repair a minute apart: within the bound, only the broadcast can bring the write to the replicas.
        try (StoreSimCluster cluster = new StoreSimCluster(
            new Simulation(Simulation.seedFromProperty(52)), 3, (ctx) -> ctx.repairIntervalMs(MINUTE_MS)))
        {
            cluster.simulation.runFor(10);
            cluster.simulation.nodeClock(1).offsetMs(-HOUR_MS);
            cluster.simulation.runFor(10);

            cluster.await(cluster.handle(1).put(
                KEYSPACE, 1, "v".getBytes(StandardCharsets.UTF_8), ConsistencyLevel.NONE)).join();
            final boolean replicated = cluster.simulation.runUntil(
                () -> null != cluster.get(2, KEYSPACE, 1) && null != cluster.get(3, KEYSPACE, 1),
                BROADCAST_BOUND_VIRTUAL_MS);
            assertThat(replicated).as("both replicas store the broadcast within %d virtual ms; %s",
                BROADCAST_BOUND_VIRTUAL_MS, cluster.simulation.replayHint()).isTrue();
        }
    }
}
