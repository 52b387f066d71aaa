package io.datacake.rpc;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The datacake RPC scenarios (basic, many messages, many services, headers, service error, streaming, unknown
 * service) plus timeout, peer down and node close, written once against {@link RpcTestCluster} so they run on the
 * in-process transport, on the simulated network and, by extending {@link TransportRpcScenarios}, on any other
 * transport.
 */
public abstract class RpcScenarios
{
    /** The echo service's name. */
    protected static final String ECHO = "echo";
    /** Echo: reply with the request body. */
    protected static final int ECHO_BODY = 1;
    /** Reply with "name=value;" for every header. */
    protected static final int ECHO_HEADERS = 2;
    /** Never reply (defer forever). */
    protected static final int NEVER_REPLY = 3;
    /** Fail with the body as message. */
    protected static final int FAIL_WITH_MESSAGE = 4;
    /** Throw an exception with the body as message. */
    protected static final int THROW = 5;
    /** Reply with a generated body of the length given as a little-endian int in the request body. */
    protected static final int GENERATE = 6;
    /** Return without replying. */
    protected static final int FORGET_TO_REPLY = 7;
    /** Reply with the body's length (int) and CRC32 (long), little-endian. */
    protected static final int DIGEST = 8;
    /** Streaming handler: digest the body chunk by chunk; reply length (int), CRC32 (long), chunk count (int). */
    protected static final int STREAM_DIGEST = 9;
    /** Streaming handler: reply "rejected" on the first chunk, before the rest of the body arrives. */
    protected static final int STREAM_REJECT_EARLY = 10;

    /**
     * Create a cluster for one test.
     *
     * @param nodeCount  number of nodes, ids 1..nodeCount.
     * @param customizer adjusts each node's context (services, timeouts) before launch.
     * @return the cluster, closed by the test.
     */
    protected abstract RpcTestCluster createCluster(int nodeCount, Consumer<NodeContext> customizer);

