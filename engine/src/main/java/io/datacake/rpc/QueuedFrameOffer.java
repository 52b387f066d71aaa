package io.datacake.rpc;

import org.agrona.DirectBuffer;

/**
 * How {@link PendingReplies} offers a queued frame: through the {@link FramePublisher}, which seals it when frames
 * are secured.
 */
@FunctionalInterface
interface QueuedFrameOffer
{
    /**
     * Offer one frame to a peer.
     *
     * @return the transport result: positive if sent.
     */
    long offer(int peer, DirectBuffer buffer, int offset, int length);
}
