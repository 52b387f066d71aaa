package io.datacake.clock;

import io.datacake.testing.SeededTrials;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.datacake.clock.HlcTimestamp.counter;
import static io.datacake.clock.HlcTimestamp.millis;
import static io.datacake.clock.HlcTimestamp.pack;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HybridLogicalClockTest
{
    private static final long NOW_MS = 1_764_061_731_000L;
    private static final int FUZZ_TRIALS = 50;
    private static final int FUZZ_STEPS = 2_000;
    private final CachedEpochClock epochClock = new CachedEpochClock();

    @BeforeEach
    void setUp()
    {
        epochClock.update(NOW_MS);
    }

    @Test
    void sendUsesPhysicalTimeWhenItAdvances()
    {
        final HybridLogicalClock clock = new HybridLogicalClock(1, epochClock);
        final long first = clock.send();
        assertThat(millis(first)).isEqualTo(NOW_MS);
        assertThat(counter(first)).isZero();

        epochClock.advance(5);
        final long second = clock.send();
        assertThat(millis(second)).isEqualTo(NOW_MS + 5);
        assertThat(counter(second)).isZero();
    }

    @Test
    void sendIncrementsCounterWhileTimeStandsStill()
    {
        final HybridLogicalClock clock = new HybridLogicalClock(1, epochClock);
        final long a = clock.send();
        final long b = clock.send();
        final long c = clock.send();
        assertThat(counter(b)).isEqualTo(counter(a) + 1);
        assertThat(counter(c)).isEqualTo(counter(a) + 2);
        assertThat(a).isLessThan(b).isLessThan(c);
    }

    @Test
    void sendStaysMonotonicWhenPhysicalClockGoesBackwards()
    {
        final HybridLogicalClock clock = new HybridLogicalClock(1, epochClock);
        final long before = clock.send();
        epochClock.update(NOW_MS - 1_000);
        final long after = clock.send();
        assertThat(after).isGreaterThan(before);
        assertThat(millis(after)).isEqualTo(NOW_MS);
    }

    @Test
    void restoreMakesEveryLaterStampFollowAnOwnStampFromAnEarlierLife()
    {
        final HybridLogicalClock restarted = new HybridLogicalClock(1, epochClock);
        final long storedBeforeCrash = pack(NOW_MS + 60_000, 7);
        restarted.restore(storedBeforeCrash);
        assertThat(restarted.send()).isGreaterThan(storedBeforeCrash);
    }

    @Test
    void restoreRefusesAnOwnStampBeyondTheMaximumDriftAndLeavesTheClockUnchanged()
    {
        final HybridLogicalClock restarted = new HybridLogicalClock(1, epochClock, 1_000);
        final long before = restarted.send();
        assertThatThrownBy(() -> restarted.restore(pack(NOW_MS + 5_000, 0))).isInstanceOf(ClockDriftException.class);
        assertThat(restarted.lastStamp()).isEqualTo(before);
    }

    @Test
    void sendFailsWhenLogicalTimeIsTooFarAheadOfPhysical()
    {
        final HybridLogicalClock clock = new HybridLogicalClock(1, epochClock, 100);
        clock.send();
        epochClock.update(NOW_MS - 101);
        final long last = clock.lastStamp();
        assertThatThrownBy(clock::send).isInstanceOf(ClockDriftException.class).hasMessageContaining("101 ms");
        assertThat(clock.lastStamp()).isEqualTo(last);
    }

    @Test
    void forgedRemoteCounterNearTheLimitLeavesSendWorking()
    {
        // One frame, well within the drift bound, whose counter leaves no room: the clock must keep stamping.
        final HybridLogicalClock clock = new HybridLogicalClock(1, epochClock);
        final long forged = pack(NOW_MS + 1_000_000, HlcTimestamp.MAX_COUNTER - 1);
        final long merged = clock.recv(forged, 2);
        assertThat(merged).isGreaterThan(forged);

        long previous = merged;
        for (int i = 0; i < 2 * (HlcTimestamp.MAX_COUNTER + 1); i++)
        {
            final long stamp = clock.send();
            assertThat(stamp).isGreaterThan(previous);
            previous = stamp;
        }
    }

    @Test
    void recvLeavesTheHeadroomForLocalSendsEvenAtTheDriftBound()
    {
        final long maxDriftMs = 100;
        final HybridLogicalClock clock = new HybridLogicalClock(1, epochClock, maxDriftMs);
        final int highestAccepted = HlcTimestamp.MAX_COUNTER - HybridLogicalClock.RECV_COUNTER_HEADROOM - 1;
        final long merged = clock.recv(pack(NOW_MS + maxDriftMs, highestAccepted), 2);
        assertThat(millis(merged)).isEqualTo(NOW_MS + maxDriftMs);
        assertThat(counter(merged)).isEqualTo(highestAccepted + 1);

        // A merge that would eat into the headroom must carry past the bound here, so it is refused.
        assertThatThrownBy(() -> clock.recv(pack(NOW_MS + maxDriftMs, highestAccepted + 1), 3))
            .isInstanceOf(ClockDriftException.class);
        assertThat(clock.lastStamp()).isEqualTo(merged);

        long previous = merged;
        for (int i = 0; i < HybridLogicalClock.RECV_COUNTER_HEADROOM; i++)
        {
            final long stamp = clock.send();
            assertThat(stamp).isGreaterThan(previous);
            previous = stamp;
        }
    }

    @Test
    void recvNearTheCounterLimitCarriesIntoTheNextMillisecond()
    {
        final HybridLogicalClock clock = new HybridLogicalClock(1, epochClock);
        final long remote = pack(NOW_MS, HlcTimestamp.MAX_COUNTER);
        final long merged = clock.recv(remote, 2);
        assertThat(merged).isGreaterThan(remote);
        assertThat(millis(merged)).isEqualTo(NOW_MS + 1);
        assertThat(counter(merged)).isZero();
    }

    @Test
    void sendCarriesIntoTheNextMillisecondWhenTheCounterIsUsedUp()
    {
        final HybridLogicalClock clock = new HybridLogicalClock(1, epochClock);
        long previous = 0;
        for (int i = 0; i <= HlcTimestamp.MAX_COUNTER; i++)
        {
            previous = clock.send();
        }
        assertThat(millis(previous)).isEqualTo(NOW_MS);
        assertThat(counter(previous)).isEqualTo(HlcTimestamp.MAX_COUNTER);

        final long carried = clock.send();
        assertThat(carried).isGreaterThan(previous);
        assertThat(millis(carried)).isEqualTo(NOW_MS + 1);
        assertThat(counter(carried)).isZero();
    }

    @Test
    void sendAtTheDriftBoundWithTheCounterUsedUpFailsUntilPhysicalTimeAdvances()
    {
        final long maxDriftMs = 100;
        final HybridLogicalClock clock = new HybridLogicalClock(1, epochClock, maxDriftMs);
        clock.recv(pack(NOW_MS + maxDriftMs, 0), 2);
        while (counter(clock.lastStamp()) < HlcTimestamp.MAX_COUNTER)
        {
            clock.send();
        }
        final long last = clock.lastStamp();
        assertThatThrownBy(clock::send).isInstanceOf(CounterOverflowException.class)
            .hasMessageContaining("retry after the physical clock advances");
        assertThat(clock.lastStamp()).isEqualTo(last);

        epochClock.advance(1);
        final long next = clock.send();
        assertThat(millis(next)).isEqualTo(NOW_MS + maxDriftMs + 1);
        assertThat(counter(next)).isZero();
    }

    @Test
    void anySequenceOfRemoteStampsWithinDriftLeavesSendWorking()
    {
        SeededTrials.run("HybridLogicalClockTest remote stamp fuzz", FUZZ_TRIALS, this::fuzzRemoteStamps);
    }

    private void fuzzRemoteStamps(final SplittableRandom random)
    {
        epochClock.update(NOW_MS);
        final long maxDriftMs = random.nextBoolean() ? 1 + random.nextInt(20) : HybridLogicalClock.DEFAULT_MAX_DRIFT_MS;
        final HybridLogicalClock clock = new HybridLogicalClock(1, epochClock, maxDriftMs);
        long previous = clock.send();
        // The guarantee: at least RECV_COUNTER_HEADROOM local stamps after each merge or physical millisecond.
        int sendsSinceReset = 1;
        for (int step = 0; step < FUZZ_STEPS; step++)
        {
            if (random.nextInt(4) == 0)
            {
                final int advanceMs = random.nextInt(3);
                epochClock.advance(advanceMs);
                sendsSinceReset = advanceMs > 0 ? 0 : sendsSinceReset;
            }
            final long now = epochClock.time();
            final long lastMillis = millis(clock.lastStamp());
            final long remoteMillis = switch (random.nextInt(5))
            {
                case 0 -> now + maxDriftMs;
                case 1 -> lastMillis;
                case 2 -> Math.min(now + maxDriftMs, lastMillis + random.nextInt(3));
                case 3 -> Math.max(0, now - random.nextInt(1_000));
                default -> now + random.nextLong(maxDriftMs + 1);
            };
            final int remoteCounter = switch (random.nextInt(4))
            {
                case 0 -> HlcTimestamp.MAX_COUNTER - random.nextInt(3);
                case 1 -> HlcTimestamp.MAX_COUNTER - HybridLogicalClock.RECV_COUNTER_HEADROOM - random.nextInt(3);
                case 2 -> random.nextInt(3);
                default -> random.nextInt(HlcTimestamp.MAX_COUNTER + 1);
            };
            final long remote = pack(remoteMillis, remoteCounter);
            final long before = clock.lastStamp();
            try
            {
                final long merged = clock.recv(remote, 2 + random.nextInt(5));
                assertThat(merged).isGreaterThan(remote).isGreaterThan(before);
                previous = merged;
                sendsSinceReset = 0;
            }
            catch (final ClockDriftException ex)
            {
                assertThat(clock.lastStamp()).as("a refused stamp leaves the clock unchanged").isEqualTo(before);
            }

            // Local events keep working whatever the network sent.
            final int sends = Math.min(
                random.nextInt(4) == 0 ? HybridLogicalClock.RECV_COUNTER_HEADROOM : 1,
                HybridLogicalClock.RECV_COUNTER_HEADROOM - sendsSinceReset);
            for (int i = 0; i < sends; i++)
            {
                final long stamp = clock.send();
                assertThat(stamp).isGreaterThan(previous);
                previous = stamp;
            }
            sendsSinceReset += sends;
            assertThat(millis(clock.lastStamp()) - epochClock.time()).isLessThanOrEqualTo(maxDriftMs);
        }
    }

    @Test
    void recvCounterRulesMatchDatacake()
    {
        final HybridLogicalClock a = new HybridLogicalClock(1, epochClock);
        final HybridLogicalClock b = new HybridLogicalClock(2, epochClock);

        // All three equal: max(local, remote) + 1.
        final long a1 = a.recv(pack(NOW_MS, 3), 9);
        assertThat(counter(a1)).isEqualTo(4);
        final long b1 = b.recv(a1, 1);
        assertThat(counter(b1)).isEqualTo(5);
        final long a2 = a.recv(b1, 2);
        assertThat(counter(a2)).isEqualTo(6);

        // Only the local clock is at the new time: local + 1.
        final long a3 = a.recv(pack(NOW_MS - 10, 40), 3);
        assertThat(counter(a3)).isEqualTo(7);

        // Only the remote is at the new time: remote + 1.
        final long a4 = a.recv(pack(NOW_MS + 50, 40), 3);
        assertThat(millis(a4)).isEqualTo(NOW_MS + 50);
        assertThat(counter(a4)).isEqualTo(41);

        // Physical time is ahead of both: counter resets.
        epochClock.advance(100);
        final long a5 = a.recv(pack(NOW_MS + 60, 40), 3);
        assertThat(millis(a5)).isEqualTo(NOW_MS + 100);
        assertThat(counter(a5)).isZero();
    }

    @Test
    void recvMakesLocalClockLaterThanRemote()
    {
        final HybridLogicalClock clock = new HybridLogicalClock(1, epochClock);
        final long remote = pack(NOW_MS + 1_000, 17);
        final long merged = clock.recv(remote, 2);
        assertThat(merged).isGreaterThan(remote);
        assertThat(clock.send()).isGreaterThan(merged);
    }

    @Test
    void recvRejectsOwnNodeId()
    {
        final HybridLogicalClock clock = new HybridLogicalClock(7, epochClock);
        assertThatThrownBy(() -> clock.recv(pack(NOW_MS, 0), 7))
            .isInstanceOf(DuplicateNodeIdException.class)
            .hasMessageContaining("7");
        assertThat(clock.lastStamp()).isEqualTo(HlcTimestamp.NULL_STAMP);
    }

    @Test
    void recvRejectsStampTooFarInTheFutureAndLeavesClockUnchanged()
    {
        final HybridLogicalClock clock = new HybridLogicalClock(1, epochClock, 60_000);
        final long before = clock.send();
        assertThatThrownBy(() -> clock.recv(pack(NOW_MS + 60_001, 0), 2))
            .isInstanceOf(ClockDriftException.class)
            .satisfies(e -> assertThat(((ClockDriftException)e).driftMs()).isEqualTo(60_001));
        assertThat(clock.lastStamp()).isEqualTo(before);

        // Exactly at the limit is accepted.
        assertThat(millis(clock.recv(pack(NOW_MS + 60_000, 0), 2))).isEqualTo(NOW_MS + 60_000);
    }

    @Test
    void defaultDriftIsDatacakes()
    {
        assertThat(new HybridLogicalClock(1, epochClock).maxDriftMs()).isEqualTo(4_100_000L);
    }

    @Test
    void nodeIdsCoverSixteenBits()
    {
        assertThat(new HybridLogicalClock(65_535, epochClock).nodeId()).isEqualTo(65_535);
        assertThatThrownBy(() -> new HybridLogicalClock(65_536, epochClock))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HybridLogicalClock(-1, epochClock)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HybridLogicalClock(1, epochClock, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsPhysicalClockOutsideLayout()
    {
        epochClock.update(-5);
        final HybridLogicalClock clock = new HybridLogicalClock(1, epochClock);
        assertThatThrownBy(clock::send).isInstanceOf(HlcException.class).hasMessageContaining("EpochClock");
    }

    @Test
    void manySendsAreStrictlyIncreasing()
    {
        final HybridLogicalClock clock = new HybridLogicalClock(1, epochClock);
        long previous = 0;
        for (int i = 0; i < 100_000; i++)
        {
            if (i % 1_000 == 0)
            {
                epochClock.advance(1);
            }
            final long stamp = clock.send();
            assertThat(stamp).isGreaterThan(previous);
            previous = stamp;
        }
    }
}
