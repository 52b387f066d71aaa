package io.datacake.membership;

import io.datacake.sim.NetworkFaults;
import io.datacake.sim.RandomNetworkFaults;
import io.datacake.sim.Simulation;
import org.agrona.concurrent.NanoClock;

import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A simulated cluster of nodes running the membership component, instrumented for measurement: every node's
 * listener records when it marked which member dead, and the network counts the frames and bytes each endpoint
 * sends. Node 1 bootstraps the cluster and every other node joins through it as its only seed. Virtual time only.
 */
final class MembershipCluster implements AutoCloseable
{
    /** Gossip interval of every measurement unless a scenario sets another. */
    static final long GOSSIP_INTERVAL_MS = 300;

    /** Most node ids a cluster holds (ids 1..MAX_NODES). */
    static final int MAX_NODES = 1024;

    private final Simulation simulation;
    private final TrafficMeter traffic;
    private final Consumer<MembershipContext> common;
    private final long gossipIntervalMs;
    private final MembershipComponent[] components = new MembershipComponent[MAX_NODES + 1];
    private final boolean[] crashed = new boolean[MAX_NODES + 1];
    private final int[] deathsReportedBy = new int[MAX_NODES + 1];
    private final int[] deathsReportedOf = new int[MAX_NODES + 1];
    private final long[] markedDeadAtMs = new long[MAX_NODES + 1];
    private int watched = -1;
    private int watchedDeadCount;
    private int nodeCount;

    /**
     * @param seed     the simulation's seed; the loss model is seeded from it.
     * @param lossRate probability that a frame is dropped, 0 for a fault-free network.
     * @param common   applied to every node's membership settings after the harness defaults.
     */
    MembershipCluster(final long seed, final double lossRate, final Consumer<MembershipContext> common)
    {
        final NetworkFaults faults = lossRate > 0 ?
            new RandomNetworkFaults(seed, lossRate, 0, 1, 1) : NetworkFaults.NONE;
        this.traffic = new TrafficMeter(faults);
        this.simulation = new Simulation(seed, traffic);
        this.common = common;
        final MembershipContext probe = new MembershipContext().gossipIntervalMs(GOSSIP_INTERVAL_MS);
        common.accept(probe);
        this.gossipIntervalMs = probe.gossipIntervalMs();
    }

    Simulation simulation()
    {
        return simulation;
    }

    long gossipIntervalMs()
    {
        return gossipIntervalMs;
    }

    long nowMs()
    {
        return simulation.clock().time();
    }

    int nodeCount()
    {
        return nodeCount;
    }

    MembershipComponent component(final int nodeId)
    {
        return components[nodeId];
    }

    /**
     * Start the next node: node 1 bootstraps, every later one has node 1 as its seed.
     *
     * @return the new node's id.
     */
    int addNode()
    {
        return addNode(null);
    }

    /**
     * Start the next node with its monotonic clock (timers, intervals) wrapped, e.g. to make it slow.
     *
     * @param clockWrapper wraps the node's monotonic clock, or null to keep it.
     * @return the new node's id.
     */
    int addNode(final UnaryOperator<NanoClock> clockWrapper)
    {
        final int nodeId = ++nodeCount;
        if (nodeId > MAX_NODES)
        {
            throw new IllegalStateException("at most " + MAX_NODES + " nodes (MAX_NODES)");
        }
        simulation.addNode(nodeId, (nodeCtx) ->
        {
            if (null != clockWrapper)
            {
                nodeCtx.nanoClock(clockWrapper.apply(nodeCtx.nanoClock()));
            }
            final MembershipContext ctx = new MembershipContext()
                .gossipIntervalMs(GOSSIP_INTERVAL_MS)
                .listener(new DeathRecorder(nodeId));
            if (1 == nodeId)
            {
                ctx.bootstrap(true);
            }
            else
            {
                ctx.seeds("sim-1");
            }
            common.accept(ctx);
            final MembershipComponent component = new MembershipComponent(ctx);
            components[nodeId] = component;
            nodeCtx.addComponent(component);
        });
        return nodeId;
    }

