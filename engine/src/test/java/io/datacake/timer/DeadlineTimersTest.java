package io.datacake.timer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class DeadlineTimersTest
{
    private final List<String> expired = new ArrayList<>();
    private final DeadlineTimers.ExpiryHandler<String> handler = (id, target, nowMs) -> expired.add(target + "@" + nowMs);

    @Test
    void timersExpireInDeadlineOrderWithTheirTargetsAndOnlyOnce()
    {
        final DeadlineTimers<String> timers = new DeadlineTimers<>(1_000);
        timers.schedule(1_005, "b");
        timers.schedule(1_002, "a");
        timers.schedule(1_100, "c");

        assertThat(timers.poll(1_001, handler, 10)).isZero();
        assertThat(timers.poll(1_010, handler, 10)).isEqualTo(2);
        assertThat(timers.poll(1_010, handler, 10)).isZero();

        assertThat(expired).containsExactly("a@1010", "b@1010");
        assertThat(timers.size()).isEqualTo(1);
    }

    @Test
    void theTimerWithIdZeroIsAnOrdinaryTimer()
    {
        // The first timer of spoke 0 has id 0: the wheel's ids are coordinates, so 0 is not "no timer".
        final DeadlineTimers<String> timers = new DeadlineTimers<>(0);
        final long id = timers.schedule(DeadlineTimers.TICKS_PER_WHEEL, "zero");
        assertThat(id).isZero();

        assertThat(timers.cancel(id)).isEqualTo("zero");
        assertThat(timers.cancel(id)).isNull();
        assertThat(timers.poll(5 * DeadlineTimers.TICKS_PER_WHEEL, handler, 10)).isZero();
        assertThat(expired).isEmpty();
        assertThat(timers.cancel(DeadlineTimers.NO_TIMER)).isNull();
    }

    @Test
    void aPollExpiresAtMostItsLimitAndTheRestLater()
    {
        final DeadlineTimers<String> timers = new DeadlineTimers<>(0);
        for (int i = 0; i < 5; i++)
        {
            timers.schedule(10, "t" + i);
        }

        assertThat(timers.poll(20, handler, 3)).isEqualTo(3);
        assertThat(timers.poll(20, handler, 3)).isEqualTo(2);
        assertThat(expired).hasSize(5);
        assertThat(timers.size()).isZero();
    }

    @Test
    void manyTimersOnOneSpokeAndCancelledOnesAndClear()
    {
        final DeadlineTimers<String> timers = new DeadlineTimers<>(0);
        final long[] ids = new long[100];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = timers.schedule(50, "t" + i);
        }
        for (int i = 0; i < ids.length; i += 2)
        {
            assertThat(timers.cancel(ids[i])).isEqualTo("t" + i);
        }

        assertThat(timers.poll(60, handler, 1_000)).isEqualTo(50);
        assertThat(expired).allMatch((s) -> Integer.parseInt(s.substring(1, s.indexOf('@'))) % 2 == 1);

        timers.schedule(100, "late");
        timers.clear();
        assertThat(timers.size()).isZero();
        assertThat(timers.poll(1_000, handler, 10)).isZero();
        assertThatThrownBy(() -> timers.schedule(1, null)).isInstanceOf(NullPointerException.class);
    }
}
