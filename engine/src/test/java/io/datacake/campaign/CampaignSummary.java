package io.datacake.campaign;

import org.agrona.collections.LongArrayList;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;

/**
 * Totals over a campaign's seeds: faults by kind, what was checked, what failed, and the distribution of the
 * virtual time each seed took to converge after its heal.
 */
final class CampaignSummary
{
    private final EnumMap<FaultKind, Long> faults = new EnumMap<>(FaultKind.class);
    private final LongArrayList convergenceMs = new LongArrayList();
    private final List<SeedResult> failures = new ArrayList<>();
    private final EnumMap<CampaignSettings.StorageMode, Long> seedsByStorage =
        new EnumMap<>(CampaignSettings.StorageMode.class);
    private long seeds;
    private long minNodes = Long.MAX_VALUE;
    private long maxNodes;
    private long operations;
    private long writesAcknowledged;
    private long writesRequiredToSurvive;
    private long lostWrites;
    private long readsChecked;
    private long keysChecked;
    private long deletesSuperseded;
    private long stampRegressionsAcrossRestarts;
    private long virtualMs;
    private long wallMs;

    void add(final SeedResult result)
    {
        seeds++;
        minNodes = Math.min(minNodes, result.settings.nodeCount);
        maxNodes = Math.max(maxNodes, result.settings.nodeCount);
        seedsByStorage.merge(result.settings.storageMode, 1L, Long::sum);
        result.faults.forEach((kind, count) -> faults.merge(kind, count, Long::sum));
        operations += result.operations;
        writesAcknowledged += result.writesAcknowledged;
        writesRequiredToSurvive += result.writesRequiredToSurvive;
        lostWrites += result.lostWrites;
        readsChecked += result.readsChecked;
        keysChecked += result.keysChecked;
        deletesSuperseded += result.deletesSuperseded;
        stampRegressionsAcrossRestarts += result.stampRegressionsAcrossRestarts;
        virtualMs += result.virtualMs;
        wallMs += result.wallMs;
        if (result.convergenceMs >= 0)
        {
            convergenceMs.addLong(result.convergenceMs);
        }
        if (!result.passed())
        {
            failures.add(result);
        }
    }

    List<SeedResult> failures()
    {
        return failures;
    }

    long lostWrites()
    {
        return lostWrites;
    }

    /**
     * The convergence time at a percentile, nearest rank.
     *
     * @param percentile 0..100.
     * @return virtual milliseconds, or -1 if no seed converged.
     */
    long convergencePercentileMs(final double percentile)
    {
        if (convergenceMs.isEmpty())
        {
            return -1;
        }
        final long[] sorted = convergenceMs.toLongArray();
        Arrays.sort(sorted);
        final int rank = (int)Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    String report()
    {
        final StringBuilder out = new StringBuilder();
        out.append("seeds run: ").append(seeds).append(" (").append(failures.size()).append(" failed), nodes ")
            .append(minNodes).append("..").append(maxNodes).append(", storage ").append(seedsByStorage).append('\n');
        out.append("faults injected: ").append(faults).append('\n');
        out.append("operations: ").append(operations).append(", reads checked: ").append(readsChecked)
            .append(", keys checked: ").append(keysChecked).append('\n');
        out.append("acknowledged key writes: ").append(writesAcknowledged).append(", required to survive: ")
            .append(writesRequiredToSurvive).append(", lost: ").append(lostWrites).append('\n');
        out.append("acknowledged deletes beaten by an older put's later stamp: ").append(deletesSuperseded)
            .append(", stamp regressions across restarts: ").append(stampRegressionsAcrossRestarts).append('\n');
        out.append("convergence after heal (virtual ms): p50 ").append(convergencePercentileMs(50))
            .append(", p90 ").append(convergencePercentileMs(90)).append(", p99 ")
            .append(convergencePercentileMs(99)).append(", max ").append(convergencePercentileMs(100))
            .append(" over ").append(convergenceMs.size()).append(" seeds\n");
        out.append("virtual time: ").append(virtualMs).append(" ms, wall time: ").append(wallMs).append(" ms\n");
        return out.toString();
    }
}
