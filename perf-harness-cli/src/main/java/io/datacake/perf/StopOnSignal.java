package io.datacake.perf;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns SIGINT/SIGTERM (Ctrl-C, {@code kill}) into an orderly stop of a run: a JVM shutdown hook calls the stop
 * action, then holds the JVM until the run has reported and cleaned up ({@link #close()}), for at most a bounded
 * time. Without it the JVM would exit mid-run, print nothing and leave the cluster's files behind.
 */
final class StopOnSignal implements AutoCloseable
{
    private final Thread hook;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean signalled;

    /**
     * Register the shutdown hook.
     *
     * @param stopAction called on the hook's thread when a signal arrives; must return promptly.
     * @param maxWaitMs  longest the hook holds the JVM for the run to finish after the stop action.
     */
    StopOnSignal(final Runnable stopAction, final long maxWaitMs)
    {
        hook = new Thread(() ->
        {
            signalled = true;
            stopAction.run();
            try
            {
                if (!finished.await(maxWaitMs, TimeUnit.MILLISECONDS))
                {
                    System.err.println("perf-harness: the run did not stop within " + maxWaitMs + " ms; exiting");
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "perf-harness-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * @return true once a signal asked the run to stop.
     */
    boolean signalled()
    {
        return signalled;
    }

    /**
     * The run has reported and cleaned up: release the hook if it is waiting, else unregister it.
     */
    public void close()
    {
        finished.countDown();
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ex)
        {
            // The JVM is shutting down: the hook is running (or ran) and has just been released.
        }
    }
}
