package io.datacake.storage.lmdb;

import io.datacake.storage.StorageException;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps read transactions and map resizes apart: LMDB may only change the map size while no transaction of this
 * process is active, because resizing remaps the file and would pull the pages from under a reader's views.
 * <p>
 * Readers pay one atomic increment and decrement and never wait unless a resize is in progress (rare: the map
 * doubles each time). The resizing writer raises a flag, waits a bounded time for active readers to finish, and
 * gives up with an error if they do not. Ordering relies on the volatile flag and the atomic counter being
 * sequentially consistent (a Dekker-style handshake).
 */
final class ReaderGate
{
    /** Pause between checks while waiting, bounded by the caller's timeout. */
    private static final long PARK_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private final AtomicInteger activeReaders = new AtomicInteger();
    private final long waitTimeoutNs;
    private volatile boolean exclusive;

    ReaderGate(final long waitTimeoutMs)
    {
        this.waitTimeoutNs = TimeUnit.MILLISECONDS.toNanos(waitTimeoutMs);
    }

    void enterReader()
    {
        while (true)
        {
            if (!exclusive)
            {
                activeReaders.incrementAndGet();
                if (!exclusive)
                {
                    return;
                }
                activeReaders.decrementAndGet();
            }
            awaitNotExclusive();
        }
    }

    void exitReader()
    {
        activeReaders.decrementAndGet();
    }

    /**
     * @return true if every reader left and new ones are held back; false on timeout (nothing held back).
     */
    boolean tryEnterExclusive()
    {
        exclusive = true;
        final long deadlineNs = System.nanoTime() + waitTimeoutNs;
        while (activeReaders.get() != 0)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                exclusive = false;
                return false;
            }
            LockSupport.parkNanos(PARK_NS);
        }
        return true;
    }

    void exitExclusive()
    {
        exclusive = false;
    }

    int activeReaders()
    {
        return activeReaders.get();
    }

    private void awaitNotExclusive()
    {
        final long deadlineNs = System.nanoTime() + waitTimeoutNs;
        while (exclusive)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new StorageException("LMDB storage is resizing or closing and did not let readers in within " +
                    TimeUnit.NANOSECONDS.toMillis(waitTimeoutNs) + " ms");
            }
            LockSupport.parkNanos(PARK_NS);
        }
    }
}
