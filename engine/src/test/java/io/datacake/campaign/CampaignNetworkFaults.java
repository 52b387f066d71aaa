package io.datacake.campaign;

import io.datacake.sim.NetworkFaults;

import java.util.SplittableRandom;

/**
 * Network faults a campaign turns on and off: while on, each frame is lost, duplicated and delayed at the seed's
 * rates; while off, the network is fault free. Counts the copies it duplicated and delayed.
 */
final class CampaignNetworkFaults implements NetworkFaults
{
    private final SplittableRandom random;
    private final double lossRate;
    private final double duplicateRate;
    private final long maxDelayMs;
    private boolean on;
    private long duplicated;
    private long delayed;

    CampaignNetworkFaults(final long seed, final double lossRate, final double duplicateRate, final long maxDelayMs)
    {
        this.random = new SplittableRandom(seed);
        this.lossRate = lossRate;
        this.duplicateRate = duplicateRate;
        this.maxDelayMs = maxDelayMs;
    }

    void on(final boolean on)
    {
        this.on = on;
    }

    long duplicated()
    {
        return duplicated;
    }

    long delayed()
    {
        return delayed;
    }

    public int copies(final String source, final String destination, final int length)
    {
        if (!on)
        {
            return 1;
        }
        if (random.nextDouble() < lossRate)
        {
            return 0;
        }
        if (random.nextDouble() < duplicateRate)
        {
            duplicated++;
            return 2;
        }
        return 1;
    }

    public long delayMs(final String source, final String destination)
    {
        if (!on)
        {
            return NO_FAULT_DELAY_MS;
        }
        final long delayMs = NO_FAULT_DELAY_MS + random.nextLong(maxDelayMs + 1);
        if (delayMs > NO_FAULT_DELAY_MS)
        {
            delayed++;
        }
        return delayMs;
    }
}
