package io.datacake.perf;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A wait for a condition that is polled, bounded by a deadline: each {@link #pause()} parks briefly, so a poll
 * costs little CPU on a machine the cluster shares.
 */
final class Deadline
{
    /** How long a pause parks between polls. */
    static final long PAUSE_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final long deadlineNs;

    /**
     * @param deadlineNs the {@link System#nanoTime()} at which the wait gives up.
     */
    Deadline(final long deadlineNs)
    {
        this.deadlineNs = deadlineNs;
    }

    /**
     * Park for a short while unless the deadline passed.
     *
     * @return true after a pause, false when the deadline has passed (nothing more to wait for).
     */
    boolean pause()
    {
        if (System.nanoTime() - deadlineNs >= 0)
        {
            return false;
        }
        LockSupport.parkNanos(PAUSE_NS);
        return true;
    }
}
