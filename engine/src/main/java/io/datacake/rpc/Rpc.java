package io.datacake.rpc;

import org.agrona.DirectBuffer;

/**
 * What a component (membership, the replicated store, an application service) sees of its node's RPC layer:
 * calls, one-way messages, cancellation, peer handles and services. Node thread only.
 * <p>
 * Requests and one-way messages to one peer are dispatched at that peer in the order they were sent here, as long
 * as the transport does not reorder frames: while anything to a peer waits for its connection or for back-pressure
 * to clear, later requests to it queue behind (bounded by {@code RpcContext.maxQueuedRequestsPerPeer}).
 */
public interface Rpc
{
    /**
     * Returned by {@link #send} when the message was queued to keep order behind earlier ones to the same peer (or
     * until the peer connects); positive like a successful send, and larger than any transport position.
     */
    long QUEUED = Long.MAX_VALUE;

    /**
     * Resolve a peer endpoint once into a handle for {@link #call} and {@link #send}.
     *
     * @param endpoint the peer's endpoint.
     * @return the peer handle.
     * @throws IllegalArgumentException if the endpoint is malformed for the transport.
     */
    int resolvePeer(CharSequence endpoint);

    /**
     * Register a service.
     *
     * @param service the service.
     * @throws IllegalArgumentException if a service with the same id is registered.
     */
    void addService(RpcService service);

    /**
     * Remove a service by name; requests for it then fail with {@link RpcError#UNKNOWN_SERVICE}.
     *
     * @param name the service name.
     * @return true if it was registered.
     */
    boolean removeService(String name);

    /**
     * The endpoint this node's transport tells peers to answer to: the one in every request frame it sends.
     *
     * @return the endpoint string.
     */
    String localEndpoint();

    /**
     * The largest body a one-way {@link #send} without headers can carry: the transport's frame length minus the
     * request frame's own fields.
     *
     * @return bytes.
     */
    int maxOneWayBodyLength();

    /**
     * The request timeout used when a call passes 0.
     *
     * @return milliseconds.
     */
    long defaultTimeoutMs();

    /**
     * Call a service on a peer. The outcome goes to the listener exactly once, on the node thread, possibly before
     * this method returns (if the request cannot be sent at all), unless the call is {@link #cancel cancelled}
     * first. While the transport reports the peer not connected or back-pressured, the request is kept and retried
     * every duty cycle until the connect timeout ({@link RpcError#PEER_UNREACHABLE} / {@link RpcError#BACK_PRESSURED})
     * or the request timeout. Bodies larger than a frame are streamed. The response is accepted only from the node
     * bound to the call (learned from earlier responses on the peer handle, else the first node to answer); answers
     * from any other node are dropped and counted. Allocates nothing in steady state.
     *
     * @param peer          a handle from {@link #resolvePeer}.
     * @param serviceId     the service id ({@link RpcService#idOf(String)}).
     * @param messageTypeId the message type id.
     * @param body          the body (copied before return), or null for none.
     * @param bodyOffset    where the body starts.
     * @param bodyLength    body length in bytes.
     * @param headers       request headers, or null for none.
     * @param timeoutMs     request timeout, or 0 for the default.
     * @param listener      receives the outcome; an {@link RpcBodyListener} also receives a streamed body in chunks.
     * @return the call's correlation id, for {@link #cancel}.
     * @throws NullPointerException if the listener is null.
     */
    long call(
        int peer,
        int serviceId,
        int messageTypeId,
        DirectBuffer body,
        int bodyOffset,
        int bodyLength,
        RpcHeaders headers,
        long timeoutMs,
        RpcResponseListener listener);

    /**
     * Call a service on a peer whose node id is known: a response from any other node is dropped and counted.
     * Otherwise as {@link #call(int, int, int, DirectBuffer, int, int, RpcHeaders, long, RpcResponseListener)}.
     *
     * @param peer           a handle from {@link #resolvePeer}.
     * @param expectedNodeId the node id that must answer.
     * @param serviceId      the service id.
     * @param messageTypeId  the message type id.
     * @param body           the body (copied before return), or null for none.
     * @param bodyOffset     where the body starts.
     * @param bodyLength     body length in bytes.
     * @param headers        request headers, or null for none.
     * @param timeoutMs      request timeout, or 0 for the default.
     * @param listener       receives the outcome.
     * @return the call's correlation id.
     * @throws NullPointerException     if the listener is null.
     * @throws IllegalArgumentException if the node id is outside 0..65535.
     */
    long call(
        int peer,
        int expectedNodeId,
        int serviceId,
        int messageTypeId,
        DirectBuffer body,
        int bodyOffset,
        int bodyLength,
        RpcHeaders headers,
        long timeoutMs,
        RpcResponseListener listener);

    /**
     * Send a one-way message (no response, no timeout): what gossip uses. The message must fit in one frame.
     *
     * @param peer          a handle from {@link #resolvePeer}.
     * @param serviceId     the service id.
     * @param messageTypeId the message type id.
     * @param body          the body, or null for none.
     * @param bodyOffset    where the body starts.
     * @param bodyLength    body length in bytes.
     * @param headers       headers, or null for none.
     * @return a positive value if sent or {@link #QUEUED} (kept to keep order behind earlier requests to the peer,
     * sent or dropped within the connect timeout), else a negative {@code Transport} result
     * ({@code BACK_PRESSURED} when the per-peer queue is full).
     * @throws IllegalArgumentException if the message does not fit in one frame.
     */
    long send(
        int peer,
        int serviceId,
        int messageTypeId,
        DirectBuffer body,
        int bodyOffset,
        int bodyLength,
        RpcHeaders headers);

    /**
     * Cancel a call: after this returns no callback of it ever runs; late response frames, chunks and its timeout
     * are dropped and counted. A request not sent yet is not sent.
     *
     * @param correlationId the id {@link #call} returned.
     * @return true if the call was pending and is now cancelled; false if it already had its outcome.
     */
    boolean cancel(long correlationId);

    /**
     * The number of calls awaiting an outcome.
     *
     * @return count.
     */
    int pendingCount();

    /**
     * The number of reply frames (responses, stream credits) queued because the transport could not take them.
     *
     * @return count.
     */
    int pendingReplyCount();

    /**
     * The number of streamed bodies in flight (being sent or received).
     *
     * @return count.
     */
    int streamCount();
}
