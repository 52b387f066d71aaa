package io.datacake.rpc;

/**
 * Handles one message type of an {@link RpcService} whose request bodies may be large, consuming them
 * incrementally: called once per chunk, in order, on the node thread, as the chunks arrive; flow-control credit
 * goes back to the requester as chunks are consumed, so the body is never assembled in memory. A body that fits
 * in one frame comes as a single chunk.
 * <p>
 * Reply (or defer) at the latest on the last chunk ({@code bodyOffset + request.bodyLength() == totalLength});
 * a reply sent earlier ends the request and the remaining chunks are discarded. Throwing, or returning from the
 * last chunk without replying, fails the request with {@link RpcError#HANDLER_FAILURE}.
 */
@FunctionalInterface
public interface RpcStreamHandler
{
    /**
     * The next chunk of the request body.
     *
     * @param request     the request; its body is this chunk, valid only during this call.
     * @param reply       where the response goes.
     * @param bodyOffset  position of this chunk within the whole body.
     * @param totalLength length of the whole body.
     * @throws Exception any failure, reported to the caller as {@link RpcError#HANDLER_FAILURE}.
     */
    void onChunk(RpcRequest request, RpcReply reply, long bodyOffset, long totalLength) throws Exception;
}
