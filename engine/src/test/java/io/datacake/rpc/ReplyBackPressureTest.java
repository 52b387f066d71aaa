package io.datacake.rpc;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.sim.SimClock;
import io.datacake.testing.SeededTrials;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.Transport;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A server whose transport is back-pressured when it replies: the reply (response or stream credit) is queued and
 * retried from the duty cycle, so the call completes OK, once and in order, instead of timing out although its
 * handler ran. The queue's bounds (bytes, retry deadline) and a peer going away drop queued replies and count them.
 * <p>
 * Both nodes are stepped in the test thread on a simulated clock that only moves when a test moves it, so no
 * timeout fires by accident: a reply that was dropped leaves its call pending, which the tests check.
 */
final class ReplyBackPressureTest
{
    /** Bound on duty-cycle rounds a test steps while waiting: far more than any scenario here needs. */
    private static final int MAX_ROUNDS = 200;
    private static final long LONG_TIMEOUT_MS = 600_000;

    private final SimClock clock = new SimClock();
    private final InProcessNetwork network = new InProcessNetwork();
    private final BackPressuringTransport serverTransport = new BackPressuringTransport(network.newTransport("server"));
    private Node server;
    private Node client;

    private void launch(final NodeContext serverContext)
    {
        server = Node.launch(serverContext.nodeId(2).transport(serverTransport).epochClock(clock).nanoClock(clock)
            .useAgentInvoker(true).addService(RpcScenarios.echoService()));
        client = Node.launch(new NodeContext().nodeId(1).transport(network.newTransport("client"))
            .epochClock(clock).nanoClock(clock).useAgentInvoker(true));
    }

    @AfterEach
    void close()
    {
        if (null != client)
        {
            client.close();
        }
        if (null != server)
        {
            server.close();
        }
    }

