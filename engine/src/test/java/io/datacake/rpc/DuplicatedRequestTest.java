package io.datacake.rpc;

import io.datacake.node.Node;
import io.datacake.sim.NetworkFaults;
import io.datacake.sim.RandomNetworkFaults;
import io.datacake.sim.Simulation;
import io.datacake.testing.SeededTrials;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A duplicated request runs its handler twice; with a streamed response the caller must still complete with the
 * body of one run only, never the first frame of one run combined with chunks of another.
 */
final class DuplicatedRequestTest
{
    static final String RUNS = "runs";
    static final int FILL = 1;
    static final int BODY_LENGTH = 30_000;
    private static final String CLIENT = "sim-1";
    private static final String SERVER = "sim-2";

    @Test
    void aDuplicatedRequestWhoseFirstAnswerIsSlowCompletesWithTheBodyOfOneRunOnly()
    {
        final ScriptedFaults faults = new ScriptedFaults();
        // The request arrives twice, at 1 ms and 10 ms; the first answer's chunk is held until 30 ms, so the
        // second answer's frames overtake it.
        faults.script(CLIENT, SERVER, 0, 1, 10);
        faults.script(SERVER, CLIENT, 1, 30);
        try (Simulation simulation = new Simulation(7, faults))
        {
            final int[] runs = new int[1];
            final Node client = simulation.addNode(1);
            simulation.addNode(2, (ctx) -> ctx.addService(fillService(runs)));

            final CompletableFuture<RpcResponse> call = client.call(SERVER, RUNS, FILL, new byte[1], null, 5_000);
            assertThat(simulation.await(call, 10_000)).isDone();

            assertThat(runs[0]).as("the handler ran for both copies").isEqualTo(2);
            final byte[] body = call.join().body();
            assertThat(body).hasSize(BODY_LENGTH);
            assertThat(distinct(body)).as("bytes of one run only").containsExactly(1);
            assertThat(client.counters().rpc().streamChunksDropped.get()).isEqualTo(1);
        }
    }

    @Test
    void underLossAndDuplicationEveryStreamedResponseIsTheBodyOfOneRun()
    {
        final long seed = SeededTrials.seed("DuplicatedRequestTest streamed bodies under loss and duplication");
        final String replay = "seed " + seed + ", replay with -D" + SeededTrials.SEED_PROPERTY + "=" + seed;
        try (Simulation simulation = new Simulation(seed, new RandomNetworkFaults(seed, 0.05, 0.3, 1, 25)))
        {
            final int[] runs = new int[1];
            final Node client = simulation.addNode(1);
            simulation.addNode(2, (ctx) -> ctx.addService(fillService(runs)));
            final List<CompletableFuture<RpcResponse>> calls = callEvery3Ms(simulation, client, 60);
            assertThat(awaitBodiesOfOneRun(simulation, calls, replay)).as("some calls completed; %s", replay)
                .isPositive();
            assertThat(runs[0]).as("some requests were duplicated; %s", replay).isGreaterThan(calls.size());
        }
    }

    /**
     * Call the fill service {@code count} times, 3 virtual ms apart.
     */
    static List<CompletableFuture<RpcResponse>> callEvery3Ms(
        final Simulation simulation, final Node client, final int count)
    {
        final List<CompletableFuture<RpcResponse>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            calls.add(client.call(SERVER, RUNS, FILL, new byte[1], null, 2_000));
            simulation.runFor(3);
        }
        return calls;
    }

    /**
     * Wait for every call; each one that succeeded must carry the whole body of exactly one run.
     *
     * @return how many succeeded.
     */
    static int awaitBodiesOfOneRun(
        final Simulation simulation, final List<CompletableFuture<RpcResponse>> calls, final String replay)
    {
        int ok = 0;
        for (final CompletableFuture<RpcResponse> call : calls)
        {
            assertThat(simulation.await(call, 10_000)).as(replay).isDone();
            if (!call.isCompletedExceptionally())
            {
                ok++;
                final byte[] body = call.join().body();
                assertThat(body).as(replay).hasSize(BODY_LENGTH);
                assertThat(distinct(body)).as(replay).hasSize(1);
            }
        }
        return ok;
    }

    /**
     * Answers every request with 30,000 bytes filled with the number of this run of the handler.
     */
    static RpcService fillService(final int[] runs)
    {
        return new RpcService(RUNS).handler(FILL, (request, reply) ->
        {
            runs[0]++;
            final byte[] body = new byte[BODY_LENGTH];
            java.util.Arrays.fill(body, (byte)runs[0]);
            reply.send(new UnsafeBuffer(body), 0, body.length);
        });
    }

    static List<Integer> distinct(final byte[] body)
    {
        final List<Integer> values = new ArrayList<>();
        for (final byte b : body)
        {
            if (!values.contains((int)b))
            {
                values.add((int)b);
            }
        }
        return values;
    }

    /**
     * Delays (and so duplicates) chosen frames by their index on a link; every other frame arrives after 1 ms.
     */
    static final class ScriptedFaults implements NetworkFaults
    {
        private final Map<String, Map<Integer, long[]>> delaysByLink = new HashMap<>();
        private final Map<String, Integer> framesByLink = new HashMap<>();
        private final ArrayDeque<Long> pendingDelays = new ArrayDeque<>();

        void script(final String source, final String destination, final int frameIndex, final long... delaysMs)
        {
            delaysByLink.computeIfAbsent(source + ">" + destination, (key) -> new HashMap<>())
                .put(frameIndex, delaysMs);
        }

        public int copies(final String source, final String destination, final int length)
        {
            final String link = source + ">" + destination;
            final int index = framesByLink.merge(link, 1, Integer::sum) - 1;
            final long[] delays = delaysByLink.getOrDefault(link, Map.of()).get(index);
            pendingDelays.clear();
            if (null == delays)
            {
                pendingDelays.add(NO_FAULT_DELAY_MS);
                return 1;
            }
            for (final long delay : delays)
            {
                pendingDelays.add(delay);
            }
            return delays.length;
        }

        public long delayMs(final String source, final String destination)
        {
            return pendingDelays.isEmpty() ? NO_FAULT_DELAY_MS : pendingDelays.poll();
        }
    }
}