    /**
     * Whether every running node holds every running node, itself included, as a live member.
     *
     * @return true once membership has converged.
     */
    boolean converged()
    {
        final int expected = nodeCount - crashedCount();
        for (int nodeId = 1; nodeId <= nodeCount; nodeId++)
        {
            if (!crashed[nodeId])
            {
                final MembershipComponent component = components[nodeId];
                if (component.liveCount() != expected || component.memberCount() != expected)
                {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Crash a node and start watching how many running nodes mark it dead.
     *
     * @param nodeId the node to crash.
     */
    void crash(final int nodeId)
    {
        simulation.crash(nodeId);
        crashed[nodeId] = true;
        watched = nodeId;
        watchedDeadCount = 0;
        Arrays.fill(markedDeadAtMs, Long.MIN_VALUE);
    }

    /**
     * @return true once every running node has marked the crashed node dead since the crash.
     */
    boolean crashDetectedEverywhere()
    {
        return watchedDeadCount >= nodeCount - crashedCount();
    }

    /**
     * Deaths reported, by any node, of members that are running: false accusations.
     *
     * @return the count of (observer, member) death events.
     */
    int falseDeaths()
    {
        int count = 0;
        for (int nodeId = 1; nodeId <= nodeCount; nodeId++)
        {
            if (!crashed[nodeId])
            {
                count += deathsReportedOf[nodeId];
            }
        }
        return count;
    }

    /**
     * Running nodes that at least one node wrongly marked dead.
     *
     * @param exclude a node whose accusations and whose own deaths are not counted (e.g. a deliberately slow
     *                node), or 0.
     * @return the count of distinct healthy nodes accused.
     */
    int healthyNodesAccused(final int exclude)
    {
        int count = 0;
        for (int nodeId = 1; nodeId <= nodeCount; nodeId++)
        {
            if (!crashed[nodeId] && nodeId != exclude && deathsReportedOf[nodeId] > 0)
            {
                count++;
            }
        }
        return count;
    }

    /**
     * @param nodeId an observer.
     * @return how many death events that node reported.
     */
    int deathsReportedBy(final int nodeId)
    {
        return deathsReportedBy[nodeId];
    }

    /**
     * @param nodeId a member.
     * @return how many death events of that member were reported.
     */
    int deathsReportedOf(final int nodeId)
    {
        return deathsReportedOf[nodeId];
    }

    /**
     * Forget the deaths recorded so far, to count from now on.
     */
    void resetDeaths()
    {
        Arrays.fill(deathsReportedBy, 0);
        Arrays.fill(deathsReportedOf, 0);
    }

    TrafficMeter traffic()
    {
        return traffic;
    }

    /**
     * Step until a condition holds.
     *
     * @param condition    the condition.
     * @param maxVirtualMs the budget.
     * @return the virtual milliseconds it took, or -1 if the budget ran out.
     */
    long msUntil(final BooleanSupplier condition, final long maxVirtualMs)
    {
        final long startMs = nowMs();
        return simulation.runUntil(condition, maxVirtualMs) ? nowMs() - startMs : -1;
    }

    String replayHint()
    {
        return simulation.replayHint();
    }

    public void close()
    {
        simulation.close();
    }

    private int crashedCount()
    {
        int count = 0;
        for (int nodeId = 1; nodeId <= nodeCount; nodeId++)
        {
            if (crashed[nodeId])
            {
                count++;
            }
        }
        return count;
    }

    /** Records which node marked which member dead. */
    private final class DeathRecorder implements MembershipListener
    {
        private final int observer;

        DeathRecorder(final int observer)
        {
            this.observer = observer;
        }

        public void onMemberDead(final int nodeId, final long generation)
        {
            deathsReportedBy[observer]++;
            deathsReportedOf[nodeId]++;
            if (nodeId == watched && Long.MIN_VALUE == markedDeadAtMs[observer])
            {
                markedDeadAtMs[observer] = nowMs();
                watchedDeadCount++;
            }
        }
    }

    /** Counts what each endpoint sends before passing the frame to the fault model. */
    static final class TrafficMeter implements NetworkFaults
    {
        private final NetworkFaults faults;
        private final long[] framesSent = new long[MAX_NODES + 1];
        private final long[] bytesSent = new long[MAX_NODES + 1];

        TrafficMeter(final NetworkFaults faults)
        {
            this.faults = faults;
        }

        public int copies(final String source, final String destination, final int length)
        {
            final int nodeId = Integer.parseInt(source, 4, source.length(), 10);
            framesSent[nodeId]++;
            bytesSent[nodeId] += length;
            return faults.copies(source, destination, length);
        }

        public long delayMs(final String source, final String destination)
        {
            return faults.delayMs(source, destination);
        }

        long framesSent(final int nodeId)
        {
            return framesSent[nodeId];
        }

        long bytesSent(final int nodeId)
        {
            return bytesSent[nodeId];
        }
    }
}
