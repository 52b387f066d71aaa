package io.datacake.sim;

import java.util.SplittableRandom;

/**
 * Seeded random faults: independent loss and duplication per frame, and a uniformly distributed delay per copy
 * (which reorders frames whose delays cross).
 */
public final class RandomNetworkFaults implements NetworkFaults
{
    /** Most copies one frame can turn into. */
    static final int MAX_COPIES = 2;

    private final SplittableRandom random;
    private final double lossRate;
    private final double duplicateRate;
    private final long minDelayMs;
    private final long maxDelayMs;

    /**
     * Create the faults.
     *
     * @param seed          seeds the random source.
     * @param lossRate      probability that a frame is dropped, 0..1.
     * @param duplicateRate probability that a delivered frame arrives twice, 0..1.
     * @param minDelayMs    smallest delay.
     * @param maxDelayMs    largest delay, at least minDelayMs.
     * @throws IllegalArgumentException if a rate or delay is out of range.
     */
    public RandomNetworkFaults(
        final long seed,
        final double lossRate,
        final double duplicateRate,
        final long minDelayMs,
        final long maxDelayMs)
    {
        if (lossRate < 0 || lossRate > 1 || duplicateRate < 0 || duplicateRate > 1)
        {
            throw new IllegalArgumentException(
                "rates must be in 0..1: lossRate=" + lossRate + " duplicateRate=" + duplicateRate);
        }
        if (minDelayMs < 0 || maxDelayMs < minDelayMs)
        {
            throw new IllegalArgumentException(
                "delays must satisfy 0 <= minDelayMs <= maxDelayMs: " + minDelayMs + ", " + maxDelayMs);
        }
        this.random = new SplittableRandom(seed);
        this.lossRate = lossRate;
        this.duplicateRate = duplicateRate;
        this.minDelayMs = minDelayMs;
        this.maxDelayMs = maxDelayMs;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int copies(final String source, final String destination, final int length)
    {
        if (random.nextDouble() < lossRate)
        {
            return 0;
        }
        return random.nextDouble() < duplicateRate ? MAX_COPIES : 1;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public long delayMs(final String source, final String destination)
    {
        return minDelayMs == maxDelayMs ? minDelayMs : random.nextLong(minDelayMs, maxDelayMs + 1);
    }
}
