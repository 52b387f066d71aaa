package io.datacake.rpc;

import io.datacake.clock.HlcTimestamp;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.protocol.FrameHeaderDecoder;
import io.datacake.protocol.MessageHeaderDecoder;
import io.datacake.protocol.RequestDecoder;
import io.datacake.security.FrameProtection;
import io.datacake.security.FrameSealer;
import io.datacake.security.Keyring;
import io.datacake.sim.SimClock;
import io.datacake.testing.TestKeyrings;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.InProcessTransport;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static io.datacake.rpc.SteppedNodes.lastStamp;
import static io.datacake.rpc.SteppedNodes.pollOneFrame;
import static io.datacake.rpc.SteppedNodes.pump;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Secured frames over the in-process transport, nodes stepped by the test on a simulated clock: frames from another
 * cluster, under the wrong key, altered in header or body, replayed (also after the receiver restarted) or from an
 * older life of their sender are dropped and counted by reason before anything reads them, and change no state:
 * the receiver's clock does not move and no handler runs.
 */
final class SecuredFrameTest
{
    private static final String COUNT = "count";
    private static final long HOUR_MS = 3_600_000L;
    private static final long FIRST_CORRELATION_ID = 1_000;
    private static final int REQUEST_FRAME_STAMP_OFFSET = MessageHeaderDecoder.ENCODED_LENGTH +
        RequestDecoder.frameEncodingOffset() + FrameHeaderDecoder.hlcStampEncodingOffset();
    private static final int REQUEST_FRAME_CORRELATION_OFFSET = MessageHeaderDecoder.ENCODED_LENGTH +
        RequestDecoder.frameEncodingOffset() + FrameHeaderDecoder.correlationIdEncodingOffset();

