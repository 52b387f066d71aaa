package io.datacake.transport;

import org.agrona.DirectBuffer;

/**
 * The engine's only view of the network: frames go out to resolved peers and come in through {@link #poll}.
 * <p>
 * Shaped after Aeron so an Aeron implementation is a thin adapter:
 * <ul>
 *     <li>an endpoint string is resolved <em>once</em> into an {@code int} peer handle by {@link #resolvePeer};
 *     sends take the handle, so there is no string lookup per send;</li>
 *     <li>{@link #offer} copies a frame from the caller's buffer; {@link #tryClaim} hands out a region of the
 *     transport's own buffer to encode in place, then {@link TransportClaim#commit()} or
 *     {@link TransportClaim#abort()} it (Aeron's {@code tryClaim}/{@code BufferClaim});</li>
 *     <li>both return a {@code long} result: a positive value means the frame was accepted (an implementation may
 *     return a stream position), a negative value is one of the constants below. Nothing is allocated;</li>
 *     <li>{@link #poll} hands each incoming frame to a {@link FrameHandler} as {@code (buffer, offset, length)}, to be
 *     decoded in place and not retained after the callback returns.</li>
 * </ul>
 * A transport delivers whole frames of at most {@link #maxMessageLength()} bytes, or nothing: it never delivers part
 * of a frame. It makes no promise of delivery, ordering between peers, or exactly-once; the engine's RPC layer deals
 * with loss (timeouts) and duplicates (correlation ids).
 * <p>
 * <b>Sender identity is not a transport concern.</b> A frame does not say which peer sent it. The engine's frame
 * header carries the source node id, and every request frame carries the sender's endpoint string, so a node can
 * answer a requester it has never heard of by resolving that endpoint (once, then cached per node id).
 * <p>
 * <b>Threading.</b> A transport is owned by one thread (the node thread, or a simulation driver): every method,
 * including {@link #close()}, is called from that thread. Callbacks ({@link FrameHandler},
 * {@link PeerStatusListener}) run on that thread from within {@link #poll}.
 */
public interface Transport extends AutoCloseable
{
    /** The peer is not (or no longer) connected: nothing listens at its endpoint. Retry later or fail the send. */
    long NOT_CONNECTED = -1;

    /** The peer (or the local send path) is back-pressured: retry later. */
    long BACK_PRESSURED = -2;

    /** The transport is busy with an administrative action (e.g. a log rotation): retry immediately. */
    long ADMIN_ACTION = -3;

    /** The transport, or the peer's channel, is closed. Sending to it again will not succeed. */
    long CLOSED = -4;

    /** The channel to the peer reached its maximum position and can take no more frames until it is recreated. */
    long MAX_POSITION_EXCEEDED = -5;

    /**
     * Resolve an endpoint into a peer handle. Resolving the same endpoint again returns the same handle until the
     * peer is {@link #releasePeer released}. May set up resources (e.g. an Aeron publication): call it once per peer,
     * not per send.
     * <p>
     * <b>Never blocks.</b> It is called on the node thread, also from within {@link #poll} (to answer a requester
     * first heard of), so it must not wait for the network, a media driver or the peer: it starts whatever set-up the
     * peer needs and returns the handle at once. A new handle may not be ready: sends to it return
     * {@link #NOT_CONNECTED} until it is, and the {@link #peerStatusListener(PeerStatusListener) listener} hears
     * {@link PeerStatusListener#onPeerAvailable} when it becomes ready (the first connection as well as later ones).
     * If the set-up fails for good after this call returned (say, the endpoint names a channel the network layer
     * rejects), sends to the handle return {@link #CLOSED} until it is released.
     *
     * @param endpoint the peer's endpoint, in this transport's syntax (for instance {@code host:port}, or a name).
     * @return a non-negative handle for {@link #offer} and {@link #tryClaim}.
     * @throws IllegalArgumentException if the endpoint is malformed for this transport.
     * @throws IllegalStateException    if the transport is closed.
     */
    int resolvePeer(CharSequence endpoint);

    /**
     * Release a peer handle and whatever the transport holds for it. Later sends to the handle return
     * {@link #CLOSED}; resolving the endpoint again gives a working handle (possibly a different value).
     * Releasing an unknown or released handle does nothing.
     *
     * @param peer a handle from {@link #resolvePeer}.
     */
    void releasePeer(int peer);

