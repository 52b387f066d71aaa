package io.datacake.store;

import io.datacake.store.TictacMessageException.Reason;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.IntArrayList;

/**
 * The asking side of a Tictac exchange: drives one repair round against a peer's {@link TictacResponder} and yields
 * the segments in which the two trees differ, whose entries the store must then exchange.
 * <p>
 * A round alternates one local request and one remote reply. {@link #start} writes the local root; the peer
 * answers with its own. Equal roots end the round with nothing to repair. Otherwise the branch hashes are fetched
 * in runs of at most {@link TictacCodec#MAX_HASHES_PER_MESSAGE} and compared, then, for each mismatched branch
 * only, its segment hashes, again in runs. The round ends when every mismatched branch has been examined or when
 * {@link #maxSegmentsPerRound()} mismatched segments have been found; in the latter case {@link #isTruncated()} is
 * true and the next round begins its descent at the segment after the last one this round yielded, so a difference
 * that is not repaired at once cannot starve the segments after it.
 * <p>
 * Every reply is checked before it changes anything: a malformed reply, one from a tree of another shape, or one
 * that does not answer the outstanding request throws {@link TictacMessageException} and leaves the round where it
 * was. The local tree may change between replies (its owner keeps applying writes): each reply is compared with the
 * tree as it is then, and a difference a round misses that way is found by the next. Not thread safe; allocates
 * nothing after construction unless a reply is rejected.
 */
public final class TictacExchange
{
    /** Default bound on the segments one round yields: as many as one {@link TictacCodec#SEGMENT_IDS} message holds. */
    public static final int DEFAULT_MAX_SEGMENTS_PER_ROUND = TictacCodec.MAX_SEGMENT_IDS_PER_MESSAGE;

    /**
     * Where a round stands.
     */
    public enum State
    {
        /** No round started yet. */
        IDLE,
        /** Root sent; waiting for the peer's root. */
        AWAIT_ROOT,
        /** Waiting for a run of the peer's branch hashes. */
        AWAIT_BRANCH_HASHES,
        /** Waiting for a run of the peer's segment hashes. */
        AWAIT_SEGMENT_HASHES,
        /** The round is over; its mismatched segments can be read. */
        DONE
    }

    private final TictacTree tree;
    private final int maxSegmentsPerRound;
    private final TictacMessage reply = new TictacMessage();
    private final IntArrayList mismatchedBranches;
    private final IntArrayList found;
    private final int[] segments;
    private State state = State.IDLE;
    private int requestedFirst;
    private int requestedCount;
    private int descentStart;
    private int descentStep;
    private int wrapIndex = -1;
    private int segmentCount;
    private int nextRoundSegment;
    private boolean truncated;

    /**
     * An exchange yielding at most {@link #DEFAULT_MAX_SEGMENTS_PER_ROUND} segments a round.
     *
     * @param tree the local tree.
     */
    public TictacExchange(final TictacTree tree)
    {
        this(tree, DEFAULT_MAX_SEGMENTS_PER_ROUND);
    }

    /**
     * @param tree                the local tree.
     * @param maxSegmentsPerRound most mismatched segments one round yields, 1..
     *                            {@link TictacCodec#MAX_SEGMENT_IDS_PER_MESSAGE}, so the result fits one message.
     * @throws IllegalArgumentException if the bound is out of range.
     */
    public TictacExchange(final TictacTree tree, final int maxSegmentsPerRound)
    {
        if (maxSegmentsPerRound < 1 || maxSegmentsPerRound > TictacCodec.MAX_SEGMENT_IDS_PER_MESSAGE)
        {
            throw new IllegalArgumentException("maxSegmentsPerRound must be in [1, " +
                TictacCodec.MAX_SEGMENT_IDS_PER_MESSAGE + "]: " + maxSegmentsPerRound);
        }
        this.tree = tree;
        this.maxSegmentsPerRound = maxSegmentsPerRound;
        this.mismatchedBranches = new IntArrayList(tree.branchCount(), IntArrayList.DEFAULT_NULL_VALUE);
        this.found = new IntArrayList(maxSegmentsPerRound, IntArrayList.DEFAULT_NULL_VALUE);
        this.segments = new int[maxSegmentsPerRound];
    }

    /**
     * @return most mismatched segments one round yields.
     */
    public int maxSegmentsPerRound()
    {
        return maxSegmentsPerRound;
    }

    /**
     * @return where the current round stands.
     */
    public State state()
    {
        return state;
    }

    /**
     * @return true once the round is over.
     */
    public boolean isDone()
    {
        return State.DONE == state;
    }