    private void step(final int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            client.invoker().invoke();
            server.invoker().invoke();
        }
    }

    private void stepUntilDone(final CompletableFuture<?>... futures)
    {
        stepUntilDone(MAX_ROUNDS, futures);
    }

    private void stepUntilDone(final int maxRounds, final CompletableFuture<?>... futures)
    {
        for (int i = 0; i < maxRounds; i++)
        {
            if (CompletableFuture.allOf(futures).isDone())
            {
                return;
            }
            step(1);
        }
        throw new AssertionError("calls still pending after " + maxRounds + " rounds\nserver:\n" +
            server.counters() + "client:\n" + client.counters());
    }

    private CompletableFuture<RpcResponse> echo(final String text)
    {
        return client.call("server", RpcScenarios.ECHO, RpcScenarios.ECHO_BODY,
            text.getBytes(StandardCharsets.US_ASCII), null, LONG_TIMEOUT_MS);
    }

    private CompletableFuture<RpcResponse> generate(final int length, final long timeoutMs)
    {
        final UnsafeBuffer body = new UnsafeBuffer(new byte[4]);
        body.putInt(0, length, ByteOrder.LITTLE_ENDIAN);
        return client.call("server", RpcService.idOf(RpcScenarios.ECHO), RpcScenarios.GENERATE, body, 0, 4, null,
            timeoutMs);
    }

    @Test
    void aBackPressuredResponseIsQueuedAndTheCallCompletesOkOnce()
    {
        launch(new NodeContext());
        serverTransport.refuseNext(10);

        final CompletableFuture<RpcResponse> call = echo("hello");
        stepUntilDone(call);

        assertThat(call.join().bodyAsString()).isEqualTo("hello");
        assertThat(serverTransport.refusedSends()).isEqualTo(10);
        assertThat(server.counters().rpc().requestsReceived.get()).isEqualTo(1);
        assertThat(server.counters().rpc().repliesQueued.get()).isEqualTo(1);
        assertThat(server.counters().rpc().repliesRetried.get()).isEqualTo(1);
        assertThat(server.counters().rpc().repliesDropped.get()).isZero();
        assertThat(server.counters().rpc().responsesSent.get()).isEqualTo(1);
        assertThat(server.counters().rpc().sendFailures.get()).isZero();
        assertThat(client.counters().rpc().responsesReceived.get()).isEqualTo(1);
        assertThat(client.counters().rpc().lateFramesDropped.get()).isZero();
        assertThat(client.counters().rpc().requestTimeouts.get()).isZero();
        assertThat(pendingReplies(server)).isZero();
    }

    @Test
    void repliesToAPeerWithQueuedRepliesQueueBehindThemSoTheyArriveInOrder()
    {
        launch(new NodeContext());
        // Only the first reply's claim attempts are refused: without queueing behind it, the later replies would
        // be claimed at once and overtake it.
        serverTransport.refuseNext(FramePublisher.SEND_ATTEMPTS);
        final List<String> completions = new ArrayList<>();
        final List<CompletableFuture<RpcResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            final CompletableFuture<RpcResponse> call = echo("reply-" + i);
            call.thenAccept((response) -> completions.add(response.bodyAsString()));
            calls.add(call);
        }

        stepUntilDone(calls.toArray(new CompletableFuture<?>[0]));

        assertThat(completions).containsExactly("reply-0", "reply-1", "reply-2", "reply-3", "reply-4");
        assertThat(server.counters().rpc().repliesQueued.get()).isEqualTo(5);
        assertThat(server.counters().rpc().repliesRetried.get()).isEqualTo(5);
        assertThat(client.counters().rpc().responsesReceived.get()).isEqualTo(5);
        assertThat(client.counters().rpc().lateFramesDropped.get()).isZero();
    }

    @Test
    void aBackPressuredStreamedResponseSendsItsChunksOnlyAfterItsFirstFrame()
    {
        launch(new NodeContext());
        // The first frame is queued after the claim attempts; without holding the stream back, its chunks would be
        // claimed in the same duty cycle and reach the requester before the frame that starts the stream.
        serverTransport.refuseNext(FramePublisher.SEND_ATTEMPTS + 2);
        final int length = 100_000;

        final CompletableFuture<RpcResponse> call = generate(length, LONG_TIMEOUT_MS);
        stepUntilDone(call);

        assertThat(call.join().body()).isEqualTo(RpcScenarios.generated(length));
        assertThat(server.counters().rpc().repliesQueued.get()).isEqualTo(1);
        assertThat(client.counters().rpc().streamChunksDropped.get()).isZero();
        assertThat(client.counters().rpc().lateFramesDropped.get()).isZero();
    }

    @Test
    void backPressuredStreamCreditsAreQueuedSoALargeRequestBodyStillArrives()
    {
        launch(new NodeContext());
        // The server's first sends are the credits for the client's streamed body (one per half window): refusing
        // both credits' claim attempts would stall the body at one window for good if the credits were dropped.
        serverTransport.refuseNext(2 * FramePublisher.SEND_ATTEMPTS);
        final byte[] body = RpcScenarios.generated(4 * NodeContext.DEFAULT_STREAM_WINDOW_BYTES);

        final CompletableFuture<RpcResponse> call = client.call(
            "server", RpcScenarios.ECHO, RpcScenarios.DIGEST, body, null, LONG_TIMEOUT_MS);
        stepUntilDone(call);

        final UnsafeBuffer digest = new UnsafeBuffer(call.join().body());
        assertThat(digest.getInt(0, ByteOrder.LITTLE_ENDIAN)).isEqualTo(body.length);
        assertThat(digest.getLong(4, ByteOrder.LITTLE_ENDIAN)).isEqualTo(RpcScenarios.crc(body, 0, body.length));
        assertThat(server.counters().rpc().repliesQueued.get()).isPositive();
        assertThat(server.counters().rpc().repliesDropped.get()).isZero();
    }

    @Test
    void underRandomBackPressureEveryCallCompletesOkOnceAndSmallRepliesInOrder()
    {
        final long seed = SeededTrials.seed("ReplyBackPressureTest random back pressure");
        final String replay = "seed " + seed + ", replay with -D" + SeededTrials.SEED_PROPERTY + "=" + seed;
        final SplittableRandom random = new SplittableRandom(seed);
        launch(new NodeContext());
        // Up to 60% of sends refused: a queue head then waits about 1.5 duty cycles on average.
        serverTransport.refuseRandomly(random, 0.1 + 0.5 * random.nextDouble());
        final int callCount = 300;
        final List<CompletableFuture<RpcResponse>> calls = new ArrayList<>();
        final List<byte[]> expected = new ArrayList<>();
        final List<Integer> echoCompletions = new ArrayList<>();
        int echoCalls = 0;
        while (calls.size() < callCount)
        {
            // A random batch, so replies pile up behind each other while the transport refuses them.
            final int batch = 1 + random.nextInt(20);
            for (int i = 0; i < batch && calls.size() < callCount; i++)
            {
                if (random.nextInt(10) == 0)
                {
                    // A streamed response: its chunks must wait for its first frame.
                    final int length = 20_000 + random.nextInt(60_000);
                    calls.add(generate(length, LONG_TIMEOUT_MS));
                    expected.add(RpcScenarios.generated(length));
                }
                else
                {
                    final int echoIndex = echoCalls++;
                    final byte[] body = new byte[1 + random.nextInt(1_000)];
                    random.nextBytes(body);
                    final CompletableFuture<RpcResponse> call = client.call(
                        "server", RpcScenarios.ECHO, RpcScenarios.ECHO_BODY, body, null, LONG_TIMEOUT_MS);
                    call.thenRun(() -> echoCompletions.add(echoIndex));
                    calls.add(call);
                    expected.add(body);
                }
            }
            step(1 + random.nextInt(3));
        }
        // Bound: far above the ~1,000 rounds the worst refusal rate needs for ~450 frames; guards only against hangs.
        stepUntilDone(50 * MAX_ROUNDS, calls.toArray(new CompletableFuture<?>[0]));

        for (int i = 0; i < callCount; i++)
        {
            assertThat(calls.get(i).join().body()).as("call %d, %s", i, replay).isEqualTo(expected.get(i));
        }
        final List<Integer> inOrder = new ArrayList<>();
        for (int i = 0; i < echoCalls; i++)
        {
            inOrder.add(i);
        }
        assertThat(echoCompletions).as(replay).isEqualTo(inOrder);
        assertThat(serverTransport.refusedSends()).as(replay).isPositive();
        assertThat(server.counters().rpc().requestsReceived.get()).as(replay).isEqualTo(callCount);
        assertThat(server.counters().rpc().repliesDropped.get()).as(replay).isZero();
        assertThat(client.counters().rpc().responsesReceived.get()).as(replay).isEqualTo(callCount);
        assertThat(client.counters().rpc().lateFramesDropped.get()).as(replay).isZero();
        assertThat(client.counters().rpc().streamChunksDropped.get()).as(replay).isZero();
    }

    @Test
    void aFullQueueDropsAndCountsTheRepliesThatDoNotFit()
    {
        // 32 KiB: two 12 KiB replies fit, the third does not.
        launch(new NodeContext().maxPendingReplyBytes(32 * 1024));
        serverTransport.refuseAll(true);
        final long timeoutMs = 1_000;
        final List<CompletableFuture<RpcResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            calls.add(generate(12 * 1024, timeoutMs));
        }
        step(3);
        assertThat(server.counters().rpc().requestsReceived.get()).isEqualTo(4);
        assertThat(server.counters().rpc().repliesQueued.get()).isEqualTo(2);
        assertThat(server.counters().rpc().repliesDropped.get()).isEqualTo(2);
        assertThat(server.counters().rpc().sendFailures.get()).isEqualTo(2);

        serverTransport.refuseAll(false);
        stepUntilDone(calls.get(0), calls.get(1));
        assertThat(calls.get(0).join().body()).isEqualTo(RpcScenarios.generated(12 * 1024));
        assertThat(calls.get(1).join().body()).isEqualTo(RpcScenarios.generated(12 * 1024));
        assertThat(calls.get(2)).isNotDone();
        assertThat(calls.get(3)).isNotDone();

        clock.advanceMs(timeoutMs + 1);
        stepUntilDone(calls.get(2), calls.get(3));
        assertThat(SimScenarioSupport.errorOf(calls.get(2))).isEqualTo(RpcError.TIMEOUT);
        assertThat(SimScenarioSupport.errorOf(calls.get(3))).isEqualTo(RpcError.TIMEOUT);
        assertThat(server.counters().rpc().repliesRetried.get()).isEqualTo(2);
    }

    @Test
    void aReplyStillQueuedAtItsRetryDeadlineIsDroppedAndCounted()
    {
        launch(new NodeContext().replyRetryTimeoutMs(100));
        serverTransport.refuseAll(true);
        final CompletableFuture<RpcResponse> call = echo("late");
        step(3);
        assertThat(server.counters().rpc().repliesQueued.get()).isEqualTo(1);
        assertThat(pendingReplies(server)).isEqualTo(1);

        clock.advanceMs(99);
        step(3);
        assertThat(server.counters().rpc().repliesDropped.get()).isZero();

        clock.advanceMs(1);
        step(1);
        assertThat(server.counters().rpc().repliesDropped.get()).isEqualTo(1);
        assertThat(pendingReplies(server)).isZero();

        serverTransport.refuseAll(false);
        step(5);
        assertThat(call).isNotDone();
        assertThat(server.counters().rpc().repliesRetried.get()).isZero();
    }

    @Test
    void aPeerReportedUnavailableLosesItsQueuedReplies()
    {
        launch(new NodeContext());
        serverTransport.refuseAll(true);
        final CompletableFuture<RpcResponse> first = echo("a");
        final CompletableFuture<RpcResponse> second = echo("b");
        step(3);
        assertThat(pendingReplies(server)).isEqualTo(2);

        serverTransport.reportUnavailable(serverTransport.resolvePeer("client"));
        step(1);
        assertThat(server.counters().rpc().repliesDropped.get()).isEqualTo(2);
        assertThat(pendingReplies(server)).isZero();

        serverTransport.refuseAll(false);
        step(5);
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();
        assertThat(server.counters().rpc().repliesRetried.get()).isZero();
        assertThat(client.counters().rpc().responsesReceived.get()).isZero();
    }

    @Test
    void aQueuedReplyWhosePeerIsNotConnectedWhenTheRetryComesStaysQueuedAndIsSent()
    {
        launch(new NodeContext());
        serverTransport.refuseAll(true);
        final CompletableFuture<RpcResponse> call = echo("later");
        step(3);
        assertThat(pendingReplies(server)).isEqualTo(1);

        serverTransport.refusal(Transport.NOT_CONNECTED);
        step(3);
        assertThat(server.counters().rpc().repliesDropped.get()).isZero();
        assertThat(pendingReplies(server)).isEqualTo(1);

        serverTransport.refuseAll(false);
        stepUntilDone(call);
        assertThat(call.join().bodyAsString()).isEqualTo("later");
        assertThat(server.counters().rpc().repliesDropped.get()).isZero();
    }

    @Test
    void aReplyToARequesterWhosePublicationIsNotConnectedYetIsQueuedNotDropped()
    {
        launch(new NodeContext());
        // As over Aeron when a new node's first request arrives: the publication back to it is still connecting.
        serverTransport.refusal(Transport.NOT_CONNECTED).refuseNext(7);

        final CompletableFuture<RpcResponse> call = echo("first contact");
        stepUntilDone(call);

        assertThat(call.join().bodyAsString()).isEqualTo("first contact");
        assertThat(serverTransport.refusedSends()).isEqualTo(7);
        assertThat(server.counters().rpc().repliesQueued.get()).isEqualTo(1);
        assertThat(server.counters().rpc().repliesRetried.get()).isEqualTo(1);
        assertThat(server.counters().rpc().repliesDropped.get()).isZero();
        assertThat(server.counters().rpc().sendFailures.get()).isZero();
    }

    @Test
    void aReplyWhosePeerNeverConnectsIsDroppedAtItsDeadline()
    {
        launch(new NodeContext().replyRetryTimeoutMs(50));
        serverTransport.refusal(Transport.NOT_CONNECTED).refuseAll(true);
        final CompletableFuture<RpcResponse> call = echo("never");
        step(3);
        assertThat(pendingReplies(server)).isEqualTo(1);

        clock.advanceMs(50);
        step(1);
        assertThat(server.counters().rpc().repliesDropped.get()).isEqualTo(1);
        assertThat(pendingReplies(server)).isZero();
        assertThat(call).isNotDone();
    }

    @Test
    void closingTheNodeDropsAndCountsItsQueuedReplies()
    {
        launch(new NodeContext());
        serverTransport.refuseAll(true);
        echo("never");
        step(3);
        assertThat(pendingReplies(server)).isEqualTo(1);
        final long droppedBefore = server.counters().rpc().repliesDropped.get();

        server.close();

        assertThat(droppedBefore).isZero();
        assertThat(server.counters().rpc().repliesDropped.get()).isEqualTo(1);
    }

    @Test
    void theBoundMustHoldOneFrameAndBePositive()
    {
        assertThatThrownBy(() -> new NodeContext().nodeId(1).transport(network.newTransport())
            .maxPendingReplyBytes(0).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPendingReplyBytes");
        assertThatThrownBy(() -> new NodeContext().nodeId(1).transport(network.newTransport())
            .replyRetryTimeoutMs(-1).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replyRetryTimeoutMs");
        assertThatThrownBy(() -> Node.launch(new NodeContext().nodeId(1).transport(network.newTransport())
            .useAgentInvoker(true).maxPendingReplyBytes(1024)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("maxPendingReplyBytes 1024 cannot hold one frame");
        assertThat(new NodeContext().nodeId(1).transport(network.newTransport()).requestTimeoutMs(1234)
            .conclude().replyRetryTimeoutMs()).isEqualTo(1234);
    }

    private int pendingReplies(final Node node)
    {
        final CompletableFuture<Integer> count = node.execute((services) -> services.rpc().pendingReplyCount());
        node.invoker().invoke();
        return count.join();
    }
}
