package io.datacake.store;

import org.agrona.BitUtil;
import org.agrona.MutableDirectBuffer;

import java.util.Arrays;

/**
 * The fetch step of one repair round on the asking side: the round's mismatched segments, split into groups whose
 * entries should fit one fetch reply, fetched with up to {@link StoreContext#repairMaxFetchesInFlight(int)} calls in
 * flight, one per group. A group whose reply says more entries remain is asked again from where that reply stopped
 * (its skip); the other groups do not wait for it.
 * <p>
 * Why groups: the answering side walks every asked segment's keys to find the entries from the skip on, so asking
 * for all of a round's segments in each fetch costs a walk of the whole round per fetch (quadratic in the entries a
 * round moves); a group sized to about one fetch costs one walk of its own keys. The group size follows the density
 * the replies showed (entries and value bytes per segment, smoothed), aimed at {@value #FILL_PERCENT}% of a fetch's
 * bounds, so a dense keyspace gets groups of one or a few segments and a sparse one groups of many.
 * <p>
 * Bounds: {@code maxInFlight} groups open at once (one call each), the round's segments
 * ({@link StoreContext#repairMaxSegmentsPerRound(int)}) and fetches
 * ({@link ReplicatedStore#REPAIR_MAX_FETCHES_PER_ROUND}); everything is allocated at construction. Bookkeeping only:
 * the store sends the calls and applies the replies. Node thread only.
 */
final class RepairFetches
{
    /** Segments per group before any reply showed the keyspace's density. */
    static final int INITIAL_SEGMENTS_PER_FETCH = 16;

    /** Groups are sized to this share of a fetch's entry and byte bounds, leaving room for uneven segments. */
    static final int FILL_PERCENT = 75;

    /** No resume point: the next round's groups start from skip 0. */
    static final long NO_RESUME = -1;

    private static final int FREE = 0;
    private static final int READY = 1;
    private static final int IN_FLIGHT = 2;
    private static final int FAILED = 3;

    /** Densities are kept in 1/256ths of an entry (or byte) per segment. */
    private static final int DENSITY_SHIFT = 8;

    /** Weight of a new observation in the smoothed density: 1/2^{@value}. */
    private static final int SMOOTHING_SHIFT = 2;

    private final int maxEntriesPerFetch;
    private final long maxBytesPerFetch;
    private final int[] segments;
    private final int[] state;
    private final long[] correlationIds;
    private final int[] groupStart;
    private final int[] groupEnd;
    private final int[] skip;
    private final long[] groupEntries;
    private final long[] groupBytes;
    private int segmentCount;
    private int nextGroupStart;
    private int inFlight;
    private int fetchesSent;
    private boolean failed;
    private int resumeSegment = -1;
    private int resumeSkip;
    private long entriesPerSegment = -1;
    private long bytesPerSegment;

    /**
     * @param maxInFlight        most fetches in flight (and groups open) at once, positive.
     * @param maxSegmentsPerRound most segments a round yields.
     * @param maxEntriesPerFetch the entry bound of one fetch reply.
     * @param maxBytesPerFetch   the value byte bound of one fetch reply.
     */
    RepairFetches(
        final int maxInFlight, final int maxSegmentsPerRound, final int maxEntriesPerFetch, final int maxBytesPerFetch)
    {
        this.maxEntriesPerFetch = maxEntriesPerFetch;
        this.maxBytesPerFetch = maxBytesPerFetch;
        this.segments = new int[maxSegmentsPerRound];
        this.state = new int[maxInFlight];
        this.correlationIds = new long[maxInFlight];
        this.groupStart = new int[maxInFlight];
        this.groupEnd = new int[maxInFlight];
        this.skip = new int[maxInFlight];
        this.groupEntries = new long[maxInFlight];
        this.groupBytes = new long[maxInFlight];
    }

    /**
     * Begin a round's fetch step over its mismatched segments.
     *
     * @param exchange the finished descent.
     * @param resume   where an earlier round stopped inside a group, from {@link #resumePoint()}, or
     *                 {@link #NO_RESUME}: a group starting at that segment starts at that skip.
     */
    void begin(final TictacExchange exchange, final long resume)
    {
        segmentCount = exchange.mismatchedSegmentCount();
        for (int i = 0; i < segmentCount; i++)
        {
            segments[i] = exchange.mismatchedSegment(i);
        }
        begin(resume);
    }

    /**
     * Begin a round's fetch step over the given segments, in ascending order.
     *
     * @param segmentIds ids of the mismatched segments.
     * @param count      how many, at most the round's segment bound.
     * @param resume     as for {@link #begin(TictacExchange, long)}.
     */
    void begin(final int[] segmentIds, final int count, final long resume)
    {
        System.arraycopy(segmentIds, 0, segments, 0, count);
        segmentCount = count;
        begin(resume);
    }

