package io.datacake.store;

import io.datacake.storage.ForwardingStorage;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.Storage;
import io.datacake.storage.StorageException;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A storage whose reads can be held or failed, for tests of who reads storage and what a slow or failing read
 * stops: while {@link #holdReads()} is armed, every {@link #beginRead()} waits (on whatever thread calls it) until
 * {@link #releaseReads()}; while {@link #failReads(boolean)} is on, every one throws {@link StorageException}.
 * Commits are never held. The wait is bounded by {@link #MAX_HOLD_SECONDS}, so a test that forgets to release never
 * hangs the build.
 */
final class HeldReadStorage extends ForwardingStorage
{
    /** Longest a read is held when nothing releases it. */
    static final long MAX_HOLD_SECONDS = 120;

    private final boolean readsWithoutBlocking;
    private final AtomicInteger heldReads = new AtomicInteger();
    private final AtomicInteger failedReads = new AtomicInteger();
    private volatile CountDownLatch hold;
    private volatile boolean failing;
    private volatile String lastHeldThreadName;

    /**
     * @param delegate             the storage that does the work.
     * @param readsWithoutBlocking what {@link #readsWithoutBlocking()} claims.
     */
    HeldReadStorage(final Storage delegate, final boolean readsWithoutBlocking)
    {
        super(delegate);
        this.readsWithoutBlocking = readsWithoutBlocking;
    }

    /**
     * Hold every read that begins from now on until {@link #releaseReads()}.
     */
    void holdReads()
    {
        hold = new CountDownLatch(1);
    }

    /**
     * Let the held reads go on, and stop holding.
     */
    void releaseReads()
    {
        final CountDownLatch latch = hold;
        hold = null;
        if (null != latch)
        {
            latch.countDown();
        }
    }

    /**
     * @param failing true to fail every read that begins from now on, false to stop.
     */
    void failReads(final boolean failing)
    {
        this.failing = failing;
    }

    /**
     * @return reads that were held (waiting or released).
     */
    int heldReads()
    {
        return heldReads.get();
    }

    /**
     * @return reads failed.
     */
    int failedReads()
    {
        return failedReads.get();
    }

    /**
     * @return the name of the thread of the last read held, or null.
     */
    String lastHeldThreadName()
    {
        return lastHeldThreadName;
    }

    public ReadTransaction beginRead()
    {
        if (failing)
        {
            failedReads.incrementAndGet();
            throw new StorageException("test storage fails reads");
        }
        final CountDownLatch latch = hold;
        if (null != latch)
        {
            lastHeldThreadName = Thread.currentThread().getName();
            heldReads.incrementAndGet();
            try
            {
                if (!latch.await(MAX_HOLD_SECONDS, TimeUnit.SECONDS))
                {
                    throw new StorageException("test storage held a read for " + MAX_HOLD_SECONDS + " s");
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while a read was held", ex);
            }
        }
        return super.beginRead();
    }

    public boolean readsWithoutBlocking()
    {
        return readsWithoutBlocking;
    }

    public void close()
    {
        releaseReads();
        super.close();
    }
}
