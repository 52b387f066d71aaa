package io.datacake.node;

import io.datacake.timer.DeadlineTimers;

import java.util.concurrent.TimeUnit;

/**
 * Timers for every component on the node thread (gossip ticks, anti-entropy rounds), on {@link DeadlineTimers}
 * (Agrona's timer wheel, 1 ms tick) driven by the node's monotonic clock ({@link NodeContext#nanoClock}), so a
 * wall clock stepped back or forward neither delays nor advances a timer. Scheduling and cancelling do not allocate
 * in steady state.
 * <p>
 * Node thread only.
 */
public final class NodeTimers
{
    private final DeadlineTimers<TimerListener> timers;
    private final DeadlineTimers.ExpiryHandler<TimerListener> expiryHandler = NodeTimers::onExpiry;
    private final int maxTimers;
    private final int expiryLimit;
    private long nowNs;
    private long monotonicMs;

    NodeTimers(final long startNs, final int maxTimers, final int expiryLimit)
    {
        this.nowNs = startNs;
        this.monotonicMs = toMonotonicMs(startNs);
        this.timers = new DeadlineTimers<>(monotonicMs);
        this.maxTimers = maxTimers;
        this.expiryLimit = expiryLimit;
    }

    /**
     * Schedule a timer at an absolute time.
     *
     * @param deadlineMonotonicMs when to expire, in milliseconds of the node's monotonic clock (as
     *                            {@link #monotonicMs()}); a past deadline expires on the next poll.
     * @param listener   told on expiry.
     * @return the timer id, for {@link #cancel(long)}.
     * @throws IllegalStateException if {@link NodeContext#maxTimers(int)} timers are already scheduled.
     * @throws NullPointerException  if the listener is null.
     */
    public long schedule(final long deadlineMonotonicMs, final TimerListener listener)
    {
        if (timers.size() >= maxTimers)
        {
            throw new IllegalStateException(
                "too many timers scheduled (" + maxTimers + "): raise NodeContext.maxTimers or cancel unused timers");
        }
        if (null == listener)
        {
            throw new NullPointerException("listener");
        }
        return timers.schedule(deadlineMonotonicMs, listener);
    }

    /**
     * Schedule a timer relative to the monotonic time of the current duty cycle.
     *
     * @param delayMs  how long from now, in milliseconds.
     * @param listener told on expiry.
     * @return the timer id, for {@link #cancel(long)}.
     * @throws IllegalStateException if {@link NodeContext#maxTimers(int)} timers are already scheduled.
     */
    public long scheduleAfter(final long delayMs, final TimerListener listener)
    {
        return schedule(monotonicMs + delayMs, listener);
    }

    /**
     * Cancel a timer.
     *
     * @param timerId an id from {@link #schedule}.
     * @return true if it was scheduled and is now cancelled, false if it already expired or was cancelled.
     */
    public boolean cancel(final long timerId)
    {
        return null != timers.cancel(timerId);
    }

    /**
     * The number of scheduled timers.
     *
     * @return count.
     */
    public int size()
    {
        return timers.size();
    }

    /**
     * The monotonic time of the current duty cycle: durations between two readings are real, the value itself
     * means nothing outside this node.
     *
     * @return milliseconds of the node's monotonic clock.
     */
    public long monotonicMs()
    {
        return monotonicMs;
    }

    /**
     * The monotonic time of the current duty cycle, in the clock's own nanoseconds.
     */
    long nowNs()
    {
        return nowNs;
    }

    int poll(final long nowNs)
    {
        this.nowNs = nowNs;
        this.monotonicMs = toMonotonicMs(nowNs);
        return timers.poll(monotonicMs, expiryHandler, expiryLimit);
    }

    /**
     * Monotonic milliseconds from the monotonic clock's nanoseconds; the RPC layer converts with the same rule.
     */
    static long toMonotonicMs(final long nowNs)
    {
        return TimeUnit.NANOSECONDS.toMillis(nowNs);
    }

    void clear()
    {
        timers.clear();
    }

    private static void onExpiry(final long timerId, final TimerListener listener, final long monotonicMs)
    {
        listener.onTimer(timerId, monotonicMs);
    }
}
