package io.datacake.node;

import io.datacake.clock.HybridLogicalClock;
import io.datacake.rpc.RpcContext;
import io.datacake.rpc.RpcLayer;
import io.datacake.rpc.RpcService;
import io.datacake.transport.Transport;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.ArrayList;
import java.util.function.Consumer;

/**
 * The node's single writer: one duty cycle runs expired timers, queued commands, incoming frames, stream sends
 * and the registered duties, each with its own bound.
 */
final class NodeAgent implements Agent
{
    private final int nodeId;
    private final EpochClock epochClock;
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
    private final java.util.List<RpcService> initialServices;
    private final String roleName;

    NodeAgent(
        final NodeContext ctx,
        final ManyToOneConcurrentArrayQueue<NodeTask> commandQueue,
        final NodeCounters counters)
    {
        this.nodeId = ctx.nodeId();
        this.epochClock = ctx.epochClock();
        this.transport = ctx.transport();
        this.ownsTransport = ctx.ownsTransport();
        this.commandQueue = commandQueue;
        this.commandLimit = ctx.commandLimit();
        this.fragmentLimit = ctx.fragmentLimit();
        this.counters = counters;
        this.errorHandler = ctx.errorHandler();
        this.timers = new NodeTimers(epochClock.time(), ctx.maxTimers(), ctx.timerExpiryLimit());
        final HybridLogicalClock clock = new HybridLogicalClock(nodeId, epochClock);
        this.rpc = new RpcLayer(rpcContext(ctx, clock, timers, counters));
        this.services = new NodeServices(
            nodeId, ctx.clusterId(), clock, timers, rpc.rpc(), counters, duties, Node.MAX_DUTIES);
        this.initialServices = new ArrayList<>(ctx.services());
        this.roleName = "datacake-node-" + nodeId;
    }

    public void onStart()
    {
        transport.peerStatusListener(rpc.peerStatusListener());
        for (final RpcService service : initialServices)
        {
            rpc.rpc().addService(service);
        }
    }

    public int doWork()
    {
        final long nowMs = epochClock.time();
        int work = timers.poll(nowMs);
        if (work > 0)
        {
            counters.timersExpired.getAndAddRelease(work);
        }
        work += commandQueue.drain(taskRunner, commandLimit);
        work += transport.poll(rpc.frameHandler(), fragmentLimit);
        work += rpc.doWork(nowMs);
        // Size re-read each time: a duty may add or remove duties while running.
        final ArrayList<Duty> duties = this.duties;
        for (int i = 0; i < duties.size(); i++)
        {
            work += duties.get(i).doWork(nowMs);
        }
        return work;
    }

    public void onClose()
    {
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
            .epochClock(timers::nowMs)
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
            .initialCorrelationId(ctx.initialCorrelationId());
    }

    public String roleName()
    {
        return roleName;
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
