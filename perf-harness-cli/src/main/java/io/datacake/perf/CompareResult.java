package io.datacake.perf;

import org.HdrHistogram.Histogram;

/**
 * What one target's turn in {@code perf-harness compare} measured.
 *
 * @param target        the target's name.
 * @param members       its members.
 * @param succeeded     measured puts acknowledged.
 * @param failed        measured puts that failed or timed out.
 * @param stillInFlight puts not completed when the drain gave up.
 * @param measuredNs    from the first measured put's start to the end of the drain.
 * @param latency       latency of the acknowledged measured puts, in ns, from each put's intended start (its actual
 *                      start when unthrottled).
 * @param convergenceMs from the end of the drain until every member held every key's last written value;
 *                      {@link RunResult#NOT_CONVERGED} or {@link RunResult#NOT_CHECKED}.
 * @param keysWritten   keys written at least once, warm-up included.
 * @param staleKeys     keys whose last written value a member lacked at the last check, summed over members; -1
 *                      when not checked.
 * @param stopped       true when a signal stopped the turn early.
 */
record CompareResult(
    String target,
    int members,
    long succeeded,
    long failed,
    long stillInFlight,
    long measuredNs,
    Histogram latency,
    long convergenceMs,
    long keysWritten,
    long staleKeys,
    boolean stopped)
{
    /**
     * @return acknowledged measured puts per second.
     */
    double throughput()
    {
        return 0 == measuredNs ? 0 : succeeded * 1e9 / measuredNs;
    }

    /**
     * @param percentile 0..100.
     * @return the latency at the percentile in ns, 0 when nothing was measured.
     */
    long latencyNs(final double percentile)
    {
        return 0 == latency.getTotalCount() ? 0 : latency.getValueAtPercentile(percentile);
    }

    /**
     * @return true when the members converged.
     */
    boolean converged()
    {
        return convergenceMs >= 0;
    }
}