    /**
     * Whether frames sent to the peer can currently be delivered (someone listens at its endpoint).
     *
     * @param peer a handle from {@link #resolvePeer}.
     * @return true if connected; false if not connected, released, unknown or the transport is closed.
     */
    boolean isConnected(int peer);

    /**
     * The endpoint a handle was resolved from.
     *
     * @param peer a handle from {@link #resolvePeer}.
     * @return the endpoint string.
     * @throws IllegalArgumentException if the handle is unknown or released.
     */
    String peerEndpoint(int peer);

    /**
     * Send a frame by copying it from the caller's buffer.
     *
     * @param peer   a handle from {@link #resolvePeer}.
     * @param buffer holds the frame.
     * @param offset where the frame starts.
     * @param length frame length in bytes, 1..{@link #maxMessageLength()}.
     * @return a positive value if the frame was accepted, else {@link #NOT_CONNECTED}, {@link #BACK_PRESSURED},
     * {@link #ADMIN_ACTION}, {@link #CLOSED} or {@link #MAX_POSITION_EXCEEDED}.
     * @throws IllegalArgumentException if the length is out of range.
     */
    long offer(int peer, DirectBuffer buffer, int offset, int length);

    /**
     * Claim a region of the transport's buffer to encode a frame in place. On success the claim is wrapped around
     * the region and must be {@link TransportClaim#commit() committed} or {@link TransportClaim#abort() aborted}
     * before the next claim or send on this transport.
     *
     * @param peer   a handle from {@link #resolvePeer}.
     * @param length exact frame length in bytes, 1..{@link #maxMessageLength()}.
     * @param claim  a claim from this transport's {@link #newClaim()}, reused across calls.
     * @return a positive value if the region was claimed, else one of the negative result constants; on failure
     * the claim is left unwrapped.
     * @throws IllegalArgumentException if the length is out of range or the claim belongs to another transport.
     */
    long tryClaim(int peer, int length, TransportClaim claim);

    /**
     * Create a reusable claim object for {@link #tryClaim}. Call at start-up, not per send.
     *
     * @return a new unwrapped claim bound to this transport.
     */
    TransportClaim newClaim();

    /**
     * Deliver up to {@code fragmentLimit} incoming frames to the handler, and any pending peer status changes to
     * the {@link #peerStatusListener(PeerStatusListener) listener}.
     *
     * @param handler       receives each frame, to be decoded in place.
     * @param fragmentLimit the maximum number of frames to deliver in this call (a positive bound on the work).
     * @return the number of frames delivered plus status changes reported (0 if nothing was pending or closed).
     */
    int poll(FrameHandler handler, int fragmentLimit);

    /**
     * Set the listener told when a resolved peer becomes available or goes away (for example when an Aeron image
     * or publication connects or disconnects), including when a newly resolved peer becomes ready for the first
     * time. Callbacks run from within {@link #poll}. A transport that cannot observe connectivity never calls it.
     *
     * @param listener the listener, or null to remove it.
     */
    void peerStatusListener(PeerStatusListener listener);

    /**
     * Largest frame, in bytes, that {@link #offer} and {@link #tryClaim} accept. Larger messages are streamed in
     * chunks by the RPC layer.
     *
     * @return the maximum frame length in bytes.
     */
    int maxMessageLength();

    /**
     * The endpoint other nodes resolve to reach this transport; the engine puts it in its request frames.
     *
     * @return this transport's endpoint string.
     */
    String localEndpoint();

    /**
     * Whether {@link #close()} has been called.
     *
     * @return true once closed.
     */
    boolean isClosed();

    /**
     * Release every resource. Idempotent. After close, sends return {@link #CLOSED} and {@link #poll} returns 0.
     */
    @Override
    void close();

    /**
     * A readable name for a send result, for logs and error messages.
     *
     * @param result a value returned by {@link #offer} or {@link #tryClaim}.
     * @return e.g. {@code "BACK_PRESSURED"}, or {@code "SENT"} for a positive value.
     */
    static String resultName(final long result)
    {
        if (result > 0)
        {
            return "SENT";
        }
        if (result == NOT_CONNECTED)
        {
            return "NOT_CONNECTED";
        }
        if (result == BACK_PRESSURED)
        {
            return "BACK_PRESSURED";
        }
        if (result == ADMIN_ACTION)
        {
            return "ADMIN_ACTION";
        }
        if (result == CLOSED)
        {
            return "CLOSED";
        }
        if (result == MAX_POSITION_EXCEEDED)
        {
            return "MAX_POSITION_EXCEEDED";
        }
        return "UNKNOWN(" + result + ")";
    }
}
