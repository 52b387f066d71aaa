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
    private final boolean detached;
    private int peer;
    private long correlationId;
    private int requesterNodeId;
    private boolean oneWay;
    private boolean done;
    private boolean deferred;

    RpcReply(final RequestDispatcher dispatcher)
    {
        this(dispatcher, false);
    }

    private RpcReply(final RequestDispatcher dispatcher, final boolean detached)
    {
        this.dispatcher = dispatcher;
        this.detached = detached;
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
     * Send a successful response whose body the writer encodes in place, into the claimed frame: no copy of the body
     * on the way to the transport. Only for a body that fits one frame ({@link #maxInPlaceBodyLength()}); a longer one
     * is streamed, which needs it in a buffer: use {@link #send(DirectBuffer, int, int)}. If the writer throws, nothing
     * is sent, the claimed frame is dropped, and the request may still be answered.
     *
     * @param length body length in bytes, 0..{@link #maxInPlaceBodyLength()}.
     * @param writer writes the body; called once before this returns.
     * @throws IllegalStateException    if a reply was already sent, or this is a one-way message.
     * @throws IllegalArgumentException if the body does not fit one frame.
     */
    public void send(final int length, final RpcBodyWriter writer)
    {
        checkReplyable();
        dispatcher.sendOkResponse(peer, correlationId, length, writer, requesterNodeId);
        done = true;
    }

    /**
     * The longest body {@link #send(int, RpcBodyWriter)} writes in place: what one frame of the transport holds after
     * the response header, and no more than the node's largest body.
     *
     * @return the length in bytes.
     */
    public int maxInPlaceBodyLength()
    {
        return dispatcher.maxInPlaceBodyLength();
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
     * thread). The caller's timeout still applies. Allocates one object; {@link #defer(RpcReply)} reuses a spent one.
     *
     * @return a reply that stays valid until used.
     * @throws IllegalStateException if a reply was already sent, or this is a one-way message.
     */
    public RpcReply defer()
    {
        return defer(null);
    }

    /**
     * {@link #defer()} into a reply an earlier {@code defer} returned and that has been answered, so that a handler
     * deferring every request allocates nothing once it keeps its spent replies (say, beside its pooled request
     * state).
     *
     * @param spent a reply an earlier {@code defer} of this node returned, already answered; or {@code null} to
     *              allocate one.
     * @return {@code spent}, now standing for this request, or a new reply if {@code spent} was {@code null}.
     * @throws IllegalStateException if a reply was already sent, this is a one-way message, or {@code spent} was not
     *                               returned by a {@code defer} of this node or has not been answered yet.
     */
    public RpcReply defer(final RpcReply spent)
    {
        checkReplyable();
        if (null != spent && (!spent.detached || spent.dispatcher != dispatcher || !spent.done))
        {
            throw new IllegalStateException("only an answered reply from an earlier defer() on this node can be " +
                "reused: " + (!spent.detached || spent.dispatcher != dispatcher ? "this one was not deferred here" :
                "this one still stands for an unanswered request"));
        }
        deferred = true;
        final RpcReply later = null == spent ? new RpcReply(dispatcher, true) : spent;
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