    /**
     * Begin a round, abandoning any round in progress (after a timeout, say), and write its first request: the
     * local root.
     *
     * @param out    where to write the request.
     * @param offset where it starts.
     * @return the request length in bytes.
     * @throws IllegalArgumentException if the buffer has no room for {@link TictacCodec#ROOT_LENGTH} bytes; the
     *                                  exchange is then unchanged.
     */
    public int start(final MutableDirectBuffer out, final int offset)
    {
        final int length = TictacCodec.encodeRoot(tree, out, offset);
        mismatchedBranches.clear();
        found.clear();
        segmentCount = 0;
        wrapIndex = -1;
        truncated = false;
        state = State.AWAIT_ROOT;
        return length;
    }

    /**
     * Take the peer's reply to the outstanding request and write the next request.
     *
     * @param buffer    holds the reply.
     * @param offset    where it starts.
     * @param length    its length in bytes.
     * @param out       where to write the next request; needs {@link TictacCodec#REQUEST_LENGTH} bytes.
     * @param outOffset where the next request starts.
     * @return the length of the next request, or 0 if the round is over ({@link #isDone()}).
     * @throws TictacMessageException   if the reply is malformed, comes from a tree of another shape
     *                                  ({@link Reason#SHAPE_MISMATCH}) or does not answer the outstanding request
     *                                  ({@link Reason#UNEXPECTED}, also when no request is outstanding); the round
     *                                  is unchanged.
     * @throws IllegalArgumentException if {@code out} has no room for a request; check it before a round.
     */
    public int onMessage(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final MutableDirectBuffer out,
        final int outOffset)
    {
        if (outOffset < 0 || (long)outOffset + TictacCodec.REQUEST_LENGTH > out.capacity())
        {
            throw new IllegalArgumentException("buffer too small: need " + TictacCodec.REQUEST_LENGTH +
                " bytes at offset " + outOffset + ", capacity " + out.capacity());
        }
        if (State.IDLE == state || State.DONE == state)
        {
            throw new TictacMessageException(Reason.UNEXPECTED, "a reply of " + length +
                " bytes while no request is outstanding (" + state + ")");
        }
        reply.wrap(buffer, offset, length);
        if (!reply.shapeMatches(tree))
        {
            throw new TictacMessageException(Reason.SHAPE_MISMATCH, "reply from a 2^" + reply.branchBits() +
                " × 2^" + reply.segmentBits() + " tree, the local tree is " + tree.branchCount() + " × " +
                tree.segmentsPerBranch());
        }
        switch (state)
        {
            case AWAIT_ROOT:
                expect(TictacCodec.ROOT, 0, 1);
                return onRoot(out, outOffset);
            case AWAIT_BRANCH_HASHES:
                expect(TictacCodec.BRANCH_HASHES, requestedFirst, requestedCount);
                return onBranchHashes(out, outOffset);
            case AWAIT_SEGMENT_HASHES:
                expect(TictacCodec.SEGMENT_HASHES, requestedFirst, requestedCount);
                return onSegmentHashes(out, outOffset);
            default:
                throw new IllegalStateException("unreachable: " + state);
        }
    }

    /**
     * @return number of mismatched segments the finished round found, at most {@link #maxSegmentsPerRound()}.
     */
    public int mismatchedSegmentCount()
    {
        return segmentCount;
    }

    /**
     * @param index in [0, {@link #mismatchedSegmentCount()}).
     * @return the mismatched segment at that index; segments are in ascending order.
     * @throws IndexOutOfBoundsException if the index is out of range.
     */
    public int mismatchedSegment(final int index)
    {
        if (index < 0 || index >= segmentCount)
        {
            throw new IndexOutOfBoundsException("segment " + index + " outside [0, " + segmentCount + ")");
        }
        return segments[index];
    }

    /**
     * @return true if the finished round stopped at {@link #maxSegmentsPerRound()}: more segments may differ and
     * the next round continues from the branch where this one stopped.
     */
    public boolean isTruncated()
    {
        return truncated;
    }

    /**
     * Write the finished round's mismatched segments as a {@link TictacCodec#SEGMENT_IDS} message, to tell the
     * peer which segments' entries to exchange.
     *
     * @param out    destination.
     * @param offset where the message starts.
     * @return bytes written.
     * @throws IllegalStateException    if the round is not over.
     * @throws IllegalArgumentException if the buffer has no room.
     */
    public int encodeMismatchedSegments(final MutableDirectBuffer out, final int offset)
    {
        if (State.DONE != state)
        {
            throw new IllegalStateException("the round is not over: " + state);
        }
        return TictacCodec.encodeSegmentIds(tree, segments, 0, segmentCount, out, offset);
    }

