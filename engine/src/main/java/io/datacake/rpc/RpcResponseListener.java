package io.datacake.rpc;

import org.agrona.DirectBuffer;

/**
 * Receives the outcome of a call made on the node thread with {@link Rpc#call}: exactly one of
 * {@link #onResponse} or {@link #onError}, exactly once, on the node thread.
 */
public interface RpcResponseListener
{
    /**
     * The call succeeded.
     *
     * @param correlationId the id {@link Rpc#call} returned.
     * @param body          the response body (empty if it was streamed to an {@link RpcBodyListener}); valid only
     *                      during this call.
     * @param offset        where the body starts.
     * @param length        body length in bytes.
     */
    void onResponse(long correlationId, DirectBuffer body, int offset, int length);

    /**
     * The call failed.
     *
     * @param correlationId the id {@link Rpc#call} returned.
     * @param error         the kind of failure.
     * @param message       what happened.
     */
    void onError(long correlationId, RpcError error, String message);
}
