package io.datacake.rpc;

import io.datacake.node.Node;
import io.datacake.security.FrameProtection;
import io.datacake.sim.RandomNetworkFaults;
import io.datacake.sim.Simulation;
import io.datacake.testing.SeededTrials;
import io.datacake.testing.TestKeyrings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.datacake.rpc.DuplicatedRequestTest.BODY_LENGTH;
import static io.datacake.rpc.DuplicatedRequestTest.FILL;
import static io.datacake.rpc.DuplicatedRequestTest.RUNS;
import static io.datacake.rpc.DuplicatedRequestTest.awaitBodiesOfOneRun;
import static io.datacake.rpc.DuplicatedRequestTest.callEvery3Ms;
import static io.datacake.rpc.DuplicatedRequestTest.distinct;
import static io.datacake.rpc.DuplicatedRequestTest.fillService;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DuplicatedRequestTest}'s networks with secured frames: a duplicated delivery is now a replay, dropped by the
 * receiver's window before the handler runs a second time, and calls still complete with the body of exactly one
 * run, including under random loss and duplication.
 */
final class SecuredDuplicationTest
{
    private static final String CLIENT = "sim-1";
    private static final String SERVER = "sim-2";

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void aDuplicatedRequestRunsTheHandlerOnceAndTheCallCompletes(final FrameProtection protection)
    {
        final DuplicatedRequestTest.ScriptedFaults faults = new DuplicatedRequestTest.ScriptedFaults();
        faults.script(CLIENT, SERVER, 0, 1, 10);
        faults.script(SERVER, CLIENT, 1, 30);
        try (Simulation simulation = new Simulation(7, faults))
        {
            final int[] runs = new int[1];
            final Node client = simulation.addNode(1, TestKeyrings.secured(protection));
            final Node server = simulation.addNode(2,
                TestKeyrings.secured(protection).andThen((ctx) -> ctx.addService(fillService(runs))));

            final CompletableFuture<RpcResponse> call = client.call(SERVER, RUNS, FILL, new byte[1], null, 5_000);
            assertThat(simulation.await(call, 10_000)).isDone();

            assertThat(runs[0]).as("the copy was a replay").isEqualTo(1);
            assertThat(server.counters().rpc().replayedFramesDropped.get()).isEqualTo(1);
            final byte[] body = call.join().body();
            assertThat(body).hasSize(BODY_LENGTH);
            assertThat(distinct(body)).containsExactly(1);
        }
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void underLossAndDuplicationEveryCompletedCallHasTheBodyOfOneRun(final FrameProtection protection)
    {
        final long seed = SeededTrials.seed("SecuredDuplicationTest " + protection + " under loss and duplication");
        final String replay = "seed " + seed + ", replay with -D" + SeededTrials.SEED_PROPERTY + "=" + seed;
        try (Simulation simulation = new Simulation(seed, new RandomNetworkFaults(seed, 0.05, 0.3, 1, 25)))
        {
            final int[] runs = new int[1];
            final Node client = simulation.addNode(1, TestKeyrings.secured(protection));
            final Node server = simulation.addNode(2,
                TestKeyrings.secured(protection).andThen((ctx) -> ctx.addService(fillService(runs))));
            final List<CompletableFuture<RpcResponse>> calls = callEvery3Ms(simulation, client, 60);
            assertThat(awaitBodiesOfOneRun(simulation, calls, replay)).as("some calls completed; %s", replay)
                .isPositive();
            assertThat(runs[0]).as("no request ran twice; %s", replay).isLessThanOrEqualTo(calls.size());
            assertThat(server.counters().rpc().replayedFramesDropped.get() +
                client.counters().rpc().replayedFramesDropped.get()).as("duplicates were dropped; %s", replay)
                .isPositive();
            assertThat(server.counters().rpc().forgedFramesDropped.get() +
                client.counters().rpc().forgedFramesDropped.get()).as(replay).isZero();
        }
    }
}
