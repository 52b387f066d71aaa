package io.datacake.benchmarks.aeron;

/**
 * Sends messages one way as fast as the receiver drains them.
 */
public interface OneWaySender extends AutoCloseable
{
    /**
     * Send one message, retrying (with the application idle strategy) until it is accepted.
     */
    void send();

    /**
     * How many messages the receiver has seen.
     *
     * @return the received count.
     */
    long received();

    /**
     * Stop the receiver and release everything.
     */
    @Override
    void close();
}
