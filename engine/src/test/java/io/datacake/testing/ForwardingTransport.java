package io.datacake.testing;

import io.datacake.transport.FrameHandler;
import io.datacake.transport.PeerStatusListener;
import io.datacake.transport.Transport;
import io.datacake.transport.TransportClaim;
import org.agrona.DirectBuffer;

/**
 * A transport that hands every call to another one: test transports extend it and override only what they change
 * (refuse sends, copy received frames, ...).
 */
public abstract class ForwardingTransport implements Transport
{
    /** The transport every call goes to. */
    protected final Transport delegate;

    /**
     * @param delegate the transport every call goes to.
     */
    protected ForwardingTransport(final Transport delegate)
    {
        this.delegate = delegate;
    }

    /** {@inheritDoc} */
    public int resolvePeer(final CharSequence endpoint)
    {
        return delegate.resolvePeer(endpoint);
    }

    /** {@inheritDoc} */
    public void releasePeer(final int peer)
    {
        delegate.releasePeer(peer);
    }

    /** {@inheritDoc} */
    public boolean isConnected(final int peer)
    {
        return delegate.isConnected(peer);
    }

    /** {@inheritDoc} */
    public String peerEndpoint(final int peer)
    {
        return delegate.peerEndpoint(peer);
    }

    /** {@inheritDoc} */
    public long offer(final int peer, final DirectBuffer buffer, final int offset, final int length)
    {
        return delegate.offer(peer, buffer, offset, length);
    }

    /** {@inheritDoc} */
    public long tryClaim(final int peer, final int length, final TransportClaim claim)
    {
        return delegate.tryClaim(peer, length, claim);
    }

    /** {@inheritDoc} */
    public TransportClaim newClaim()
    {
        return delegate.newClaim();
    }

    /** {@inheritDoc} */
    public int poll(final FrameHandler handler, final int fragmentLimit)
    {
        return delegate.poll(handler, fragmentLimit);
    }

    /** {@inheritDoc} */
    public void peerStatusListener(final PeerStatusListener listener)
    {
        delegate.peerStatusListener(listener);
    }

    /** {@inheritDoc} */
    public int maxMessageLength()
    {
        return delegate.maxMessageLength();
    }

    /** {@inheritDoc} */
    public String localEndpoint()
    {
        return delegate.localEndpoint();
    }

    /** {@inheritDoc} */
    public boolean isClosed()
    {
        return delegate.isClosed();
    }

    /** {@inheritDoc} */
    public void close()
    {
        delegate.close();
    }
}