    private void expect(final int type, final int first, final int count)
    {
        if (reply.type() != type || reply.first() != first || reply.count() != count)
        {
            throw new TictacMessageException(Reason.UNEXPECTED, "expected type " + type + " for [" + first + ", +" +
                count + "), got type " + reply.type() + " for [" + reply.first() + ", +" + reply.count() + ")");
        }
    }

    private int onRoot(final MutableDirectBuffer out, final int outOffset)
    {
        if (reply.root() == tree.root())
        {
            return finish();
        }
        return requestBranches(0, out, outOffset);
    }

    private int onBranchHashes(final MutableDirectBuffer out, final int outOffset)
    {
        tree.mismatchedBranches(requestedFirst, requestedCount, reply.buffer(), reply.bodyOffset(), mismatchedBranches);
        final int next = requestedFirst + requestedCount;
        if (next < tree.branchCount())
        {
            return requestBranches(next, out, outOffset);
        }
        if (mismatchedBranches.isEmpty())
        {
            return finish();
        }

        // Begin the descent at the first mismatched branch at or after where the last truncated round stopped, and
        // within that branch at the segment after the last one it yielded, so unrepaired segments cannot starve the
        // segments after them, in their branch or in later ones.
        final int resumeBranch = nextRoundSegment >>> tree.segmentBits();
        final int size = mismatchedBranches.size();
        descentStart = 0;
        while (descentStart < size && mismatchedBranches.getInt(descentStart) < resumeBranch)
        {
            descentStart++;
        }
        if (descentStart == size)
        {
            descentStart = 0;
        }
        descentStep = 0;
        final int branch = currentBranch();
        return requestSegments(branch == resumeBranch ? nextRoundSegment : branch << tree.segmentBits(), out,
            outOffset);
    }

    private int onSegmentHashes(final MutableDirectBuffer out, final int outOffset)
    {
        tree.mismatchedSegments(requestedFirst, requestedCount, reply.buffer(), reply.bodyOffset(), found,
            maxSegmentsPerRound - found.size());
        if (found.size() == maxSegmentsPerRound)
        {
            truncated = true;
            final int next = found.getInt(found.size() - 1) + 1;
            nextRoundSegment = next == tree.segmentCount() ? 0 : next;
            return finish();
        }
        final int next = requestedFirst + requestedCount;
        if ((next & (tree.segmentsPerBranch() - 1)) != 0)
        {
            return requestSegments(next, out, outOffset);
        }
        final int size = mismatchedBranches.size();
        if (++descentStep == size)
        {
            nextRoundSegment = 0;
            return finish();
        }
        if (descentStart + descentStep == size)
        {
            wrapIndex = found.size();
        }
        return requestSegments(currentBranch() << tree.segmentBits(), out, outOffset);
    }

    private int currentBranch()
    {
        final int size = mismatchedBranches.size();
        final int index = descentStart + descentStep;
        return mismatchedBranches.getInt(index < size ? index : index - size);
    }

    private int requestBranches(final int first, final MutableDirectBuffer out, final int outOffset)
    {
        final int count = Math.min(TictacCodec.MAX_HASHES_PER_MESSAGE, tree.branchCount() - first);
        final int length = TictacCodec.encodeBranchHashesRequest(tree, first, count, out, outOffset);
        requestedFirst = first;
        requestedCount = count;
        state = State.AWAIT_BRANCH_HASHES;
        return length;
    }

    private int requestSegments(final int first, final MutableDirectBuffer out, final int outOffset)
    {
        final int remainingInBranch = tree.segmentsPerBranch() - (first & (tree.segmentsPerBranch() - 1));
        final int count = Math.min(TictacCodec.MAX_HASHES_PER_MESSAGE, remainingInBranch);
        final int length = TictacCodec.encodeSegmentHashesRequest(tree, first, count, out, outOffset);
        requestedFirst = first;
        requestedCount = count;
        state = State.AWAIT_SEGMENT_HASHES;
        return length;
    }

    private int finish()
    {
        // The descent may have wrapped past the last branch: the ids found after the wrap are the lowest.
        final int size = found.size();
        final int split = wrapIndex < 0 ? 0 : wrapIndex;
        int n = 0;
        for (int i = split; i < size; i++)
        {
            segments[n++] = found.getInt(i);
        }
        for (int i = 0; i < split; i++)
        {
            segments[n++] = found.getInt(i);
        }
        segmentCount = n;
        state = State.DONE;
        return 0;
    }
}
