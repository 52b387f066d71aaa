package io.datacake.transport;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Object2IntHashMap;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;

/**
 * A {@link Transport} to other transports of the same {@link InProcessNetwork}. A send writes the frame straight
 * into the receiver's inbox ring buffer ({@link #tryClaim} encodes in place there); {@link #poll} reads frames in
 * place from this transport's inbox. Frames are delivered exactly once and in order per sender, unless the inbox
 * is full, which the sender sees as {@link #BACK_PRESSURED}.
 * <p>
 * A peer is {@link #NOT_CONNECTED} while no open transport listens at its endpoint; a peer that closes and is
 * recreated under the same endpoint is reconnected on the next send. Peer status changes are not reported.
 * <p>
 * Owned by one thread, like every transport; senders on other transports may write into its inbox concurrently.
 */
public final class InProcessTransport implements Transport
{
    private static final int FRAME_MSG_TYPE_ID = 1;
    private static final long SENT = 1;

    private final InProcessNetwork network;
    private final String endpoint;
    private final int maxMessageLength;
    private final ManyToOneRingBuffer inbox;
    private final Object2IntHashMap<String> peerByEndpoint = new Object2IntHashMap<>(-1);
    private final ArrayList<String> endpointByPeer = new ArrayList<>();
    private final ArrayList<InProcessTransport> targetByPeer = new ArrayList<>();
    private final FrameAdapter frameAdapter = new FrameAdapter();
    private volatile boolean closed;

    InProcessTransport(
        final InProcessNetwork network, final String endpoint, final int bufferLength, final int maxMessageLength)
    {
        this.network = network;
        this.endpoint = endpoint;
        this.maxMessageLength = maxMessageLength;
        this.inbox = new ManyToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(bufferLength)));
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int resolvePeer(final CharSequence endpoint)
    {
        checkOpen();
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
            targetByPeer.add(null);
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
            targetByPeer.set(peer, null);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean isConnected(final int peer)
    {
        return !closed && null != target(peer);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String peerEndpoint(final int peer)
    {
        if (peer < 0 || peer >= endpointByPeer.size() || null == endpointByPeer.get(peer))
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
        checkLength(length);
        final long status = sendStatus(peer);
        if (status != SENT)
        {
            return status;
        }
        return targetByPeer.get(peer).inbox.write(FRAME_MSG_TYPE_ID, buffer, offset, length) ? SENT : BACK_PRESSURED;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public long tryClaim(final int peer, final int length, final TransportClaim claim)
    {
        checkLength(length);
        if (!(claim instanceof InProcessClaim) || ((InProcessClaim)claim).owner != this)
        {
            throw new IllegalArgumentException("claim was not created by this transport's newClaim()");
        }
        final long status = sendStatus(peer);
        if (status != SENT)
        {
            return status;
        }
        final ManyToOneRingBuffer targetInbox = targetByPeer.get(peer).inbox;
        final int index = targetInbox.tryClaim(FRAME_MSG_TYPE_ID, length);
        if (index < 0)
        {
            return BACK_PRESSURED;
        }
        ((InProcessClaim)claim).wrap(targetInbox, index, length);
        return SENT;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public TransportClaim newClaim()
    {
        return new InProcessClaim(this);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int poll(final FrameHandler handler, final int fragmentLimit)
    {
        if (closed)
        {
            return 0;
        }
        frameAdapter.handler = handler;
        try
        {
            final long head = inbox.consumerPosition();
            final int frames = inbox.read(frameAdapter, fragmentLimit);
            // A read that reaches the padding record at the ring's end consumes only the padding and returns 0 while
            // frames wait at the start: read again, so that 0 means the inbox was empty.
            return 0 == frames && inbox.consumerPosition() != head ? inbox.read(frameAdapter, fragmentLimit) : frames;
        }
        finally
        {
            frameAdapter.handler = null;
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void peerStatusListener(final PeerStatusListener listener)
    {
        // Connectivity is checked on each send; there are no asynchronous status changes to report.
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
        if (!closed)
        {
            closed = true;
            network.remove(this);
            targetByPeer.clear();
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "InProcessTransport{" + endpoint + (closed ? ", closed}" : "}");
    }

    private long sendStatus(final int peer)
    {
        if (closed)
        {
            return CLOSED;
        }
        if (peer < 0 || peer >= endpointByPeer.size() || null == endpointByPeer.get(peer))
        {
            return CLOSED;
        }
        return null != target(peer) ? SENT : NOT_CONNECTED;
    }

    private InProcessTransport target(final int peer)
    {
        if (peer < 0 || peer >= targetByPeer.size())
        {
            return null;
        }
        InProcessTransport target = targetByPeer.get(peer);
        if (null == target || target.closed)
        {
            final String peerEndpoint = endpointByPeer.get(peer);
            target = null == peerEndpoint ? null : network.lookup(peerEndpoint);
            targetByPeer.set(peer, target);
        }
        return target;
    }

    private void checkLength(final int length)
    {
        if (length < 1 || length > maxMessageLength)
        {
            throw new IllegalArgumentException(
                "frame length must be in 1.." + maxMessageLength + " (maxMessageLength): " + length);
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("transport " + endpoint + " is closed");
        }
    }

    private static final class FrameAdapter implements MessageHandler
    {
        FrameHandler handler;

        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            handler.onFrame(buffer, index, length);
        }
    }

    private static final class InProcessClaim implements TransportClaim
    {
        private final InProcessTransport owner;
        private ManyToOneRingBuffer ringBuffer;
        private int index;
        private int length;

        InProcessClaim(final InProcessTransport owner)
        {
            this.owner = owner;
        }

        void wrap(final ManyToOneRingBuffer ringBuffer, final int index, final int length)
        {
            this.ringBuffer = ringBuffer;
            this.index = index;
            this.length = length;
        }

        public MutableDirectBuffer buffer()
        {
            checkClaimed();
            return ringBuffer.buffer();
        }

        public int offset()
        {
            checkClaimed();
            return index;
        }

        public int length()
        {
            return length;
        }

        public void commit()
        {
            checkClaimed();
            final ManyToOneRingBuffer claimed = ringBuffer;
            ringBuffer = null;
            claimed.commit(index);
        }

        public void abort()
        {
            checkClaimed();
            final ManyToOneRingBuffer claimed = ringBuffer;
            ringBuffer = null;
            claimed.abort(index);
        }

        private void checkClaimed()
        {
            if (null == ringBuffer)
            {
                throw new IllegalStateException("no outstanding claim: call Transport.tryClaim first");
            }
        }
    }
}
