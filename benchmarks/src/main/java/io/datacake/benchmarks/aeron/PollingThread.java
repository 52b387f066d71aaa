package io.datacake.benchmarks.aeron;

import org.agrona.concurrent.IdleStrategy;

import java.util.function.IntSupplier;

/**
 * The far side's thread of a benchmark pair (the echoer of a ping-pong, the drain of a one-way stream): polls until
 * stopped, idling when a poll did no work. A stepped pair never starts it and polls the far side on the benchmark
 * thread instead, but still asks {@link #isRunning()} whether to keep retrying a send.
 */
final class PollingThread
{
    private final Thread thread;
    private final IdleStrategy idle;
    private final IntSupplier poll;
    private volatile boolean running = true;
    private boolean started;

    /**
     * @param name the thread's name.
     * @param idle how the thread waits after a poll that did no work.
     * @param poll one poll of the far side, returning the work done.
     */
    PollingThread(final String name, final IdleStrategy idle, final IntSupplier poll)
    {
        this.idle = idle;
        this.poll = poll;
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    /**
     * Start polling.
     *
     * @return this.
     */
    PollingThread start()
    {
        started = true;
        thread.start();
        return this;
    }

    /**
     * @return true if the thread was started: the far side is polled there, not on the benchmark thread.
     */
    boolean isStarted()
    {
        return started;
    }

    /**
     * @return false once {@link #stop()} was called.
     */
    boolean isRunning()
    {
        return running;
    }

    /**
     * Stop polling and wait for the thread to end, so the caller may then close what it polled.
     */
    void stop()
    {
        running = false;
        if (started)
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run()
    {
        while (running)
        {
            idle.idle(poll.getAsInt());
        }
    }
}
