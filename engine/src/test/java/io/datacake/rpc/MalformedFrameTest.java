package io.datacake.rpc;

import io.datacake.clock.HlcTimestamp;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.protocol.FrameHeaderDecoder;
import io.datacake.protocol.MessageHeaderDecoder;
import io.datacake.protocol.MessageHeaderEncoder;
import io.datacake.protocol.RequestDecoder;
import io.datacake.protocol.StreamChunkEncoder;
import io.datacake.protocol.StreamCreditEncoder;
import io.datacake.sim.SimClock;
import io.datacake.testing.SeededTrials;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.InProcessTransport;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import static io.datacake.rpc.SteppedNodes.lastStamp;
import static io.datacake.rpc.SteppedNodes.pollOneFrame;
import static io.datacake.rpc.SteppedNodes.pump;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Frames that are malformed, foreign or carry a bad clock stamp are dropped and counted (or counted and served),
 * and never break the node thread.
 */
final class MalformedFrameTest
{
    private final SimClock clock = new SimClock();
    private final InProcessNetwork network = new InProcessNetwork();
    private final InProcessTransport capture = network.newTransport("capture");
    private final InProcessTransport attacker = network.newTransport("attacker");

    @Test
    void truncatedAndGarbageFramesAreDroppedAndCountedOneByOne()
    {
        try (Node client = node(1, 0); Node server = node(2, 0))
        {
            final byte[] valid = captureRequest(client, "some body".getBytes(StandardCharsets.US_ASCII));
            final int serverPeer = attacker.resolvePeer(server.endpoint());
            int bad = 0;
            for (int length = 1; length < valid.length; length++)
            {
                attacker.offer(serverPeer, new UnsafeBuffer(valid), 0, length);
                bad++;
            }
            final byte[] wrongSchema = valid.clone();
            new UnsafeBuffer(wrongSchema).putShort(4, (short)1234, ByteOrder.LITTLE_ENDIAN);
            final byte[] wrongVersion = valid.clone();
            new UnsafeBuffer(wrongVersion).putShort(6, (short)99, ByteOrder.LITTLE_ENDIAN);
            final byte[] unknownTemplate = valid.clone();
            new UnsafeBuffer(unknownTemplate).putShort(2, (short)77, ByteOrder.LITTLE_ENDIAN);
            final byte[] shortBlock = valid.clone();
            new UnsafeBuffer(shortBlock).putShort(0, (short)3, ByteOrder.LITTLE_ENDIAN);
            final byte[] lyingBodyLength = valid.clone();
            new UnsafeBuffer(lyingBodyLength).putInt(valid.length - 9 - 4, 1 << 30, ByteOrder.LITTLE_ENDIAN);
            for (final byte[] frame : new byte[][]{wrongSchema, wrongVersion, unknownTemplate, shortBlock,
                lyingBodyLength})
            {
                attacker.offer(serverPeer, new UnsafeBuffer(frame), 0, frame.length);
                bad++;
            }
            pump(server, client);

            assertThat(server.counters().rpc().malformedFramesDropped.get()).isEqualTo(bad);
            assertThat(server.counters().rpc().requestsReceived.get()).isZero();
            assertThat(server.counters().dutyCycleErrors.get()).isZero();
            assertServes(client, server);
        }
    }

    @Test
    void randomlyMutatedFramesNeverBreakTheNodeThread()
    {
        final long seed = SeededTrials.seed("MalformedFrameTest mutated frames");
        try (Node client = node(1, 0); Node server = node(2, 0))
        {
            final byte[] valid = captureRequest(client, new byte[200]);
            final int serverPeer = attacker.resolvePeer(server.endpoint());
            final SplittableRandom random = new SplittableRandom(seed);
            final int frames = 5_000;
            for (int i = 0; i < frames; i++)
            {
                final byte[] frame = mutate(valid, random);
                attacker.offer(serverPeer, new UnsafeBuffer(frame), 0, frame.length);
                if (i % 100 == 99)
                {
                    pump(server, client);
                }
            }
            pump(server, client);
            // At least every fuzzed frame arrived (a mutated reply endpoint can make the server answer itself).
            assertThat(server.counters().rpc().framesIn.get()).as("seed %d", seed).isGreaterThanOrEqualTo(frames);
            assertThat(server.counters().dutyCycleErrors.get()).as("seed %d, replay with -D%s=%d",
                seed, SeededTrials.SEED_PROPERTY, seed).isZero();
            assertServes(client, server);
        }
    }

