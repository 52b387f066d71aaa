package io.datacake.node;

import org.agrona.DeadlineTimerWheel;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Timers for every component on the node thread (gossip ticks, request timeouts, anti-entropy), on Agrona's
 * {@link DeadlineTimerWheel} with a 1 ms tick, driven by the node's injected clock. Scheduling and cancelling do
 * not allocate in steady state.
 * <p>
 * Node thread only.
 */
public final class NodeTimers
{
    /** Wheel resolution: one tick per millisecond. */
    static final long TICK_RESOLUTION_MS = 1;

    /** Slots per wheel revolution; timers further out wrap around and are checked again. */
    static final int TICKS_PER_WHEEL = 1024;

    /** Bound on wheel ticks processed per duty cycle, so a long stall does not become one long duty cycle. */
    static final int MAX_TICKS_PER_POLL = 4096;

    /** First number of listener slots kept per wheel spoke; grows like the wheel's own tick allocation. */
    static final int INITIAL_SLOTS_PER_SPOKE = 16;

    private final DeadlineTimerWheel wheel;
    // A wheel timer id is (spoke index << 32 | slot index): listeners live at the same coordinates, no hashing.
    private final TimerListener[][] listenerBySpokeAndSlot = new TimerListener[TICKS_PER_WHEEL][];
    private final int maxTimers;
    private int timerCount;
    private final DeadlineTimerWheel.TimerHandler expiryHandler = this::onExpiry;
    private final int expiryLimit;
    private long nowMs;

    NodeTimers(final long startTimeMs, final int maxTimers, final int expiryLimit)
    {
        this.wheel = new DeadlineTimerWheel(TimeUnit.MILLISECONDS, startTimeMs, TICK_RESOLUTION_MS, TICKS_PER_WHEEL);
        this.maxTimers = maxTimers;
        this.expiryLimit = expiryLimit;
        this.nowMs = startTimeMs;
    }

    /**
     * Schedule a timer at an absolute time.
     *
     * @param deadlineMs when to expire, in epoch milliseconds of the node clock; a past deadline expires on the
     *                   next poll.
     * @param listener   told on expiry.
     * @return the timer id, for {@link #cancel(long)}.
     * @throws IllegalStateException if {@link NodeContext#maxTimers(int)} timers are already scheduled.
     */
    public long schedule(final long deadlineMs, final TimerListener listener)
    {
        if (timerCount >= maxTimers)
        {
            throw new IllegalStateException(
                "too many timers scheduled (" + maxTimers + "): raise NodeContext.maxTimers or cancel unused timers");
        }
        if (null == listener)
        {
            throw new NullPointerException("listener");
        }
        final long timerId = wheel.scheduleTimer(deadlineMs);
        final int spoke = spoke(timerId);
        final int slot = slot(timerId);
        TimerListener[] slots = listenerBySpokeAndSlot[spoke];
        if (null == slots || slot >= slots.length)
        {
            final int length = Math.max(INITIAL_SLOTS_PER_SPOKE, Integer.highestOneBit(slot) << 1);
            slots = null == slots ? new TimerListener[length] : Arrays.copyOf(slots, length);
            listenerBySpokeAndSlot[spoke] = slots;
        }
        slots[slot] = listener;
        timerCount++;
        return timerId;
    }

    /**
     * Schedule a timer relative to the node clock's time of the current duty cycle.
     *
     * @param delayMs  how long from now, in milliseconds.
     * @param listener told on expiry.
     * @return the timer id, for {@link #cancel(long)}.
     * @throws IllegalStateException if {@link NodeContext#maxTimers(int)} timers are already scheduled.
     */
    public long scheduleAfter(final long delayMs, final TimerListener listener)
    {
        return schedule(nowMs + delayMs, listener);
    }

    /**
     * Cancel a timer.
     *
     * @param timerId an id from {@link #schedule}.
     * @return true if it was scheduled and is now cancelled, false if it already expired or was cancelled.
     */
    public boolean cancel(final long timerId)
    {
        if (null != take(timerId))
        {
            wheel.cancelTimer(timerId);
            return true;
        }
        return false;
    }

    /**
     * The number of scheduled timers.
     *
     * @return count.
     */
    public int size()
    {
        return timerCount;
    }

    /**
     * The node clock's time of the current duty cycle.
     *
     * @return epoch milliseconds.
     */
    public long nowMs()
    {
        return nowMs;
    }

    int poll(final long nowMs)
    {
        this.nowMs = nowMs;
        if (wheel.timerCount() == 0)
        {
            wheel.currentTickTime(nowMs);
            return 0;
        }
        // One wheel poll looks at the current tick only, then moves to the next tick if time has passed it: keep
        // polling while it moves, so the tick that contains now is looked at too.
        int expired = 0;
        int ticks = 0;
        boolean advanced;
        do
        {
            final long tickTime = wheel.currentTickTime();
            expired += wheel.poll(nowMs, expiryHandler, expiryLimit - expired);
            advanced = wheel.currentTickTime() != tickTime;
        }
        while (advanced && expired < expiryLimit && ++ticks < MAX_TICKS_PER_POLL);
        return expired;
    }

    void clear()
    {
        wheel.clear();
        Arrays.fill(listenerBySpokeAndSlot, null);
        timerCount = 0;
    }

    private TimerListener take(final long timerId)
    {
        final int spoke = spoke(timerId);
        final int slot = slot(timerId);
        if (spoke < 0 || spoke >= TICKS_PER_WHEEL)
        {
            return null;
        }
        final TimerListener[] slots = listenerBySpokeAndSlot[spoke];
        if (null == slots || slot < 0 || slot >= slots.length)
        {
            return null;
        }
        final TimerListener listener = slots[slot];
        if (null != listener)
        {
            slots[slot] = null;
            timerCount--;
        }
        return listener;
    }

    private static int spoke(final long timerId)
    {
        return (int)(timerId >>> 32);
    }

    private static int slot(final long timerId)
    {
        return (int)timerId;
    }

    private boolean onExpiry(final TimeUnit timeUnit, final long now, final long timerId)
    {
        final TimerListener listener = take(timerId);
        if (null != listener)
        {
            listener.onTimer(timerId, now);
        }
        return true;
    }
}
