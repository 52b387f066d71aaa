package io.datacake.node;

import io.datacake.rpc.RpcBodyListener;
import io.datacake.rpc.RpcError;
import io.datacake.rpc.RpcException;
import io.datacake.rpc.RpcHeaders;
import io.datacake.rpc.RpcResponseListener;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.CompletableFuture;

/**
 * An RPC from an application thread whose response body is handed to a consumer chunk by chunk on the node
 * thread, as it arrives, instead of being assembled; the future completes with the body length.
 */
final class StreamingCallCommand implements NodeTask, RpcResponseListener, RpcBodyListener
{
    private final String endpoint;
    private final int serviceId;
    private final int messageTypeId;
    private final UnsafeBuffer body;
    private final RpcHeaders headers;
    private final long timeoutMs;
    private final RpcBodyListener consumer;
    private long consumedBytes;
    final CompletableFuture<Long> future = new CompletableFuture<>();

    StreamingCallCommand(
        final String endpoint,
        final int serviceId,
        final int messageTypeId,
        final byte[] body,
        final RpcHeaders headers,
        final long timeoutMs,
        final RpcBodyListener consumer)
    {
        this.endpoint = endpoint;
        this.serviceId = serviceId;
        this.messageTypeId = messageTypeId;
        this.body = new UnsafeBuffer(null == body ? new byte[0] : body.clone());
        this.headers = null == headers || headers.count() == 0 ? null : new RpcHeaders().copyFrom(headers);
        this.timeoutMs = timeoutMs;
        this.consumer = consumer;
    }

    public void execute(final NodeServices services)
    {
        final int peer;
        try
        {
            peer = services.rpc().resolvePeer(endpoint);
        }
        catch (final IllegalArgumentException ex)
        {
            future.completeExceptionally(new RpcException(RpcError.PEER_UNREACHABLE, ex.getMessage()));
            return;
        }
        services.rpc().call(peer, serviceId, messageTypeId, body, 0, body.capacity(), headers, timeoutMs, this);
    }

    public void onRejected(final NodeClosedException reason)
    {
        future.completeExceptionally(new RpcException(RpcError.NODE_CLOSED, reason.getMessage()));
    }

    public void onBodyChunk(
        final long correlationId,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long bodyOffset,
        final long totalLength)
    {
        consumer.onBodyChunk(correlationId, buffer, offset, length, bodyOffset, totalLength);
        consumedBytes += length;
    }

    public void onResponse(final long correlationId, final DirectBuffer body, final int offset, final int length)
    {
        if (length > 0)
        {
            // The body fitted in one frame: hand it over as a single chunk.
            try
            {
                consumer.onBodyChunk(correlationId, body, offset, length, 0, length);
            }
            catch (final RuntimeException ex)
            {
                future.completeExceptionally(ex);
                return;
            }
            consumedBytes += length;
        }
        future.complete(consumedBytes);
    }

    public void onError(final long correlationId, final RpcError error, final String message)
    {
        future.completeExceptionally(new RpcException(error, message));
    }
}