    private void begin(final long resume)
    {
        Arrays.fill(state, FREE);
        nextGroupStart = 0;
        inFlight = 0;
        fetchesSent = 0;
        failed = false;
        resumeSegment = -1;
        resumeSkip = 0;
        if (NO_RESUME != resume)
        {
            // Only for the same segment in this round: a skip counts entries of the group that started there.
            final int segment = (int)(resume >>> 32);
            for (int i = 0; i < segmentCount; i++)
            {
                if (segments[i] == segment)
                {
                    resumeSegment = segment;
                    resumeSkip = (int)resume;
                    break;
                }
            }
        }
    }

    /**
     * Find the next fetch to send: a group whose last reply said more remain, else a new group, if a slot is free
     * and the round has fetches left and none of its fetches failed.
     *
     * @param maxFetchesPerRound the round's fetch bound.
     * @return the slot to send, or -1 if none now.
     */
    int nextToSend(final int maxFetchesPerRound)
    {
        if (failed || fetchesSent >= maxFetchesPerRound)
        {
            return -1;
        }
        int free = -1;
        for (int slot = 0; slot < state.length; slot++)
        {
            if (READY == state[slot])
            {
                return slot;
            }
            if (FREE == state[slot] && free < 0)
            {
                free = slot;
            }
        }
        if (free < 0 || nextGroupStart >= segmentCount)
        {
            return -1;
        }
        openGroup(free);
        return free;
    }

    private void openGroup(final int slot)
    {
        final int start = nextGroupStart;
        int end = (int)Math.min(segmentCount, (long)start + segmentsPerGroup());
        int startSkip = 0;
        for (int i = start; i < end; i++)
        {
            if (segments[i] == resumeSegment)
            {
                if (i == start)
                {
                    startSkip = resumeSkip;
                    resumeSegment = -1;
                }
                else
                {
                    // Cut before it, so the next group starts there and resumes the earlier round's skip.
                    end = i;
                }
                break;
            }
        }
        nextGroupStart = end;
        state[slot] = READY;
        groupStart[slot] = start;
        groupEnd[slot] = end;
        skip[slot] = startSkip;
        groupEntries[slot] = 0;
        groupBytes[slot] = 0;
    }

    private long segmentsPerGroup()
    {
        if (entriesPerSegment < 0)
        {
            return INITIAL_SEGMENTS_PER_FETCH;
        }
        final long entryRoom = ((long)maxEntriesPerFetch * FILL_PERCENT / 100) << DENSITY_SHIFT;
        final long byteRoom = (maxBytesPerFetch * FILL_PERCENT / 100) << DENSITY_SHIFT;
        final long byEntries = entriesPerSegment > 0 ? entryRoom / entriesPerSegment : segments.length;
        final long byBytes = bytesPerSegment > 0 ? byteRoom / bytesPerSegment : segments.length;
        return Math.max(1, Math.min(byEntries, byBytes));
    }

    /**
     * Write the fetch of a slot (from {@link #nextToSend}): its skip, then its segments' ids.
     *
     * @return the length written at {@code offset}.
     */
    int encode(final int slot, final TictacTree tree, final MutableDirectBuffer out, final int offset)
    {
        out.putInt(offset, skip[slot]);
        final int start = groupStart[slot];
        return Integer.BYTES +
            TictacCodec.encodeSegmentIds(tree, segments, start, groupEnd[slot] - start, out, offset + Integer.BYTES);
    }

    /**
     * The slot's fetch is being sent: its outcome may come before the call returns its id.
     */
    void sending(final int slot, final long callStartingId)
    {
        state[slot] = IN_FLIGHT;
        correlationIds[slot] = callStartingId;
        inFlight++;
        fetchesSent++;
    }

    /**
     * Record the id of a sent call, unless its outcome already came.
     */
    void sent(final int slot, final long callStartingId, final long correlationId)
    {
        if (IN_FLIGHT == state[slot] && correlationIds[slot] == callStartingId)
        {
            correlationIds[slot] = correlationId;
        }
    }

    /**
     * @return the slot of the fetch in flight with this id (or the one being sent, whose id is not known yet), or
     * -1.
     */
    int slotOf(final long correlationId, final long callStartingId)
    {
        int starting = -1;
        for (int slot = 0; slot < state.length; slot++)
        {
            if (IN_FLIGHT == state[slot])
            {
                if (correlationIds[slot] == correlationId)
                {
                    return slot;
                }
                if (correlationIds[slot] == callStartingId)
                {
                    starting = slot;
                }
            }
        }
        return starting;
    }

