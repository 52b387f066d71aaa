package io.datacake.rpc;

import io.datacake.security.Keyring;
import io.datacake.transport.PeerStatusListener;
import io.datacake.transport.Transport;
import org.agrona.DirectBuffer;

/**
 * The RPC layer of one node assembled from its parts, each with one job: the {@link FrameAdapter} checks and
 * decodes every incoming frame, the {@link FramePublisher} encodes and commits every outgoing frame (and owns the
 * {@link PendingReplies} queue), the {@link CallRegistry} tracks calls, the {@link StreamManager} moves streamed
 * bodies and credits, and the {@link RequestDispatcher} runs handlers. Components see it as {@link Rpc}; its owner
 * drives it through {@link RpcLayer}.
 * <p>
 * Node thread only.
 */
final class RpcEngine implements Rpc, PeerStatusListener
{
    private final Transport transport;
    private final FramePublisher publisher;
    private final FrameAdapter adapter;
    private final CallRegistry calls;
    private final StreamManager streams;
    private final RequestDispatcher dispatcher;
    private boolean closed;

    RpcEngine(final RpcContext ctx)
    {
        ctx.conclude();
        this.transport = ctx.transport();
        final int maxMessageLength = transport.maxMessageLength();
        if (maxMessageLength < FramePublisher.RESPONSE_FIXED_LENGTH + StreamManager.MIN_CHUNK_LENGTH + 256)
        {
            throw new IllegalArgumentException("transport maxMessageLength " + maxMessageLength + " is too small");
        }
        final RpcRequest request = new RpcRequest();
        this.publisher = new FramePublisher(ctx);
        this.adapter = new FrameAdapter(ctx, request);
        this.calls = new CallRegistry(ctx, publisher);
        this.streams = new StreamManager(ctx, publisher, adapter, request);
        this.dispatcher = new RequestDispatcher(ctx, publisher, adapter, request);
        adapter.wire(dispatcher, calls, streams);
        calls.wire(streams);
        streams.wire(dispatcher, calls);
        dispatcher.wire(streams, calls);
    }

    FrameAdapter frameAdapter()
    {
        return adapter;
    }

    FramePublisher framePublisher()
    {
        return publisher;
    }

    void keyring(final Keyring keyring)
    {
        adapter.keyring(keyring);
        publisher.keyring(keyring);
    }

    /**
     * {@inheritDoc}
     */
    public int resolvePeer(final CharSequence endpoint)
    {
        return transport.resolvePeer(endpoint);
    }

    /**
     * {@inheritDoc}
     */
    public void addService(final RpcService service)
    {
        dispatcher.addService(service);
    }

    /**
     * {@inheritDoc}
     */
    public boolean removeService(final String name)
    {
        return dispatcher.removeService(name);
    }

    /**
     * {@inheritDoc}
     */
    public String localEndpoint()
    {
        return transport.localEndpoint();
    }

    /**
     * {@inheritDoc}
     */
    public int maxOneWayBodyLength()
    {
        return publisher.maxMessageLength() - publisher.requestFixedLength(null);
    }

    /**
     * {@inheritDoc}
     */
    public long defaultTimeoutMs()
    {
        return calls.defaultTimeoutMs();
    }

    /**
     * {@inheritDoc}
     */
    public long call(
        final int peer,
        final int serviceId,
        final int messageTypeId,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength,
        final RpcHeaders headers,
        final long timeoutMs,
        final RpcResponseListener listener)
    {
        return calls.call(peer, PendingCall.UNBOUND, serviceId, messageTypeId, body, bodyOffset, bodyLength, headers,
            timeoutMs, listener);
    }

    /**
     * {@inheritDoc}
     */
    public long call(
        final int peer,
        final int expectedNodeId,
        final int serviceId,
        final int messageTypeId,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength,
        final RpcHeaders headers,
        final long timeoutMs,
        final RpcResponseListener listener)
    {
        if (expectedNodeId < 0 || expectedNodeId > 0xFFFF)
        {
            throw new IllegalArgumentException("expectedNodeId must be 0..65535: " + expectedNodeId);
        }
        return calls.call(peer, expectedNodeId, serviceId, messageTypeId, body, bodyOffset, bodyLength, headers,
            timeoutMs, listener);
    }

    /**
     * {@inheritDoc}
     */
    public long send(
        final int peer,
        final int serviceId,
        final int messageTypeId,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength,
        final RpcHeaders headers)
    {
        return calls.send(peer, serviceId, messageTypeId, body, bodyOffset, bodyLength, headers);
    }

    /**
     * {@inheritDoc}
     */
    public boolean cancel(final long correlationId)
    {
        return calls.cancel(correlationId);
    }

    /**
     * {@inheritDoc}
     */
    public int pendingCount()
    {
        return calls.pendingCount();
    }

    /**
     * {@inheritDoc}
     */
    public int pendingReplyCount()
    {
        return publisher.queuedReplyCount();
    }

    /**
     * {@inheritDoc}
     */
    public int streamCount()
    {
        return streams.count();
    }

    /**
     * {@inheritDoc}
     */
    public void onPeerAvailable(final int peer)
    {
        // Queued requests and replies to the peer go out on the next duty cycle.
    }

    /**
     * Fails every pending call to the peer with {@link RpcError#PEER_UNREACHABLE}, drops streams to it and drops
     * (and counts) the replies and one-way messages queued for it.
     *
     * @param peer the handle that went away.
     */
    public void onPeerUnavailable(final int peer)
    {
        publisher.dropQueuedReplies(peer);
        calls.onPeerUnavailable(peer);
        streams.onPeerUnavailable(peer);
    }

    int doWork(final long monotonicMs)
    {
        int work = calls.doWork(monotonicMs);
        work += publisher.retryQueuedReplies(monotonicMs);
        work += streams.doWork(monotonicMs);
        return work;
    }

    void prepareNextTags()
    {
        publisher.prepareNextTag();
        adapter.prepareNextTag();
    }

    void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        calls.close();
        publisher.close();
        streams.close();
    }
}