    @Test
    void framesFromAnotherClusterAreDroppedAndCounted()
    {
        try (Node client = node(1, 0); Node server = node(2, 99))
        {
            final CompletableFuture<RpcResponse> call =
                client.call(server.endpoint(), RpcScenarios.ECHO, RpcScenarios.ECHO_BODY, new byte[1], null, 50);
            for (int i = 0; i < 100 && !call.isDone(); i++)
            {
                pump(client, server);
                clock.advanceMs(1);
            }
            assertThat(call).isCompletedExceptionally();
            assertThat(server.counters().rpc().foreignFramesDropped.get()).isEqualTo(1);
            assertThat(server.counters().rpc().requestsReceived.get()).isZero();
        }
    }

    @Test
    void rejectedClockStampIsCountedAndTheRequestIsStillServed()
    {
        try (Node client = node(1, 0); Node server = node(2, 0))
        {
            final byte[] frame = captureRequest(client, new byte[]{1, 2, 3});
            final int stampOffset = MessageHeaderDecoder.ENCODED_LENGTH + RequestDecoder.frameEncodingOffset() +
                FrameHeaderDecoder.hlcStampEncodingOffset();
            final long tenHoursAheadMs = clock.time() + 10L * 3600 * 1000;
            new UnsafeBuffer(frame).putLong(stampOffset, HlcTimestamp.pack(tenHoursAheadMs, 0),
                ByteOrder.LITTLE_ENDIAN);
            attacker.offer(attacker.resolvePeer(server.endpoint()), new UnsafeBuffer(frame), 0, frame.length);
            pump(server, client);
            assertThat(server.counters().rpc().clockErrors.get()).isEqualTo(1);
            assertThat(server.counters().rpc().requestsReceived.get()).isEqualTo(1);
            assertThat(server.counters().rpc().responsesSent.get()).isEqualTo(1);
        }
    }

    @Test
    void aThrowingResponseListenerIsReportedWithoutBeingMistakenForAMalformedFrame()
    {
        final java.util.List<Throwable> errors = new java.util.ArrayList<>();
        try (Node server = node(2, 0);
            Node client = Node.launch(new NodeContext().nodeId(1).transport(network.newTransport("node-1"))
                .epochClock(clock).nanoClock(clock).useAgentInvoker(true).errorHandler(errors::add)))
        {
            client.submit((s) -> s.rpc().call(s.rpc().resolvePeer(server.endpoint()), RpcService.idOf("echo"),
                RpcScenarios.ECHO_BODY, new UnsafeBuffer(new byte[1]), 0, 1, null, 0, new RpcResponseListener()
                {
                    public void onResponse(final long id, final org.agrona.DirectBuffer b, final int o, final int l)
                    {
                        throw new IllegalArgumentException("listener bug");
                    }

                    public void onError(final long id, final RpcError error, final String message)
                    {
                    }
                }));
            pump(client, server);
            assertThat(errors).extracting(Throwable::getMessage).containsExactly("listener bug");
            assertThat(client.counters().dutyCycleErrors.get()).isEqualTo(1);
            assertThat(client.counters().rpc().malformedFramesDropped.get()).isZero();
            assertServes(client, server);
        }
    }

    @Test
    void everyDroppedChunkAndCreditIsCountedByReasonANegativeBodyOffsetAsMalformed()
    {
        try (Node server = node(2, 0))
        {
            final int serverPeer = attacker.resolvePeer(server.endpoint());
            final long malformedBefore = server.counters().rpc().malformedFramesDropped.get();

            offer(serverPeer, chunk(77, false, -5));
            offer(serverPeer, chunk(77, true, -1));
            offer(serverPeer, credit(77, false, -3));
            pump(server);
            assertThat(server.counters().rpc().malformedFramesDropped.get() - malformedBefore).isEqualTo(3);

            offer(serverPeer, chunk(78, false, 0));
            offer(serverPeer, chunk(78, true, 0));
            offer(serverPeer, credit(78, true, 10));
            pump(server);
            assertThat(server.counters().rpc().malformedFramesDropped.get() - malformedBefore).isEqualTo(3);
            assertThat(server.counters().rpc().lateFramesDropped.get()).isEqualTo(3);
            assertThat(server.counters().rpc().framesIn.get()).isEqualTo(6);
            assertThat(server.counters().rpc().streamChunksDropped.get()).isZero();
        }
    }

