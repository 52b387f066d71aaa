package io.datacake.rpc;

import org.agrona.DirectBuffer;

/**
 * Consumes a streamed response body incrementally. When the {@link RpcResponseListener} given to a call also
 * implements this interface, a response too large for one frame is handed over chunk by chunk as it arrives (with
 * flow-control credit returned to the sender as chunks are consumed) instead of being assembled in memory; the
 * final {@link RpcResponseListener#onResponse} then carries an empty body.
 */
public interface RpcBodyListener
{
    /**
     * The next part of the body, in order.
     *
     * @param correlationId the call's id.
     * @param buffer        holds the chunk; valid only during this call.
     * @param offset        where the chunk starts in the buffer.
     * @param length        chunk length in bytes.
     * @param bodyOffset    position of the chunk within the whole body.
     * @param totalLength   length of the whole body.
     */
    void onBodyChunk(long correlationId, DirectBuffer buffer, int offset, int length, long bodyOffset, long totalLength);
}
