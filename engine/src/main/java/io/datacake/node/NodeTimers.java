package io.datacake.node;

import io.datacake.timer.DeadlineTimers;

/**
 * Timers for every component on the node thread (gossip ticks, anti-entropy rounds), on {@link DeadlineTimers}
 * (Agrona's timer wheel, 1 ms tick) driven by the node's injected clock. Scheduling and cancelling do
 * not allocate in steady state.
 * <p>
 * Node thread only.
 */
public final class NodeTimers
{
    private final DeadlineTimers<TimerListener> timers;
    private final DeadlineTimers.ExpiryHandler<TimerListener> expiryHandler = NodeTimers::onExpiry;
    private final int maxTimers;
    private final int expiryLimit;
    private long nowMs;

    NodeTimers(final long startTimeMs, final int maxTimers, final int expiryLimit)
    {
        this.timers = new DeadlineTimers<>(startTimeMs);
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
     * @throws NullPointerException  if the listener is null.
     */
    public long schedule(final long deadlineMs, final TimerListener listener)
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
        return timers.schedule(deadlineMs, listener);
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
        return timers.poll(nowMs, expiryHandler, expiryLimit);
    }

    void clear()
    {
        timers.clear();
    }

    private static void onExpiry(final long timerId, final TimerListener listener, final long nowMs)
    {
        listener.onTimer(timerId, nowMs);
    }
}