    private final SimClock clock = new SimClock();
    private final InProcessNetwork network = new InProcessNetwork();
    private final InProcessTransport capture = network.newTransport("capture");
    private final InProcessTransport attacker = network.newTransport("attacker");
    private final AtomicInteger runs = new AtomicInteger();

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void securedCallsWorkAndUnsecuredFramesAreDroppedEitherWay(final FrameProtection protection)
    {
        try (Node client = node(1, 0, TestKeyrings.clusterKeyring(), protection, 1, clock);
            Node server = node(2, 0, TestKeyrings.clusterKeyring(), protection, 1, clock);
            Node plain = node(3, 0, null, protection, 1, clock))
        {
            assertServes(client, server);
            final byte[] unsecured = captureRequest(plain, "hello");
            final byte[] secured = captureRequest(client, "hello");
            assertThat(secured.length).as("the trailer").isEqualTo(unsecured.length + FrameSealer.TRAILER_LENGTH);

            deliver(server, unsecured);
            deliver(plain, secured);
            assertThat(server.counters().rpc().unsecuredFramesDropped.get()).isEqualTo(1);
            assertThat(plain.counters().rpc().unsecuredFramesDropped.get()).isEqualTo(1);
            assertThat(plain.counters().rpc().requestsReceived.get()).isZero();
            assertThat(runs.get()).as("only the served call ran").isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void aNodeOfAnotherClusterIsDroppedAsForeignEvenWithTheSameKey(final FrameProtection protection)
    {
        try (Node client = node(1, 0, TestKeyrings.clusterKeyring(), protection, 1, clock);
            Node server = node(2, 99, TestKeyrings.clusterKeyring(), protection, 1, clock))
        {
            deliver(server, captureRequest(client, "hello"));
            assertThat(server.counters().rpc().foreignFramesDropped.get()).isEqualTo(1);
            assertThat(server.counters().rpc().forgedFramesDropped.get()).isZero();
            assertThat(server.counters().rpc().requestsReceived.get()).isZero();
            assertThat(runs.get()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void aNodeWithTheWrongKeyIsDroppedAndMovesNoClock(final FrameProtection protection)
    {
        final EpochClock hourAhead = () -> clock.time() + HOUR_MS;
        try (Node server = node(2, 0, TestKeyrings.clusterKeyring(), protection, 1, clock);
            Node otherSecret = node(4, 0, Keyring.of(1, TestKeyrings.secret(9)), protection, 1, hourAhead);
            Node otherKeyId = node(5, 0, Keyring.of(2, TestKeyrings.secret(1)), protection, 1, hourAhead))
        {
            final long stampBefore = lastStamp(server);
            final CompletableFuture<RpcResponse> forged = call(otherSecret, server);
            final CompletableFuture<RpcResponse> unknown = call(otherKeyId, server);
            pump(server, otherSecret, otherKeyId);

            assertThat(server.counters().rpc().forgedFramesDropped.get()).isEqualTo(1);
            assertThat(server.counters().rpc().unknownKeyFramesDropped.get()).isEqualTo(1);
            assertThat(server.counters().rpc().requestsReceived.get()).isZero();
            assertThat(runs.get()).isZero();
            assertThat(lastStamp(server)).as("the hour-ahead stamps were not merged").isEqualTo(stampBefore);
            assertThat(forged).isNotDone();
            assertThat(unknown).isNotDone();
        }
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void aFlippedBitInHeaderBodyOrTrailerIsForgedAndChangesNoState(final FrameProtection protection)
    {
        final EpochClock hourAhead = () -> clock.time() + HOUR_MS;
        try (Node client = node(1, 0, TestKeyrings.clusterKeyring(), protection, 1, hourAhead);
            Node server = node(2, 0, TestKeyrings.clusterKeyring(), protection, 1, clock))
        {
            final byte[] valid = captureRequest(client, "transfer 100");
            final int trailer = valid.length - FrameSealer.TRAILER_LENGTH;
            final byte[][] forgeries = {
                flip(valid, REQUEST_FRAME_CORRELATION_OFFSET),
                flip(valid, REQUEST_FRAME_STAMP_OFFSET + 6),
                flip(valid, trailer - 1),
                flip(valid, trailer + 3),
                flip(valid, valid.length - 1)};
            final long stampBefore = lastStamp(server);
            for (final byte[] forgery : forgeries)
            {
                deliver(server, forgery);
            }
            // A flipped stamp bit may date the frame before the server started: dropped as stale, before the tag.
            assertThat(server.counters().rpc().forgedFramesDropped.get() +
                server.counters().rpc().staleFramesDropped.get()).isEqualTo(forgeries.length);
            assertThat(server.counters().rpc().forgedFramesDropped.get()).isGreaterThanOrEqualTo(4);
            assertThat(server.counters().rpc().requestsReceived.get()).isZero();
            assertThat(runs.get()).isZero();
            assertThat(lastStamp(server)).isEqualTo(stampBefore);

            // The unaltered frame is still fresh: it is served and its stamp moves the clock.
            deliver(server, valid);
            assertThat(runs.get()).isEqualTo(1);
            assertThat(HlcTimestamp.millis(lastStamp(server))).isGreaterThanOrEqualTo(clock.time() + HOUR_MS);
        }
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void aReplayedFrameIsDroppedAlsoByARestartedReceiver(final FrameProtection protection)
    {
        try (Node client = node(1, 0, TestKeyrings.clusterKeyring(), protection, 1, clock))
        {
            final byte[] frame = captureRequest(client, "transfer 100");
            try (Node server = node(2, 0, TestKeyrings.clusterKeyring(), protection, 1, clock))
            {
                deliver(server, frame);
                deliver(server, frame);
                assertThat(runs.get()).isEqualTo(1);
                assertThat(server.counters().rpc().replayedFramesDropped.get()).isEqualTo(1);
            }
            clock.advanceMs(5);
            try (Node restarted = node(2, 0, TestKeyrings.clusterKeyring(), protection, 2, clock))
            {
                final long stampBefore = lastStamp(restarted);
                deliver(restarted, frame);
                assertThat(restarted.counters().rpc().staleFramesDropped.get()).isEqualTo(1);
                assertThat(restarted.counters().rpc().requestsReceived.get()).isZero();
                assertThat(runs.get()).isEqualTo(1);
                assertThat(lastStamp(restarted)).isEqualTo(stampBefore);
                assertServes(client, restarted);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void framesOfAnOlderLifeOfTheSenderAreDroppedOnceItsNewLifeWasSeen(final FrameProtection protection)
    {
        try (Node server = node(2, 0, TestKeyrings.clusterKeyring(), protection, 1, clock))
        {
            final byte[] oldLife;
            try (Node client = node(1, 0, TestKeyrings.clusterKeyring(), protection, 1, clock))
            {
                oldLife = captureRequest(client, "from life 1");
                assertServes(client, server);
            }
            try (Node restarted = node(1, 0, TestKeyrings.clusterKeyring(), protection, 2, clock))
            {
                assertServes(restarted, server);
                deliver(server, oldLife);
                assertThat(server.counters().rpc().staleFramesDropped.get()).isEqualTo(1);
                assertThat(runs.get()).isEqualTo(2);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void aRequestForOneNodeReplayedToAnotherIsDroppedAndChangesNoState(final FrameProtection protection)
    {
        final EpochClock hourAhead = () -> clock.time() + HOUR_MS;
        final InProcessTransport toB = network.newTransport("node-2");
        try (Node a = node(1, 0, TestKeyrings.clusterKeyring(), protection, 1, hourAhead);
            Node b = node(2, toB, TestKeyrings.clusterKeyring(), protection, clock);
            Node c = node(3, 0, TestKeyrings.clusterKeyring(), protection, 1, clock))
        {
            assertServes(a, b);
            call(a, b);
            a.invoker().invoke();
            final byte[] frame = pollOneFrame(toB);
            final long stampBefore = lastStamp(c);

            deliver(c, frame);
            assertThat(c.counters().rpc().misaddressedFramesDropped.get()).isEqualTo(1);
            assertThat(c.counters().rpc().requestsReceived.get()).isZero();
            assertThat(runs.get()).as("only the first call to b ran").isEqualTo(1);
            assertThat(lastStamp(c)).as("the hour-ahead stamp was not merged").isEqualTo(stampBefore);

            // The frame itself is genuine: its own destination serves it.
            deliver(b, frame);
            assertThat(runs.get()).isEqualTo(2);
            assertThat(b.counters().rpc().misaddressedFramesDropped.get()).isZero();
            // c's window for a did not move either: a's own frames to c are served.
            assertServes(a, c);
            assertThat(runs.get()).isEqualTo(3);
        }
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void aResponseForOneNodeReplayedToAnotherIsDroppedAndCompletesNothing(final FrameProtection protection)
    {
        final InProcessTransport toA = network.newTransport("node-1");
        try (Node a = node(1, toA, TestKeyrings.clusterKeyring(), protection, clock);
            Node b = node(2, 0, TestKeyrings.clusterKeyring(), protection, 1, clock);
            Node c = node(3, 0, TestKeyrings.clusterKeyring(), protection, 1, clock))
        {
            final CompletableFuture<RpcResponse> fromA = call(a, b);
            a.invoker().invoke();
            b.invoker().invoke();
            final byte[] response = pollOneFrame(toA);
            // c has a call of the same correlation id to the same node pending (every node here numbers calls alike).
            final CompletableFuture<RpcResponse> fromC = call(c, b);
            c.invoker().invoke();

            deliver(c, response);
            assertThat(c.counters().rpc().misaddressedFramesDropped.get()).isEqualTo(1);
            assertThat(c.counters().rpc().responsesReceived.get()).isZero();
            assertThat(fromC).isNotDone();
            assertThat(fromA).isNotDone();

            deliver(a, response);
            assertThat(fromA).isCompleted();
            assertThat(fromA.join().body()).containsExactly(9, 8, 7);
        }
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void rotationInThreeStepsKeepsCallsServedAndRetiredKeysAreRefused(final FrameProtection protection)
    {
        try (Node a = node(1, 0, TestKeyrings.clusterKeyring(), protection, 1, clock);
            Node b = node(2, 0, TestKeyrings.clusterKeyring(), protection, 1, clock))
        {
            final Keyring installed = TestKeyrings.clusterKeyring().withKey(2, TestKeyrings.secret(2));
            final Keyring[] steps = {installed, installed.withPrimary(2), installed.withPrimary(2).withoutKey(1)};
            for (final Keyring step : steps)
            {
                // One node at a time: between the two updates the nodes disagree, and calls still work both ways.
                update(a, step);
                assertServes(a, b);
                assertServes(b, a);
                update(b, step);
                assertServes(a, b);
                assertServes(b, a);
            }
            assertThat(a.counters().rpc().unknownKeyFramesDropped.get() +
                b.counters().rpc().unknownKeyFramesDropped.get()).isZero();

            try (Node retired = node(3, 0, TestKeyrings.clusterKeyring(), protection, 1, clock))
            {
                call(retired, b);
                pump(retired, b);
                assertThat(b.counters().rpc().unknownKeyFramesDropped.get()).isEqualTo(1);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void repliesQueuedOnBackPressureAreSealedWhenTheyGoOutAndAllArrive(final FrameProtection protection)
    {
        final BackPressuringTransport serverTransport = new BackPressuringTransport(network.newTransport("server"));
        try (Node client = node(1, 0, TestKeyrings.clusterKeyring(), protection, 1, clock);
            Node server = Node.launch(new NodeContext().nodeId(2).incarnation(1).transport(serverTransport)
                .epochClock(clock).nanoClock(clock).useAgentInvoker(true).keyring(TestKeyrings.clusterKeyring())
                .frameProtection(protection).addService(RpcScenarios.echoService())))
        {
            serverTransport.refuseAll(true);
            final java.util.List<CompletableFuture<RpcResponse>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++)
            {
                calls.add(client.call(server.endpoint(), RpcScenarios.ECHO, RpcScenarios.ECHO_BODY,
                    new byte[]{(byte)i}, null, 60_000));
            }
            pump(client, server);
            assertThat(server.counters().rpc().repliesQueued.get()).isEqualTo(5);
            assertThat(calls).noneMatch(CompletableFuture::isDone);

            serverTransport.refuseAll(false);
            pump(client, server);
            for (int i = 0; i < calls.size(); i++)
            {
                assertThat(calls.get(i).join().body()).containsExactly(i);
            }
            final RpcCounters counters = client.counters().rpc();
            assertThat(counters.forgedFramesDropped.get() + counters.replayedFramesDropped.get() +
                counters.staleFramesDropped.get() + counters.unsecuredFramesDropped.get()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void aKeyringCannotBeAddedToANodeStartedWithout(final FrameProtection protection)
    {
        try (Node plain = node(3, 0, null, protection, 1, clock))
        {
            final CompletableFuture<Void> update = plain.updateKeyring(TestKeyrings.clusterKeyring());
            plain.invoker().invoke();
            assertThat(update).isCompletedExceptionally();
            assertThatThrownBy(update::join).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("frames are not secured");
        }
    }

    private static void update(final Node node, final Keyring keyring)
    {
        final CompletableFuture<Void> update = node.updateKeyring(keyring);
        node.invoker().invoke();
        assertThat(update).isCompleted();
        update.join();
    }

    private static byte[] flip(final byte[] frame, final int index)
    {
        final byte[] copy = frame.clone();
        copy[index] ^= 0x10;
        return copy;
    }

    private CompletableFuture<RpcResponse> call(final Node client, final Node server)
    {
        return client.call(server.endpoint(), COUNT, 1, new byte[]{9, 8, 7}, null, 60_000);
    }

    private void assertServes(final Node client, final Node server)
    {
        final CompletableFuture<RpcResponse> call = call(client, server);
        pump(client, server);
        assertThat(call).isCompleted();
        assertThat(call.join().body()).containsExactly(9, 8, 7);
    }

    private void deliver(final Node receiver, final byte[] frame)
    {
        assertThat(attacker.offer(attacker.resolvePeer(receiver.endpoint()), new UnsafeBuffer(frame), 0,
            frame.length)).isPositive();
        pump(receiver);
    }

    private Node node(
        final int nodeId,
        final long clusterId,
        final Keyring keyring,
        final FrameProtection protection,
        final long incarnation,
        final EpochClock epochClock)
    {
        return node(nodeId, clusterId, network.newTransport("node-" + nodeId), keyring, protection, incarnation,
            epochClock);
    }

    private Node node(
        final int nodeId,
        final InProcessTransport transport,
        final Keyring keyring,
        final FrameProtection protection,
        final EpochClock epochClock)
    {
        return node(nodeId, 0, transport, keyring, protection, 1, epochClock);
    }

    private Node node(
        final int nodeId,
        final long clusterId,
        final InProcessTransport transport,
        final Keyring keyring,
        final FrameProtection protection,
        final long incarnation,
        final EpochClock epochClock)
    {
        final RpcService count = new RpcService(COUNT).handler(1, (request, reply) ->
        {
            runs.incrementAndGet();
            reply.send(request.body(), request.bodyOffset(), request.bodyLength());
        });
        final NodeContext ctx = new NodeContext().nodeId(nodeId).clusterId(clusterId).incarnation(incarnation)
            .transport(transport).epochClock(epochClock).nanoClock(clock).useAgentInvoker(true)
            .initialCorrelationId(FIRST_CORRELATION_ID)
            .addService(count);
        if (null != keyring)
        {
            ctx.keyring(keyring).frameProtection(protection);
        }
        return Node.launch(ctx);
    }

    /** The bytes of a real request frame from the node, sent to the capture transport. */
    private byte[] captureRequest(final Node client, final String body)
    {
        client.call(capture.localEndpoint(), COUNT, 1, body.getBytes(StandardCharsets.US_ASCII), null, 60_000);
        client.invoker().invoke();
        return pollOneFrame(capture);
    }
}
