package io.datacake.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RepairFetchesTest
{
    private static final int MAX_ENTRIES = 256;
    private static final int MAX_BYTES = 256 * 1024;
    private static final int MAX_FETCHES = ReplicatedStore.REPAIR_MAX_FETCHES_PER_ROUND;
    private static final long STARTING = Long.MIN_VALUE;

    private static int[] segments(final int count)
    {
        final int[] ids = new int[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = 3 * i;
        }
        return ids;
    }

    @Test
    void keepsUpToTheBoundInFlightOneGroupEachAndCoversEverySegmentOnce()
    {
        final RepairFetches fetches = new RepairFetches(4, 1024, MAX_ENTRIES, MAX_BYTES);
        fetches.begin(segments(100), 100, RepairFetches.NO_RESUME);
        final boolean[] covered = new boolean[100];
        for (int i = 0; i < 4; i++)
        {
            final int slot = fetches.nextToSend(MAX_FETCHES);
            assertThat(slot).isEqualTo(i);
            fetches.sending(slot, STARTING);
            fetches.sent(slot, STARTING, 100 + slot);
        }
        assertThat(fetches.nextToSend(MAX_FETCHES)).as("four in flight: no fifth").isEqualTo(-1);
        assertThat(fetches.inFlight()).isEqualTo(4);
        assertThat(fetches.slotOf(102, STARTING)).isEqualTo(2);
        assertThat(fetches.slotOf(999, STARTING)).isEqualTo(-1);

        long id = 200;
        while (!fetches.isDone(MAX_FETCHES))
        {
            // Answer the oldest slot in flight with a complete reply of one entry a segment.
            int answered = -1;
            for (int slot = 0; slot < fetches.slotCount() && answered < 0; slot++)
            {
                if (fetches.inFlightCall(slot, STARTING) != STARTING)
                {
                    answered = slot;
                }
            }
            for (int i = 0; i < fetches.groupSize(answered); i++)
            {
                assertThat(covered[fetches.groupStart(answered) + i]).isFalse();
                covered[fetches.groupStart(answered) + i] = true;
            }
            fetches.onReply(answered, RepairMessages.FETCH_COMPLETE, fetches.groupSize(answered), 16L);
            final int next = fetches.nextToSend(MAX_FETCHES);
            if (next >= 0)
            {
                fetches.sending(next, STARTING);
                fetches.sent(next, STARTING, id++);
            }
        }
        for (final boolean segment : covered)
        {
            assertThat(segment).isTrue();
        }
    }

    @Test
    void aFailedFetchStopsTheRoundSendingButTheFetchesStillInFlightAreAnsweredFirst()
    {
        final RepairFetches fetches = new RepairFetches(4, 1024, MAX_ENTRIES, MAX_BYTES);
        fetches.begin(segments(100), 100, RepairFetches.NO_RESUME);
        for (int i = 0; i < 4; i++)
        {
            final int slot = fetches.nextToSend(MAX_FETCHES);
            fetches.sending(slot, STARTING);
            fetches.sent(slot, STARTING, 100 + slot);
        }

        fetches.onFailure(fetches.slotOf(101, STARTING));
        assertThat(fetches.hasFailed()).isTrue();
        assertThat(fetches.inFlight()).isEqualTo(3);
        assertThat(fetches.nextToSend(MAX_FETCHES)).as("no fetch after a failure").isEqualTo(-1);
        assertThat(fetches.isDone(MAX_FETCHES)).as("three still in flight").isFalse();

        fetches.onReply(fetches.slotOf(100, STARTING), 7, 7, 16L);
        assertThat(fetches.nextToSend(MAX_FETCHES)).as("not even a group with more to fetch").isEqualTo(-1);
        fetches.onReply(fetches.slotOf(102, STARTING), RepairMessages.FETCH_COMPLETE, 1, 16L);
        assertThat(fetches.isDone(MAX_FETCHES)).isFalse();
        fetches.onFailure(fetches.slotOf(103, STARTING));
        assertThat(fetches.isDone(MAX_FETCHES)).as("nothing left in flight").isTrue();
        assertThat(fetches.resumePoint()).as("the applied part of the first group is kept for the next round")
            .isEqualTo(((long)segments(100)[0] << 32) | 7);

        fetches.end();
        fetches.begin(segments(100), 100, RepairFetches.NO_RESUME);
        assertThat(fetches.hasFailed()).as("a new round starts clean").isFalse();
        assertThat(fetches.nextToSend(MAX_FETCHES)).isEqualTo(0);
    }

    @Test
    void sizesGroupsToTheDensityTheRepliesShowed()
    {
        final RepairFetches fetches = new RepairFetches(1, 1024, MAX_ENTRIES, MAX_BYTES);
        fetches.begin(segments(1024), 1024, RepairFetches.NO_RESUME);
        int slot = fetches.nextToSend(MAX_FETCHES);
        assertThat(fetches.groupSize(slot)).isEqualTo(RepairFetches.INITIAL_SEGMENTS_PER_FETCH);
        fetches.sending(slot, STARTING);
        // Dense: 16 entries a segment, so a fetch holds 16 segments; groups aim at three quarters of that.
        fetches.onReply(slot, RepairMessages.FETCH_COMPLETE, 16 * RepairFetches.INITIAL_SEGMENTS_PER_FETCH, 0);
        slot = fetches.nextToSend(MAX_FETCHES);
        assertThat(fetches.groupSize(slot)).isEqualTo(MAX_ENTRIES * RepairFetches.FILL_PERCENT / 100 / 16);

        // Large values: the byte bound decides; three segments of 64 KiB fill three quarters of 256 KiB.
        final RepairFetches large = new RepairFetches(1, 1024, MAX_ENTRIES, MAX_BYTES);
        large.begin(segments(1024), 1024, RepairFetches.NO_RESUME);
        slot = large.nextToSend(MAX_FETCHES);
        large.sending(slot, STARTING);
        large.onReply(slot, RepairMessages.FETCH_COMPLETE, RepairFetches.INITIAL_SEGMENTS_PER_FETCH,
            64L * 1024 * RepairFetches.INITIAL_SEGMENTS_PER_FETCH);
        slot = large.nextToSend(MAX_FETCHES);
        assertThat(large.groupSize(slot)).isEqualTo(3);
    }

    @Test
    void aGroupWithMoreLeftIsAskedAgainFromItsSkipBeforeANewGroupOpens()
    {
        final RepairFetches fetches = new RepairFetches(2, 1024, MAX_ENTRIES, MAX_BYTES);
        fetches.begin(segments(64), 64, RepairFetches.NO_RESUME);
        final int first = fetches.nextToSend(MAX_FETCHES);
        fetches.sending(first, STARTING);
        final int second = fetches.nextToSend(MAX_FETCHES);
        fetches.sending(second, STARTING);
        fetches.onReply(first, 256, 256, 4096);
        assertThat(fetches.nextToSend(MAX_FETCHES)).isEqualTo(first);
        assertThat(fetches.skip(first)).isEqualTo(256);
        assertThat(fetches.groupStart(first)).isZero();
    }

    @Test
    void aRoundCutShortResumesTheOpenGroupAtItsSkipInTheNextRound()
    {
        final RepairFetches fetches = new RepairFetches(1, 1024, MAX_ENTRIES, MAX_BYTES);
        final int[] ids = segments(40);
        fetches.begin(ids, 40, RepairFetches.NO_RESUME);
        int slot = fetches.nextToSend(MAX_FETCHES);
        fetches.sending(slot, STARTING);
        fetches.onReply(slot, RepairMessages.FETCH_COMPLETE, 1, 16);
        slot = fetches.nextToSend(MAX_FETCHES);
        final int resumedStart = fetches.groupStart(slot);
        fetches.sending(slot, STARTING);
        fetches.onReply(slot, 512, 256, 4096);
        // The fetch bound ends the round with this group part way.
        final long resume = fetches.resumePoint();
        assertThat(resume).isEqualTo(((long)ids[resumedStart] << 32) | 512);
        fetches.end();

        // The next round finds the same segments: the group starting there resumes at 512, the ones before it
        // stop short of it.
        fetches.begin(ids, 40, resume);
        boolean resumed = false;
        while (!resumed)
        {
            slot = fetches.nextToSend(MAX_FETCHES);
            assertThat(fetches.groupStart(slot) + fetches.groupSize(slot)).isLessThanOrEqualTo(40);
            if (ids[fetches.groupStart(slot)] == ids[resumedStart])
            {
                assertThat(fetches.skip(slot)).isEqualTo(512);
                resumed = true;
            }
            else
            {
                assertThat(fetches.groupStart(slot) + fetches.groupSize(slot)).isLessThanOrEqualTo(resumedStart);
                assertThat(fetches.skip(slot)).isZero();
            }
            fetches.sending(slot, STARTING);
            fetches.onReply(slot, RepairMessages.FETCH_COMPLETE, 1, 16);
        }

        // A round without that segment drops the resume point: a skip counts entries of the group that started there.
        fetches.end();
        fetches.begin(new int[]{ 1, 2 }, 2, resume);
        slot = fetches.nextToSend(MAX_FETCHES);
        assertThat(fetches.skip(slot)).isZero();
        assertThat(fetches.resumePoint()).isEqualTo(RepairFetches.NO_RESUME);
    }

    @Test
    void stopsSendingAtTheRoundsFetchBound()
    {
        final RepairFetches fetches = new RepairFetches(4, 1024, MAX_ENTRIES, MAX_BYTES);
        fetches.begin(segments(1024), 1024, RepairFetches.NO_RESUME);
        int sent = 0;
        while (true)
        {
            final int slot = fetches.nextToSend(3);
            if (slot < 0)
            {
                break;
            }
            fetches.sending(slot, STARTING);
            fetches.onReply(slot, 256, 256, 4096);
            sent++;
        }
        assertThat(sent).isEqualTo(3);
        assertThat(fetches.isDone(3)).isTrue();
        assertThat(fetches.isDone(MAX_FETCHES)).isFalse();
    }
}