    @Test
    void theFrameHeaderIsCheckedFirstAndAMalformedFrameNeverMovesTheClock()
    {
        try (Node client = node(1, 0); Node server = node(2, 0))
        {
            final byte[] valid = captureRequest(client, "some body".getBytes(StandardCharsets.US_ASCII));
            final int serverPeer = attacker.resolvePeer(server.endpoint());
            final int clusterOffset = MessageHeaderDecoder.ENCODED_LENGTH + RequestDecoder.frameEncodingOffset() +
                FrameHeaderDecoder.clusterIdEncodingOffset();
            final int stampOffset = MessageHeaderDecoder.ENCODED_LENGTH + RequestDecoder.frameEncodingOffset() +
                FrameHeaderDecoder.hlcStampEncodingOffset();

            // Foreign and malformed at once: the cluster id is read before the body, so it counts as foreign.
            final byte[] foreignAndLying = valid.clone();
            new UnsafeBuffer(foreignAndLying).putLong(clusterOffset, 99, ByteOrder.LITTLE_ENDIAN);
            new UnsafeBuffer(foreignAndLying).putInt(valid.length - 9 - 4, 1 << 30, ByteOrder.LITTLE_ENDIAN);
            // Malformed with a stamp an hour ahead (within the drift bound): dropped before its stamp is merged.
            final byte[] lyingAhead = valid.clone();
            new UnsafeBuffer(lyingAhead).putLong(stampOffset, HlcTimestamp.pack(clock.time() + 3_600_000L, 0),
                ByteOrder.LITTLE_ENDIAN);
            new UnsafeBuffer(lyingAhead).putInt(valid.length - 9 - 4, 1 << 30, ByteOrder.LITTLE_ENDIAN);

            final long stampBefore = lastStamp(server);
            attacker.offer(serverPeer, new UnsafeBuffer(foreignAndLying), 0, foreignAndLying.length);
            attacker.offer(serverPeer, new UnsafeBuffer(lyingAhead), 0, lyingAhead.length);
            pump(server);

            assertThat(server.counters().rpc().foreignFramesDropped.get()).isEqualTo(1);
            assertThat(server.counters().rpc().malformedFramesDropped.get()).isEqualTo(1);
            assertThat(HlcTimestamp.millis(lastStamp(server))).isLessThan(clock.time() + 3_600_000L);
            assertThat(lastStamp(server)).isEqualTo(stampBefore);
        }
    }

    private void offer(final int peer, final UnsafeBuffer frame)
    {
        assertThat(attacker.offer(peer, frame, 0, frame.capacity())).isPositive();
    }

    private static UnsafeBuffer chunk(final long correlationId, final boolean response, final int bodyOffset)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final StreamChunkEncoder encoder = new StreamChunkEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        encoder.frame().clusterId(0).sourceNodeId(7).correlationId(correlationId).hlcStamp(0);
        encoder.frame().flags().clear().streamChunk(true).response(response).request(!response);
        encoder.streamId(correlationId).bodyOffset(bodyOffset).putData(new UnsafeBuffer(new byte[8]), 0, 8);
        return new UnsafeBuffer(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private static UnsafeBuffer credit(final long correlationId, final boolean response, final int consumed)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        final StreamCreditEncoder encoder = new StreamCreditEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        encoder.frame().clusterId(0).sourceNodeId(7).correlationId(correlationId).hlcStamp(0);
        encoder.frame().flags().clear().response(response).request(!response);
        encoder.streamId(correlationId).consumedBytes(consumed);
        return new UnsafeBuffer(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private Node node(final int nodeId, final long clusterId)
    {
        return Node.launch(new NodeContext().nodeId(nodeId).clusterId(clusterId)
            .transport(network.newTransport("node-" + nodeId))
            .epochClock(clock).nanoClock(clock).useAgentInvoker(true).maxBodyLength(1024 * 1024)
            .addService(RpcScenarios.echoService()));
    }

    /** The bytes of a real echo request frame from the client, sent to the capture transport. */
    private byte[] captureRequest(final Node client, final byte[] body)
    {
        client.call(capture.localEndpoint(), RpcScenarios.ECHO, RpcScenarios.ECHO_BODY, body,
            new RpcHeaders().add("trace-id", "42"), 60_000);
        client.invoker().invoke();
        return pollOneFrame(capture);
    }

    private static byte[] mutate(final byte[] valid, final SplittableRandom random)
    {
        final int kind = random.nextInt(4);
        if (kind == 0)
        {
            return java.util.Arrays.copyOf(valid, 1 + random.nextInt(valid.length - 1));
        }
        final byte[] frame = kind == 1 ?
            java.util.Arrays.copyOf(valid, valid.length + 1 + random.nextInt(64)) : valid.clone();
        final int flips = 1 + random.nextInt(4);
        for (int i = 0; i < flips; i++)
        {
            frame[random.nextInt(kind == 3 ? Math.min(frame.length, 72) : frame.length)] = (byte)random.nextInt();
        }
        return frame;
    }

    private void assertServes(final Node client, final Node server)
    {
        final CompletableFuture<RpcResponse> call = client.call(
            server.endpoint(), RpcScenarios.ECHO, RpcScenarios.ECHO_BODY, new byte[]{9, 8, 7}, null, 60_000);
        pump(client, server);
        assertThat(call.join().body()).containsExactly(9, 8, 7);
    }
}
