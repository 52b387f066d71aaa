package io.datacake.rpc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.datacake.clock.HlcTimestamp;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.protocol.MessageHeaderEncoder;
import io.datacake.protocol.RequestEncoder;
import io.datacake.protocol.ResponseEncoder;
import io.datacake.protocol.RpcStatus;
import io.datacake.protocol.StreamChunkEncoder;
import io.datacake.protocol.StreamCreditEncoder;
import io.datacake.sim.SimClock;
import io.datacake.testing.FuzzInputs;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.InProcessTransport;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Arbitrary bytes arriving at a node as frames, mutated from a real request and from a response, a stream chunk and
 * a credit: each frame is counted in, the node thread never fails, and a frame dropped as malformed or foreign
 * leaves the clock, the services and the streams untouched. The node then still serves.
 */
final class FrameFuzzTest
{
    private static final long CLUSTER_ID = 7;
    private static final int MAX_BODY_LENGTH = 64 * 1024;
    /** Frames one pump delivers; bounds the work of a mutated frame that made the node answer itself. */
    private static final int MAX_PUMP_ROUNDS = 200;

    private final SimClock clock = new SimClock();
    private final InProcessNetwork network = new InProcessNetwork();
    private final InProcessTransport capture = network.newTransport("capture");
    private final InProcessTransport attacker = network.newTransport("attacker");
    private final Node client = node(1);
    private final Node server = node(2);
    private final int serverPeer = attacker.resolvePeer(server.endpoint());
    private final List<byte[]> seeds = List.of(
        captureRequest(), response(), chunk(false), chunk(true), credit());

    @AfterEach
    void close()
    {
        server.close();
        client.close();
    }

    @Test
    void mutatedFramesAreDroppedAndCountedWithoutChangingTheNode()
    {
        assertThat(FuzzInputs.runSlice("rpc frames", seeds, this::receive)).isGreaterThan(seeds.size());
        assertServes();
    }

    /**
     * Found by fuzzing: a request that expects a response but names no reply endpoint was counted as malformed only
     * after its clock stamp had been merged and it had been counted as received.
     */
    @Test
    void aRequestWithoutAReplyEndpointIsDroppedBeforeItsStampIsMerged()
    {
        final RpcCounters counters = server.counters().rpc();
        final long stamp = lastStamp(server);
        final byte[] frame = request(HlcTimestamp.pack(clock.time() + 60_000L, 0), "");

        assertThat(attacker.offer(serverPeer, new UnsafeBuffer(frame), 0, frame.length)).isPositive();
        pump(server);

        assertThat(counters.malformedFramesDropped.get()).isEqualTo(1);
        assertThat(counters.requestsReceived.get()).isZero();
        assertThat(lastStamp(server)).isEqualTo(stamp);
        assertServes();
    }

    @FuzzTest(maxDuration = "60s")
    void frame(final FuzzedDataProvider data)
    {
        receive(FuzzInputs.mutate(seeds, FuzzInputs.from(data)));
    }

    private void receive(final byte[] frame)
    {
        if (0 == frame.length)
        {
            return; // the transport carries no empty frames
        }
        final RpcCounters counters = server.counters().rpc();
        final long framesIn = counters.framesIn.get();
        final long dropped = counters.malformedFramesDropped.get() + counters.foreignFramesDropped.get();
        final long requests = counters.requestsReceived.get();
        final long responses = counters.responsesReceived.get();
        final long streams = counters.streamsStarted.get();
        final long stamp = lastStamp(server);

        assertThat(attacker.offer(serverPeer, new UnsafeBuffer(frame), 0, frame.length)).isPositive();
        pump(server);

        final long framesDelivered = counters.framesIn.get() - framesIn;
        assertThat(framesDelivered).isPositive();
        assertThat(server.counters().dutyCycleErrors.get()).isZero();
        // More than one frame in means the fuzzed frame was served and its answer came back to this node (a
        // mutated reply endpoint): only a lone frame's drop can be told apart from what its answer did.
        if (1 == framesDelivered &&
            counters.malformedFramesDropped.get() + counters.foreignFramesDropped.get() > dropped)
        {
            assertThat(lastStamp(server)).isEqualTo(stamp);
            assertThat(counters.requestsReceived.get()).isEqualTo(requests);
            assertThat(counters.responsesReceived.get()).isEqualTo(responses);
            assertThat(counters.streamsStarted.get()).isEqualTo(streams);
        }
        // Whatever the server sent to the capture endpoint is not part of the test.
        capture.poll((buffer, offset, length) -> {}, Integer.MAX_VALUE);
    }

