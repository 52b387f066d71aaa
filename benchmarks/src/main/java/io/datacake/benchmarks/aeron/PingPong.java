package io.datacake.benchmarks.aeron;

/**
 * One request/reply exchange of a fixed message length, repeated; an echo thread answers on the other side.
 */
public interface PingPong extends AutoCloseable
{
    /**
     * Send one message and wait for its echo.
     */
    void roundTrip();

    /**
     * Stop the echo thread and release everything.
     */
    @Override
    void close();
}