    /**
     * A slot's reply was applied.
     *
     * @param nextSkip the reply's next skip, or {@link RepairMessages#FETCH_COMPLETE}.
     * @param entries  entries the reply carried.
     * @param bytes    value bytes the reply carried.
     */
    void onReply(final int slot, final int nextSkip, final int entries, final long bytes)
    {
        inFlight--;
        groupEntries[slot] += entries;
        groupBytes[slot] += bytes;
        if (RepairMessages.FETCH_COMPLETE != nextSkip)
        {
            skip[slot] = nextSkip;
            state[slot] = READY;
            return;
        }
        observe(groupEnd[slot] - groupStart[slot], groupEntries[slot], groupBytes[slot]);
        state[slot] = FREE;
    }

    /**
     * A slot's fetch failed (refused, timed out, or its reply was malformed): the round sends no more fetches, but
     * the replies of those still in flight are applied, so one refused fetch (a busy peer answers some of several
     * and refuses the rest) does not throw away the work of the others. The group keeps its skip for the resume
     * point.
     */
    void onFailure(final int slot)
    {
        inFlight--;
        state[slot] = FAILED;
        failed = true;
    }

    /**
     * @return whether a fetch of this round failed.
     */
    boolean hasFailed()
    {
        return failed;
    }

    private void observe(final int segmentCount, final long entries, final long bytes)
    {
        final long entriesPer = (entries << DENSITY_SHIFT) / segmentCount;
        final long bytesPer = (bytes << DENSITY_SHIFT) / segmentCount;
        if (entriesPerSegment < 0)
        {
            entriesPerSegment = entriesPer;
            bytesPerSegment = bytesPer;
        }
        else
        {
            entriesPerSegment += (entriesPer - entriesPerSegment) >> SMOOTHING_SHIFT;
            bytesPerSegment += (bytesPer - bytesPerSegment) >> SMOOTHING_SHIFT;
        }
    }

    /**
     * @return true when nothing is in flight and nothing more can be sent this round.
     */
    boolean isDone(final int maxFetchesPerRound)
    {
        if (inFlight > 0)
        {
            return false;
        }
        if (failed || fetchesSent >= maxFetchesPerRound)
        {
            return true;
        }
        for (final int s : state)
        {
            if (READY == s)
            {
                return false;
            }
        }
        return nextGroupStart >= segmentCount;
    }

    /**
     * @return the first segment of a slot's group, as an index into the round's segments.
     */
    int groupStart(final int slot)
    {
        return groupStart[slot];
    }

    /**
     * @return the segments of a slot's group.
     */
    int groupSize(final int slot)
    {
        return groupEnd[slot] - groupStart[slot];
    }

    /**
     * @return the skip a slot's next (or outstanding) fetch carries.
     */
    int skip(final int slot)
    {
        return skip[slot];
    }

    /**
     * @return fetches in flight.
     */
    int inFlight()
    {
        return inFlight;
    }

    /**
     * The correlation id of a fetch in flight, to cancel it when the round ends early.
     *
     * @return the id, or {@code callStartingId} if none or not known.
     */
    long inFlightCall(final int slot, final long callStartingId)
    {
        return IN_FLIGHT == state[slot] ? correlationIds[slot] : callStartingId;
    }

    /**
     * @return number of slots.
     */
    int slotCount()
    {
        return state.length;
    }

    /**
     * Where to resume when the round ends now: the open group, lowest first, that had moved past its first entries
     * (its segment and the skip of its last applied reply), or {@link #NO_RESUME}. Packed for {@link #begin}.
     */
    long resumePoint()
    {
        int best = -1;
        for (int slot = 0; slot < state.length; slot++)
        {
            if (FREE != state[slot] && skip[slot] > 0 && (best < 0 || groupStart[slot] < groupStart[best]))
            {
                best = slot;
            }
        }
        if (best >= 0)
        {
            return ((long)segments[groupStart[best]] << 32) | skip[best];
        }
        // A resume point this round did not reach stays for the next.
        return resumeSegment >= 0 ? ((long)resumeSegment << 32) | resumeSkip : NO_RESUME;
    }

    /**
     * The round ends: forget its groups and fetches.
     */
    void end()
    {
        Arrays.fill(state, FREE);
        inFlight = 0;
        segmentCount = 0;
        nextGroupStart = 0;
        failed = false;
    }

    /**
     * @return the worst-case storage writer records one fetch reply brings: used to send a fetch only while the
     * writer has room for every fetch in flight.
     */
    static long writerBytesPerFetch(final int maxEntriesPerFetch, final int maxBytesPerFetch)
    {
        return (long)maxEntriesPerFetch * BitUtil.align(40, 8) + BitUtil.align(maxBytesPerFetch, 8) +
            (long)maxEntriesPerFetch * 8;
    }
}
