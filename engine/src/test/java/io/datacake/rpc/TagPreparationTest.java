package io.datacake.rpc;

import io.datacake.clock.HybridLogicalClock;
import io.datacake.node.NodeContext;
import io.datacake.security.FrameProtection;
import io.datacake.sim.SimClock;
import io.datacake.testing.TestKeyrings;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.InProcessTransport;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the RPC layer hashes the key blocks of the next tags: not in the duty cycle that sealed or opened a frame
 * (with an invoked media driver a frame committed in a poll leaves only on the next one, and the work would hold it
 * back), but when its owner calls {@link RpcLayer#prepareNextTags()} on an idle duty cycle, for the sending and the
 * receiving direction alike.
 */
final class TagPreparationTest
{
    private static final int ECHO = 1;
    private static final long TIMEOUT_MS = 60_000;
    private static final int FRAGMENT_LIMIT = 10;

    private final SimClock clock = new SimClock();
    private final InProcessNetwork network = new InProcessNetwork();
    private final InProcessTransport clientTransport = network.newTransport("client");
    private final InProcessTransport serverTransport = network.newTransport("server");
    private final List<String> outcomes = new ArrayList<>();

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void theNextTagsArePreparedWhenTheNodeIsIdleNotInTheDutyCycleThatSealedOrOpenedAFrame(
        final FrameProtection protection)
    {
        final RpcEngine client = engine(1, clientTransport, protection);
        final RpcEngine server = engine(2, serverTransport, protection);
        server.addService(new RpcService("echo").handler(ECHO, (request, reply) ->
            reply.send(request.body(), request.bodyOffset(), request.bodyLength())));
        final UnsafeBuffer body = new UnsafeBuffer(new byte[64]);

        client.call(client.resolvePeer("server"), RpcService.idOf("echo"), ECHO, body, 0, body.capacity(), null,
            TIMEOUT_MS, listener());
        assertThat(client.framePublisher().isNextTagPrepared()).as("client sealer after the request").isFalse();
        client.prepareNextTags();
        assertThat(client.framePublisher().isNextTagPrepared()).as("client sealer when idle").isTrue();

        assertThat(serverTransport.poll(server.frameAdapter(), FRAGMENT_LIMIT)).isEqualTo(1);
        assertThat(server.frameAdapter().isNextTagPrepared()).as("server opener after the request").isFalse();
        assertThat(server.framePublisher().isNextTagPrepared()).as("server sealer after the reply").isFalse();
        server.prepareNextTags();
        assertThat(server.frameAdapter().isNextTagPrepared()).as("server opener when idle").isTrue();
        assertThat(server.framePublisher().isNextTagPrepared()).as("server sealer when idle").isTrue();

        assertThat(clientTransport.poll(client.frameAdapter(), FRAGMENT_LIMIT)).isEqualTo(1);
        assertThat(outcomes).containsExactly("response");
        assertThat(client.frameAdapter().isNextTagPrepared()).as("client opener after the response").isFalse();
        client.prepareNextTags();
        assertThat(client.frameAdapter().isNextTagPrepared()).as("client opener when idle").isTrue();
        assertThat(client.framePublisher().isNextTagPrepared()).as("client sealer, untouched").isTrue();
    }

    private RpcEngine engine(final int nodeId, final InProcessTransport transport, final FrameProtection protection)
    {
        final CountersManager counters = new CountersManager(
            new UnsafeBuffer(new byte[64 * 1024]), new UnsafeBuffer(new byte[16 * 1024]));
        return new RpcEngine(new RpcContext()
            .nodeId(nodeId)
            .transport(transport)
            .hybridClock(new HybridLogicalClock(nodeId, clock))
            .epochClock(clock)
            .nanoClock(clock)
            .counters(new RpcCounters(counters, "node " + nodeId + ": ", null))
            .errorHandler((ex) -> outcomes.add("error " + ex))
            .maxPendingRequests(NodeContext.DEFAULT_MAX_PENDING_REQUESTS)
            .requestTimeoutMs(NodeContext.DEFAULT_REQUEST_TIMEOUT_MS)
            .connectTimeoutMs(NodeContext.DEFAULT_CONNECT_TIMEOUT_MS)
            .maxBodyLength(NodeContext.DEFAULT_MAX_BODY_LENGTH)
            .streamWindowBytes(NodeContext.DEFAULT_STREAM_WINDOW_BYTES)
            .maxStreams(NodeContext.DEFAULT_MAX_STREAMS)
            .streamTimeoutMs(NodeContext.DEFAULT_STREAM_TIMEOUT_MS)
            .streamChunkLimit(NodeContext.DEFAULT_STREAM_CHUNK_LIMIT)
            .maxPendingReplyBytes(NodeContext.DEFAULT_MAX_PENDING_REPLY_BYTES)
            .replyRetryTimeoutMs(TIMEOUT_MS)
            .keyring(TestKeyrings.clusterKeyring())
            .frameProtection(protection)
            .generation(1));
    }

    private RpcResponseListener listener()
    {
        return new RpcResponseListener()
        {
            public void onResponse(final long correlationId, final DirectBuffer buffer, final int offset,
                final int length)
            {
                outcomes.add("response");
            }

            public void onError(final long correlationId, final RpcError error, final String message)
            {
                outcomes.add("error " + error + " " + message);
            }
        };
    }
}
