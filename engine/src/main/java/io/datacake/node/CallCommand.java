package io.datacake.node;

import io.datacake.rpc.RpcError;
import io.datacake.rpc.RpcException;
import io.datacake.rpc.RpcHeaders;
import io.datacake.rpc.RpcResponse;
import io.datacake.rpc.RpcResponseListener;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.CompletableFuture;

/**
 * An RPC made by an application thread: carries copies of the arguments to the node thread and completes the
 * caller's future from the response.
 */
final class CallCommand implements NodeTask, RpcResponseListener
{
    private final String endpoint;
    private final int serviceId;
    private final int messageTypeId;
    private final UnsafeBuffer body;
    private final RpcHeaders headers;
    private final long timeoutMs;
    final CompletableFuture<RpcResponse> future = new CompletableFuture<>();

    CallCommand(
        final String endpoint,
        final int serviceId,
        final int messageTypeId,
        final DirectBuffer body,
        final int offset,
        final int length,
        final RpcHeaders headers,
        final long timeoutMs)
    {
        this.endpoint = endpoint;
        this.serviceId = serviceId;
        this.messageTypeId = messageTypeId;
        this.body = new UnsafeBuffer(new byte[length]);
        if (length > 0)
        {
            this.body.putBytes(0, body, offset, length);
        }
        this.headers = null == headers || headers.count() == 0 ? null : new RpcHeaders().copyFrom(headers);
        this.timeoutMs = timeoutMs;
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
        services.rpc().call(
            peer, serviceId, messageTypeId, body, 0, body.capacity(), headers, timeoutMs, this);
    }

    public void onRejected(final NodeClosedException reason)
    {
        future.completeExceptionally(new RpcException(RpcError.NODE_CLOSED, reason.getMessage()));
    }

    public void onResponse(final long correlationId, final DirectBuffer body, final int offset, final int length)
    {
        future.complete(new RpcResponse(correlationId, body, offset, length));
    }

    public void onError(final long correlationId, final RpcError error, final String message)
    {
        future.completeExceptionally(new RpcException(error, message));
    }
}
