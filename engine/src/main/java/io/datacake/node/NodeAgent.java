package io.datacake.node;

import io.datacake.clock.HybridLogicalClock;
import io.datacake.rpc.RpcContext;
import io.datacake.rpc.RpcLayer;
import io.datacake.rpc.RpcService;
import io.datacake.security.Keyring;
import io.datacake.transport.PeerStatusListener;
import io.datacake.transport.Transport;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The node's single writer: one duty cycle runs expired timers, queued commands, incoming frames, stream sends
 * the components and the registered duties, each with its own bound. Each turn reads the monotonic clock once and
 * hands that time to all of them. It also fans the transport's peer-status events out to the RPC layer and then to
 * every component.
 */
final class NodeAgent implements Agent, PeerStatusListener
{
    private static final int GENERATION_RANDOM_BITS = 20;

    private final int nodeId;
    private final NanoClock nanoClock;
    private final Transport transport;
    private final boolean ownsTransport;
    private final ManyToOneConcurrentArrayQueue<NodeTask> commandQueue;
    private final int commandLimit;
    private final int fragmentLimit;
    private final NodeTimers timers;
    private final NodeCounters counters;
    private final RpcLayer rpc;
    private final NodeServices services;
    private final ArrayList<Duty> duties = new ArrayList<>();
    private final ErrorHandler errorHandler;
    private final Consumer<NodeTask> taskRunner = this::runTask;
    private final List<RpcService> initialServices;
    private final Component[] components;
    private final PeerStatusListener rpcPeerStatusListener;
    private final String roleName;
    private int startedComponents;

    NodeAgent(
        final NodeContext ctx,
        final ManyToOneConcurrentArrayQueue<NodeTask> commandQueue,
        final NodeCounters counters)
    {
        this.nodeId = ctx.nodeId();
        this.nanoClock = ctx.nanoClock();
        this.transport = ctx.transport();
        this.ownsTransport = ctx.ownsTransport();
        this.commandQueue = commandQueue;
        this.commandLimit = ctx.commandLimit();
        this.fragmentLimit = ctx.fragmentLimit();
        this.counters = counters;
        this.errorHandler = ctx.errorHandler();
        this.timers = new NodeTimers(nanoClock.nanoTime(), ctx.maxTimers(), ctx.timerExpiryLimit());
        final EpochClock epochClock = ctx.epochClock();
        final HybridLogicalClock clock = new HybridLogicalClock(nodeId, epochClock);
        this.rpc = new RpcLayer(rpcContext(ctx, clock, timers, counters));
        this.rpcPeerStatusListener = rpc.peerStatusListener();
        this.services = new NodeServices(
            nodeId, ctx.incarnation(), ctx.clusterId(), clock, epochClock, timers, rpc.rpc(), counters, duties,
            Node.MAX_DUTIES, new SplittableRandom(ctx.randomSeed()));
        this.initialServices = new ArrayList<>(ctx.services());
        this.components = ctx.components().toArray(new Component[0]);
        this.roleName = "datacake-node-" + nodeId;
    }

    /**
     * Wire the transport, register the initial services and start the components, in registration order. Runs on
     * the launching thread before the node thread starts (or is first stepped), so nothing is polled before every
     * component has started; the thread start hands the state over to the node thread.
     *
     * @throws ComponentStartException if a component failed to start; everything started is closed again.
     */
    void start()
    {
        transport.peerStatusListener(this);
        for (final RpcService service : initialServices)
        {
            rpc.rpc().addService(service);
        }
        for (int i = 0; i < components.length; i++)
        {
            try
            {
                components[i].onStart(services);
            }
            catch (final RuntimeException ex)
            {
                final ComponentStartException failure = new ComponentStartException(nodeId, i, components[i], ex);
                closeComponents(failure);
                onClose();
                throw failure;
            }
            startedComponents = i + 1;
        }
    }

    public void onStart()
    {
        // Everything was started on the launching thread by start(), so that a failure fails Node.launch.
    }

    public int doWork()
    {
        int work = timers.poll(nanoClock.nanoTime());
        final long monotonicMs = timers.monotonicMs();
        if (work > 0)
        {
            counters.timersExpired.getAndAddRelease(work);
        }
        work += commandQueue.drain(taskRunner, commandLimit);
        work += transport.poll(rpc.frameHandler(), fragmentLimit);
        work += rpc.doWork(monotonicMs);
        final Component[] components = this.components;
        for (int i = 0; i < startedComponents; i++)
        {
            try
            {
                work += components[i].doWork(monotonicMs);
            }
            catch (final RuntimeException ex)
            {
                onComponentError(ex);
            }
        }
        // Size re-read each time: a duty may add or remove duties while running.
        final ArrayList<Duty> duties = this.duties;
        for (int i = 0; i < duties.size(); i++)
        {
            work += duties.get(i).doWork(monotonicMs);
        }
        if (0 == work)
        {
            // Idle: hash the next tags' key blocks now, after what the last duty cycles sent has left.
            rpc.prepareNextTags();
        }
        return work;
    }

