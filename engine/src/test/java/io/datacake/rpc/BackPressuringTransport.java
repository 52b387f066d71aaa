package io.datacake.rpc;

import io.datacake.transport.FrameHandler;
import io.datacake.transport.PeerStatusListener;
import io.datacake.transport.Transport;
import io.datacake.testing.ForwardingTransport;
import io.datacake.transport.TransportClaim;
import org.agrona.DirectBuffer;

import java.util.SplittableRandom;

/**
 * A transport test double: delegates to a real transport but answers sends ({@code tryClaim} and {@code offer}) with
 * {@link Transport#BACK_PRESSURED} (or another result) while told to, as an Aeron publication does until the driver
 * moves its limit. It can also report a peer unavailable on the next poll, as Aeron does when an image goes away.
 * Refused sends are counted, so a test can tell how many attempts the engine made.
 */
public final class BackPressuringTransport extends ForwardingTransport
{
    private PeerStatusListener listener;
    private int refuseNextSends;
    private boolean refuseAll;
    private long refusal = Transport.BACK_PRESSURED;
    private int unavailablePeer = -1;
    private int availablePeer = -1;
    private long refusedSends;
    private SplittableRandom random;
    private double refuseProbability;

    /**
     * @param delegate the transport that sends whatever is not refused.
     */
    public BackPressuringTransport(final Transport delegate)
    {
        super(delegate);
    }

    /**
     * Refuse the next sends, then pass sends through again.
     *
     * @param sends how many {@code tryClaim}/{@code offer} calls to refuse.
     * @return this.
     */
    public BackPressuringTransport refuseNext(final int sends)
    {
        refuseNextSends = sends;
        return this;
    }

    /**
     * Refuse every send until told otherwise.
     *
     * @param refuseAll true to refuse every send.
     * @return this.
     */
    public BackPressuringTransport refuseAll(final boolean refuseAll)
    {
        this.refuseAll = refuseAll;
        return this;
    }

    /**
     * Refuse each send with a probability, drawn from a seeded random source (a run replays from its seed).
     *
     * @param random      the seeded source.
     * @param probability 0..1; 0 stops refusing at random.
     * @return this.
     */
    public BackPressuringTransport refuseRandomly(final SplittableRandom random, final double probability)
    {
        this.random = random;
        this.refuseProbability = probability;
        return this;
    }

    /**
     * The result refused sends get (default {@link Transport#BACK_PRESSURED}).
     *
     * @param result a negative {@link Transport} result.
     * @return this.
     */
    public BackPressuringTransport refusal(final long result)
    {
        this.refusal = result;
        return this;
    }

    /**
     * Report the peer unavailable to the listener on the next poll.
     *
     * @param peer the peer handle.
     */
    public void reportUnavailable(final int peer)
    {
        unavailablePeer = peer;
    }

    /**
     * Report the peer available to the listener on the next poll (before any unavailable report).
     *
     * @param peer the peer handle.
     */
    public void reportAvailable(final int peer)
    {
        availablePeer = peer;
    }

    /**
     * Sends refused so far.
     *
     * @return count.
     */
    public long refusedSends()
    {
        return refusedSends;
    }

    private boolean refuse()
    {
        if (refuseAll)
        {
            refusedSends++;
            return true;
        }
        if (refuseProbability > 0 && random.nextDouble() < refuseProbability)
        {
            refusedSends++;
            return true;
        }
        if (refuseNextSends > 0)
        {
            refuseNextSends--;
            refusedSends++;
            return true;
        }
        return false;
    }

    /** {@inheritDoc} */
    public long offer(final int peer, final DirectBuffer buffer, final int offset, final int length)
    {
        return refuse() ? refusal : delegate.offer(peer, buffer, offset, length);
    }

    /** {@inheritDoc} */
    public long tryClaim(final int peer, final int length, final TransportClaim claim)
    {
        return refuse() ? refusal : delegate.tryClaim(peer, length, claim);
    }

    /** {@inheritDoc} */
    public int poll(final FrameHandler handler, final int fragmentLimit)
    {
        int work = 0;
        if (availablePeer >= 0 && null != listener)
        {
            listener.onPeerAvailable(availablePeer);
            availablePeer = -1;
            work++;
        }
        if (unavailablePeer >= 0 && null != listener)
        {
            listener.onPeerUnavailable(unavailablePeer);
            unavailablePeer = -1;
            work++;
        }
        return work + delegate.poll(handler, fragmentLimit);
    }

    /** {@inheritDoc} */
    public void peerStatusListener(final PeerStatusListener listener)
    {
        this.listener = listener;
        delegate.peerStatusListener(listener);
    }
}
