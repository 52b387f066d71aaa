package io.datacake.sim;

import io.datacake.node.Node;
import io.datacake.rpc.RpcError;
import io.datacake.rpc.RpcResponseListener;
import io.datacake.rpc.RpcService;
import io.datacake.rpc.SimScenarioSupport;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Determinism (same seed, same trace) and RPC behaviour under loss, duplication, reordering and partitions.
 */
@ExtendWith(ReplayOnFailure.class)
final class SimulationTest
{
    private static final long DEFAULT_SEED = 20261125L;

    @Test
    void sameSeedGivesTheSameRunAndAnotherSeedAnotherRun(@ReplaySeed(DEFAULT_SEED) final long seed)
    {
        final Outcome first = runLossyScenario(seed, 0.1, 0.05, 20, 200);
        final Outcome second = runLossyScenario(seed, 0.1, 0.05, 20, 200);
        final Outcome other = runLossyScenario(seed + 1, 0.1, 0.05, 20, 200);

        assertThat(second.digest).as("digest for seed %d", seed).isEqualTo(first.digest);
        assertThat(second.outcomes).isEqualTo(first.outcomes);
        assertThat(second.events).isEqualTo(first.events);
        assertThat(other.digest).isNotEqualTo(first.digest);
    }

    @Test
    void underTwentyPercentLossEveryCallCompletesOrTimesOutExactlyOnce(@ReplaySeed(DEFAULT_SEED + 7) final long seed)
    {
        final Outcome outcome = runLossyScenario(seed, 0.2, 0.05, 20, 400);
        final long ok = outcome.outcomes.stream().filter("OK"::equals).count();
        final long timeouts = outcome.outcomes.stream().filter("TIMEOUT"::equals).count();
        assertThat(ok + timeouts).as(outcome.replayHint).isEqualTo(400);
        assertThat(ok).as(outcome.replayHint).isPositive();
        assertThat(timeouts).as(outcome.replayHint).isPositive();
    }

    @Test
    void duplicatedFramesNeverCompleteACallTwice(@ReplaySeed(DEFAULT_SEED + 13) final long seed)
    {
        // A fixed delay: duplicates without reordering. (Streamed bodies need their chunks in order, as Aeron
        // delivers them; a reordered stream fails by timeout, never with a wrong body.)
        final Outcome outcome = runLossyScenario(seed, 0.0, 1.0, 5, 100);
        assertThat(outcome.outcomes).as(outcome.replayHint).containsOnly("OK");
        assertThat(outcome.lateFramesDropped).as(outcome.replayHint).isPositive();
    }

    @Test
    void partitionedPeerTimesOutAndAnswersAgainAfterHeal(@ReplaySeed(DEFAULT_SEED) final long seed)
    {
        try (Simulation simulation = new Simulation(seed))
        {
            final Node client = simulation.addNode(1);
            final Node server = simulation.addNode(2, (ctx) -> ctx.addService(SimScenarioSupport.echo()));
            simulation.network().partition(List.of(client.endpoint()), List.of(server.endpoint()));
            final var cut = simulation.await(client.call(server.endpoint(), "echo", 1, new byte[]{1}, null, 300),
                10_000);
            assertThat(cut).isCompletedExceptionally();
            assertThat(SimScenarioSupport.errorOf(cut)).isEqualTo(RpcError.TIMEOUT);

            simulation.network().heal();
            final var healed = simulation.await(client.call(server.endpoint(), "echo", 1, new byte[]{2}, null, 300),
                10_000);
            assertThat(healed.join().body()).containsExactly(2);
        }
    }

    @Test
    void callToAPeerThatStartsWithinTheConnectTimeoutSucceeds(@ReplaySeed(DEFAULT_SEED) final long seed)
    {
        try (Simulation simulation = new Simulation(seed))
        {
            final Node client = simulation.addNode(1, (ctx) -> ctx.connectTimeoutMs(500));
            final var call = client.call("sim-2", "echo", 1, new byte[]{5}, null, 5_000);
            simulation.runFor(300);
            assertThat(call).isNotDone();
            simulation.addNode(2, (ctx) -> ctx.addService(SimScenarioSupport.echo()));
            assertThat(simulation.await(call, 5_000).join().body()).containsExactly(5);
            assertThat(client.counters().rpc().sendFailures.get()).isZero();
        }
    }

