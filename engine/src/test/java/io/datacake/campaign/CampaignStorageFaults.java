package io.datacake.campaign;

import io.datacake.sim.StorageFaults;

import java.util.SplittableRandom;

/**
 * Storage faults a campaign turns on and off. The write-back disk always makes a commit durable up to
 * {@code maxSyncDelayMs} after it returns; while faults are on, commits also fail at the seed's rate.
 */
final class CampaignStorageFaults implements StorageFaults
{
    private final SplittableRandom random;
    private final double commitFailureRate;
    private final long maxSyncDelayMs;
    private boolean on;

    CampaignStorageFaults(final long seed, final double commitFailureRate, final long maxSyncDelayMs)
    {
        this.random = new SplittableRandom(seed);
        this.commitFailureRate = commitFailureRate;
        this.maxSyncDelayMs = maxSyncDelayMs;
    }

    void on(final boolean on)
    {
        this.on = on;
    }

    public boolean failsCommit(final String storageName, final int operationCount)
    {
        return on && commitFailureRate > 0 && random.nextDouble() < commitFailureRate;
    }

    public long syncDelayMs(final String storageName, final int operationCount)
    {
        return 0 == maxSyncDelayMs ? 0 : random.nextLong(maxSyncDelayMs + 1);
    }
}
