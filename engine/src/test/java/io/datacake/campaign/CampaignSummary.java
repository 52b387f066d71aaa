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
    /** Upper bounds (inclusive) of the convergence histogram's buckets, virtual ms. */
    static final long[] CONVERGENCE_BUCKET_BOUNDS_MS = {
        100, 250, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000, CampaignRun.CONVERGENCE_BOUND_MS};

    private final LongArrayList convergenceMs = new LongArrayList();
    private final LongArrayList gossipConvergenceMs = new LongArrayList();
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
    private long gossipSeeds;
    private long membersMarkedDead;
    private long membersRevived;
    private long restartsDetected;
    private long writesAcknowledgedOnPartialView;
    private long writesRefusedWhileViewForming;
    private final LongArrayList membershipFormedMs = new LongArrayList();
    private final long[] seedsByNodeCount = new long[CampaignSettings.LARGE_NODES + 1];
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
        seedsByNodeCount[Math.min(result.settings.nodeCount, CampaignSettings.LARGE_NODES)]++;
        if (result.settings.gossip())
        {
            gossipSeeds++;
        }
        membersMarkedDead += result.membersMarkedDead;
        membersRevived += result.membersRevived;
        restartsDetected += result.restartsDetected;
        writesAcknowledgedOnPartialView += result.writesAcknowledgedOnPartialView;
        writesRefusedWhileViewForming += result.writesRefusedWhileViewForming;
        if (result.membershipFormedMs >= 0)
        {
            membershipFormedMs.addLong(result.membershipFormedMs);
        }
        virtualMs += result.virtualMs;
        wallMs += result.wallMs;
        if (result.convergenceMs >= 0)
        {
            convergenceMs.addLong(result.convergenceMs);
            if (result.settings.gossip())
            {
                gossipConvergenceMs.addLong(result.convergenceMs);
            }
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
        return percentile(convergenceMs, percentile);
    }

    private static long percentile(final LongArrayList values, final double percentile)
    {
        if (values.isEmpty())
        {
            return -1;
        }
        final long[] sorted = values.toLongArray();
        Arrays.sort(sorted);
        final int rank = (int)Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /**
     * The convergence times as counts per bucket of {@link #CONVERGENCE_BUCKET_BOUNDS_MS}.
     *
     * @return e.g. " <=100: 12, <=250: 40, ...".
     */
    String histogram()
    {
        final long[] counts = new long[CONVERGENCE_BUCKET_BOUNDS_MS.length];
        for (int i = 0; i < convergenceMs.size(); i++)
        {
            final long value = convergenceMs.getLong(i);
            int bucket = 0;
            while (bucket < counts.length - 1 && value > CONVERGENCE_BUCKET_BOUNDS_MS[bucket])
            {
                bucket++;
            }
            counts[bucket]++;
        }
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < counts.length; i++)
        {
            out.append(0 == i ? " <=" : ", <=").append(CONVERGENCE_BUCKET_BOUNDS_MS[i]).append(": ").append(counts[i]);
        }
        return out.toString();
    }

    String report()
    {
        final StringBuilder out = new StringBuilder();
        out.append("seeds run: ").append(seeds).append(" (").append(failures.size()).append(" failed), nodes ")
            .append(minNodes).append("..").append(maxNodes).append(", storage ").append(seedsByStorage).append('\n');
        out.append("seeds by cluster size:");
        for (int nodes = 0; nodes < seedsByNodeCount.length; nodes++)
        {
            if (seedsByNodeCount[nodes] > 0)
            {
                out.append(' ').append(nodes).append('=').append(seedsByNodeCount[nodes]);
            }
        }
        out.append(", gossip membership: ").append(gossipSeeds).append(" (static views: ").append(seeds - gossipSeeds)
            .append(")\n");
        out.append("membership: formed in p50 ").append(percentile(membershipFormedMs, 50)).append(" / max ")
            .append(percentile(membershipFormedMs, 100)).append(" virtual ms; members marked dead ")
            .append(membersMarkedDead).append(", revived ").append(membersRevived).append(", restarts detected ")
            .append(restartsDetected).append(", key writes at QUORUM or ALL acknowledged on a partial view ")
            .append(writesAcknowledgedOnPartialView).append(", writes refused while the view was forming ")
            .append(writesRefusedWhileViewForming).append('\n');
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
            .append(" over ").append(convergenceMs.size()).append(" seeds (gossip seeds: p50 ")
            .append(percentile(gossipConvergenceMs, 50)).append(", p90 ").append(percentile(gossipConvergenceMs, 90))
            .append(", max ").append(percentile(gossipConvergenceMs, 100)).append(")\n");
        out.append("convergence histogram (virtual ms, seeds):").append(histogram()).append('\n');
        out.append("virtual time: ").append(virtualMs).append(" ms, wall time: ").append(wallMs).append(" ms\n");
        return out.toString();
    }
}
