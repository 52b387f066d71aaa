package io.datacake.sim;

import java.util.SplittableRandom;

/**
 * Seeded random storage faults: each commit fails with a fixed probability, and a commit that goes through becomes
 * durable after a uniformly distributed delay.
 */
public final class RandomStorageFaults implements StorageFaults
{
    private final SplittableRandom random;
    private final double commitFailureRate;
    private final long minSyncDelayMs;
    private final long maxSyncDelayMs;

    /**
     * Create the faults.
     *
     * @param seed              seeds the random source.
     * @param commitFailureRate probability that a commit fails, 0..1.
     * @param minSyncDelayMs    smallest delay until a commit is durable, not negative.
     * @param maxSyncDelayMs    largest delay, at least minSyncDelayMs.
     * @throws IllegalArgumentException if the rate or a delay is out of range.
     */
    public RandomStorageFaults(
        final long seed, final double commitFailureRate, final long minSyncDelayMs, final long maxSyncDelayMs)
    {
        if (!(commitFailureRate >= 0 && commitFailureRate <= 1))
        {
            throw new IllegalArgumentException("commitFailureRate must be in 0..1: " + commitFailureRate);
        }
        if (minSyncDelayMs < 0 || maxSyncDelayMs < minSyncDelayMs)
        {
            throw new IllegalArgumentException("delays must satisfy 0 <= minSyncDelayMs <= maxSyncDelayMs: " +
                minSyncDelayMs + ", " + maxSyncDelayMs);
        }
        this.random = new SplittableRandom(seed);
        this.commitFailureRate = commitFailureRate;
        this.minSyncDelayMs = minSyncDelayMs;
        this.maxSyncDelayMs = maxSyncDelayMs;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean failsCommit(final String storageName, final int operationCount)
    {
        return commitFailureRate > 0 && random.nextDouble() < commitFailureRate;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public long syncDelayMs(final String storageName, final int operationCount)
    {
        return minSyncDelayMs == maxSyncDelayMs ? minSyncDelayMs : random.nextLong(minSyncDelayMs, maxSyncDelayMs + 1);
    }
}
