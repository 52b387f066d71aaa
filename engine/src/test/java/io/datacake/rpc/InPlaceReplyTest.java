package io.datacake.rpc;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.transport.InProcessNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RpcReply#send(int, RpcBodyWriter)}: the writer encodes the body in the claimed frame and the caller gets it
 * byte-exact; a body longer than one frame is refused before anything is claimed; a writer that throws sends nothing,
 * and the request can still be failed.
 */
final class InPlaceReplyTest
{
    private static final String SERVICE = "in-place";
    private static final int WRITE = 1;
    private static final int TOO_LONG = 2;
    private static final int WRITER_THROWS = 3;
    private static final long TIMEOUT_MS = 10_000;

    private final InProcessNetwork network = new InProcessNetwork();
    private final AtomicInteger maxInPlace = new AtomicInteger();
    private final AtomicReference<String> tooLongRefusal = new AtomicReference<>();
    private Node server;
    private Node client;

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

    private void launch()
    {
        server = Node.launch(new NodeContext().nodeId(2).transport(network.newTransport("server"))
            .addService(new RpcService(SERVICE)
                .handler(WRITE, (request, reply) ->
                {
                    final int length = request.body().getInt(request.bodyOffset());
                    maxInPlace.set(reply.maxInPlaceBodyLength());
                    reply.send(length, (buffer, offset, bodyLength) ->
                    {
                        for (int i = 0; i < bodyLength; i++)
                        {
                            buffer.putByte(offset + i, (byte)(i * 7));
                        }
                    });
                })
                .handler(TOO_LONG, (request, reply) ->
                {
                    try
                    {
                        reply.send(reply.maxInPlaceBodyLength() + 1, (buffer, offset, length) -> {});
                    }
                    catch (final IllegalArgumentException ex)
                    {
                        tooLongRefusal.set(ex.getMessage());
                        reply.fail("refused");
                    }
                })
                .handler(WRITER_THROWS, (request, reply) ->
                {
                    try
                    {
                        reply.send(16, (buffer, offset, length) ->
                        {
                            throw new IllegalStateException("source gone");
                        });
                    }
                    catch (final IllegalStateException ex)
                    {
                        reply.fail("writer failed: " + ex.getMessage());
                    }
                })));
        client = Node.launch(new NodeContext().nodeId(1).transport(network.newTransport("client")));
    }

    private RpcResponse call(final int type, final int length) throws Exception
    {
        final byte[] body = new byte[Integer.BYTES];
        new org.agrona.concurrent.UnsafeBuffer(body).putInt(0, length);
        return client.call("server", SERVICE, type, body, null, TIMEOUT_MS).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    @Test
    void theWrittenBodyArrivesByteExactUpToOneFramesWorth() throws Exception
    {
        launch();
        for (final int length : new int[]{0, 1, 1_000})
        {
            final byte[] body = call(WRITE, length).body();
            assertThat(body).hasSize(length);
            for (int i = 0; i < length; i++)
            {
                assertThat(body[i]).as("byte %d of %d", i, length).isEqualTo((byte)(i * 7));
            }
        }
        final int max = maxInPlace.get();
        assertThat(max).isPositive().isLessThanOrEqualTo(network.maxMessageLength());
        assertThat(call(WRITE, max).body()).hasSize(max);
    }

    @Test
    void aBodyLongerThanAFrameIsRefusedAndTheRequestCanStillBeAnswered()
    {
        launch();
        assertThatThrownBy(() -> call(TOO_LONG, 0)).hasCauseInstanceOf(RpcException.class)
            .hasMessageContaining("refused");
        assertThat(tooLongRefusal.get()).contains("does not fit one frame");
    }

    @Test
    void aWriterThatThrowsSendsNothingAndTheRequestCanStillBeFailed() throws Exception
    {
        launch();
        assertThatThrownBy(() -> call(WRITER_THROWS, 0)).hasCauseInstanceOf(RpcException.class)
            .hasMessageContaining("writer failed: source gone");
        assertThat(call(WRITE, 8).body()).as("the node answers the next request").hasSize(8);
    }
}
