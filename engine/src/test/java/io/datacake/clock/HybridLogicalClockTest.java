package io.datacake.clock;

import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.datacake.clock.HlcTimestamp.counter;
import static io.datacake.clock.HlcTimestamp.millis;
import static io.datacake.clock.HlcTimestamp.pack;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HybridLogicalClockTest
{
    private static final long NOW_MS = 1_764_061_731_000L;
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
    void sendCounterOverflowIsAnErrorAndLeavesClockUnchanged()
    {
        final HybridLogicalClock clock = new HybridLogicalClock(1, epochClock);
        clock.recv(pack(NOW_MS, HlcTimestamp.MAX_COUNTER - 1), 2);
        final long last = clock.lastStamp();
        assertThat(counter(last)).isEqualTo(HlcTimestamp.MAX_COUNTER);
        assertThatThrownBy(clock::send).isInstanceOf(CounterOverflowException.class);
        assertThat(clock.lastStamp()).isEqualTo(last);

        epochClock.advance(1);
        assertThat(counter(clock.send())).isZero();
    }

    @Test
    void recvCounterOverflowIsAnError()
    {
        final HybridLogicalClock clock = new HybridLogicalClock(1, epochClock);
        assertThatThrownBy(() -> clock.recv(pack(NOW_MS, HlcTimestamp.MAX_COUNTER), 2))
            .isInstanceOf(CounterOverflowException.class);
        assertThat(clock.lastStamp()).isEqualTo(HlcTimestamp.NULL_STAMP);
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
