package io.datacake.membership;

/**
 * Phi-accrual failure detector for one member: keeps a bounded window of heartbeat inter-arrival times and turns the
 * silence since the last heartbeat into a suspicion level phi, the negative decimal logarithm of the probability
 * that a heartbeat would still be this late. Arrivals are modelled as a Poisson process, so with mean interval m,
 * {@code phi(t) = t / (m * ln 10)}: phi 8 means one chance in 10^8, reached after about 18.4 mean intervals.
 * <p>
 * The mean is smoothed with {@link #PRIOR_WEIGHT} pseudo-samples of the initial interval, so a member heard only a
 * few times is judged by the configured expectation rather than one or two lucky samples. Intervals longer than the
 * maximum are not sampled: such a gap means the member was away (or this node was), not that it beats slowly.
 * <p>
 * Pure: time is passed in. Not thread safe. The window grows on demand up to its bound and then allocates nothing.
 */
public final class PhiAccrualDetector
{
    /**
     * Default phi above which a member is considered dead: 4, crossed 4 · ln 10 = 9.2 mean heartbeat intervals after
     * the last heartbeat heard. Chitchat's 8 (18.4 intervals) kept crash detection at 100 nodes and a 300 ms gossip
     * interval near 8 s; 4 brings it near 4.5 s, and in the simulated campaign it marked no running member dead over
     * 30 s of 50% frame loss, nor let a node stepping ten times slower accuse a healthy one. Local health still
     * multiplies it for a node that is itself lagging.
     */
    public static final double DEFAULT_PHI_THRESHOLD = 4.0;

    /** Default number of inter-arrival samples kept. */
    public static final int DEFAULT_SAMPLING_WINDOW = 1_000;

    /** Default longest interval that is sampled. */
    public static final long DEFAULT_MAX_INTERVAL_MS = 10_000;

    /** Default expected interval before (and blended with) samples. */
    public static final long DEFAULT_INITIAL_INTERVAL_MS = 5_000;

    /** Largest sampling window accepted. */
    public static final int MAX_SAMPLING_WINDOW = 1 << 16;

    /** Weight of the initial interval in the mean, in samples. */
    public static final int PRIOR_WEIGHT = 5;

    private static final double LN_10 = Math.log(10);
    private static final long NO_HEARTBEAT = Long.MIN_VALUE;
    private static final int INITIAL_WINDOW_CAPACITY = 16;

    private final int samplingWindow;
    private final long maxIntervalMs;
    private final long initialIntervalMs;
    private int[] intervals;
    private int head;
    private int size;
    private long sumMs;
    private long lastHeartbeatMs = NO_HEARTBEAT;

    /**
     * @param samplingWindow    inter-arrival samples kept, 1 to {@link #MAX_SAMPLING_WINDOW}.
     * @param maxIntervalMs     longest interval sampled, > 0 and at most {@link Integer#MAX_VALUE}.
     * @param initialIntervalMs expected interval with no samples, > 0.
     * @throws IllegalArgumentException if a setting is out of range.
     */
    public PhiAccrualDetector(final int samplingWindow, final long maxIntervalMs, final long initialIntervalMs)
    {
        if (samplingWindow < 1 || samplingWindow > MAX_SAMPLING_WINDOW)
        {
            throw new IllegalArgumentException("sampling window must be 1.." + MAX_SAMPLING_WINDOW + ", got " +
                samplingWindow);
        }
        if (maxIntervalMs <= 0 || maxIntervalMs > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("max interval must be 1.." + Integer.MAX_VALUE + " ms, got " +
                maxIntervalMs);
        }
        if (initialIntervalMs <= 0)
        {
            throw new IllegalArgumentException("initial interval must be > 0 ms, got " + initialIntervalMs);
        }
        this.samplingWindow = samplingWindow;
        this.maxIntervalMs = maxIntervalMs;
        this.initialIntervalMs = initialIntervalMs;
        this.intervals = new int[Math.min(INITIAL_WINDOW_CAPACITY, samplingWindow)];
    }

    /**
     * Record a heartbeat arrival.
     *
     * @param nowMs the arrival time.
     */
    public void heartbeat(final long nowMs)
    {
        if (NO_HEARTBEAT != lastHeartbeatMs)
        {
            final long intervalMs = nowMs - lastHeartbeatMs;
            if (intervalMs > 0 && intervalMs <= maxIntervalMs)
            {
                addSample((int)intervalMs);
            }
        }
        if (NO_HEARTBEAT == lastHeartbeatMs || nowMs > lastHeartbeatMs)
        {
            lastHeartbeatMs = nowMs;
        }
    }

    /**
     * @param nowMs the current time.
     * @return the suspicion level; 0 before the first heartbeat or at the moment of one.
     */
    public double phi(final long nowMs)
    {
        if (NO_HEARTBEAT == lastHeartbeatMs)
        {
            return 0.0;
        }
        final long elapsedMs = Math.max(0, nowMs - lastHeartbeatMs);
        return elapsedMs / (meanIntervalMs() * LN_10);
    }

    /**
     * @return the smoothed mean inter-arrival time.
     */
    public double meanIntervalMs()
    {
        return (sumMs + (double)initialIntervalMs * PRIOR_WEIGHT) / (size + PRIOR_WEIGHT);
    }

    /**
     * @return the number of samples in the window.
     */
    public int sampleCount()
    {
        return size;
    }

    /**
     * @return true once a heartbeat has been recorded.
     */
    public boolean hasHeartbeat()
    {
        return NO_HEARTBEAT != lastHeartbeatMs;
    }

    /**
     * @return the time of the latest heartbeat, {@link Long#MIN_VALUE} if none.
     */
    public long lastHeartbeatMs()
    {
        return lastHeartbeatMs;
    }

    /**
     * Discount a pause of this node: silence while this node could not listen says nothing about the member, so the
     * last heartbeat is moved that much later (never past {@code nowMs}).
     *
     * @param pausedMs how long this node was paused, >= 0.
     * @param nowMs    the current time.
     */
    public void pause(final long pausedMs, final long nowMs)
    {
        if (NO_HEARTBEAT != lastHeartbeatMs && pausedMs > 0)
        {
            lastHeartbeatMs = Math.max(lastHeartbeatMs, Math.min(nowMs, lastHeartbeatMs + pausedMs));
        }
    }

    /**
     * Forget every sample and the last heartbeat, as for a member that restarted.
     */
    public void reset()
    {
        head = 0;
        size = 0;
        sumMs = 0;
        lastHeartbeatMs = NO_HEARTBEAT;
    }

    private void addSample(final int intervalMs)
    {
        if (size == samplingWindow)
        {
            final int oldest = (head - size + intervals.length) % intervals.length;
            sumMs -= intervals[oldest];
            size--;
        }
        else if (size == intervals.length)
        {
            grow();
        }
        intervals[head] = intervalMs;
        head = (head + 1) % intervals.length;
        sumMs += intervalMs;
        size++;
    }

    private void grow()
    {
        final int capacity = Math.min(samplingWindow, intervals.length * 2);
        final int[] grown = new int[capacity];
        for (int i = 0; i < size; i++)
        {
            grown[i] = intervals[(head - size + i + intervals.length) % intervals.length];
        }
        intervals = grown;
        head = size % capacity;
    }
}
