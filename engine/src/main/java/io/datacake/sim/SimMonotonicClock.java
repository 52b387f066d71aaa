package io.datacake.sim;

import org.agrona.concurrent.NanoClock;

/**
 * One node's monotonic clock in a {@link Simulation}: the shared virtual time from a per-node origin, as a machine's
 * {@link System#nanoTime()} counts from its own boot. It moves only forward, exactly with virtual time, and is
 * independent of the node's wall clock ({@link SimNodeClock}): stepping or drifting the wall clock does not touch
 * it, so a simulation can test that timers and deadlines ignore wall clock steps. Its origin differs per node, so a
 * monotonic time carried to another node shows up as nonsense there. Survives crashes and restarts, as hardware
 * would. Single threaded, like the simulation.
 */
public final class SimMonotonicClock implements NanoClock
{
    /** Time every node's monotonic clock has counted before the simulation starts: an hour of uptime. */
    public static final long BASE_ORIGIN_MS = 3_600_000;

    /** Further time per node id, so that no two nodes share an origin: a minute apart. */
    public static final long ORIGIN_SPACING_MS = 60_000;

    private static final long NANOS_PER_MS = 1_000_000;

    private final SimClock virtualClock;
    private final long originMs;

    /**
     * The monotonic clock of a node.
     *
     * @param virtualClock the simulation's virtual time.
     * @param nodeId       the node id, which sets the origin.
     */
    public SimMonotonicClock(final SimClock virtualClock, final int nodeId)
    {
        this.virtualClock = virtualClock;
        this.originMs = BASE_ORIGIN_MS + ORIGIN_SPACING_MS * nodeId - virtualClock.time();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public long nanoTime()
    {
        return timeMs() * NANOS_PER_MS;
    }

    /**
     * The clock's reading in milliseconds.
     *
     * @return milliseconds since this node's origin.
     */
    public long timeMs()
    {
        return virtualClock.time() + originMs;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "SimMonotonicClock{timeMs=" + timeMs() + "}";
    }
}
