package io.datacake.node;

import io.datacake.rpc.RpcBodyListener;
import io.datacake.rpc.RpcError;
import io.datacake.rpc.RpcException;
import io.datacake.rpc.RpcHeaders;
import io.datacake.rpc.RpcLayer;
import io.datacake.rpc.RpcResponse;
import io.datacake.rpc.RpcService;
import io.datacake.security.Keyring;
import io.datacake.transport.Transport;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One datacake node: an Agrona agent that owns all node state, run on its own thread by an {@link AgentRunner} or
 * stepped by the caller through {@link #invoker()}. Application threads talk to it only through a bounded
 * many-to-one command queue and get results back through futures or their own callbacks.
 * <p>
 * Futures are completed on the node thread: a dependent stage added with a non-async method runs there too and
 * must not block; use the {@code *Async} variants for anything slow.
 * <p>
 * Thread safe, except that in invoker mode {@link #invoker()} and {@link #close()} belong to the stepping thread.
 */
public final class Node implements AutoCloseable
{
    /** {@link #offer(NodeTask)} result: the task was queued. */
    public static final int OFFERED = 1;
    /** {@link #offer(NodeTask)} result: the command queue is full. */
    public static final int QUEUE_FULL = -1;
    /** {@link #offer(NodeTask)} result: the node is closed. */
    public static final int CLOSED = -2;

    /** Most duties a node's duty cycle runs. */
    public static final int MAX_DUTIES = 64;

    /** Bound on yields while close waits for application threads that are inside a submit. */
    static final int MAX_CLOSE_WAIT_YIELDS = 1_000_000;

    private final int nodeId;
    private final String endpoint;
    private final int commandQueueCapacity;
    private final ManyToOneConcurrentArrayQueue<NodeTask> commandQueue;
    private final NodeCounters counters;
    private final NodeAgent agent;
    private final AgentRunner runner;
    private final AgentInvoker invoker;
    private final AtomicInteger submittersInside = new AtomicInteger();
    private volatile boolean closed;

    private Node(final NodeContext ctx)
    {
        this.nodeId = ctx.nodeId();
        this.endpoint = ctx.transport().localEndpoint();
        this.commandQueue = new ManyToOneConcurrentArrayQueue<>(ctx.commandQueueCapacity());
        this.commandQueueCapacity = commandQueue.capacity();
        this.counters = new NodeCounters(nodeId);
        this.agent = new NodeAgent(ctx, commandQueue, counters);
        if (ctx.useAgentInvoker())
        {
            this.runner = null;
            this.invoker = new AgentInvoker(agent::onError, null, agent);
        }
        else
        {
            this.runner = new AgentRunner(
                new NodeIdleStrategy(ctx.idleStrategy(), ctx.awaitingIdleStrategy(), agent::isAwaiting),
                agent::onError, null, agent);
            this.invoker = null;
        }
    }

    /**
     * Start a node: on a new thread named {@code datacake-node-<id>}, or (invoker mode) ready to be stepped.
     * Components registered in the context are started on the calling thread, in registration order, before the
     * node polls anything.
     *
     * @param ctx the configuration; concluded here.
     * @return the running node.
     * @throws IllegalArgumentException if the configuration is invalid.
     * @throws ComponentStartException  if a component failed to start; the components started before it are closed
     *                                  in reverse order, and the transport is closed if the node owns it.
     */
    public static Node launch(final NodeContext ctx)
    {
        ctx.conclude();
        final Node node = new Node(ctx);
        node.agent.start();
        if (null != node.invoker)
        {
            node.invoker.start();
        }
        else
        {
            AgentRunner.startOnThread(node.runner);
        }
        return node;
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
     * The endpoint other nodes use to reach this node ({@link Transport#localEndpoint()}).
     *
     * @return the endpoint.
     */
    public String endpoint()
    {
        return endpoint;
    }

    /**
     * The node's counters, readable from any thread.
     *
     * @return the counters.
     */
    public NodeCounters counters()
    {
        return counters;
    }

    /**
     * The node's RPC layer, for tests of how the duty cycle drives it.
     */
    RpcLayer rpcLayer()
    {
        return agent.rpcLayer();
    }

    /**
     * The invoker that steps the node in invoker mode: call {@code invoke()} from your own loop.
     *
     * @return the invoker, or null if the node runs on its own thread.
     */
    public AgentInvoker invoker()
    {
        return invoker;
    }

    /**
     * Whether the node is closed.
     *
     * @return true once {@link #close()} was called.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Queue a task for the node thread without allocating or throwing.
     *
     * @param task the task; may be a reused instance.
     * @return {@link #OFFERED}, {@link #QUEUE_FULL} or {@link #CLOSED}.
     */
    public int offer(final NodeTask task)
    {
        submittersInside.getAndIncrement();
        try
        {
            if (closed)
            {
                return CLOSED;
            }
            if (!commandQueue.offer(task))
            {
                counters.commandsRejected.incrementRelease();
                return QUEUE_FULL;
            }
            return OFFERED;
        }
        finally
        {
            submittersInside.getAndDecrement();
        }
    }

    /**
     * Queue a task for the node thread.
     *
     * @param task the task; may be a reused instance.
     * @throws NodeBackPressureException if the command queue is full.
     * @throws NodeClosedException       if the node is closed.
     */
    public void submit(final NodeTask task)
    {
        final int result = offer(task);
        if (result == QUEUE_FULL)
        {
            throw new NodeBackPressureException(nodeId, commandQueueCapacity);
        }
        if (result == CLOSED)
        {
            throw new NodeClosedException(nodeId);
        }
    }

    /**
     * Run a function on the node thread and get its result.
     *
     * @param function the computation.
     * @param <T>      the result type.
     * @return a future completed with the result, or exceptionally with the function's exception,
     * {@link NodeBackPressureException} (queue full) or {@link NodeClosedException}.
     */
    public <T> CompletableFuture<T> execute(final NodeFunction<T> function)
    {
        final CompletableFuture<T> future = new CompletableFuture<>();
        enqueue(new NodeTask()
        {
            public void execute(final NodeServices services)
            {
                try
                {
                    future.complete(function.apply(services));
                }
                catch (final Exception ex)
                {
                    future.completeExceptionally(ex);
                }
            }

            public void onRejected(final NodeClosedException reason)
            {
                future.completeExceptionally(reason);
            }
        }, future::completeExceptionally);
        return future;
    }

    /**
     * Replace the node's keyring (key rotation) on the node thread, through the command queue: frames received
     * after it runs are checked against the new keyring's keys, frames sent after it runs are sealed under its
     * primary key. Rotate in three steps, each on every node before the next: add the new key, make it primary,
     * remove the old key (see {@link Keyring}).
     *
     * @param keyring the new keyring.
     * @return a future completed once the node uses it, or exceptionally with {@link IllegalStateException} if the
     * node was launched without a keyring, {@link NodeBackPressureException} or {@link NodeClosedException}.
     * @throws NullPointerException if the keyring is null.
     */
    public CompletableFuture<Void> updateKeyring(final Keyring keyring)
    {
        Objects.requireNonNull(keyring, "keyring");
        return execute((services) ->
        {
            agent.keyring(keyring);
            return null;
        });
    }

    /**
     * Register an RPC service on the running node.
     *
     * @param service the service.
     * @return a future completed once registered, or exceptionally (e.g. a duplicate id).
     */
    public CompletableFuture<Void> addService(final RpcService service)
    {
        return execute((services) ->
        {
            services.addService(service);
            return null;
        });
    }

    /**
     * Call a service on another node.
     *
     * @param endpoint      the peer's endpoint.
     * @param serviceName   the service name (its id is {@link RpcService#idOf(String)}).
     * @param messageTypeId the message type id.
     * @param body          the body, copied before return.
     * @param headers       headers, copied before return, or null.
     * @param timeoutMs     the request timeout, or 0 for the node's default.
     * @return a future completed with the response, or exceptionally with an {@link RpcException}.
     */
    public CompletableFuture<RpcResponse> call(
        final String endpoint,
        final String serviceName,
        final int messageTypeId,
        final byte[] body,
        final RpcHeaders headers,
        final long timeoutMs)
    {
        final byte[] bytes = null == body ? new byte[0] : body;
        return call(endpoint, RpcService.idOf(serviceName), messageTypeId, new UnsafeBuffer(bytes), 0, bytes.length,
            headers, timeoutMs);
    }

    /**
     * Call a service on another node by service id.
     *
     * @param endpoint      the peer's endpoint.
     * @param serviceId     the service id.
     * @param messageTypeId the message type id.
     * @param body          holds the body, copied before return.
     * @param offset        where the body starts.
     * @param length        the body length.
     * @param headers       headers, copied before return, or null.
     * @param timeoutMs     the request timeout, or 0 for the node's default.
     * @return a future completed with the response, or exceptionally with an {@link RpcException}.
     */
    public CompletableFuture<RpcResponse> call(
        final String endpoint,
        final int serviceId,
        final int messageTypeId,
        final DirectBuffer body,
        final int offset,
        final int length,
        final RpcHeaders headers,
        final long timeoutMs)
    {
        final CallCommand command = new CallCommand(
            endpoint, serviceId, messageTypeId, body, offset, length, headers, timeoutMs);
        enqueue(command, (ex) -> command.future.completeExceptionally(
            ex instanceof NodeClosedException ? new RpcException(RpcError.NODE_CLOSED, ex.getMessage()) :
            new RpcException(RpcError.BACK_PRESSURED, ex.getMessage())));
        return command.future;
    }

    /**
     * Call a service and consume the response body incrementally: the consumer gets the body chunk by chunk, in
     * order, on the node thread, as frames arrive (flow-control credit goes back to the sender as chunks are
     * consumed), so a large body is never assembled in memory. A body that fits in one frame comes as one chunk.
     *
     * @param endpoint      the peer's endpoint.
     * @param serviceName   the service name.
     * @param messageTypeId the message type id.
     * @param body          the request body, copied before return.
     * @param headers       headers, copied before return, or null.
     * @param timeoutMs     the request timeout for the whole response, or 0 for the node's default.
     * @param consumer      receives the chunks on the node thread; must not block. If it throws, the call fails.
     * @return a future completed with the number of body bytes consumed, or exceptionally with an
     * {@link RpcException}.
     */
    public CompletableFuture<Long> callStreaming(
        final String endpoint,
        final String serviceName,
        final int messageTypeId,
        final byte[] body,
        final RpcHeaders headers,
        final long timeoutMs,
        final RpcBodyListener consumer)
    {
        final StreamingCallCommand command = new StreamingCallCommand(
            endpoint, RpcService.idOf(serviceName), messageTypeId, body, headers, timeoutMs, consumer);
        enqueue(command, (ex) -> command.future.completeExceptionally(
            ex instanceof NodeClosedException ? new RpcException(RpcError.NODE_CLOSED, ex.getMessage()) :
            new RpcException(RpcError.BACK_PRESSURED, ex.getMessage())));
        return command.future;
    }

    /**
     * Close the node: stop its thread, fail pending requests and queued commands with a closed error, close the
     * transport if the node owns it. Idempotent.
     *
     * @throws IllegalStateException if called from the node's own thread (it would wait for itself).
     */
    @Override
    public void close()
    {
        if (null != runner && Thread.currentThread() == runner.thread())
        {
            throw new IllegalStateException("node " + nodeId + " cannot be closed from its own thread: " +
                "close it from an application thread");
        }
        if (closed)
        {
            return;
        }
        closed = true;
        // Let application threads already inside offer() finish queueing, so the final drain sees their commands.
        for (int i = 0; submittersInside.get() > 0 && i < MAX_CLOSE_WAIT_YIELDS; i++)
        {
            Thread.yield();
        }
        if (null != runner)
        {
            runner.close();
        }
        else
        {
            invoker.close();
        }
        final NodeClosedException reason = new NodeClosedException(nodeId);
        final Consumer<NodeTask> rejecter = (task) ->
        {
            try
            {
                task.onRejected(reason);
            }
            catch (final RuntimeException ex)
            {
                agent.onError(ex);
            }
        };
        while (commandQueue.drain(rejecter) > 0)
        {
            // Bounded by the queue capacity: no submitter can add commands any more (closed, and none is inside
            // offer()), so every command queued before close gets its rejection.
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "Node{id=" + nodeId + ", endpoint=" + endpoint + (closed ? ", closed}" : "}");
    }

    private void enqueue(final NodeTask task, final Consumer<RuntimeException> onFailure)
    {
        final int result = offer(task);
        if (result == QUEUE_FULL)
        {
            onFailure.accept(new NodeBackPressureException(nodeId, commandQueueCapacity));
        }
        else if (result == CLOSED)
        {
            onFailure.accept(new NodeClosedException(nodeId));
        }
    }
}
