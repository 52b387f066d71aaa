package io.datacake.rpc;

import io.datacake.protocol.RpcStatus;
import org.agrona.DirectBuffer;

/**
 * Where a handler sends its response. Exactly one of {@link #send}, {@link #sendEmpty()} or {@link #fail} per
 * request; later calls throw. Node thread only. A handler that cannot answer before returning calls
 * {@link #defer()} and answers through the returned object later (still on the node thread).
 */
public final class RpcReply
{
    private final RequestDispatcher dispatcher;
    private int peer;
    private long correlationId;
    private int requesterNodeId;
    private boolean oneWay;
    private boolean done;
    private boolean deferred;

    RpcReply(final RequestDispatcher dispatcher)
    {
        this.dispatcher = dispatcher;
    }

    void reset(final int peer, final long correlationId, final int requesterNodeId, final boolean oneWay)
    {
        this.peer = peer;
        this.correlationId = correlationId;
        this.requesterNodeId = requesterNodeId;
        this.oneWay = oneWay;
        this.done = false;
        this.deferred = false;
    }

    /**
     * Send a successful response. The body is copied (or streamed in chunks if larger than a frame) before this
     * returns, so the buffer may be reused at once.
     *
     * @param buffer holds the body.
     * @param offset where the body starts.
     * @param length body length in bytes, up to the node's maximum body length.
     * @throws IllegalStateException    if a reply was already sent, or this is a one-way message.
     * @throws IllegalArgumentException if the body is longer than the node's maximum body length.
     */
    public void send(final DirectBuffer buffer, final int offset, final int length)
    {
        checkReplyable();
        dispatcher.sendOkResponse(peer, correlationId, buffer, offset, length, requesterNodeId);
        done = true;
    }

    /**
     * Send a successful response with an empty body.
     *
     * @throws IllegalStateException if a reply was already sent, or this is a one-way message.
     */
    public void sendEmpty()
    {
        checkReplyable();
        done = true;
        dispatcher.sendOkResponse(peer, correlationId, null, 0, 0, requesterNodeId);
    }

    /**
     * Fail the request; the caller gets {@link RpcError#HANDLER_FAILURE} with this message.
     *
     * @param message what went wrong (non-ASCII characters are sent as '?', long messages are truncated to
     *                1024 characters).
     * @throws IllegalStateException if a reply was already sent, or this is a one-way message.
     */
    public void fail(final String message)
    {
        checkReplyable();
        done = true;
        dispatcher.sendErrorResponse(peer, requesterNodeId, correlationId, RpcStatus.HANDLER_FAILURE, message);
    }

    /**
     * Keep the request open after the handler returns and answer it later through the returned reply (on the node
     * thread). The caller's timeout still applies. Allocates one object.
     *
     * @return a reply that stays valid until used.
     * @throws IllegalStateException if a reply was already sent, or this is a one-way message.
     */
    public RpcReply defer()
    {
        checkReplyable();
        deferred = true;
        final RpcReply later = new RpcReply(dispatcher);
        later.reset(peer, correlationId, requesterNodeId, false);
        return later;
    }

    /**
     * Whether a response was sent.
     *
     * @return true once sent.
     */
    public boolean isDone()
    {
        return done;
    }

    /**
     * The node that sent the request.
     *
     * @return its node id.
     */
    public int requesterNodeId()
    {
        return requesterNodeId;
    }

    boolean isDeferred()
    {
        return deferred;
    }

    boolean isOneWay()
    {
        return oneWay;
    }

    private void checkReplyable()
    {
        if (oneWay)
        {
            throw new IllegalStateException("one-way messages take no reply");
        }
        if (done || deferred)
        {
            throw new IllegalStateException(
                "request " + correlationId + " from node " + requesterNodeId + " was already answered or deferred");
        }
    }
}
