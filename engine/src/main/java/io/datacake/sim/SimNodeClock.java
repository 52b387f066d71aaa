package io.datacake.sim;

import org.agrona.concurrent.EpochClock;

/**
 * One node's wall clock in a {@link Simulation}: the shared virtual time plus an offset (where the clock was set)
 * plus a drift that grows with elapsed virtual time (how fast it runs), in parts per million:
 * {@code time = virtual + offsetMs + driftPpm * (virtual - driftSinceMs) / 1,000,000 + drift accumulated before}.
 * <p>
 * Both can change during a run. Changing the drift rate keeps the clock continuous (the drift accumulated so far is
 * kept); changing the offset steps the clock, forwards or backwards, as an operator or NTP step would. Integer
 * arithmetic only, so a run is the same on every machine. Single threaded, like the simulation.
 */
public final class SimNodeClock implements EpochClock
{
    /** Largest drift rate either way: the clock always runs forward, at half to one and a half times real speed. */
    public static final long MAX_DRIFT_PPM = 500_000;

    private static final long PPM = 1_000_000;

    private final SimClock virtualClock;
    private long offsetMs;
    private long driftPpm;
    private long driftSinceMs;
    private long driftBeforeMs;

    /**
     * A clock that reads the virtual time exactly until an offset or drift is set.
     *
     * @param virtualClock the simulation's virtual time.
     */
    public SimNodeClock(final SimClock virtualClock)
    {
        this.virtualClock = virtualClock;
        this.driftSinceMs = virtualClock.time();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public long time()
    {
        return virtualClock.time() + offsetMs + driftMs(virtualClock.time());
    }

    /**
     * Set the clock's offset from virtual time (a clock step).
     *
     * @param offsetMs milliseconds ahead (positive) or behind (negative) virtual time, before drift.
     * @return this.
     * @throws IllegalArgumentException if the clock would read before the epoch now.
     */
    public SimNodeClock offsetMs(final long offsetMs)
    {
        final long now = virtualClock.time();
        if (now + offsetMs + driftMs(now) < 0)
        {
            throw new IllegalArgumentException("offsetMs " + offsetMs + " puts the clock before the epoch at " +
                "virtual time " + now + ": use a smaller step back");
        }
        this.offsetMs = offsetMs;
        return this;
    }

    /**
     * The offset from virtual time, before drift.
     *
     * @return milliseconds.
     */
    public long offsetMs()
    {
        return offsetMs;
    }

    /**
     * Set how fast the clock runs from now on; the drift accumulated so far is kept, so the clock does not jump.
     *
     * @param driftPpm parts per million faster (positive) or slower (negative) than virtual time, at most
     *                 {@link #MAX_DRIFT_PPM} either way (a real quartz clock drifts tens of ppm).
     * @return this.
     * @throws IllegalArgumentException if the rate is out of range.
     */
    public SimNodeClock driftPpm(final long driftPpm)
    {
        if (driftPpm < -MAX_DRIFT_PPM || driftPpm > MAX_DRIFT_PPM)
        {
            throw new IllegalArgumentException(
                "driftPpm must be in -" + MAX_DRIFT_PPM + ".." + MAX_DRIFT_PPM + " (MAX_DRIFT_PPM): " + driftPpm);
        }
        final long now = virtualClock.time();
        driftBeforeMs = driftMs(now);
        driftSinceMs = now;
        this.driftPpm = driftPpm;
        return this;
    }

    /**
     * The drift rate.
     *
     * @return parts per million.
     */
    public long driftPpm()
    {
        return driftPpm;
    }

    /**
     * How far this clock is from virtual time now, offset and drift together.
     *
     * @return milliseconds ahead (positive) or behind (negative).
     */
    public long skewMs()
    {
        return offsetMs + driftMs(virtualClock.time());
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "SimNodeClock{offsetMs=" + offsetMs + ", driftPpm=" + driftPpm + ", skewMs=" + skewMs() + "}";
    }

    private long driftMs(final long virtualNowMs)
    {
        // floorDiv keeps a slow clock monotonic: the drift steps down exactly when a whole millisecond is lost.
        return driftBeforeMs + Math.floorDiv((virtualNowMs - driftSinceMs) * driftPpm, PPM);
    }
}
