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
            final PendingWork pending = new PendingWork(simulation);
            final long steppedAtMs = simulation.clock().time();

            simulation.nodeClock(1).offsetMs(HOUR_MS);
            simulation.runFor(TIMER_DELAY_MS / 2);
            assertThat(pending.timer).as("the timer waits for its delay, not the wall clock").isNotDone();
            simulation.runFor(TIMEOUT_MS - TIMER_DELAY_MS);
            assertThat(pending.call).as("the call waits for its timeout, not the wall clock").isNotDone();
            assertThat(pending.client.counters().rpc().requestTimeouts.get()).isZero();

            assertThat(simulation.runUntil(pending.call::isDone, TIMEOUT_MS)).as("the call times out").isTrue();
            assertThat(SimScenarioSupport.errorOf(pending.call)).isEqualTo(RpcError.TIMEOUT);
            assertThat(simulation.clock().time() - steppedAtMs).as("virtual ms from the step to the timeout")
                .isGreaterThanOrEqualTo(TIMEOUT_MS / 2);
            assertThat(pending.timer).isDone();
        }
    }

    @Test
    void aWallClockSteppedBackByAnHourDelaysNoCallTimeoutOrTimer(@ReplaySeed(32) final long seed)
    {
        try (Simulation simulation = new Simulation(seed))
        {
            final PendingWork pending = new PendingWork(simulation);

            simulation.nodeClock(1).offsetMs(-HOUR_MS);
            assertThat(simulation.runUntil(pending.timer::isDone, 2 * TIMER_DELAY_MS)).as("the timer fires on time")
                .isTrue();
            assertThat(simulation.runUntil(pending.call::isDone, 2 * TIMEOUT_MS)).as("the call times out on time")
                .isTrue();
            assertThat(SimScenarioSupport.errorOf(pending.call)).isEqualTo(RpcError.TIMEOUT);
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

    /**
     * Node 1 calls node 2, which holds every request unanswered, with a {@link #TIMEOUT_MS} timeout, and schedules a
     * timer {@link #TIMER_DELAY_MS} ahead; built once the request has arrived.
     */
    private static final class PendingWork
    {
        final Node client;
        final CompletableFuture<RpcResponse> call;
        /** Completes with the virtual time the timer fired at. */
        final CompletableFuture<Long> timer = new CompletableFuture<>();

        PendingWork(final Simulation simulation)
        {
            final List<RpcReply> held = new ArrayList<>();
            client = simulation.addNode(1);
            simulation.addNode(2, (ctx) -> ctx.addService(
                new RpcService(HOLD).handler(1, (request, reply) -> held.add(reply.defer()))));
            call = client.call("sim-2", HOLD, 1, new byte[]{1}, null, TIMEOUT_MS);
            client.submit((s) -> s.timers().scheduleAfter(
                TIMER_DELAY_MS, (timerId, monotonicMs) -> timer.complete(simulation.clock().time())));
            assertThat(simulation.runUntil(() -> !held.isEmpty(), TIMEOUT_MS / 2)).as("the request arrived").isTrue();
        }
    }
}
