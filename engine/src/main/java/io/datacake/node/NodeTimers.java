package io.datacake.node;

import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2ObjectHashMap;

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

    private final DeadlineTimerWheel wheel;
    private final Long2ObjectHashMap<TimerListener> listenerByTimerId = new Long2ObjectHashMap<>();
    private final int maxTimers;
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
        if (listenerByTimerId.size() >= maxTimers)
        {
            throw new IllegalStateException(
                "too many timers scheduled (" + maxTimers + "): raise NodeContext.maxTimers or cancel unused timers");
        }
        final long timerId = wheel.scheduleTimer(deadlineMs);
        listenerByTimerId.put(timerId, listener);
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
        if (null != listenerByTimerId.remove(timerId))
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
        return listenerByTimerId.size();
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
        listenerByTimerId.clear();
    }

    private boolean onExpiry(final TimeUnit timeUnit, final long now, final long timerId)
    {
        final TimerListener listener = listenerByTimerId.remove(timerId);
        if (null != listener)
        {
            listener.onTimer(timerId, now);
        }
        return true;
    }
}
