package io.datacake.transport.aeron;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.rpc.RpcError;
import io.datacake.rpc.RpcException;
import io.datacake.rpc.RpcHandler;
import io.datacake.rpc.RpcReply;
import io.datacake.rpc.RpcRequest;
import io.datacake.rpc.RpcResponse;
import io.datacake.rpc.RpcService;
import io.datacake.transport.Transport;
import io.datacake.transport.aeron.AeronTransportFactory.Media;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The RPC layer of real nodes over Aeron IPC and UDP: round trips, bodies larger than a frame (streamed), an
 * unreachable peer, a peer that disappears and returns. Loss is in {@link AeronRpcLossTest}.
 */
class AeronRpcTest
{
    static final String ECHO = "echo";
    static final int ECHO_MESSAGE = 1;
    static final int HANG_MESSAGE = 2;
    /** Replies with {@link #BIG_REPLY_LENGTH} bytes that start with the request body. */
    static final int BIG_REPLY_MESSAGE = 3;
    static final int BIG_REPLY_LENGTH = 4096;
    private static final long CALL_WAIT_S = 20;

    private final List<Node> nodes = new ArrayList<>();
    private AeronTransportFactory factory;

    @AfterEach
    void tearDown()
    {
        nodes.forEach(Node::close);
        if (null != factory)
        {
            factory.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Media.class)
    void requestsAndRepliesRoundTrip(final Media media) throws Exception
    {
        factory = new AeronTransportFactory(media);
        final Transport[] transports = factory.create(2);
        start(1, transports[0]);
        final Node b = start(2, transports[1]);

        for (int i = 0; i < 20; i++)
        {
            final byte[] body = ("hello " + i).getBytes(StandardCharsets.US_ASCII);
            assertThat(call(nodes.get(0), b, body, 0).body()).isEqualTo(body);
        }
    }

    /**
     * The defect this guards against: on IPC the driver moves a publication's limit only on its own duty cycle, so a
     * server answering a burst of requests with replies larger than its publication window (half a 64 KiB term) is
     * back-pressured; replies used to be dropped after a few immediate retries and their calls timed out although
     * the handler ran. Now they are queued and retried, and every call completes, with its own reply.
     */
    @Test
    void aBurstOfCallsWhoseRepliesOverrunTheIpcWindowAllCompleteWithTheirOwnReply() throws Exception
    {
        factory = new AeronTransportFactory(Media.IPC);
        final Transport[] transports = factory.create(2);
        final Node a = start(1, transports[0]);
        final Node b = start(2, transports[1]);
        callUntilReached(a, b, new byte[]{ 0 });

        final int callCount = 500;
        final List<CompletableFuture<RpcResponse>> calls = new ArrayList<>();
        for (int i = 0; i < callCount; i++)
        {
            final byte[] body = new byte[8];
            new UnsafeBuffer(body).putLong(0, i);
            calls.add(a.call(b.endpoint(), ECHO, BIG_REPLY_MESSAGE, body, null, 10_000));
        }
        for (int i = 0; i < callCount; i++)
        {
            final RpcResponse response = calls.get(i).get(CALL_WAIT_S, TimeUnit.SECONDS);
            assertThat(response.body()).as("call %d", i).hasSize(BIG_REPLY_LENGTH);
            assertThat(new UnsafeBuffer(response.body()).getLong(0)).as("call %d", i).isEqualTo(i);
        }
        assertThat(b.counters().rpc().repliesQueued.get()).as("the replies overran the window").isPositive();
        assertThat(b.counters().rpc().repliesDropped.get()).isZero();
        assertThat(a.counters().rpc().requestTimeouts.get()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Media.class)
    void bodiesLargerThanAFrameAreStreamedBothWays(final Media media) throws Exception
    {
        factory = new AeronTransportFactory(media);
        final Transport[] transports = factory.create(2);
        final int frameLimit = transports[0].maxMessageLength();
        start(1, transports[0]);
        final Node b = start(2, transports[1]);

        final byte[] body = new byte[frameLimit * 12 + 123];
        new SplittableRandom(42).nextBytes(body);
        assertThat(call(nodes.get(0), b, body, 0).body()).isEqualTo(body);
    }

    @ParameterizedTest
    @EnumSource(Media.class)
    void callsToAnEndpointNobodyListensOnFailAsPeerUnreachable(final Media media)
    {
        factory = new AeronTransportFactory(media);
        final Node a = start(1, factory.create(1)[0]);

        final CompletableFuture<RpcResponse> future = a.call(
            factory.unreachableEndpoint(), ECHO, ECHO_MESSAGE, new byte[8], null, 2_000);

        assertThat(errorOf(future)).isEqualTo(RpcError.PEER_UNREACHABLE);
    }

    @ParameterizedTest
    @EnumSource(Media.class)
    void aPeerThatDisappearsFailsItsCallsWhileOthersAreServedAndItIsReachedAgainWhenItReturns(final Media media)
        throws Exception
    {
        factory = new AeronTransportFactory(media);
        final Transport[] transports = factory.create(3);
        final AeronEndpoint bEndpoint = AeronEndpoint.parse(transports[1].localEndpoint());
        final Node a = start(1, transports[0]);
        final Node b = start(2, transports[1]);
        final Node c = start(3, transports[2]);
        call(a, b, new byte[]{ 1 }, 0); // connected both ways

        // A call that B never answers, then B's node, transport (and for UDP its media driver) go away.
        final CompletableFuture<RpcResponse> inFlight =
            a.call(b.endpoint(), ECHO, HANG_MESSAGE, new byte[]{ 2 }, null, 10_000);
        b.close();
        nodes.remove(b);
        assertThat(errorOf(inFlight)).isIn(RpcError.PEER_UNREACHABLE, RpcError.TIMEOUT);
        assertThat(errorOf(a.call(bEndpoint.toString(), ECHO, ECHO_MESSAGE, new byte[]{ 3 }, null, 1_000)))
            .isIn(RpcError.PEER_UNREACHABLE, RpcError.TIMEOUT);

        // A still serves and reaches others.
        assertThat(call(a, c, new byte[]{ 4 }, 0).body()).containsExactly(4);
        assertThat(call(c, a, new byte[]{ 5 }, 0).body()).containsExactly(5);

        // B returns at the same endpoint with the same node id: A reaches it again through the same peer handle.
        final Node bAgain = start(2, factory.createAt(bEndpoint));
        assertThat(callUntilReached(a, bAgain, new byte[]{ 6 }).body()).containsExactly(6);
        assertThat(call(bAgain, a, new byte[]{ 7 }, 0).body()).containsExactly(7);
    }

    Node start(final int nodeId, final Transport transport)
    {
        final Node node = Node.launch(new NodeContext()
            .nodeId(nodeId)
            .transport(transport)
            .ownsTransport(true)
            .idleStrategy(new SleepingMillisIdleStrategy(1))
            .addService(echoService()));
        nodes.add(node);
        return node;
    }

    static RpcService echoService()
    {
        return new RpcService(ECHO)
            .handler(ECHO_MESSAGE, (request, reply) ->
                reply.send(request.body(), request.bodyOffset(), request.bodyLength()))
            .handler(HANG_MESSAGE, (request, reply) -> reply.defer()) // answered never: the caller times out
            .handler(BIG_REPLY_MESSAGE, new RpcHandler()
            {
                private final UnsafeBuffer big = new UnsafeBuffer(new byte[BIG_REPLY_LENGTH]);

                public void onRequest(final RpcRequest request, final RpcReply reply)
                {
                    big.putBytes(0, request.body(), request.bodyOffset(), request.bodyLength());
                    reply.send(big, 0, BIG_REPLY_LENGTH);
                }
            });
    }

    static RpcResponse call(final Node from, final Node to, final byte[] body, final long timeoutMs)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        return from.call(to.endpoint(), ECHO, ECHO_MESSAGE, body, null, timeoutMs).get(CALL_WAIT_S, TimeUnit.SECONDS);
    }

    /**
     * Call until the peer is reached: right after a peer returns, a call may still fail as unreachable until the
     * publication has reconnected, or back-pressured until the driver grants it a window. Bounded by
     * {@link TransportTestSupport#WAIT_LIMIT_MS}.
     */
    static RpcResponse callUntilReached(final Node from, final Node to, final byte[] body)
        throws InterruptedException, TimeoutException
    {
        return callUntilReached(from, to.endpoint(), body);
    }

    /**
     * As {@link #callUntilReached(Node, Node, byte[])}, to an endpoint.
     */
    static RpcResponse callUntilReached(final Node from, final String endpoint, final byte[] body)
        throws InterruptedException, TimeoutException
    {
        final long deadlineNs = System.nanoTime() + TransportTestSupport.WAIT_LIMIT_MS * 1_000_000L;
        while (true)
        {
            try
            {
                return from.call(endpoint, ECHO, ECHO_MESSAGE, body, null, 1_000).get(CALL_WAIT_S, TimeUnit.SECONDS);
            }
            catch (final ExecutionException ex)
            {
                final RpcError error = ((RpcException)ex.getCause()).error();
                assertThat(error).isIn(RpcError.PEER_UNREACHABLE, RpcError.TIMEOUT, RpcError.BACK_PRESSURED);
                assertThat(System.nanoTime() - deadlineNs).as("peer reached again in time").isNegative();
                TransportTestSupport.sleepMs(20);
            }
        }
    }

    static RpcError errorOf(final CompletableFuture<RpcResponse> future)
    {
        try
        {
            future.get(CALL_WAIT_S, TimeUnit.SECONDS);
        }
        catch (final ExecutionException ex)
        {
            assertThat(ex.getCause()).isInstanceOf(RpcException.class);
            return ((RpcException)ex.getCause()).error();
        }
        catch (final InterruptedException | TimeoutException ex)
        {
            throw new AssertionError("call neither completed nor failed", ex);
        }
        throw new AssertionError("call succeeded but was expected to fail");
    }
}
