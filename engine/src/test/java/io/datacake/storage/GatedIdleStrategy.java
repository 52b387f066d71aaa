package io.datacake.storage;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An idle strategy that holds its thread (a storage writer thread, say) in its first idle until opened, so a test
 * knows that thread takes no turn meanwhile.
 */
public final class GatedIdleStrategy implements IdleStrategy
{
    private static final long DEADLINE_SECONDS = 60;

    private final CountDownLatch idle = new CountDownLatch(1);
    private final CountDownLatch gate = new CountDownLatch(1);

    /**
     * {@inheritDoc}
     */
    public void idle(final int workCount)
    {
        if (0 == workCount)
        {
            idle();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void idle()
    {
        idle.countDown();
        try
        {
            gate.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void reset()
    {
    }

    /**
     * Wait until the thread is held in its idle.
     *
     * @throws InterruptedException if interrupted.
     */
    public void awaitHeld() throws InterruptedException
    {
        assertThat(idle.await(DEADLINE_SECONDS, TimeUnit.SECONDS)).as("thread held in its idle").isTrue();
    }

    /**
     * Let the thread run on; idempotent.
     */
    public void open()
    {
        gate.countDown();
    }
}