    @Test
    void basicRequestResponseEchoes32KiB()
    {
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx.addService(echoService())))
        {
            final byte[] body = randomBytes(32 * 1024, 1);
            final RpcResponse response = get(cluster,
                cluster.node(0).call(cluster.node(1).endpoint(), ECHO, ECHO_BODY, body, null, 0));
            assertThat(response.body()).isEqualTo(body);
        }
    }

    @Test
    void emptyBodyRoundTrip()
    {
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx.addService(echoService())))
        {
            final RpcResponse response = get(cluster,
                cluster.node(0).call(cluster.node(1).endpoint(), ECHO, ECHO_BODY, new byte[0], null, 0));
            assertThat(response.body()).isEmpty();
        }
    }

    @Test
    void manyMessagesShareServiceState()
    {
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx.addService(counterService())))
        {
            final String server = cluster.node(1).endpoint();
            get(cluster, cluster.node(0).call(server, "counter", 1, longBytes(5), null, 0));
            final RpcResponse response = get(cluster, cluster.node(0).call(server, "counter", 2, longBytes(3), null, 0));
            assertThat(readLong(response.body())).isEqualTo(2);
        }
    }

    @Test
    void manyConcurrentCallsAllCompleteWithTheirOwnResponse()
    {
        try (RpcTestCluster cluster = createCluster(3, (ctx) -> ctx.addService(echoService())))
        {
            final List<CompletableFuture<RpcResponse>> futures = new ArrayList<>();
            final List<byte[]> bodies = new ArrayList<>();
            for (int i = 0; i < 300; i++)
            {
                final byte[] body = ("message-" + i).getBytes(StandardCharsets.US_ASCII);
                bodies.add(body);
                final Node caller = cluster.node(i % 2 == 0 ? 0 : 2);
                futures.add(caller.call(cluster.node(1).endpoint(), ECHO, ECHO_BODY, body, null, 0));
            }
            for (int i = 0; i < futures.size(); i++)
            {
                assertThat(get(cluster, futures.get(i)).body()).isEqualTo(bodies.get(i));
            }
        }
    }

    @Test
    void manyServicesHandleTheSameMessageTypeByServiceName()
    {
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx
            .addService(new RpcService("add5").handler(1, (req, reply) -> reply.send(
                new UnsafeBuffer(longBytes(readLong(req.bodyBytes()) + 5)), 0, 8)))
            .addService(new RpcService("sub5").handler(1, (req, reply) -> reply.send(
                new UnsafeBuffer(longBytes(readLong(req.bodyBytes()) - 5)), 0, 8)))))
        {
            final String server = cluster.node(1).endpoint();
            assertThat(readLong(get(cluster, cluster.node(0).call(server, "add5", 1, longBytes(5), null, 0)).body()))
                .isEqualTo(10);
            assertThat(readLong(get(cluster, cluster.node(0).call(server, "sub5", 1, longBytes(5), null, 0)).body()))
                .isEqualTo(0);
        }
    }

    @Test
    void singleHeaderReachesTheHandler()
    {
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx.addService(echoService())))
        {
            final RpcHeaders headers = new RpcHeaders().add("name", "bobby");
            final RpcResponse response = get(cluster,
                cluster.node(0).call(cluster.node(1).endpoint(), ECHO, ECHO_HEADERS, new byte[4], headers, 0));
            assertThat(response.bodyAsString()).isEqualTo("name=bobby;");
        }
    }

    @Test
    void manyHeadersReachTheHandlerInOrder()
    {
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx.addService(echoService())))
        {
            final RpcHeaders headers = new RpcHeaders()
                .add("name", "bobby").add("trace-id", "1234").add("tag", "").add("x-empty-name-ok", "v");
            final RpcResponse response = get(cluster,
                cluster.node(0).call(cluster.node(1).endpoint(), ECHO, ECHO_HEADERS, new byte[4], headers, 0));
            assertThat(response.bodyAsString()).isEqualTo("name=bobby;trace-id=1234;tag=;x-empty-name-ok=v;");
        }
    }

    @Test
    void serviceErrorArrivesExactlyAsSent()
    {
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx.addService(echoService())))
        {
            final String message = "Oops! Something went wrong in the handler";
            final RpcException error = failure(cluster, cluster.node(0).call(cluster.node(1).endpoint(), ECHO,
                FAIL_WITH_MESSAGE, message.getBytes(StandardCharsets.US_ASCII), null, 0));
            assertThat(error.error()).isEqualTo(RpcError.HANDLER_FAILURE);
            assertThat(error.detail()).isEqualTo(message);
        }
    }

    @Test
    void handlerExceptionBecomesHandlerFailureAndTheNodeKeepsServing()
    {
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx.addService(echoService())))
        {
            final String server = cluster.node(1).endpoint();
            final RpcException thrown = failure(cluster, cluster.node(0).call(server, ECHO, THROW,
                "boom".getBytes(StandardCharsets.US_ASCII), null, 0));
            assertThat(thrown.error()).isEqualTo(RpcError.HANDLER_FAILURE);
            assertThat(thrown.detail()).isEqualTo("boom");

            final RpcException forgot = failure(cluster, cluster.node(0).call(server, ECHO, FORGET_TO_REPLY,
                new byte[0], null, 0));
            assertThat(forgot.error()).isEqualTo(RpcError.HANDLER_FAILURE);
            assertThat(forgot.detail()).contains("returned without replying");

            assertThat(get(cluster, cluster.node(0).call(server, ECHO, ECHO_BODY, new byte[]{7}, null, 0)).body())
                .containsExactly(7);
            assertThat(cluster.node(1).counters().rpc().handlerFailures.get()).isEqualTo(2);
        }
    }

    @Test
    void streamedResponseBodyArrivesIntact()
    {
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx.addService(echoService())))
        {
            final int length = 600 * 1024;
            final RpcResponse response = get(cluster, cluster.node(0).call(cluster.node(1).endpoint(), ECHO,
                GENERATE, intBytes(length), null, 0));
            assertThat(response.body()).isEqualTo(generated(length));
            assertThat(cluster.node(1).counters().rpc().streamsStarted.get()).isEqualTo(1);
        }
    }

    @Test
    void streamedRequestBodyArrivesIntact()
    {
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx.addService(echoService())))
        {
            final byte[] body = randomBytes(500 * 1024, 2);
            final RpcResponse response = get(cluster,
                cluster.node(0).call(cluster.node(1).endpoint(), ECHO, DIGEST, body, null, 0));
            final ByteBuffer digest = ByteBuffer.wrap(response.body()).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(digest.getInt(0)).isEqualTo(body.length);
            assertThat(digest.getLong(4)).isEqualTo(crc(body, 0, body.length));
        }
    }

    @Test
    void streamingHandlerConsumesARequestBodyChunkByChunk()
    {
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx.addService(echoService())))
        {
            final String server = cluster.node(1).endpoint();
            final byte[] body = randomBytes(700 * 1024, 3);
            final ByteBuffer large = ByteBuffer.wrap(get(cluster,
                cluster.node(0).call(server, ECHO, STREAM_DIGEST, body, null, 0)).body()).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(large.getInt(0)).isEqualTo(body.length);
            assertThat(large.getLong(4)).isEqualTo(crc(body, 0, body.length));
            assertThat(large.getInt(12)).isGreaterThan(1);

            final byte[] small = {1, 2, 3};
            final ByteBuffer single = ByteBuffer.wrap(get(cluster,
                cluster.node(0).call(server, ECHO, STREAM_DIGEST, small, null, 0)).body()).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(single.getInt(0)).isEqualTo(3);
            assertThat(single.getLong(4)).isEqualTo(crc(small, 0, 3));
            assertThat(single.getInt(12)).isEqualTo(1);
        }
    }

    @Test
    void streamingHandlerMayAnswerBeforeTheWholeBodyArrived()
    {
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx.addService(echoService())))
        {
            final RpcResponse response = get(cluster, cluster.node(0).call(cluster.node(1).endpoint(), ECHO,
                STREAM_REJECT_EARLY, randomBytes(300 * 1024, 4), null, 0));
            assertThat(response.bodyAsString()).isEqualTo("rejected");
            // The body is larger than the flow-control window: had the server kept the stream after replying, it
            // would still hold it, waiting for chunks the client no longer sends.
            final int streams = get(cluster, cluster.node(1).execute((s) -> s.rpc().streamCount()));
            assertThat(streams).isZero();
        }
    }

    @Test
    void streamedBodyCanBeConsumedIncrementally()
    {
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx.addService(echoService())))
        {
            final int length = 300 * 1024;
            final String server = cluster.node(1).endpoint();
            final IncrementalConsumer consumer = new IncrementalConsumer();
            get(cluster, cluster.node(0).execute((s) -> s.rpc().call(s.rpc().resolvePeer(server),
                RpcService.idOf(ECHO), GENERATE, new UnsafeBuffer(intBytes(length)), 0, 4, null, 0, consumer)));
            get(cluster, consumer.done);
            assertThat(consumer.chunks).isGreaterThan(1);
            assertThat(consumer.finalBodyLength).isZero();
            final byte[] received = new byte[consumer.received.capacity()];
            consumer.received.getBytes(0, received, 0, consumer.length);
            assertThat(java.util.Arrays.copyOf(received, consumer.length)).isEqualTo(generated(length));
        }
    }

    @Test
    void applicationThreadCanConsumeAStreamedBodyChunkByChunk()
    {
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx.addService(echoService())))
        {
            final int length = 400 * 1024;
            final ExpandableArrayBuffer received = new ExpandableArrayBuffer();
            final int[] chunks = new int[1];
            final long consumed = get(cluster, cluster.node(0).callStreaming(cluster.node(1).endpoint(), ECHO,
                GENERATE, intBytes(length), null, 0, (id, buffer, offset, chunkLength, bodyOffset, total) ->
                {
                    assertThat(total).isEqualTo(length);
                    received.putBytes((int)bodyOffset, buffer, offset, chunkLength);
                    chunks[0]++;
                }));
            assertThat(consumed).isEqualTo(length);
            assertThat(chunks[0]).isGreaterThan(1);
            final byte[] bytes = new byte[length];
            received.getBytes(0, bytes);
            assertThat(bytes).isEqualTo(generated(length));

            final long small = get(cluster, cluster.node(0).callStreaming(cluster.node(1).endpoint(), ECHO,
                ECHO_BODY, new byte[]{1, 2, 3}, null, 0, (id, buffer, offset, chunkLength, bodyOffset, total) ->
                    assertThat(chunkLength).isEqualTo(3)));
            assertThat(small).isEqualTo(3);
        }
    }

    @Test
    void unknownServiceAndMessageTypeAreTypedErrors()
    {
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx.addService(echoService())))
        {
            final String server = cluster.node(1).endpoint();
            final RpcException service = failure(cluster,
                cluster.node(0).call(server, "no-such-service", ECHO_BODY, new byte[1], null, 0));
            assertThat(service.error()).isEqualTo(RpcError.UNKNOWN_SERVICE);
            assertThat(service.detail()).contains("unknown service id " + RpcService.idOf("no-such-service"));

            final RpcException type = failure(cluster, cluster.node(0).call(server, ECHO, 999, new byte[1], null, 0));
            assertThat(type.error()).isEqualTo(RpcError.UNKNOWN_MESSAGE_TYPE);
            assertThat(type.detail()).contains("'echo'").contains("999");
        }
    }

    @Test
    void requestTimesOutWhenNoResponseArrives()
    {
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx.addService(echoService())))
        {
            final RpcException error = failure(cluster, cluster.node(0).call(cluster.node(1).endpoint(), ECHO,
                NEVER_REPLY, new byte[1], null, 200));
            assertThat(error.error()).isEqualTo(RpcError.TIMEOUT);
            assertThat(error.detail()).contains("200 ms");
            assertThat(cluster.node(0).counters().rpc().requestTimeouts.get()).isEqualTo(1);
            final int pending = get(cluster, cluster.node(0).execute((s) -> s.rpc().pendingCount()));
            assertThat(pending).isZero();
        }
    }

    @Test
    void unreachablePeerFailsAfterTheConnectTimeout()
    {
        try (RpcTestCluster cluster = createCluster(1, (ctx) -> ctx.connectTimeoutMs(200)))
        {
            final RpcException error = failure(cluster,
                cluster.node(0).call(cluster.unreachableEndpoint(), ECHO, ECHO_BODY, new byte[1], null, 60_000));
            assertThat(error.error()).isEqualTo(RpcError.PEER_UNREACHABLE);
            assertThat(error.detail()).contains("200 ms connect timeout");
        }
    }

    @Test
    void connectTimeoutEqualToTheRequestTimeoutReportsTheUnreachablePeer()
    {
        try (RpcTestCluster cluster = createCluster(1, (ctx) -> ctx.connectTimeoutMs(300)))
        {
            final RpcException error = failure(cluster,
                cluster.node(0).call(cluster.unreachableEndpoint(), ECHO, ECHO_BODY, new byte[1], null, 300));
            assertThat(error.error()).isEqualTo(RpcError.PEER_UNREACHABLE);
        }
    }

    @Test
    void requestTimeoutShorterThanTheConnectTimeoutWins()
    {
        try (RpcTestCluster cluster = createCluster(1, (ctx) -> ctx.connectTimeoutMs(60_000)))
        {
            final RpcException error = failure(cluster,
                cluster.node(0).call(cluster.unreachableEndpoint(), ECHO, ECHO_BODY, new byte[1], null, 100));
            assertThat(error.error()).isEqualTo(RpcError.TIMEOUT);
        }
    }

    @Test
    void peerThatWentDownFailsTheCall()
    {
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx.addService(echoService()).connectTimeoutMs(300)))
        {
            final String server = cluster.node(1).endpoint();
            get(cluster, cluster.node(0).call(server, ECHO, ECHO_BODY, new byte[1], null, 0));
            cluster.node(1).close();
            final RpcException error = failure(cluster,
                cluster.node(0).call(server, ECHO, ECHO_BODY, new byte[1], null, 1_000));
            // A transport that sees the peer go away fails fast; one that cannot tell (UDP before the image times
            // out) fails by timeout. Either way the call fails, once.
            assertThat(error.error()).isIn(RpcError.PEER_UNREACHABLE, RpcError.TIMEOUT);
        }
    }

    @Test
    void closingANodeFailsPendingAndLaterCallsWithNodeClosed()
    {
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx.addService(echoService())))
        {
            final Node client = cluster.node(0);
            final CompletableFuture<RpcResponse> pending =
                client.call(cluster.node(1).endpoint(), ECHO, NEVER_REPLY, new byte[1], null, 600_000);
            // Make sure the request is pending on the node thread before closing.
            get(cluster, client.execute((s) -> s.rpc().pendingCount()));
            awaitPending(cluster, client);
            client.close();
            client.close();
            assertThat(failure(cluster, pending).error()).isEqualTo(RpcError.NODE_CLOSED);
            assertThat(failure(cluster, client.call(cluster.node(1).endpoint(), ECHO, ECHO_BODY, new byte[1],
                null, 0)).error()).isEqualTo(RpcError.NODE_CLOSED);
            assertThat(client.isClosed()).isTrue();
        }
    }

    @Test
    void oneWayMessageIsDeliveredWithoutAResponse()
    {
        final CompletableFuture<String> received = new CompletableFuture<>();
        try (RpcTestCluster cluster = createCluster(2, (ctx) -> ctx.addService(new RpcService("gossip")
            .handler(1, (req, reply) ->
            {
                assertThat(req.isOneWay()).isTrue();
                received.complete(new String(req.bodyBytes(), StandardCharsets.US_ASCII) + " from " +
                    req.sourceNodeId());
            }))))
        {
            final String server = cluster.node(1).endpoint();
            final long result = get(cluster, cluster.node(0).execute((s) -> s.rpc().send(s.rpc().resolvePeer(server),
                RpcService.idOf("gossip"), 1, new UnsafeBuffer("digest".getBytes(StandardCharsets.US_ASCII)), 0, 6,
                null)));
            assertThat(result).isPositive();
            assertThat(get(cluster, received)).isEqualTo("digest from 1");
            assertThat(cluster.node(1).counters().rpc().responsesSent.get()).isZero();
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * The echo service used by the scenarios.
     *
     * @return a new service instance.
     */
    protected static RpcService echoService()
    {
        final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(64);
        return new RpcService(ECHO)
            .handler(ECHO_BODY, (req, reply) -> reply.send(req.body(), req.bodyOffset(), req.bodyLength()))
            .handler(ECHO_HEADERS, (req, reply) ->
            {
                final StringBuilder sb = new StringBuilder();
                for (int i = 0; i < req.headerCount(); i++)
                {
                    sb.append(req.headerName(i)).append('=').append(req.headerValue(i)).append(';');
                }
                final byte[] bytes = sb.toString().getBytes(StandardCharsets.US_ASCII);
                reply.send(new UnsafeBuffer(bytes), 0, bytes.length);
            })
            .handler(NEVER_REPLY, (req, reply) -> reply.defer())
            .handler(FAIL_WITH_MESSAGE, (req, reply) ->
                reply.fail(new String(req.bodyBytes(), StandardCharsets.US_ASCII)))
            .handler(THROW, (req, reply) ->
            {
                throw new IllegalStateException(new String(req.bodyBytes(), StandardCharsets.US_ASCII));
            })
            .handler(GENERATE, (req, reply) ->
            {
                final byte[] body = generated(req.body().getInt(req.bodyOffset(), ByteOrder.LITTLE_ENDIAN));
                reply.send(new UnsafeBuffer(body), 0, body.length);
            })
            .handler(FORGET_TO_REPLY, (req, reply) -> {})
            .streamHandler(STREAM_DIGEST, new RpcStreamHandler()
            {
                private final java.util.HashMap<Long, CRC32> crcByCall = new java.util.HashMap<>();
                private final java.util.HashMap<Long, int[]> chunksByCall = new java.util.HashMap<>();

                public void onChunk(final RpcRequest req, final RpcReply reply, final long bodyOffset,
                    final long totalLength)
                {
                    final CRC32 crc = crcByCall.computeIfAbsent(req.correlationId(), (id) -> new CRC32());
                    final int[] chunks = chunksByCall.computeIfAbsent(req.correlationId(), (id) -> new int[1]);
                    crc.update(req.bodyBytes());
                    chunks[0]++;
                    if (bodyOffset + req.bodyLength() == totalLength)
                    {
                        crcByCall.remove(req.correlationId());
                        chunksByCall.remove(req.correlationId());
                        scratch.putInt(0, (int)totalLength, ByteOrder.LITTLE_ENDIAN);
                        scratch.putLong(4, crc.getValue(), ByteOrder.LITTLE_ENDIAN);
                        scratch.putInt(12, chunks[0], ByteOrder.LITTLE_ENDIAN);
                        reply.send(scratch, 0, 16);
                    }
                }
            })
            .streamHandler(STREAM_REJECT_EARLY, (req, reply, bodyOffset, totalLength) ->
            {
                final byte[] rejected = "rejected".getBytes(StandardCharsets.US_ASCII);
                reply.send(new UnsafeBuffer(rejected), 0, rejected.length);
            })
            .handler(DIGEST, (req, reply) ->
            {
                final byte[] body = req.bodyBytes();
                scratch.putInt(0, body.length, ByteOrder.LITTLE_ENDIAN);
                scratch.putLong(4, crc(body, 0, body.length), ByteOrder.LITTLE_ENDIAN);
                reply.send(scratch, 0, 12);
            });
    }

    /**
     * A counter service: message 1 adds, message 2 subtracts the little-endian long body; replies the total.
     *
     * @return a new service instance with its own state.
     */
    protected static RpcService counterService()
    {
        final long[] total = new long[1];
        final UnsafeBuffer out = new UnsafeBuffer(new byte[8]);
        return new RpcService("counter")
            .handler(1, (req, reply) ->
            {
                total[0] += req.body().getLong(req.bodyOffset(), ByteOrder.LITTLE_ENDIAN);
                out.putLong(0, total[0], ByteOrder.LITTLE_ENDIAN);
                reply.send(out, 0, 8);
            })
            .handler(2, (req, reply) ->
            {
                total[0] -= req.body().getLong(req.bodyOffset(), ByteOrder.LITTLE_ENDIAN);
                out.putLong(0, total[0], ByteOrder.LITTLE_ENDIAN);
                reply.send(out, 0, 8);
            });
    }

    /**
     * The successful result of a future, after waiting through the cluster.
     *
     * @param cluster the cluster.
     * @param future  the future.
     * @param <T>     the result type.
     * @return the result.
     */
    protected static <T> T get(final RpcTestCluster cluster, final CompletableFuture<T> future)
    {
        cluster.await(future);
        try
        {
            return future.join();
        }
        catch (final CompletionException ex)
        {
            throw new AssertionError("expected success but failed: " + ex.getCause(), ex.getCause());
        }
    }

    /**
     * The RPC failure of a future, after waiting through the cluster.
     *
     * @param cluster the cluster.
     * @param future  the future.
     * @return the exception.
     */
    protected static RpcException failure(final RpcTestCluster cluster, final CompletableFuture<?> future)
    {
        cluster.await(future);
        try
        {
            final Object value = future.get();
            return fail("expected an RpcException but completed with " + value);
        }
        catch (final ExecutionException ex)
        {
            assertThat(ex.getCause()).isInstanceOf(RpcException.class);
            return (RpcException)ex.getCause();
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static void awaitPending(final RpcTestCluster cluster, final Node node)
    {
        for (int i = 0; i < 10_000; i++)
        {
            if (get(cluster, node.execute((s) -> s.rpc().pendingCount())) > 0)
            {
                return;
            }
        }
        fail("request never became pending");
    }

    static byte[] randomBytes(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    static byte[] generated(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + (i >>> 10));
        }
        return bytes;
    }

    static byte[] longBytes(final long value)
    {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value).array();
    }

    static byte[] intBytes(final int value)
    {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value).array();
    }

    static long readLong(final byte[] bytes)
    {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    static long crc(final byte[] bytes, final int offset, final int length)
    {
        final CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }

    /**
     * A node-thread listener that consumes a streamed body chunk by chunk.
     */
    static final class IncrementalConsumer implements RpcResponseListener, RpcBodyListener
    {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final ExpandableArrayBuffer received = new ExpandableArrayBuffer();
        int chunks;
        int length;
        int finalBodyLength = -1;

        public void onBodyChunk(
            final long correlationId, final DirectBuffer buffer, final int offset, final int length,
            final long bodyOffset, final long totalLength)
        {
            if (bodyOffset != this.length)
            {
                done.completeExceptionally(new AssertionError("chunk out of order at " + bodyOffset));
            }
            received.putBytes(this.length, buffer, offset, length);
            this.length += length;
            chunks++;
        }

        public void onResponse(final long correlationId, final DirectBuffer body, final int offset, final int length)
        {
            finalBodyLength = length;
            done.complete(null);
        }

        public void onError(final long correlationId, final RpcError error, final String message)
        {
            done.completeExceptionally(new RpcException(error, message));
        }
    }
}