    private Node node(final int nodeId)
    {
        return Node.launch(new NodeContext().nodeId(nodeId).clusterId(CLUSTER_ID)
            .transport(network.newTransport("node-" + nodeId))
            .epochClock(clock).nanoClock(clock).useAgentInvoker(true).maxBodyLength(MAX_BODY_LENGTH)
            .addService(RpcScenarios.echoService()));
    }

    /** A real echo request with a header, as the client sends it. */
    private byte[] captureRequest()
    {
        client.call(capture.localEndpoint(), RpcScenarios.ECHO, RpcScenarios.ECHO_BODY,
            "some body".getBytes(StandardCharsets.US_ASCII), new RpcHeaders().add("trace-id", "42"), 60_000);
        client.invoker().invoke();
        final byte[][] frame = new byte[1][];
        assertThat(capture.poll((buffer, offset, length) ->
        {
            frame[0] = new byte[length];
            buffer.getBytes(offset, frame[0]);
        }, 1)).isEqualTo(1);
        return frame[0];
    }

    private static byte[] request(final long hlcStamp, final String replyEndpoint)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final RequestEncoder encoder = new RequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        encoder.frame().clusterId(CLUSTER_ID).sourceNodeId(1).correlationId(3).hlcStamp(hlcStamp);
        encoder.frame().flags().clear().request(true);
        encoder.serviceId(RpcService.idOf(RpcScenarios.ECHO)).messageTypeId(RpcScenarios.ECHO_BODY)
            .totalBodyLength(2);
        encoder.headersCount(0);
        encoder.replyEndpoint(replyEndpoint).putBody(new byte[]{4, 5}, 0, 2);
        return bytes(buffer, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private static byte[] response()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final ResponseEncoder encoder = new ResponseEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        encoder.frame().clusterId(CLUSTER_ID).sourceNodeId(1).correlationId(5).hlcStamp(0);
        encoder.frame().flags().clear().response(true);
        encoder.status(RpcStatus.HANDLER_FAILURE).totalBodyLength(3).streamId(0).errorMessage("failed")
            .putBody(new byte[]{1, 2, 3}, 0, 3);
        return bytes(buffer, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private static byte[] chunk(final boolean response)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final StreamChunkEncoder encoder = new StreamChunkEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        encoder.frame().clusterId(CLUSTER_ID).sourceNodeId(1).correlationId(9).hlcStamp(0);
        encoder.frame().flags().clear().streamChunk(true).response(response).request(!response);
        encoder.streamId(9).bodyOffset(16).putData(new UnsafeBuffer(new byte[8]), 0, 8);
        return bytes(buffer, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private static byte[] credit()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        final StreamCreditEncoder encoder = new StreamCreditEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        encoder.frame().clusterId(CLUSTER_ID).sourceNodeId(1).correlationId(9).hlcStamp(0);
        encoder.frame().flags().clear().response(true);
        encoder.streamId(9).consumedBytes(1024);
        return bytes(buffer, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    private static byte[] bytes(final UnsafeBuffer buffer, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    private static long lastStamp(final Node node)
    {
        final CompletableFuture<Long> stamp = node.execute((services) -> services.clock().lastStamp());
        node.invoker().invoke();
        return stamp.join();
    }

    private static void pump(final Node... nodes)
    {
        for (int round = 0; round < MAX_PUMP_ROUNDS; round++)
        {
            int work = 0;
            for (final Node node : nodes)
            {
                work += node.invoker().invoke();
            }
            if (0 == work)
            {
                return;
            }
        }
    }

    private void assertServes()
    {
        // Answers the server sent to the client for mutated requests (their reply endpoint is the client's) wait in
        // the client's inbound queue; one whose correlation id was mutated into the next call's would answer it.
        // They are delivered, and dropped as unknown correlations, before the call is registered.
        pump(client);
        final CompletableFuture<RpcResponse> call = client.call(
            server.endpoint(), RpcScenarios.ECHO, RpcScenarios.ECHO_BODY, new byte[]{9, 8, 7}, null, 60_000);
        pump(client, server);
        assertThat(call.join().body()).containsExactly(9, 8, 7);
    }
}
