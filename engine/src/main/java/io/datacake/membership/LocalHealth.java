package io.datacake.membership;

/**
 * How much this node trusts its own view, in the manner of Lifeguard's local health multiplier: a score from 0
 * (healthy) to a bound that rises on evidence that this node itself is falling behind and falls as it keeps up.
 * A lagging node (a stalled duty cycle, starved CPU, a congested link) sees everyone's heartbeats late, so it scales
 * its suspicion threshold by {@link #multiplier()} = score + 1 and doubts itself before it accuses healthy peers.
 * <p>
 * Evidence against this node: a duty-cycle tick arriving more than {@link #STALL_FACTOR} expected intervals after
 * the previous one, a probe (for example a gossip SYN) left unanswered, and a refutation (a peer suspected this
 * node, which is alive). Evidence for it: an answered probe, and each run of {@code healthyTicksToDecay} on-time
 * ticks. Pure: time is passed in. Not thread safe.
 */
public final class LocalHealth
{
    /** Default upper bound of the score, as in Lifeguard. */
    public static final int DEFAULT_MAX_SCORE = 8;

    /** Default number of consecutive on-time ticks that lower the score by one. */
    public static final int DEFAULT_HEALTHY_TICKS_TO_DECAY = 10;

    /** A tick later than this many expected intervals after the previous one counts as a stall. */
    public static final int STALL_FACTOR = 2;

    private static final long NO_TICK = Long.MIN_VALUE;

    private final int maxScore;
    private final long tickIntervalMs;
    private final int healthyTicksToDecay;
    private int score;
    private int healthyTicks;
    private long lastTickMs = NO_TICK;
    private long stallCount;

    /**
     * @param maxScore            upper bound of the score, >= 0 (0 disables the adjustment).
     * @param tickIntervalMs      expected interval between duty-cycle ticks, > 0.
     * @param healthyTicksToDecay consecutive on-time ticks that lower the score by one, >= 1.
     * @throws IllegalArgumentException if a setting is out of range.
     */
    public LocalHealth(final int maxScore, final long tickIntervalMs, final int healthyTicksToDecay)
    {
        if (maxScore < 0)
        {
            throw new IllegalArgumentException("max score must be >= 0, got " + maxScore);
        }
        if (tickIntervalMs <= 0)
        {
            throw new IllegalArgumentException("tick interval must be > 0 ms, got " + tickIntervalMs);
        }
        if (healthyTicksToDecay < 1)
        {
            throw new IllegalArgumentException("healthy ticks to decay must be >= 1, got " + healthyTicksToDecay);
        }
        this.maxScore = maxScore;
        this.tickIntervalMs = tickIntervalMs;
        this.healthyTicksToDecay = healthyTicksToDecay;
    }

    /**
     * Record a duty-cycle tick. A tick that comes too late raises the score; a run of on-time ticks lowers it.
     *
     * @param nowMs the current time.
     */
    public void onTick(final long nowMs)
    {
        if (NO_TICK != lastTickMs)
        {
            if (nowMs - lastTickMs > STALL_FACTOR * tickIntervalMs)
            {
                stallCount++;
                raise();
            }
            else if (++healthyTicks >= healthyTicksToDecay)
            {
                lower();
            }
        }
        if (NO_TICK == lastTickMs || nowMs > lastTickMs)
        {
            lastTickMs = nowMs;
        }
    }

    /**
     * The node thread itself stood still for {@code stallMs} (measured by its owner between duty-cycle turns). Every
     * expected tick interval the stall spans is evidence against this node, so the score rises by the number of
     * intervals missed, at least one and at most to the bound: a long stall leaves the node doubting itself until
     * fresh answers and on-time ticks bring the score back down.
     *
     * @param stallMs how long the thread stood still, > 0.
     * @throws IllegalArgumentException if {@code stallMs} is not positive.
     */
    public void onStall(final long stallMs)
    {
        if (stallMs <= 0)
        {
            throw new IllegalArgumentException("stall must be > 0 ms, got " + stallMs);
        }
        stallCount++;
        final long missed = Math.max(1, stallMs / tickIntervalMs);
        for (long i = 0; i < missed && score < maxScore; i++)
        {
            raise();
        }
        healthyTicks = 0;
    }

    /**
     * A probe this node sent went unanswered within its timeout.
     */
    public void onProbeUnanswered()
    {
        raise();
    }

    /**
     * A probe this node sent was answered in time.
     */
    public void onProbeAnswered()
    {
        lower();
    }

    /**
     * This node had to refute a suspicion about itself (a peer thought it dead while it is alive).
     */
    public void onRefuted()
    {
        raise();
    }

    /**
     * @return the current score, 0 to the maximum.
     */
    public int score()
    {
        return score;
    }

    /**
     * @return the factor by which suspicion thresholds and timeouts are scaled: score + 1.
     */
    public int multiplier()
    {
        return score + 1;
    }

    /**
     * @param phiThreshold the base threshold.
     * @return the threshold scaled by {@link #multiplier()}.
     */
    public double scaledThreshold(final double phiThreshold)
    {
        return phiThreshold * multiplier();
    }

    /**
     * @return how many duty-cycle stalls were seen.
     */
    public long stallCount()
    {
        return stallCount;
    }

    private void raise()
    {
        healthyTicks = 0;
        if (score < maxScore)
        {
            score++;
        }
    }

    private void lower()
    {
        healthyTicks = 0;
        if (score > 0)
        {
            score--;
        }
    }
}
