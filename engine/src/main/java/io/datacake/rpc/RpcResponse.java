package io.datacake.rpc;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * A response delivered to an application thread (through a future): the body copied out of the node thread's
 * buffers.
 */
public final class RpcResponse
{
    private final long correlationId;
    private final byte[] body;

    /**
     * Copy a response body.
     *
     * @param correlationId the call's correlation id.
     * @param buffer        holds the body.
     * @param offset        where it starts.
     * @param length        its length.
     */
    public RpcResponse(final long correlationId, final DirectBuffer buffer, final int offset, final int length)
    {
        this.correlationId = correlationId;
        this.body = new byte[length];
        buffer.getBytes(offset, body);
    }

    /**
     * The call's correlation id.
     *
     * @return the id.
     */
    public long correlationId()
    {
        return correlationId;
    }

    /**
     * The body bytes (the array itself, not a copy).
     *
     * @return the body.
     */
    public byte[] body()
    {
        return body;
    }

    /**
     * The body as a buffer view.
     *
     * @return a buffer over the body.
     */
    public DirectBuffer bodyBuffer()
    {
        return new UnsafeBuffer(body);
    }

    /**
     * The body decoded as UTF-8.
     *
     * @return the text.
     */
    public String bodyAsString()
    {
        return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "RpcResponse{correlationId=" + correlationId + ", bodyLength=" + body.length + "}";
    }
}
