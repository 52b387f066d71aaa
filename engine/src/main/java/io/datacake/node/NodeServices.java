package io.datacake.node;

import io.datacake.clock.HybridLogicalClock;
import io.datacake.rpc.Rpc;
import io.datacake.rpc.RpcService;
import org.agrona.concurrent.EpochClock;

import java.util.ArrayList;
import java.util.random.RandomGenerator;

/**
 * What the node thread offers its components: the clock, the timers, the RPC layer, the counters, and the duty
 * cycle itself, and a seeded random. Handed to every {@link NodeTask} and to every {@link Component} when it
 * starts. Node thread only.
 */
public final class NodeServices
{
    private final int nodeId;
    private final long incarnation;
    private final long clusterId;
    private final HybridLogicalClock clock;
    private final EpochClock epochClock;
    private final NodeTimers timers;
    private final Rpc rpc;
    private final NodeCounters counters;
    private final ArrayList<Duty> duties;
    private final int maxDuties;
    private final RandomGenerator random;

    NodeServices(
        final int nodeId,
        final long incarnation,
        final long clusterId,
        final HybridLogicalClock clock,
        final EpochClock epochClock,
        final NodeTimers timers,
        final Rpc rpc,
        final NodeCounters counters,
        final ArrayList<Duty> duties,
        final int maxDuties,
        final RandomGenerator random)
    {
        this.nodeId = nodeId;
        this.incarnation = incarnation;
        this.clusterId = clusterId;
        this.clock = clock;
        this.epochClock = epochClock;
        this.timers = timers;
        this.rpc = rpc;
        this.counters = counters;
        this.duties = duties;
        this.maxDuties = maxDuties;
        this.random = random;
    }

    /**
     * This node's id.
     *
     * @return the id.
     */
    public int nodeId()
    {
        return nodeId;
    }

    /**
     * Which life of this node id this is ({@link NodeContext#incarnation(long)}).
     *
     * @return the incarnation, 0 if not counted.
     */
    public long incarnation()
    {
        return incarnation;
    }

    /**
     * The cluster id in every frame.
     *
     * @return the id.
     */
    public long clusterId()
    {
        return clusterId;
    }

    /**
     * The monotonic time at the start of the current duty cycle, for durations, deadlines and scheduling: a wall
     * clock stepped back or forward does not move it. The value means nothing outside this node: never persist it
     * or send it.
     *
     * @return milliseconds of the node's {@link NodeContext#nanoClock(org.agrona.concurrent.NanoClock) monotonic
     * clock}.
     */
    public long monotonicMs()
    {
        return timers.monotonicMs();
    }

    /**
     * The wall clock's time now, for what is wall time by nature: times compared with HLC stamps or with other
     * nodes, persisted or sent. Never use it to measure a duration or set a deadline ({@link #monotonicMs()}).
     *
     * @return epoch milliseconds of the node's {@link NodeContext#epochClock(EpochClock) wall clock}.
     */
    public long epochMs()
    {
        return epochClock.time();
    }

    /**
     * The node's hybrid logical clock: stamp writes with {@code send()}, merge remote stamps with {@code recv()}.
     *
     * @return the clock, owned by the node thread.
     */
    public HybridLogicalClock clock()
    {
        return clock;
    }

    /**
     * Timers any component can schedule.
     *
     * @return the node's timers.
     */
    public NodeTimers timers()
    {
        return timers;
    }

    /**
     * The RPC layer: calls, one-way sends and services on the node thread.
     *
     * @return the node's RPC interface.
     */
    public Rpc rpc()
    {
        return rpc;
    }

    /**
     * The node's counters; components allocate their own with {@link NodeCounters#newCounter(String)}.
     *
     * @return the counters.
     */
    public NodeCounters counters()
    {
        return counters;
    }

    /**
     * The node's random generator, seeded with {@link NodeContext#randomSeed(long)}: with the same seed and the same
     * sequence of events (a simulation), every draw is the same, so use it for jitter, peer choice and sampling.
     *
     * @return the generator, shared by the node's components; not thread safe.
     */
    public RandomGenerator random()
    {
        return random;
    }

    /**
     * Register an RPC service.
     *
     * @param service the service.
     * @throws IllegalArgumentException if a service with the same id is registered.
     */
    public void addService(final RpcService service)
    {
        rpc.addService(service);
    }

    /**
     * Add a component to the duty cycle; it runs after the node's own work on every turn.
     *
     * @param duty the component.
     * @throws IllegalStateException if {@link Node#MAX_DUTIES} duties are registered.
     */
    public void addDuty(final Duty duty)
    {
        if (duties.size() >= maxDuties)
        {
            throw new IllegalStateException("at most " + maxDuties + " duties per node");
        }
        duties.add(duty);
    }

    /**
     * Remove a component from the duty cycle (its {@link Duty#onClose()} is not called).
     *
     * @param duty the component.
     * @return true if it was registered.
     */
    public boolean removeDuty(final Duty duty)
    {
        return duties.remove(duty);
    }
}
