package io.datacake.sim;

import io.datacake.node.Node;
import io.datacake.rpc.RpcError;
import io.datacake.rpc.RpcReply;
import io.datacake.rpc.RpcResponse;
import io.datacake.rpc.RpcService;
import io.datacake.rpc.SimScenarioSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Timers and RPC deadlines follow each node's monotonic clock, not its wall clock: a wall clock stepped forward
 * fires nothing early, one stepped back delays nothing, and the monotonic clock moves with virtual time alone.
 */
@ExtendWith(ReplayOnFailure.class)
final class MonotonicTimersSimTest
{
    private static final long HOUR_MS = 3_600_000;
    private static final long TIMEOUT_MS = 1_000;
    private static final long TIMER_DELAY_MS = 500;
    private static final String HOLD = "hold";

    @Test
    void aWallClockSteppedForwardByAnHourFiresNoCallTimeoutOrTimerEarly(@ReplaySeed(31) final long seed)
    {
        try (Simulation simulation = new Simulation(seed))
        {
            final List<RpcReply> held = new ArrayList<>();
            final Node client = simulation.addNode(1);
            simulation.addNode(2, (ctx) -> ctx.addService(holdService(held)));
            final CompletableFuture<RpcResponse> call = client.call("sim-2", HOLD, 1, new byte[]{1}, null, TIMEOUT_MS);
            final CompletableFuture<Long> timer = scheduleTimer(simulation, client);
            assertThat(simulation.runUntil(() -> !held.isEmpty(), TIMEOUT_MS / 2)).as("the request arrived").isTrue();
            final long steppedAtMs = simulation.clock().time();

            simulation.nodeClock(1).offsetMs(HOUR_MS);
            simulation.runFor(TIMER_DELAY_MS / 2);
            assertThat(timer).as("the timer waits for its delay, not the wall clock").isNotDone();
            simulation.runFor(TIMEOUT_MS - TIMER_DELAY_MS);
            assertThat(call).as("the call waits for its timeout, not the wall clock").isNotDone();
            assertThat(client.counters().rpc().requestTimeouts.get()).isZero();

            assertThat(simulation.runUntil(call::isDone, TIMEOUT_MS)).as("the call times out").isTrue();
            assertThat(SimScenarioSupport.errorOf(call)).isEqualTo(RpcError.TIMEOUT);
            assertThat(simulation.clock().time() - steppedAtMs).as("virtual ms from the step to the timeout")
                .isGreaterThanOrEqualTo(TIMEOUT_MS - TIMEOUT_MS / 2);
            assertThat(timer).isDone();
        }
    }

    @Test
    void aWallClockSteppedBackByAnHourDelaysNoCallTimeoutOrTimer(@ReplaySeed(32) final long seed)
    {
        try (Simulation simulation = new Simulation(seed))
        {
            final List<RpcReply> held = new ArrayList<>();
            final Node client = simulation.addNode(1);
            simulation.addNode(2, (ctx) -> ctx.addService(holdService(held)));
            final CompletableFuture<RpcResponse> call = client.call("sim-2", HOLD, 1, new byte[]{1}, null, TIMEOUT_MS);
            final CompletableFuture<Long> timer = scheduleTimer(simulation, client);
            simulation.runFor(10);

            simulation.nodeClock(1).offsetMs(-HOUR_MS);
            assertThat(simulation.runUntil(timer::isDone, 2 * TIMER_DELAY_MS)).as("the timer fires on time").isTrue();
            assertThat(simulation.runUntil(call::isDone, 2 * TIMEOUT_MS)).as("the call times out on time").isTrue();
            assertThat(SimScenarioSupport.errorOf(call)).isEqualTo(RpcError.TIMEOUT);
        }
    }

    @Test
    void aNodesMonotonicClockFollowsVirtualTimeWhateverItsWallClockDoes(@ReplaySeed(33) final long seed)
    {
        try (Simulation simulation = new Simulation(seed))
        {
            final Node node = simulation.addNode(1);
            simulation.addNode(2);
            final long startMs = simulation.monotonicClock(1).timeMs();
            final long virtualStartMs = simulation.clock().time();

            simulation.nodeClock(1).offsetMs(-HOUR_MS).driftPpm(SimNodeClock.MAX_DRIFT_PPM);
            simulation.runFor(5_000);
            final long monotonicMs = simulation.await(node.execute((s) -> s.monotonicMs()), 1_000).join();

            final long virtualElapsedMs = simulation.clock().time() - virtualStartMs;
            assertThat(simulation.monotonicClock(1).timeMs() - startMs).isEqualTo(virtualElapsedMs);
            assertThat(monotonicMs).as("what the node reads").isEqualTo(simulation.monotonicClock(1).timeMs());
            assertThat(simulation.monotonicClock(2).timeMs()).as("each node has its own origin")
                .isNotEqualTo(simulation.monotonicClock(1).timeMs());
        }
    }

    private static RpcService holdService(final List<RpcReply> held)
    {
        return new RpcService(HOLD).handler(1, (request, reply) -> held.add(reply.defer()));
    }

    /**
     * Schedule a node timer {@link #TIMER_DELAY_MS} ahead; the future completes with the virtual time it fired at.
     */
    private static CompletableFuture<Long> scheduleTimer(final Simulation simulation, final Node node)
    {
        final CompletableFuture<Long> fired = new CompletableFuture<>();
        node.submit((s) -> s.timers().scheduleAfter(
            TIMER_DELAY_MS, (timerId, monotonicMs) -> fired.complete(simulation.clock().time())));
        return fired;
    }
}
