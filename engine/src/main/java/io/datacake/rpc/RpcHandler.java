package io.datacake.rpc;

/**
 * Handles one message type of an {@link RpcService}, on the node thread.
 */
@FunctionalInterface
public interface RpcHandler
{
    /**
     * Handle a request. Reply with {@code reply.send(..)} / {@code reply.fail(..)} before returning, or call
     * {@link RpcReply#defer()} to reply later from the node thread. A handler that throws, or returns without
     * replying or deferring, fails the request with {@link RpcError#HANDLER_FAILURE}. One-way messages take no
     * reply. Must not block the node thread.
     *
     * @param request the request, a flyweight valid only during this call.
     * @param reply   where the response goes, valid only during this call unless deferred.
     * @throws Exception any failure, reported to the caller as {@link RpcError#HANDLER_FAILURE} with its message.
     */
    void onRequest(RpcRequest request, RpcReply reply) throws Exception;
}