    RpcLayer rpcLayer()
    {
        return rpc;
    }

    /**
     * Whether calls this node made are in flight, so an answer is on its way (node thread).
     *
     * @return true while the RPC layer has calls pending.
     */
    boolean isAwaiting()
    {
        return rpc.rpc().pendingCount() > 0;
    }

    public void onClose()
    {
        closeComponents(null);
        rpc.close();
        for (final Duty duty : duties)
        {
            try
            {
                duty.onClose();
            }
            catch (final RuntimeException ex)
            {
                onError(ex);
            }
        }
        duties.clear();
        timers.clear();
        if (ownsTransport)
        {
            transport.close();
        }
    }

    private static RpcContext rpcContext(
        final NodeContext ctx, final HybridLogicalClock clock, final NodeTimers timers, final NodeCounters counters)
    {
        return new RpcContext()
            .nodeId(ctx.nodeId())
            .clusterId(ctx.clusterId())
            .transport(ctx.transport())
            .hybridClock(clock)
            .epochClock(ctx.epochClock())
            .nanoClock(timers::nowNs)
            .counters(counters.rpc())
            .errorHandler(ctx.errorHandler())
            .maxPendingRequests(ctx.maxPendingRequests())
            .requestTimeoutMs(ctx.requestTimeoutMs())
            .connectTimeoutMs(ctx.connectTimeoutMs())
            .maxBodyLength(ctx.maxBodyLength())
            .streamWindowBytes(ctx.streamWindowBytes())
            .maxStreams(ctx.maxStreams())
            .streamTimeoutMs(ctx.streamTimeoutMs())
            .streamChunkLimit(ctx.streamChunkLimit())
            .maxPendingReplyBytes(ctx.maxPendingReplyBytes())
            .replyRetryTimeoutMs(ctx.replyRetryTimeoutMs())
            .initialCorrelationId(ctx.initialCorrelationId())
            .keyring(ctx.keyring())
            .frameProtection(ctx.frameProtection())
            .generation(securityGeneration(ctx, ctx.epochClock().time()));
    }

    /**
     * The generation secured frames carry, larger in every later life of the node: the incarnation when the host
     * counts them, otherwise the wall clock's start time in ms with 20 random low bits, so two lives started in the
     * same millisecond still differ.
     */
    private static long securityGeneration(final NodeContext ctx, final long nowEpochMs)
    {
        if (ctx.incarnation() > 0 || null == ctx.keyring())
        {
            return ctx.incarnation();
        }
        return (nowEpochMs << GENERATION_RANDOM_BITS) |
            (new SecureRandom().nextInt() & ((1 << GENERATION_RANDOM_BITS) - 1));
    }

    void keyring(final Keyring keyring)
    {
        rpc.keyring(keyring);
    }

    public String roleName()
    {
        return roleName;
    }

    public void onPeerAvailable(final int peer)
    {
        rpcPeerStatusListener.onPeerAvailable(peer);
        for (int i = 0; i < startedComponents; i++)
        {
            try
            {
                components[i].onPeerAvailable(peer);
            }
            catch (final RuntimeException ex)
            {
                onComponentError(ex);
            }
        }
    }

    public void onPeerUnavailable(final int peer)
    {
        rpcPeerStatusListener.onPeerUnavailable(peer);
        for (int i = 0; i < startedComponents; i++)
        {
            try
            {
                components[i].onPeerUnavailable(peer);
            }
            catch (final RuntimeException ex)
            {
                onComponentError(ex);
            }
        }
    }

    NodeServices services()
    {
        return services;
    }

    void onError(final Throwable throwable)
    {
        counters.dutyCycleErrors.incrementRelease();
        errorHandler.onError(throwable);
    }

    private void onComponentError(final RuntimeException ex)
    {
        counters.componentErrors.incrementRelease();
        onError(ex);
    }

    /**
     * Close the started components in reverse order, each once; errors go to the launch failure as suppressed
     * exceptions, or (on a normal close) to the error handler.
     */
    private void closeComponents(final ComponentStartException launchFailure)
    {
        while (startedComponents > 0)
        {
            final Component component = components[--startedComponents];
            try
            {
                component.onClose();
            }
            catch (final RuntimeException ex)
            {
                if (null != launchFailure)
                {
                    launchFailure.addSuppressed(ex);
                }
                else
                {
                    onComponentError(ex);
                }
            }
        }
    }

    private void runTask(final NodeTask task)
    {
        counters.commandsExecuted.incrementRelease();
        try
        {
            task.execute(services);
        }
        catch (final RuntimeException ex)
        {
            onError(ex);
        }
    }
}
