package io.datacake.rpc;

import org.agrona.DirectBuffer;

/**
 * A received request as a handler sees it: a flyweight over the frame (or, for a streamed body, the assembled
 * body), valid only during {@link RpcHandler#onRequest}. Copy what must outlive the call.
 */
public final class RpcRequest
{
    private int sourceNodeId;
    private long correlationId;
    private int serviceId;
    private int messageTypeId;
    private boolean oneWay;
    private long hlcStamp;
    private DirectBuffer headerBuffer;
    private final int[] headerNameOffsets = new int[RpcHeaders.MAX_HEADERS];
    private final int[] headerNameLengths = new int[RpcHeaders.MAX_HEADERS];
    private final int[] headerValueOffsets = new int[RpcHeaders.MAX_HEADERS];
    private final int[] headerValueLengths = new int[RpcHeaders.MAX_HEADERS];
    private int headerCount;
    private DirectBuffer body;
    private int bodyOffset;
    private int bodyLength;

    RpcRequest()
    {
    }

    void reset(
        final int sourceNodeId,
        final long correlationId,
        final int serviceId,
        final int messageTypeId,
        final boolean oneWay,
        final long hlcStamp,
        final DirectBuffer headerBuffer)
    {
        this.sourceNodeId = sourceNodeId;
        this.correlationId = correlationId;
        this.serviceId = serviceId;
        this.messageTypeId = messageTypeId;
        this.oneWay = oneWay;
        this.hlcStamp = hlcStamp;
        this.headerBuffer = headerBuffer;
        this.headerCount = 0;
    }

    void addHeader(final int nameOffset, final int nameLength, final int valueOffset, final int valueLength)
    {
        headerNameOffsets[headerCount] = nameOffset;
        headerNameLengths[headerCount] = nameLength;
        headerValueOffsets[headerCount] = valueOffset;
        headerValueLengths[headerCount] = valueLength;
        headerCount++;
    }

    void body(final DirectBuffer body, final int offset, final int length)
    {
        this.body = body;
        this.bodyOffset = offset;
        this.bodyLength = length;
    }

    /**
     * The node that sent the request.
     *
     * @return its node id.
     */
    public int sourceNodeId()
    {
        return sourceNodeId;
    }

    /**
     * The requester's correlation id (unique per requester).
     *
     * @return the id.
     */
    public long correlationId()
    {
        return correlationId;
    }

    /**
     * The addressed service id.
     *
     * @return the id.
     */
    public int serviceId()
    {
        return serviceId;
    }

    /**
     * The message type id.
     *
     * @return the id.
     */
    public int messageTypeId()
    {
        return messageTypeId;
    }

    /**
     * Whether this is a one-way message that takes no reply.
     *
     * @return true for one-way.
     */
    public boolean isOneWay()
    {
        return oneWay;
    }

    /**
     * The sender's HLC stamp piggybacked on the request (already merged into this node's clock).
     *
     * @return the packed stamp.
     */
    public long hlcStamp()
    {
        return hlcStamp;
    }

    /**
     * The number of headers.
     *
     * @return count.
     */
    public int headerCount()
    {
        return headerCount;
    }

    /**
     * A header's name (allocates a String).
     *
     * @param index 0..headerCount-1.
     * @return the name.
     * @throws IndexOutOfBoundsException if the index is out of range.
     */
    public String headerName(final int index)
    {
        checkIndex(index);
        return headerBuffer.getStringWithoutLengthAscii(headerNameOffsets[index], headerNameLengths[index]);
    }

    /**
     * A header's value (allocates a String).
     *
     * @param index 0..headerCount-1.
     * @return the value.
     * @throws IndexOutOfBoundsException if the index is out of range.
     */
    public String headerValue(final int index)
    {
        checkIndex(index);
        return headerBuffer.getStringWithoutLengthAscii(headerValueOffsets[index], headerValueLengths[index]);
    }

    /**
     * The value of the first header with a name.
     *
     * @param name the header name.
     * @return the value, or null if absent.
     */
    public String header(final String name)
    {
        for (int i = 0; i < headerCount; i++)
        {
            if (headerNameLengths[i] == name.length() && equalsAscii(headerNameOffsets[i], name))
            {
                return headerValue(i);
            }
        }
        return null;
    }

    /**
     * The buffer holding the body.
     *
     * @return the buffer, read in place.
     */
    public DirectBuffer body()
    {
        return body;
    }

    /**
     * Where the body starts in {@link #body()}.
     *
     * @return the offset.
     */
    public int bodyOffset()
    {
        return bodyOffset;
    }

    /**
     * The body length.
     *
     * @return bytes.
     */
    public int bodyLength()
    {
        return bodyLength;
    }

    /**
     * A copy of the body (allocates; for tests and convenience).
     *
     * @return the body bytes.
     */
    public byte[] bodyBytes()
    {
        final byte[] bytes = new byte[bodyLength];
        body.getBytes(bodyOffset, bytes);
        return bytes;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "RpcRequest{from=" + sourceNodeId + ", correlationId=" + correlationId + ", serviceId=" + serviceId +
            ", messageTypeId=" + messageTypeId + ", oneWay=" + oneWay + ", headers=" + headerCount +
            ", bodyLength=" + bodyLength + "}";
    }

    private boolean equalsAscii(final int offset, final String name)
    {
        for (int i = 0; i < name.length(); i++)
        {
            if (headerBuffer.getByte(offset + i) != (byte)name.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    private void checkIndex(final int index)
    {
        if (index < 0 || index >= headerCount)
        {
            throw new IndexOutOfBoundsException("header index " + index + " not in 0.." + (headerCount - 1));
        }
    }
}
