package io.datacake.sim;

import io.datacake.transport.FrameHandler;
import io.datacake.transport.PeerStatusListener;
import io.datacake.transport.Transport;
import io.datacake.transport.TransportClaim;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Object2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * A {@link Transport} over a {@link SimNetwork}. A send copies the frame into the network, which delivers it (or
 * not) in virtual time; {@link #poll} hands delivered frames to the handler. A peer is {@link #NOT_CONNECTED} while
 * no open transport listens at its endpoint; a partition is silent (frames are lost), as on a real network.
 * <p>
 * Simulation only: allocates a copy per frame.
 */
public final class SimTransport implements Transport
{
    private static final long SENT = 1;

    private final SimNetwork network;
    private final String endpoint;
    private final int maxMessageLength;
    private final int maxInboxFrames;
    private final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
    private final Object2IntHashMap<String> peerByEndpoint = new Object2IntHashMap<>(-1);
    private final ArrayList<String> endpointByPeer = new ArrayList<>();
    private final UnsafeBuffer frameView = new UnsafeBuffer(new byte[0]);
    private boolean closed;

    SimTransport(final SimNetwork network, final String endpoint, final int maxMessageLength, final int maxInboxFrames)
    {
        this.network = network;
        this.endpoint = endpoint;
        this.maxMessageLength = maxMessageLength;
        this.maxInboxFrames = maxInboxFrames;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int resolvePeer(final CharSequence endpoint)
    {
        if (closed)
        {
            throw new IllegalStateException("transport " + this.endpoint + " is closed");
        }
        if (null == endpoint || endpoint.length() == 0)
        {
            throw new IllegalArgumentException("endpoint must be a non-empty name");
        }
        final String name = endpoint.toString();
        int peer = peerByEndpoint.getValue(name);
        if (peer < 0)
        {
            peer = endpointByPeer.size();
            endpointByPeer.add(name);
            peerByEndpoint.put(name, peer);
        }
        return peer;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void releasePeer(final int peer)
    {
        if (peer >= 0 && peer < endpointByPeer.size() && null != endpointByPeer.get(peer))
        {
            peerByEndpoint.removeKey(endpointByPeer.get(peer));
            endpointByPeer.set(peer, null);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean isConnected(final int peer)
    {
        return !closed && validPeer(peer) && network.isListening(endpointByPeer.get(peer));
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String peerEndpoint(final int peer)
    {
        if (!validPeer(peer))
        {
            throw new IllegalArgumentException("unknown or released peer handle: " + peer);
        }
        return endpointByPeer.get(peer);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public long offer(final int peer, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 1 || length > maxMessageLength)
        {
            throw new IllegalArgumentException(
                "frame length must be in 1.." + maxMessageLength + " (maxMessageLength): " + length);
        }
        if (closed || !validPeer(peer))
        {
            return CLOSED;
        }
        final String destination = endpointByPeer.get(peer);
        if (!network.isListening(destination))
        {
            return NOT_CONNECTED;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        network.send(endpoint, destination, bytes);
        return SENT;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public long tryClaim(final int peer, final int length, final TransportClaim claim)
    {
        if (!(claim instanceof SimClaim) || ((SimClaim)claim).owner != this)
        {
            throw new IllegalArgumentException("claim was not created by this transport's newClaim()");
        }
        if (length < 1 || length > maxMessageLength)
        {
            throw new IllegalArgumentException(
                "frame length must be in 1.." + maxMessageLength + " (maxMessageLength): " + length);
        }
        if (closed || !validPeer(peer))
        {
            return CLOSED;
        }
        if (!network.isListening(endpointByPeer.get(peer)))
        {
            return NOT_CONNECTED;
        }
        ((SimClaim)claim).wrap(peer, length);
        return SENT;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public TransportClaim newClaim()
    {
        return new SimClaim(this, maxMessageLength);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int poll(final FrameHandler handler, final int fragmentLimit)
    {
        int count = 0;
        byte[] frame;
        while (!closed && count < fragmentLimit && null != (frame = inbox.pollFirst()))
        {
            frameView.wrap(frame);
            handler.onFrame(frameView, 0, frame.length);
            count++;
        }
        return count;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void peerStatusListener(final PeerStatusListener listener)
    {
        // Connectivity is checked on each send, as with the in-process transport.
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String localEndpoint()
    {
        return endpoint;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void close()
    {
        closed = true;
        inbox.clear();
    }

    /**
     * Frames delivered but not yet polled.
     *
     * @return count.
     */
    public int inboxSize()
    {
        return inbox.size();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "SimTransport{" + endpoint + (closed ? ", closed}" : "}");
    }

    boolean deliver(final byte[] frame)
    {
        if (closed || inbox.size() >= maxInboxFrames)
        {
            return false;
        }
        inbox.addLast(frame);
        return true;
    }

    private boolean validPeer(final int peer)
    {
        return peer >= 0 && peer < endpointByPeer.size() && null != endpointByPeer.get(peer);
    }

    private static final class SimClaim implements TransportClaim
    {
        private final SimTransport owner;
        private final UnsafeBuffer scratch;
        private int peer = -1;
        private int length;

        SimClaim(final SimTransport owner, final int maxMessageLength)
        {
            this.owner = owner;
            this.scratch = new UnsafeBuffer(new byte[maxMessageLength]);
        }

        void wrap(final int peer, final int length)
        {
            this.peer = peer;
            this.length = length;
        }

        public MutableDirectBuffer buffer()
        {
            checkClaimed();
            return scratch;
        }

        public int offset()
        {
            checkClaimed();
            return 0;
        }

        public int length()
        {
            return length;
        }

        public void commit()
        {
            checkClaimed();
            final int claimedPeer = peer;
            peer = -1;
            owner.offer(claimedPeer, scratch, 0, length);
        }

        public void abort()
        {
            checkClaimed();
            peer = -1;
        }

        private void checkClaimed()
        {
            if (peer < 0)
            {
                throw new IllegalStateException("no outstanding claim: call Transport.tryClaim first");
            }
        }
    }
}
