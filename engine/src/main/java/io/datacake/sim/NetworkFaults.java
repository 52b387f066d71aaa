package io.datacake.sim;

/**
 * Decides what the simulated network does to each frame: how many copies arrive (0 drops it, 2 or more duplicate
 * it) and how late each copy arrives (different delays reorder frames). Production code behind an interface, like
 * Aeron's loss generators, so the same faults can later wrap a real transport. Implementations must be
 * deterministic for a given seed and call order.
 */
public interface NetworkFaults
{
    /** No faults: every frame arrives once, after {@link #NO_FAULT_DELAY_MS}. */
    NetworkFaults NONE = new NetworkFaults()
    {
        public int copies(final String source, final String destination, final int length)
        {
            return 1;
        }

        public long delayMs(final String source, final String destination)
        {
            return NO_FAULT_DELAY_MS;
        }
    };

    /** Latency of a fault-free link. */
    long NO_FAULT_DELAY_MS = 1;

    /**
     * How many copies of a frame to deliver.
     *
     * @param source      sending endpoint.
     * @param destination receiving endpoint.
     * @param length      frame length in bytes.
     * @return 0 to drop, 1 to deliver, more to duplicate.
     */
    int copies(String source, String destination, int length);

    /**
     * Delay of one copy.
     *
     * @param source      sending endpoint.
     * @param destination receiving endpoint.
     * @return milliseconds of virtual time, not negative.
     */
    long delayMs(String source, String destination);
}