    @Test
    void aHundredNodesExchangeOneWayMessagesInOneThread(@ReplaySeed(DEFAULT_SEED) final long seed)
    {
        try (Simulation simulation = new Simulation(seed))
        {
            final int nodeCount = 100;
            final int[] received = new int[nodeCount + 1];
            final List<Node> nodes = new ArrayList<>();
            for (int id = 1; id <= nodeCount; id++)
            {
                final int self = id;
                nodes.add(simulation.addNode(id, (ctx) -> ctx.addService(new RpcService("gossip")
                    .handler(1, (req, reply) -> received[self]++))));
            }
            final SplittableRandom random = simulation.random();
            int sent = 0;
            for (final Node node : nodes)
            {
                for (int i = 0; i < 10; i++)
                {
                    final String target = "sim-" + (1 + random.nextInt(nodeCount));
                    node.submit((s) -> s.rpc().send(s.rpc().resolvePeer(target), RpcService.idOf("gossip"), 1,
                        new UnsafeBuffer(new byte[64]), 0, 64, null));
                    sent++;
                }
            }
            final int expected = sent;
            assertThat(simulation.runUntil(() -> Arrays.stream(received).sum() == expected, 1_000))
                .as(simulation.replayHint()).isTrue();
        }
    }

    /**
     * Three nodes call each other at random times with random bodies (some streamed) through a faulty network;
     * every call's outcome is recorded in the trace.
     */
    static Outcome runLossyScenario(
        final long seed,
        final double lossRate,
        final double duplicateRate,
        final long maxDelayMs,
        final int callCount)
    {
        final Simulation simulation = new Simulation(
            seed, new RandomNetworkFaults(seed * 31 + 17, lossRate, duplicateRate, Math.min(5, maxDelayMs), maxDelayMs));
        try (simulation)
        {
            final List<Node> nodes = new ArrayList<>();
            for (int id = 1; id <= 3; id++)
            {
                nodes.add(simulation.addNode(id, (ctx) -> ctx.addService(SimScenarioSupport.echo())
                    .requestTimeoutMs(500).streamTimeoutMs(1_000)));
            }
            final SplittableRandom random = simulation.random();
            final CountingListener[] calls = new CountingListener[callCount];
            for (int i = 0; i < callCount; i++)
            {
                simulation.runFor(random.nextInt(5));
                final int caller = random.nextInt(3);
                final int target = (caller + 1 + random.nextInt(2)) % 3;
                final byte[] body = new byte[random.nextInt(10) == 0 ? 40_000 + random.nextInt(20_000) :
                    random.nextInt(100)];
                random.nextBytes(body);
                final CountingListener listener = new CountingListener(i, body, simulation);
                calls[i] = listener;
                final String endpoint = nodes.get(target).endpoint();
                nodes.get(caller).submit((s) -> s.rpc().call(s.rpc().resolvePeer(endpoint), RpcService.idOf("echo"),
                    1, new UnsafeBuffer(body), 0, body.length, null, 0, listener));
            }
            final boolean allDone = simulation.runUntil(
                () -> Arrays.stream(calls).allMatch((c) -> c.completions > 0), 60_000);
            simulation.runFor(2_000);

            final String hint = simulation.replayHint();
            assertThat(allDone).as("every call completes; %s", hint).isTrue();
            final List<String> outcomes = new ArrayList<>();
            for (final CountingListener call : calls)
            {
                assertThat(call.completions).as("call %d completes exactly once; %s", call.index, hint).isEqualTo(1);
                assertThat(call.bodyMatched).as("call %d echoed its body; %s", call.index, hint).isTrue();
                outcomes.add(call.outcome);
            }
            long lateFrames = 0;
            for (final Node node : nodes)
            {
                final int pending = simulation.await(node.execute((s) -> s.rpc().pendingCount()), 1_000).join();
                assertThat(pending).as("nothing left pending; %s", hint).isZero();
                lateFrames += node.counters().rpc().lateFramesDropped.get();
            }
            return new Outcome(simulation.trace().digest(), outcomes, simulation.trace().eventCount(), lateFrames,
                hint);
        }
    }

    static final class Outcome
    {
        final long digest;
        final List<String> outcomes;
        final long events;
        final long lateFramesDropped;
        final String replayHint;

        Outcome(final long digest, final List<String> outcomes, final long events, final long lateFramesDropped,
            final String replayHint)
        {
            this.digest = digest;
            this.outcomes = outcomes;
            this.events = events;
            this.lateFramesDropped = lateFramesDropped;
            this.replayHint = replayHint;
        }
    }

    private static final class CountingListener implements RpcResponseListener
    {
        final int index;
        final byte[] expected;
        final Simulation simulation;
        int completions;
        boolean bodyMatched = true;
        String outcome;

        CountingListener(final int index, final byte[] expected, final Simulation simulation)
        {
            this.index = index;
            this.expected = expected;
            this.simulation = simulation;
        }

        public void onResponse(final long correlationId, final DirectBuffer body, final int offset, final int length)
        {
            completions++;
            final byte[] actual = new byte[length];
            body.getBytes(offset, actual);
            bodyMatched = Arrays.equals(actual, expected);
            outcome = "OK";
            simulation.trace().record(simulation.clock().time(), "call " + index + " OK");
        }

        public void onError(final long correlationId, final RpcError error, final String message)
        {
            completions++;
            outcome = error.name();
            simulation.trace().record(simulation.clock().time(), "call " + index + " " + error);
        }
    }
}
