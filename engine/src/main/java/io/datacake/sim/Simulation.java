package io.datacake.sim;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Steps many nodes in one thread in virtual time. Each node runs in invoker mode over a {@link SimTransport}, reads
 * its own wall clock {@link SimNodeClock} (the shared {@link SimClock} plus an offset and a drift) and its own
 * {@link SimMonotonicClock} (the shared virtual time from a per-node origin, untouched by the wall clock's offset and
 * drift, driving its timers and deadlines), and has a {@link SimStorage} that outlives its crashes. One
 * {@link #step()} invokes every running node once, in an order drawn afresh from the seed every round, and delivers
 * the frames that are due; when a step does no work, virtual time jumps to the next network delivery or advances by
 * one tick, whichever comes first, so timers fire.
 * <p>
 * Nodes fail in two ways. {@link #closeNode} is a clean shutdown: pending calls fail with {@code NODE_CLOSED} and
 * the storage is synced. {@link #crash} is a process crash or power loss: the node is never stepped again (its
 * timers never fire, its queued commands never run, its callbacks are never called, nothing is sent on its
 * behalf), frames in its inbox and frames in flight to it are lost, and its storage loses what was not durable.
 * {@link #restart} launches a new incarnation of the same node id, with the same clock and storage and a higher
 * {@link NodeContext#incarnation(long) incarnation}. The simulation keeps no reference to a crashed incarnation,
 * so its off-heap counters and buffers go with the garbage collector; a campaign may crash nodes without bound.
 * <p>
 * A node's configuration is the simulation's defaults (transport, clock, invoker mode, incarnation) followed by the
 * caller's customizer, which runs last: what the customizer sets is what the node gets.
 * <p>
 * Same seed, same run: the seed drives the step order, the fault models given to the constructor (seed them from
 * it) and anything a scenario takes from {@link #random()}, and the {@link EventTrace} digest lets a test compare
 * two runs. On failure, report {@link #replayHint()}.
 * <p>
 * Single threaded: every method belongs to the thread that steps the simulation, and none may be called from inside
 * a node's task or handler while a step runs.
 */
public final class Simulation implements AutoCloseable
{
    /** System property that fixes the seed of a simulation test, to replay a failure. */
    public static final String SEED_PROPERTY = "datacake.sim.seed";

    /** Virtual time added when a step does no work and nothing is due sooner. */
    public static final long TICK_MS = 1;

    /** Bound on consecutive busy steps before time is advanced anyway (a node that never idles). */
    public static final int MAX_BUSY_STEPS_PER_TICK = 10_000;

    /** Most node ids one simulation holds. */
    public static final int MAX_NODES = 4096;

    /** Mixed into the seed for the step order, so it does not follow the scenario's random draws. */
    private static final long STEP_ORDER_SALT = 0x9E3779B97F4A7C15L;

    private final long seed;
    private long nodesLaunched;
    private final SplittableRandom random;
    private final SplittableRandom stepOrderRandom;
    private final SimClock clock = new SimClock();
    private final EventTrace trace = new EventTrace();
    private final SimNetwork network;
    private final StorageFaults storageFaults;
    private final ArrayList<SimNode> simNodes = new ArrayList<>();
    private final Int2ObjectHashMap<SimNode> simNodeById = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<SimNodeClock> clockByNodeId = new Int2ObjectHashMap<>();
    private int[] stepOrder = new int[16];
    private int busySteps;
    private boolean stepping;

    /**
     * A simulation with a fault-free network and storage.
     *
     * @param seed the seed of the run.
     */
    public Simulation(final long seed)
    {
        this(seed, NetworkFaults.NONE, StorageFaults.NONE);
    }

    /**
     * A simulation with the given network faults and fault-free storage.
     *
     * @param seed   the seed of the run.
     * @param faults the network's fault model (use {@link #random()} or the seed to seed it).
     */
    public Simulation(final long seed, final NetworkFaults faults)
    {
        this(seed, faults, StorageFaults.NONE);
    }

    /**
     * A simulation with the given network and storage faults.
     *
     * @param seed          the seed of the run.
     * @param faults        the network's fault model.
     * @param storageFaults the fault plan of every node's {@link SimStorage}, asked in the order commits happen.
     */
    public Simulation(final long seed, final NetworkFaults faults, final StorageFaults storageFaults)
    {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.stepOrderRandom = new SplittableRandom(seed ^ STEP_ORDER_SALT);
        this.network = new SimNetwork(clock, faults, trace, SimNetwork.DEFAULT_MAX_MESSAGE_LENGTH);
        this.storageFaults = storageFaults;
    }

    /**
     * The seed from the {@value #SEED_PROPERTY} system property if set (to replay a run), else the given default.
     *
     * @param defaultSeed the seed to use when the property is absent.
     * @return the seed.
     * @throws NumberFormatException if the property is set but is not a number.
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
     * @throws IllegalArgumentException if the id is already in the simulation or the context is invalid.
     * @throws IllegalStateException    if the simulation holds {@link #MAX_NODES} node ids.
     */
    public Node addNode(final int nodeId)
    {
        return addNode(nodeId, (ctx) -> {});
    }

    /**
     * Launch a node with endpoint {@code sim-<nodeId>}. The simulation first fills in the context: node id,
     * incarnation, a transport on the simulated network, the node's {@link #nodeClock(int) wall} and
     * {@link #monotonicClock(int) monotonic} clocks and invoker mode.
     * The customizer runs last and may change anything, e.g. wrap {@code ctx.transport()} or {@code ctx.epochClock()}
     * in a decorator of its own; the simulation never overrides what it set, and only refuses a node taken out of
     * invoker mode. A customizer that replaces the transport instead of wrapping it takes the node off the
     * simulated network, and a crash then only stops stepping it. The customizer runs again for every {@link #restart} (read {@code ctx.incarnation()}), so it should build fresh services
     * each time rather than share state with an earlier incarnation.
     *
     * @param nodeId     the node id.
     * @param customizer adjusts the context.
     * @return the node.
     * @throws IllegalArgumentException if the id is already in the simulation, the customizer turned invoker mode
     *                                  off, or the context is invalid.
     * @throws IllegalStateException    if the simulation holds {@link #MAX_NODES} node ids.
     */
    public Node addNode(final int nodeId, final Consumer<NodeContext> customizer)
    {
        checkNotStepping("addNode");
        if (simNodeById.containsKey(nodeId))
        {
            throw new IllegalArgumentException("node " + nodeId + " is already in the simulation: use restart(" +
                nodeId + ") for a new incarnation");
        }
        if (simNodes.size() >= MAX_NODES)
        {
            throw new IllegalStateException("a simulation holds at most " + MAX_NODES + " node ids (MAX_NODES)");
        }
        final String endpoint = "sim-" + nodeId;
        final SimNode simNode = new SimNode(nodeId, endpoint, nodeClock(nodeId), new SimMonotonicClock(clock, nodeId),
            new SimStorage(endpoint, clock, storageFaults), customizer);
        // Registered before launch, so the customizer can reach the node's storage and clock.
        simNodeById.put(nodeId, simNode);
        try
        {
            final Node node = launch(simNode);
            simNodes.add(simNode);
            return node;
        }
        catch (final RuntimeException ex)
        {
            simNodeById.remove(nodeId);
            throw ex;
        }
    }

    /**
     * One round: invoke every running node once in a seeded random order, then deliver due frames; advance time if
     * nothing happened.
     *
     * @return the work done.
     * @throws IllegalStateException if called from inside a step.
     */
    public int step()
    {
        checkNotStepping("step");
        final int count = simNodes.size();
        if (stepOrder.length < count)
        {
            stepOrder = new int[Math.max(count, stepOrder.length * 2)];
        }
        final int[] order = stepOrder;
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        // Fisher-Yates: a fresh permutation per round, so interleavings vary with the seed.
        for (int i = count - 1; i > 0; i--)
        {
            final int j = stepOrderRandom.nextInt(i + 1);
            final int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }

        int work = 0;
        stepping = true;
        try
        {
            for (int i = 0; i < count; i++)
            {
                final Node node = simNodes.get(order[i]).node;
                if (null != node && !node.isClosed())
                {
                    work += node.invoker().invoke();
                }
            }
        }
        finally
        {
            stepping = false;
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
     * @param condition    checked after every step.
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
     * Shut a node down cleanly: pending calls fail with {@code NODE_CLOSED}, its transport closes, and its storage
     * is synced and closed. {@link #restart} starts it again. Closing a node that is not running does nothing.
     *
     * @param node the node.
     * @throws IllegalStateException if the node is a crashed incarnation (closing it would run the callbacks the
     *                               crash skipped), or if called from inside a step.
     */
    public void closeNode(final Node node)
    {
        checkNotStepping("closeNode");
        final SimNode simNode = simNodeById.get(node.nodeId());
        if (null != simNode && simNode.node != node && !node.isClosed())
        {
            throw new IllegalStateException(node + " is a crashed incarnation: it stays as the crash left it");
        }
        node.close();
        if (null != simNode && simNode.node == node)
        {
            simNode.node = null;
            simNode.storage.close();
        }
        trace.record(clock.time(), "close node " + node.nodeId());
    }

    /**
     * Crash the running incarnation of a node: it is never stepped again, with no close, no callbacks and no frames
     * on its behalf; its inbox and the frames in flight to it are lost; its storage loses every commit not yet
     * durable. The simulation drops every reference to the incarnation. Futures the crashed node would have
     * completed stay incomplete, as they would for a caller in a crashed process; do not close the crashed
     * {@link Node} object either, which would run the callbacks the crash skipped.
     *
     * @param nodeId the node id.
     * @return the number of storage commits lost.
     * @throws IllegalArgumentException if the node id is not in the simulation.
     * @throws IllegalStateException    if the node is not running, or if called from inside a step.
     */
    public int crash(final int nodeId)
    {
        checkNotStepping("crash");
        final SimNode simNode = simNode(nodeId);
        if (!simNode.isRunning())
        {
            throw new IllegalStateException("node " + nodeId + " is not running: restart it first");
        }
        simNode.node = null;
        network.crash(simNode.endpoint);
        final int lostCommits = simNode.storage.crash();
        trace.record(clock.time(), "crash node " + nodeId + " incarnation " + simNode.incarnation +
            " lost commits " + lostCommits);
        return lostCommits;
    }

    /**
     * Crash a node; see {@link #crash(int)}.
     *
     * @param node the running incarnation.
     * @return the number of storage commits lost.
     * @throws IllegalStateException if the node is not the running incarnation of its id, or if called from inside
     *                               a step.
     */
    public int crash(final Node node)
    {
        final SimNode simNode = simNode(node.nodeId());
        if (simNode.node != node)
        {
            throw new IllegalStateException(node + " is not the running incarnation of node " + node.nodeId());
        }
        return crash(node.nodeId());
    }

    /**
     * Launch a new incarnation of a crashed or closed node: same node id, endpoint, clock and storage (reopened,
     * holding its durable state), the customizer given to {@link #addNode(int, Consumer)} run again, and an
     * incarnation one higher.
     *
     * @param nodeId the node id.
     * @return the new incarnation.
     * @throws IllegalArgumentException if the node id is not in the simulation.
     * @throws IllegalStateException    if the node is running, or if called from inside a step.
     */
    public Node restart(final int nodeId)
    {
        checkNotStepping("restart");
        final SimNode simNode = simNode(nodeId);
        if (simNode.isRunning())
        {
            throw new IllegalStateException("node " + nodeId + " is running: crash or close it first");
        }
        simNode.node = null;
        if (!simNode.storage.isOpen())
        {
            simNode.storage.reopen();
        }
        return launch(simNode);
    }

    /**
     * The running incarnation of a node.
     *
     * @param nodeId the node id.
     * @return the node, or null if it is crashed or closed.
     * @throws IllegalArgumentException if the node id is not in the simulation.
     */
    public Node node(final int nodeId)
    {
        final SimNode simNode = simNode(nodeId);
        return simNode.isRunning() ? simNode.node : null;
    }

    /**
     * The incarnation of a node's latest launch: 1 for the first, one more for each restart.
     *
     * @param nodeId the node id.
     * @return the incarnation.
     * @throws IllegalArgumentException if the node id is not in the simulation.
     */
    public long incarnation(final int nodeId)
    {
        return simNode(nodeId).incarnation;
    }

    /**
     * A node's wall clock, to set its offset and drift at any time. Configure it before {@link #addNode} to launch
     * the node with a skewed clock; the clock survives crashes and restarts, as hardware would.
     *
     * @param nodeId the node id (added or not yet).
     * @return the clock.
     */
    public SimNodeClock nodeClock(final int nodeId)
    {
        SimNodeClock nodeClock = clockByNodeId.get(nodeId);
        if (null == nodeClock)
        {
            nodeClock = new SimNodeClock(clock);
            clockByNodeId.put(nodeId, nodeClock);
        }
        return nodeClock;
    }

    /**
     * A node's monotonic clock, which drives its timers and deadlines: it follows virtual time only, so setting the
     * {@link #nodeClock(int) wall clock}'s offset or drift does not move it.
     *
     * @param nodeId the node id.
     * @return the clock.
     * @throws IllegalArgumentException if the node id is not in the simulation.
     */
    public SimMonotonicClock monotonicClock(final int nodeId)
    {
        return simNode(nodeId).monotonicClock;
    }

    /**
     * A node's simulated storage, which survives its crashes (losing what was not durable) and restarts. The
     * customizer can reach it during launch with {@code simulation.storage(ctx.nodeId())}.
     *
     * @param nodeId the node id.
     * @return the storage.
     * @throws IllegalArgumentException if the node id is not in the simulation.
     */
    public SimStorage storage(final int nodeId)
    {
        return simNode(nodeId).storage;
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
     * The running nodes, in the order their ids were added.
     *
     * @return a new unmodifiable list.
     */
    public List<Node> nodes()
    {
        final ArrayList<Node> running = new ArrayList<>(simNodes.size());
        for (final SimNode simNode : simNodes)
        {
            if (simNode.isRunning())
            {
                running.add(simNode.node);
            }
        }
        return Collections.unmodifiableList(running);
    }

    /**
     * Close every running node (a clean shutdown, see {@link #closeNode}). Idempotent.
     */
    @Override
    public void close()
    {
        for (final SimNode simNode : simNodes)
        {
            final Node node = simNode.node;
            if (null != node)
            {
                node.close();
                simNode.node = null;
                simNode.storage.close();
            }
        }
    }

    private Node launch(final SimNode simNode)
    {
        final long incarnation = simNode.incarnation + 1;
        final SimTransport transport = network.newTransport(simNode.endpoint);
        final NodeContext ctx = new NodeContext()
            .nodeId(simNode.nodeId)
            .incarnation(incarnation)
            // Correlation ids and the node's random derive from the seed and the launch count (a restarted node
            // is a new incarnation), so a run replays byte for byte.
            .initialCorrelationId(mix(seed ^ (0x9E3779B97F4A7C15L * ++nodesLaunched)) | 1)
            .randomSeed(mix(seed ^ (0xC2B2AE3D27D4EB4FL * nodesLaunched)))
            .transport(transport)
            .epochClock(simNode.clock)
            .nanoClock(simNode.monotonicClock)
            .useAgentInvoker(true);
        final Node node;
        try
        {
            simNode.customizer.accept(ctx);
            if (!ctx.useAgentInvoker())
            {
                throw new IllegalArgumentException("node " + simNode.nodeId + ": the simulation steps its nodes " +
                    "itself, so the customizer must leave useAgentInvoker(true)");
            }
            node = Node.launch(ctx);
        }
        catch (final RuntimeException ex)
        {
            network.crash(simNode.endpoint);
            throw ex;
        }
        simNode.incarnation = incarnation;
        simNode.node = node;
        trace.record(clock.time(), "launch node " + simNode.nodeId + " incarnation " + incarnation);
        return node;
    }

    private SimNode simNode(final int nodeId)
    {
        final SimNode simNode = simNodeById.get(nodeId);
        if (null == simNode)
        {
            throw new IllegalArgumentException("node " + nodeId + " is not in the simulation: addNode it first");
        }
        return simNode;
    }

    private void checkNotStepping(final String operation)
    {
        if (stepping)
        {
            throw new IllegalStateException(operation + " called from inside a step (a node's task or handler): " +
                "call it from the thread that steps the simulation, between steps");
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
