package io.datacake.rpc;

import io.datacake.transport.Transport;
import org.agrona.BitUtil;
import org.agrona.ExpandableRingBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reply frames (responses and stream credits) the transport could not take because it was back-pressured or not
 * connected to the requester yet (an Aeron publication to a new node is still connecting when its first request is
 * served), kept in send order and retried from the node's duty cycle. Owned by the {@link FramePublisher}: frames
 * are queued fully encoded and only offered again here.
 * <p>
 * A requester waits for its response until its timeout; a response dropped on back-pressure would turn a request
 * whose handler ran into a {@code TIMEOUT}. On Aeron IPC back-pressure is routine (the driver moves the publication
 * limit only on its own duty cycle), so a reply that cannot be claimed is encoded into {@link #scratch()} and
 * appended here with its peer handle and a retry deadline. {@link #retry} offers queued frames oldest first and stops
 * at the first one still back-pressured, so frames to one peer keep their order; {@link #hasFramesFor} tells the
 * publisher to queue new replies to a peer behind the ones already waiting for it.
 * <p>
 * Bounded by bytes ({@code RpcContext.maxPendingReplyBytes}): a frame that does not fit is dropped and counted, as
 * is a frame whose retry deadline passed, or whose peer went away (closed, max position exceeded, or reported
 * unavailable). While the head frame waits for its peer, frames behind it wait too, at most until its deadline. The ring grows on demand up to the bound, so an idle node holds only its initial
 * capacity, and nothing is allocated per frame.
 * <p>
 * Entry layout in the ring: peer handle (int), frame kind (int), retry deadline in monotonic ms (long), then the frame.
 * A dropped entry still in the ring has its peer handle overwritten with {@link #DROPPED_PEER}.
 * <p>
 * Node thread only.
 */
final class PendingReplies implements ExpandableRingBuffer.MessageConsumer
{
    /** Kind of a queued frame: a response (counted in {@code responsesSent} once sent). */
    static final int RESPONSE = 1;

    /** Kind of a queued frame: a stream credit. */
    static final int CREDIT = 2;

    /** Offset of the frame in {@link #scratch()} (and in a ring entry), after the entry header. */
    static final int FRAME_OFFSET = 16;

    /** Capacity the ring starts with (or the bound, if smaller); it doubles on demand up to the bound. */
    static final int INITIAL_CAPACITY = 64 * 1024;

    /** Peer handle written over a dropped entry still in the ring; skipped when the head reaches it. */
    static final int DROPPED_PEER = -1;

    private static final int PEER_OFFSET = 0;
    private static final int KIND_OFFSET = 4;
    private static final int DEADLINE_OFFSET = 8;

    private final QueuedFrameOffer transport;
    private final RpcCounters counters;
    private final ExpandableRingBuffer ring;
    private final UnsafeBuffer scratch;
    private final Int2IntHashMap framesByPeer = new Int2IntHashMap(0);
    private final ExpandableRingBuffer.MessageConsumer peerDropper = this::dropIfPeer;

    private long nowMs;
    private int frameCount;
    private int sentInRetry;
    private int peerToDrop;

    /**
     * Whether a refused send may succeed later: back-pressure, an admin action, or a publication not connected yet.
     *
     * @param result a transport result.
     * @return true if the frame should be queued or kept queued.
     */
    static boolean isRetryable(final long result)
    {
        return result == Transport.BACK_PRESSURED || result == Transport.ADMIN_ACTION ||
            result == Transport.NOT_CONNECTED;
    }

    /**
     * @param transport        where queued frames are offered (through the publisher, which seals them).
     * @param counters         the node's counters.
     * @param maxBytes         bound on the ring, rounded up to a power of two.
     * @param maxMessageLength the transport's largest frame; one such frame must fit the bound.
     * @throws IllegalArgumentException if a frame of {@code maxMessageLength} bytes cannot fit in {@code maxBytes}.
     */
    PendingReplies(final QueuedFrameOffer transport, final RpcCounters counters, final int maxBytes,
        final int maxMessageLength)
    {
        final int maxCapacity = BitUtil.findNextPositivePowerOfTwo(maxBytes);
        final int largestEntry = BitUtil.align(
            ExpandableRingBuffer.HEADER_LENGTH + FRAME_OFFSET + maxMessageLength, ExpandableRingBuffer.HEADER_ALIGNMENT);
        if (maxBytes <= 0 || maxCapacity > ExpandableRingBuffer.MAX_CAPACITY || largestEntry > maxCapacity)
        {
            throw new IllegalArgumentException("maxPendingReplyBytes " + maxBytes + " cannot hold one frame of the " +
                "transport's maxMessageLength " + maxMessageLength + " (" + largestEntry + " bytes queued): raise it " +
                "to at least " + largestEntry + " (at most " + ExpandableRingBuffer.MAX_CAPACITY + ")");
        }
        this.transport = transport;
        this.counters = counters;
        this.ring = new ExpandableRingBuffer(Math.min(INITIAL_CAPACITY, maxCapacity), maxCapacity, false);
        this.scratch = new UnsafeBuffer(new byte[FRAME_OFFSET + maxMessageLength]);
    }

    /**
     * The buffer to encode a frame into before {@link #append}; the frame starts at {@link #FRAME_OFFSET}.
     *
     * @return the scratch buffer.
     */
    MutableDirectBuffer scratch()
    {
        return scratch;
    }

    /**
     * Whether frames for the peer are waiting: a new reply to it must queue behind them to keep order.
     *
     * @param peer a peer handle.
     * @return true if at least one frame for the peer is queued.
     */
    boolean hasFramesFor(final int peer)
    {
        return frameCount > 0 && framesByPeer.get(peer) > 0;
    }

    /**
     * Frames waiting to be sent (dropped entries the head has not reached yet are not counted).
     *
     * @return count.
     */
    int frameCount()
    {
        return frameCount;
    }

    /**
     * Bytes the ring holds, entry headers and dropped entries included.
     *
     * @return bytes.
     */
    int sizeBytes()
    {
        return ring.size();
    }

    /**
     * Queue the frame encoded in {@link #scratch()} at {@link #FRAME_OFFSET}. If the bound is reached the frame is
     * dropped and counted.
     *
     * @param peer        the peer handle to send it to.
     * @param kind        {@link #RESPONSE} or {@link #CREDIT}.
     * @param deadlineMs  monotonic ms after which the frame is dropped instead of sent.
     * @param frameLength frame length in bytes.
     * @return true if queued, false if dropped.
     */
    boolean append(final int peer, final int kind, final long deadlineMs, final int frameLength)
    {
        scratch.putInt(PEER_OFFSET, peer);
        scratch.putInt(KIND_OFFSET, kind);
        scratch.putLong(DEADLINE_OFFSET, deadlineMs);
        if (!ring.append(scratch, 0, FRAME_OFFSET + frameLength))
        {
            counters.repliesDropped.incrementRelease();
            counters.sendFailures.incrementRelease();
            return false;
        }
        framesByPeer.put(peer, framesByPeer.get(peer) + 1);
        frameCount++;
        counters.repliesQueued.incrementRelease();
        return true;
    }

    /**
     * Offer queued frames, oldest first, until one is still back-pressured or the limit is reached. Frames past
     * their deadline or whose peer is gone are dropped and counted.
     *
     * @param nowMs the monotonic time of this duty cycle, in ms.
     * @param limit most entries to take from the ring in this call.
     * @return frames sent plus frames dropped.
     */
    int retry(final long nowMs, final int limit)
    {
        if (ring.isEmpty())
        {
            return 0;
        }
        this.nowMs = nowMs;
        sentInRetry = 0;
        ring.consume(this, limit);
        return sentInRetry;
    }

    /**
     * Drop every queued frame for a peer that went away, counting each.
     *
     * @param peer the peer handle.
     */
    void dropPeer(final int peer)
    {
        if (framesByPeer.get(peer) > 0)
        {
            peerToDrop = peer;
            ring.forEach(peerDropper, Integer.MAX_VALUE);
        }
    }

    /**
     * Drop everything (the node is closing), counting each frame.
     */
    void clear()
    {
        if (frameCount > 0)
        {
            counters.repliesDropped.getAndAddRelease(frameCount);
            counters.sendFailures.getAndAddRelease(frameCount);
        }
        frameCount = 0;
        framesByPeer.clear();
        ring.reset(Math.min(INITIAL_CAPACITY, ring.maxCapacity()));
    }

    /**
     * One entry at the head of the ring during {@link #retry}.
     *
     * @return true to remove the entry, false to stop (still back-pressured).
     */
    @Override
    public boolean onMessage(final MutableDirectBuffer buffer, final int offset, final int length, final int headOffset)
    {
        final int peer = buffer.getInt(offset + PEER_OFFSET);
        if (peer == DROPPED_PEER)
        {
            return true;
        }
        if (nowMs >= buffer.getLong(offset + DEADLINE_OFFSET))
        {
            drop(peer);
            sentInRetry++;
            return true;
        }
        final int frameLength = length - FRAME_OFFSET;
        final long result = transport.offer(peer, buffer, offset + FRAME_OFFSET, frameLength);
        if (result > 0)
        {
            decrement(peer);
            counters.repliesRetried.incrementRelease();
            counters.framesOut.incrementRelease();
            counters.bytesOut.getAndAddRelease(frameLength);
            if (buffer.getInt(offset + KIND_OFFSET) == RESPONSE)
            {
                counters.responsesSent.incrementRelease();
            }
            sentInRetry++;
            return true;
        }
        if (isRetryable(result))
        {
            return false;
        }
        drop(peer);
        sentInRetry++;
        return true;
    }

    private boolean dropIfPeer(
        final MutableDirectBuffer buffer, final int offset, final int length, final int headOffset)
    {
        if (buffer.getInt(offset + PEER_OFFSET) == peerToDrop)
        {
            buffer.putInt(offset + PEER_OFFSET, DROPPED_PEER);
            drop(peerToDrop);
        }
        return true;
    }

    private void drop(final int peer)
    {
        decrement(peer);
        counters.repliesDropped.incrementRelease();
        counters.sendFailures.incrementRelease();
    }

    private void decrement(final int peer)
    {
        final int frames = framesByPeer.get(peer);
        if (frames <= 1)
        {
            framesByPeer.remove(peer);
        }
        else
        {
            framesByPeer.put(peer, frames - 1);
        }
        frameCount--;
    }
}
