package io.datacake.sim;

import io.datacake.clock.HlcTimestamp;
import io.datacake.clock.HybridLogicalClock;
import io.datacake.node.Node;
import io.datacake.rpc.SimScenarioSupport;
import org.agrona.concurrent.EpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Per-node clocks in a simulation: offsets and drift within and beyond the HLC's maximum drift, and the customizer
 * that runs after the simulation's defaults.
 */
@ExtendWith(ReplayOnFailure.class)
final class ClockSkewTest
{
    private static final long MINUTE_MS = 60_000;
    private static final long AWAIT_MS = 10_000;

    @Test
    void theCustomizerRunsLastAndCanReplaceOrWrapWhatTheSimulationSet(@ReplaySeed(5) final long seed)
    {
        try (Simulation simulation = new Simulation(seed))
        {
            final List<Object> seen = new ArrayList<>();
            final EpochClock fixed = () -> 1_234_567L;
            final Node node = simulation.addNode(1, (ctx) ->
            {
                seen.add(ctx.epochClock());
                seen.add(ctx.transport().localEndpoint());
                seen.add(ctx.incarnation());
                ctx.epochClock(fixed);
            });
            assertThat(seen).containsExactly(simulation.nodeClock(1), "sim-1", 1L);
            assertThat(simulation.await(node.execute((s) -> s.epochMs()), AWAIT_MS).join())
                .as("the node reads the customizer's clock").isEqualTo(1_234_567L);
        }
    }

    @Test
    void theCustomizerMustLeaveInvokerModeOn(@ReplaySeed(5) final long seed)
    {
        try (Simulation simulation = new Simulation(seed))
        {
            assertThatThrownBy(() -> simulation.addNode(1, (ctx) -> ctx.useAgentInvoker(false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("useAgentInvoker(true)");
            assertThat(simulation.network().endpoints()).as("the refused node's transport is gone").isEmpty();
        }
    }

    @Test
    void aNodeReadsVirtualTimePlusItsOffsetAndDrift(@ReplaySeed(6) final long seed)
    {
        try (Simulation simulation = new Simulation(seed))
        {
            simulation.nodeClock(2).offsetMs(-3 * MINUTE_MS).driftPpm(100_000);
            final Node skewed = simulation.addNode(2);
            simulation.runFor(60_000);
            final long skewMs = simulation.await(
                skewed.execute((s) -> s.epochMs() - simulation.clock().time()), AWAIT_MS).join();
            assertThat(skewMs).isEqualTo(simulation.nodeClock(2).skewMs());
            assertThat(skewMs).isBetween(-3 * MINUTE_MS + 6_000, -3 * MINUTE_MS + 6_000 + AWAIT_MS / 10);
        }
    }

    @Test
    void aClockAheadWithinTheMaximumDriftIsMergedByItsPeers(@ReplaySeed(7) final long seed)
    {
        try (Simulation simulation = new Simulation(seed))
        {
            simulation.nodeClock(2).offsetMs(10 * MINUTE_MS);
            final Node client = simulation.addNode(1);
            final Node ahead = simulation.addNode(2, (ctx) -> ctx.addService(SimScenarioSupport.echo()));
            assertThat(call(simulation, client, ahead).join().body()).containsExactly(9);

            final long clientStampMs = HlcTimestamp.millis(
                simulation.await(client.execute((s) -> s.clock().lastStamp()), AWAIT_MS).join());
            assertThat(clientStampMs).as("the client's HLC moved up to the skewed peer's time")
                .isGreaterThanOrEqualTo(simulation.clock().time() + 10 * MINUTE_MS - AWAIT_MS);
            assertThat(client.counters().rpc().clockErrors.get()).isZero();
            assertThat(ahead.counters().rpc().clockErrors.get()).isZero();
        }
    }

    @Test
    void aClockAheadBeyondTheMaximumDriftIsRefusedAndCountedWithoutFailingCalls(@ReplaySeed(8) final long seed)
    {
        try (Simulation simulation = new Simulation(seed))
        {
            final Node client = simulation.addNode(1, (ctx) -> ctx.addService(SimScenarioSupport.echo()));
            final Node server = simulation.addNode(2, (ctx) -> ctx.addService(SimScenarioSupport.echo()));
            assertThat(call(simulation, client, server).join().body()).containsExactly(9);
            assertThat(client.counters().rpc().clockErrors.get()).isZero();

            // During the run, step node 2's clock past the HLC's 68 minutes of tolerated drift.
            simulation.nodeClock(2).offsetMs(HybridLogicalClock.DEFAULT_MAX_DRIFT_MS + 10 * MINUTE_MS);
            for (int i = 0; i < 5; i++)
            {
                assertThat(call(simulation, client, server).join().body()).containsExactly(9);
                assertThat(call(simulation, server, client).join().body()).containsExactly(9);
            }

            assertThat(client.counters().rpc().clockErrors.get()).as("stamps from the future are refused and counted")
                .isPositive();
            final long clientStampMs = HlcTimestamp.millis(
                simulation.await(client.execute((s) -> s.clock().lastStamp()), AWAIT_MS).join());
            assertThat(clientStampMs).as("the refused stamps did not move the client's clock")
                .isLessThan(simulation.clock().time() + HybridLogicalClock.DEFAULT_MAX_DRIFT_MS);
            assertThat(server.counters().rpc().clockErrors.get()).as("stamps from the past are fine").isZero();
            assertThat(client.counters().dutyCycleErrors.get() + server.counters().dutyCycleErrors.get()).isZero();
        }
    }

    private static CompletableFuture<io.datacake.rpc.RpcResponse> call(
        final Simulation simulation, final Node from, final Node to)
    {
        return simulation.await(from.call(to.endpoint(), "echo", 1, new byte[]{9}, null, 1_000), AWAIT_MS);
    }
}
