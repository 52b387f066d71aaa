package io.datacake.sim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class SimNodeClockTest
{
    private final SimClock virtual = new SimClock();
    private final SimNodeClock clock = new SimNodeClock(virtual);

    @Test
    void readsVirtualTimePlusOffsetPlusDriftTimesElapsed()
    {
        assertThat(clock.time()).isEqualTo(virtual.time());
        clock.offsetMs(1_500).driftPpm(2_000);
        virtual.advanceMs(10_000);
        assertThat(clock.time()).isEqualTo(virtual.time() + 1_500 + 20);
        assertThat(clock.skewMs()).isEqualTo(1_520);
    }

    @Test
    void changingTheDriftKeepsTheClockContinuousAndChangingTheOffsetStepsIt()
    {
        clock.driftPpm(100_000);
        virtual.advanceMs(1_000);
        final long before = clock.time();
        clock.driftPpm(-100_000);
        assertThat(clock.time()).isEqualTo(before);
        virtual.advanceMs(1_000);
        assertThat(clock.skewMs()).isEqualTo(100 - 100);

        clock.offsetMs(-5_000);
        assertThat(clock.time()).isEqualTo(virtual.time() - 5_000);
    }

    @Test
    void aSlowClockNeverGoesBackwards()
    {
        clock.driftPpm(-SimNodeClock.MAX_DRIFT_PPM);
        long last = clock.time();
        for (int i = 0; i < 1_000; i++)
        {
            virtual.advanceMs(1);
            final long now = clock.time();
            assertThat(now).isGreaterThanOrEqualTo(last);
            last = now;
        }
        assertThat(clock.skewMs()).isEqualTo(-500);
    }

    @Test
    void outOfRangeSettingsAreRejected()
    {
        assertThatThrownBy(() -> clock.driftPpm(SimNodeClock.MAX_DRIFT_PPM + 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MAX_DRIFT_PPM");
        assertThatThrownBy(() -> clock.offsetMs(-virtual.time() - 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before the epoch");
    }
}
