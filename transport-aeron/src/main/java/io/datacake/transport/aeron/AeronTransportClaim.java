package io.datacake.transport.aeron;

import io.aeron.ExclusivePublication;
import io.aeron.logbuffer.BufferClaim;
import io.datacake.transport.TransportClaim;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The {@link TransportClaim} of an {@link AeronTransport}. A frame that fits in one Aeron fragment is claimed in the
 * publication's term buffer itself ({@code tryClaim}): encoded in place, no copy. A longer frame, which Aeron must
 * fragment and cannot claim, is encoded into this claim's scratch buffer and offered on commit: the one copy Aeron
 * requires for fragmentation anyway.
 */
final class AeronTransportClaim implements TransportClaim
{
    private static final int NONE = 0;
    private static final int DIRECT = 1;
    private static final int DEFERRED = 2;

    private final AeronTransport owner;
    private final BufferClaim bufferClaim = new BufferClaim();
    private UnsafeBuffer scratchBuffer;
    private ExclusivePublication deferredPublication;
    private int deferredLength;
    private int state = NONE;

    AeronTransportClaim(final AeronTransport owner)
    {
        this.owner = owner;
    }

    /**
     * {@inheritDoc}
     */
    public MutableDirectBuffer buffer()
    {
        return DEFERRED == state ? scratchBuffer : bufferClaim.buffer();
    }

    /**
     * {@inheritDoc}
     */
    public int offset()
    {
        return DEFERRED == state ? 0 : bufferClaim.offset();
    }

    /**
     * {@inheritDoc}
     */
    public int length()
    {
        return DEFERRED == state ? deferredLength : bufferClaim.length();
    }

    /**
     * {@inheritDoc}
     */
    public void commit()
    {
        final int current = state;
        state = NONE;
        if (DIRECT == current)
        {
            // The claimed region is in the client's term buffer: gone with the client or the transport.
            if (!owner.isClosed())
            {
                bufferClaim.commit();
            }
        }
        else if (DEFERRED == current)
        {
            final ExclusivePublication publication = deferredPublication;
            deferredPublication = null;
            owner.commitDeferred(publication, scratchBuffer, deferredLength);
        }
        else
        {
            throw new IllegalStateException("no outstanding claim to commit: tryClaim did not succeed or was ended");
        }
        owner.claimEnded();
    }

    /**
     * {@inheritDoc}
     */
    public void abort()
    {
        final int current = state;
        state = NONE;
        if (DIRECT == current)
        {
            if (!owner.isClosed())
            {
                bufferClaim.abort();
            }
        }
        else if (DEFERRED == current)
        {
            deferredPublication = null;
        }
        else
        {
            throw new IllegalStateException("no outstanding claim to abort: tryClaim did not succeed or was ended");
        }
        owner.claimEnded();
    }

    AeronTransport owner()
    {
        return owner;
    }

    BufferClaim bufferClaim()
    {
        return bufferClaim;
    }

    boolean isOutstanding()
    {
        return NONE != state;
    }

    void wrapDirect()
    {
        state = DIRECT;
    }

    void wrapDeferred(final ExclusivePublication publication, final int length, final int maxMessageLength)
    {
        if (null == scratchBuffer)
        {
            // Allocated once, on the first frame too long to claim in place, then reused.
            scratchBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(maxMessageLength, 64));
        }
        deferredPublication = publication;
        deferredLength = length;
        state = DEFERRED;
    }
}
