package io.datacake.timer;

import org.agrona.DeadlineTimerWheel;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Timers that each carry a target object, on Agrona's {@link DeadlineTimerWheel} with a 1 ms tick. The wheel names
 * a timer by its (spoke, slot) coordinates, so targets sit in an array at the same coordinates: scheduling,
 * cancelling and expiring cost no hashing and allocate nothing in steady state (a spoke's slot array grows, like
 * the wheel's own, only when more timers share a spoke than ever before).
 * <p>
 * Timer ids are any {@code long} the wheel hands out, 0 included: use {@link #NO_TIMER} for "none".
 * <p>
 * Single thread (the node thread).
 *
 * @param <T> the type of the timers' targets.
 */
public final class DeadlineTimers<T>
{
    /** Not a timer id: the wheel's ids are (spoke, slot) coordinates, never negative. */
    public static final long NO_TIMER = -1;

    /** Wheel resolution: one tick per millisecond. */
    public static final long TICK_RESOLUTION_MS = 1;

    /** Spokes per wheel revolution; timers further out wrap around and are checked again. */
    public static final int TICKS_PER_WHEEL = 1024;

    /** Bound on wheel ticks processed per poll, so a long stall does not become one long duty cycle. */
    public static final int MAX_TICKS_PER_POLL = 4096;

    /** First number of target slots kept per spoke; grows like the wheel's own tick allocation. */
    static final int INITIAL_SLOTS_PER_SPOKE = 16;

    /**
     * Told when a timer expires.
     *
     * @param <T> the type of the target.
     */
    @FunctionalInterface
    public interface ExpiryHandler<T>
    {
        /**
         * A timer expired; it is already removed.
         *
         * @param timerId the id {@link #schedule} returned.
         * @param target  the target it was scheduled with.
         * @param nowMs   the time passed to {@link #poll}.
         */
        void onExpiry(long timerId, T target, long nowMs);
    }

    private final DeadlineTimerWheel wheel;
    private final Object[][] targetBySpokeAndSlot = new Object[TICKS_PER_WHEEL][];
    private final DeadlineTimerWheel.TimerHandler wheelHandler = this::onWheelExpiry;
    private ExpiryHandler<T> expiryHandler;
    private int count;

    /**
     * Timers starting at a time.
     *
     * @param startTimeMs the current time, in epoch milliseconds of the clock that will drive {@link #poll}.
     */
    public DeadlineTimers(final long startTimeMs)
    {
        this.wheel = new DeadlineTimerWheel(TimeUnit.MILLISECONDS, startTimeMs, TICK_RESOLUTION_MS, TICKS_PER_WHEEL);
    }

    /**
     * Schedule a timer.
     *
     * @param deadlineMs when it expires; a past deadline expires on the next poll.
     * @param target     what the expiry handler receives.
     * @return the timer id, never {@link #NO_TIMER}.
     * @throws NullPointerException if the target is null.
     */
    public long schedule(final long deadlineMs, final T target)
    {
        if (null == target)
        {
            throw new NullPointerException("target");
        }
        final long timerId = wheel.scheduleTimer(deadlineMs);
        final int spoke = spoke(timerId);
        final int slot = slot(timerId);
        Object[] slots = targetBySpokeAndSlot[spoke];
        if (null == slots || slot >= slots.length)
        {
            final int length = Math.max(INITIAL_SLOTS_PER_SPOKE, Integer.highestOneBit(slot) << 1);
            slots = null == slots ? new Object[length] : Arrays.copyOf(slots, length);
            targetBySpokeAndSlot[spoke] = slots;
        }
        slots[slot] = target;
        count++;
        return timerId;
    }

    /**
     * Cancel a timer.
     *
     * @param timerId an id from {@link #schedule}, or {@link #NO_TIMER}.
     * @return the target it was scheduled with, or null if it already expired, was cancelled, or is no timer.
     */
    public T cancel(final long timerId)
    {
        final T target = take(timerId);
        if (null != target)
        {
            wheel.cancelTimer(timerId);
        }
        return target;
    }

    /**
     * Expire every timer due by a time, oldest tick first, up to a limit.
     *
     * @param nowMs   the current time.
     * @param handler told of each expiry; it may schedule and cancel timers.
     * @param limit   most timers to expire in this call.
     * @return the number expired.
     */
    public int poll(final long nowMs, final ExpiryHandler<T> handler, final int limit)
    {
        if (wheel.timerCount() == 0)
        {
            wheel.currentTickTime(nowMs);
            return 0;
        }
        expiryHandler = handler;
        // One wheel poll looks at the current tick only, then moves to the next tick if time has passed it: keep
        // polling while it moves, so the tick that contains now is looked at too.
        int expired = 0;
        int ticks = 0;
        boolean advanced;
        do
        {
            final long tickTime = wheel.currentTickTime();
            expired += wheel.poll(nowMs, wheelHandler, limit - expired);
            advanced = wheel.currentTickTime() != tickTime;
        }
        while (advanced && expired < limit && ++ticks < MAX_TICKS_PER_POLL);
        return expired;
    }

    /**
     * The number of scheduled timers.
     *
     * @return count.
     */
    public int size()
    {
        return count;
    }

    /**
     * Drop every timer without expiring it.
     */
    public void clear()
    {
        wheel.clear();
        Arrays.fill(targetBySpokeAndSlot, null);
        count = 0;
    }

    @SuppressWarnings("unchecked")
    private T take(final long timerId)
    {
        if (timerId < 0)
        {
            return null;
        }
        final int spoke = spoke(timerId);
        final int slot = slot(timerId);
        if (spoke >= TICKS_PER_WHEEL)
        {
            return null;
        }
        final Object[] slots = targetBySpokeAndSlot[spoke];
        if (null == slots || slot < 0 || slot >= slots.length)
        {
            return null;
        }
        final Object target = slots[slot];
        if (null != target)
        {
            slots[slot] = null;
            count--;
        }
        return (T)target;
    }

    private static int spoke(final long timerId)
    {
        return (int)(timerId >>> 32);
    }

    private static int slot(final long timerId)
    {
        return (int)timerId;
    }

    private boolean onWheelExpiry(final TimeUnit timeUnit, final long now, final long timerId)
    {
        final T target = take(timerId);
        if (null != target)
        {
            expiryHandler.onExpiry(timerId, target, now);
        }
        return true;
    }
}
