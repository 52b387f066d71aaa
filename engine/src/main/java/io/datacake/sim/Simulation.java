package io.datacake.sim;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Steps many nodes in one thread in virtual time: each node runs in invoker mode over a {@link SimTransport} and
 * reads the shared {@link SimClock}. One {@link #step()} invokes every node once (in the order they were added)
 * and delivers the frames that are due; when a step does no work, virtual time jumps to the next network delivery
 * or advances by one tick, whichever comes first, so timers fire.
 * <p>
 * Same seed, same run: the seed drives the fault model and anything else a scenario takes from {@link #random()},
 * and the {@link EventTrace} digest lets a test compare two runs. On failure, report {@link #replayHint()}.
 */
public final class Simulation implements AutoCloseable
{
    /** System property that fixes the seed of a simulation test, to replay a failure. */
    public static final String SEED_PROPERTY = "datacake.sim.seed";

    /** Virtual time added when a step does no work and nothing is due sooner. */
    public static final long TICK_MS = 1;

    /** Bound on consecutive busy steps before time is advanced anyway (a node that never idles). */
    public static final int MAX_BUSY_STEPS_PER_TICK = 10_000;

    private final long seed;
    private long nodesLaunched;
    private final SplittableRandom random;
    private final SimClock clock = new SimClock();
    private final EventTrace trace = new EventTrace();
    private final SimNetwork network;
    private final ArrayList<Node> nodes = new ArrayList<>();
    private int busySteps;

    /**
     * A simulation with a fault-free network.
     *
     * @param seed the seed of the run.
     */
    public Simulation(final long seed)
    {
        this(seed, NetworkFaults.NONE);
    }

    /**
     * A simulation with the given faults.
     *
     * @param seed   the seed of the run.
     * @param faults the network's fault model (use {@link #random()} or the seed to seed it).
     */
    public Simulation(final long seed, final NetworkFaults faults)
    {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.network = new SimNetwork(clock, faults, trace, SimNetwork.DEFAULT_MAX_MESSAGE_LENGTH);
    }

    /**
     * The seed from the {@value #SEED_PROPERTY} system property if set (to replay a run), else the given default.
     *
     * @param defaultSeed the seed to use when the property is absent.
     * @return the seed.
     */
    public static long seedFromProperty(final long defaultSeed)
    {
        final String value = System.getProperty(SEED_PROPERTY);
        return null == value ? defaultSeed : Long.parseLong(value.trim());
    }

    /**
     * Launch a node with endpoint {@code sim-<nodeId>}.
     *
     * @param nodeId the node id.
     * @return the node, in invoker mode, stepped by this simulation.
     */
    public Node addNode(final int nodeId)
    {
        return addNode(nodeId, (ctx) -> {});
    }

    /**
     * Launch a node with endpoint {@code sim-<nodeId>}, after letting the caller adjust its context (services,
     * timeouts, ...). The simulation sets the transport, clock and invoker mode.
     *
     * @param nodeId     the node id.
     * @param customizer adjusts the context.
     * @return the node.
     */
    public Node addNode(final int nodeId, final Consumer<NodeContext> customizer)
    {
        // Correlation ids start at a point derived from the seed and the launch count (a restarted node is a new
        // incarnation), so a run replays byte for byte.
        final NodeContext ctx = new NodeContext().nodeId(nodeId)
            .initialCorrelationId(mix(seed ^ (0x9E3779B97F4A7C15L * ++nodesLaunched)) | 1);
        customizer.accept(ctx);
        ctx.transport(network.newTransport("sim-" + nodeId))
            .epochClock(clock)
            .useAgentInvoker(true);
        final Node node = Node.launch(ctx);
        nodes.add(node);
        trace.record(clock.time(), "add node " + nodeId);
        return node;
    }

    /**
     * One round: invoke every open node once, then deliver due frames; advance time if nothing happened.
     *
     * @return the work done.
     */
    public int step()
    {
        int work = 0;
        for (int i = 0, size = nodes.size(); i < size; i++)
        {
            final Node node = nodes.get(i);
            if (!node.isClosed())
            {
                work += node.invoker().invoke();
            }
        }
        work += network.deliverDue();
        if (work == 0 || ++busySteps >= MAX_BUSY_STEPS_PER_TICK)
        {
            busySteps = 0;
            final long nextDelivery = network.nextDeliveryTimeMs();
            final long now = clock.time();
            clock.advanceMs(nextDelivery > now && nextDelivery < now + TICK_MS ? nextDelivery - now : TICK_MS);
        }
        return work;
    }

    /**
     * Step until a condition holds or a virtual-time budget runs out.
     *
     * @param condition checked after every step.
     * @param maxVirtualMs the budget of virtual time.
     * @return true if the condition held, false if the budget ran out.
     */
    public boolean runUntil(final BooleanSupplier condition, final long maxVirtualMs)
    {
        final long deadline = clock.time() + maxVirtualMs;
        while (!condition.getAsBoolean())
        {
            if (clock.time() >= deadline)
            {
                return false;
            }
            step();
        }
        return true;
    }

    /**
     * Step for a span of virtual time.
     *
     * @param virtualMs milliseconds of virtual time.
     */
    public void runFor(final long virtualMs)
    {
        final long deadline = clock.time() + virtualMs;
        while (clock.time() < deadline)
        {
            step();
        }
    }

    /**
     * Step until a future completes, bounded by virtual time.
     *
     * @param future       the future.
     * @param maxVirtualMs the budget of virtual time.
     * @param <T>          the result type.
     * @return the future, done unless the budget ran out.
     */
    public <T> CompletableFuture<T> await(final CompletableFuture<T> future, final long maxVirtualMs)
    {
        runUntil(future::isDone, maxVirtualMs);
        return future;
    }

    /**
     * Close a node (a crash as far as its peers can tell).
     *
     * @param node the node.
     */
    public void closeNode(final Node node)
    {
        node.close();
        trace.record(clock.time(), "close node " + node.nodeId());
    }

    /**
     * The seed of this run.
     *
     * @return the seed.
     */
    public long seed()
    {
        return seed;
    }

    /**
     * How to replay this run, for failure messages.
     *
     * @return e.g. {@code "seed=42, replay with -Ddatacake.sim.seed=42"}.
     */
    public String replayHint()
    {
        return "seed=" + seed + ", replay with -D" + SEED_PROPERTY + "=" + seed;
    }

    /**
     * The random source a scenario should draw from, seeded by the run's seed.
     *
     * @return the random source.
     */
    public SplittableRandom random()
    {
        return random;
    }

    /**
     * The virtual clock.
     *
     * @return the clock.
     */
    public SimClock clock()
    {
        return clock;
    }

    /**
     * The simulated network (partitions, faults).
     *
     * @return the network.
     */
    public SimNetwork network()
    {
        return network;
    }

    /**
     * The trace of this run.
     *
     * @return the trace.
     */
    public EventTrace trace()
    {
        return trace;
    }

    /**
     * The nodes, in the order they were added.
     *
     * @return an unmodifiable view.
     */
    public List<Node> nodes()
    {
        return Collections.unmodifiableList(nodes);
    }

    /**
     * Close every node. Idempotent.
     */
    @Override
    public void close()
    {
        for (final Node node : nodes)
        {
            node.close();
        }
    }

    private static long mix(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
