package io.datacake.node;

import io.datacake.clock.HlcTimestamp;
import io.datacake.rpc.RpcService;
import io.datacake.security.FrameProtection;
import io.datacake.security.Keyring;
import io.datacake.transport.Transport;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Configuration of one node, in the style of Aeron's contexts: fluent setters, defaults that suit a small shared
 * machine, and {@link #conclude()} (called by {@link Node#launch}) to validate. Every bound the node keeps is set
 * here.
 * <p>
 * <b>Two clocks.</b> A node reads time from two sources, and every use belongs to exactly one of them:
 * <ul>
 *   <li>The {@link #nanoClock(NanoClock) monotonic clock} for everything that measures a duration or schedules
 *       work on this node: the node's timers and the time handed to every duty cycle
 *       ({@link Duty#doWork(long)}, {@link Component#doWork(long)}, {@link NodeServices#monotonicMs()}), RPC call,
 *       connect and stream deadlines, reply retry deadlines, store request timeouts, gossip and syn intervals,
 *       the failure detector's heartbeat intervals, stall detection, membership tombstone ages, repair and purge
 *       scheduling. It never steps, so a wall clock set back delays none of them and a wall clock set forward
 *       fires none early and makes the failure detector accuse nobody. Its values mean nothing outside this
 *       process: never persist them or send them to another node.</li>
 *   <li>The {@link #epochClock(EpochClock) wall clock} ({@link NodeServices#epochMs()}) for what is wall time by
 *       nature: the physical part of the hybrid logical clock, the store's purge floors, synced times and
 *       tombstone grace, which are compared with stamps and with other nodes, the secured frames' start time
 *       and generation, the membership generation, and anything persisted or sent.</li>
 * </ul>
 */
public final class NodeContext
{
    /** Default command queue capacity (commands, a power of two). */
    public static final int DEFAULT_COMMAND_QUEUE_CAPACITY = 4096;
    /** Default maximum commands run per duty cycle. */
    public static final int DEFAULT_COMMAND_LIMIT = 64;
    /** Default maximum frames polled per duty cycle. */
    public static final int DEFAULT_FRAGMENT_LIMIT = 64;
    /** Default maximum scheduled timers. */
    public static final int DEFAULT_MAX_TIMERS = 65_536;
    /** Default maximum timers expired per duty cycle. */
    public static final int DEFAULT_TIMER_EXPIRY_LIMIT = 256;
    /** Default time a request waits for its peer to become connected (datacake's 2 s connect timeout). */
    public static final long DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
    /** Default maximum requests awaiting a response. */
    public static final int DEFAULT_MAX_PENDING_REQUESTS = 16_384;
    /** Default request timeout. */
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
    /** Default largest RPC body, streamed in chunks when above the transport's frame size. */
    public static final int DEFAULT_MAX_BODY_LENGTH = 64 * 1024 * 1024;
    /** Default flow-control window of a streamed body: bytes sent ahead of the receiver's credit. */
    public static final int DEFAULT_STREAM_WINDOW_BYTES = 256 * 1024;
    /** Default maximum concurrent streamed bodies (inbound plus outbound). */
    public static final int DEFAULT_MAX_STREAMS = 64;
    /** Default time a streamed body may take between frames before it is abandoned. */
    public static final long DEFAULT_STREAM_TIMEOUT_MS = 10_000;
    /** Default maximum chunks sent per duty cycle over all streams. */
    public static final int DEFAULT_STREAM_CHUNK_LIMIT = 16;

    /**
     * Default bound on replies queued while the transport is back-pressured: 16 MiB, room for eight frames of the
     * largest Aeron message with 16 MiB terms, or about two thousand 8 KiB replies. The queue grows on demand from
     * 64 KiB, so an unloaded node does not hold it.
     */
    public static final int DEFAULT_MAX_PENDING_REPLY_BYTES = 16 * 1024 * 1024;

    /** Largest {@link #maxPendingReplyBytes(int)}: the largest Agrona {@code ExpandableRingBuffer}. */
    public static final int MAX_PENDING_REPLY_BYTES_LIMIT = 1 << 30;

    /** Spins of the default idle strategy before it yields. */
    public static final int DEFAULT_IDLE_MAX_SPINS = 10;
    /** Yields of the default idle strategy before it parks. */
    public static final int DEFAULT_IDLE_MAX_YIELDS = 20;
    /** Shortest park of the default idle strategy: 1 us. */
    public static final long DEFAULT_IDLE_MIN_PARK_NS = TimeUnit.MICROSECONDS.toNanos(1);
    /** Longest park of the default idle strategy: 1 ms. */
    public static final long DEFAULT_IDLE_MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);

    /**
     * Yields of the default awaiting idle strategy before it parks: 1,000, about a millisecond on an unloaded core,
     * far longer than a reply from another node takes to arrive.
     */
    public static final int DEFAULT_AWAITING_MAX_YIELDS = 1_000;
    /**
     * Longest park of the default awaiting idle strategy: 50 us, for a reply that is late (a slow or gone peer).
     */
    public static final long DEFAULT_AWAITING_MAX_PARK_NS = TimeUnit.MICROSECONDS.toNanos(50);

    private static final System.Logger LOGGER = System.getLogger(NodeContext.class.getName());

    private int nodeId = -1;
    private long clusterId;
    private long incarnation;
    private Transport transport;
    private boolean ownsTransport = true;
    private EpochClock epochClock = SystemEpochClock.INSTANCE;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private IdleStrategy idleStrategy;
    private IdleStrategy awaitingIdleStrategy;
    private boolean useAgentInvoker;
    private int commandQueueCapacity = DEFAULT_COMMAND_QUEUE_CAPACITY;
    private int commandLimit = DEFAULT_COMMAND_LIMIT;
    private int fragmentLimit = DEFAULT_FRAGMENT_LIMIT;
    private int maxTimers = DEFAULT_MAX_TIMERS;
    private int timerExpiryLimit = DEFAULT_TIMER_EXPIRY_LIMIT;
    private int maxPendingRequests = DEFAULT_MAX_PENDING_REQUESTS;
    private long requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
    private long connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
    private int maxBodyLength = DEFAULT_MAX_BODY_LENGTH;
    private int streamWindowBytes = DEFAULT_STREAM_WINDOW_BYTES;
    private int maxStreams = DEFAULT_MAX_STREAMS;
    private long streamTimeoutMs = DEFAULT_STREAM_TIMEOUT_MS;
    private int streamChunkLimit = DEFAULT_STREAM_CHUNK_LIMIT;
    private int maxPendingReplyBytes = DEFAULT_MAX_PENDING_REPLY_BYTES;
    private long replyRetryTimeoutMs;
    private ErrorHandler errorHandler;
    private final List<RpcService> services = new ArrayList<>();
    private final List<Component> components = new ArrayList<>();
    private long randomSeed;
    private boolean randomSeedSet;
    private long initialCorrelationId;
    private Keyring keyring;
    private FrameProtection frameProtection = FrameProtection.AUTHENTICATE;

    /**
     * Validate the configuration and fill in defaults. Called by {@link Node#launch(NodeContext)}.
     *
     * @return this.
     * @throws IllegalArgumentException if a value is out of range or a required value is missing.
     */
    public NodeContext conclude()
    {
        if (nodeId < 0 || nodeId > HlcTimestamp.MAX_NODE_ID)
        {
            throw new IllegalArgumentException(
                "nodeId must be set to 0.." + HlcTimestamp.MAX_NODE_ID + " (unique in the cluster): " + nodeId);
        }
        if (incarnation < 0)
        {
            throw new IllegalArgumentException("incarnation must not be negative: " + incarnation);
        }
        if (null == transport)
        {
            throw new IllegalArgumentException("transport must be set (e.g. new InProcessNetwork().newTransport())");
        }
        if (transport.isClosed())
        {
            throw new IllegalArgumentException("transport is already closed: " + transport);
        }
        if (null == epochClock)
        {
            throw new IllegalArgumentException("epochClock must not be null");
        }
        if (null == nanoClock)
        {
            throw new IllegalArgumentException("nanoClock must not be null");
        }
        checkPositive(commandQueueCapacity, "commandQueueCapacity");
        checkPositive(commandLimit, "commandLimit");
        checkPositive(fragmentLimit, "fragmentLimit");
        checkPositive(maxTimers, "maxTimers");
        checkPositive(timerExpiryLimit, "timerExpiryLimit");
        checkPositive(maxPendingRequests, "maxPendingRequests");
        checkPositive(requestTimeoutMs, "requestTimeoutMs");
        checkPositive(connectTimeoutMs, "connectTimeoutMs");
        checkPositive(maxBodyLength, "maxBodyLength");
        checkPositive(streamWindowBytes, "streamWindowBytes");
        checkPositive(maxStreams, "maxStreams");
        checkPositive(streamTimeoutMs, "streamTimeoutMs");
        checkPositive(streamChunkLimit, "streamChunkLimit");
        checkPositive(maxPendingReplyBytes, "maxPendingReplyBytes");
        if (maxPendingReplyBytes > MAX_PENDING_REPLY_BYTES_LIMIT)
        {
            throw new IllegalArgumentException(
                "maxPendingReplyBytes must be at most " + MAX_PENDING_REPLY_BYTES_LIMIT + ": " + maxPendingReplyBytes);
        }
        if (replyRetryTimeoutMs < 0)
        {
            throw new IllegalArgumentException("replyRetryTimeoutMs must be positive (or 0 for the request " +
                "timeout): " + replyRetryTimeoutMs);
        }
        if (0 == replyRetryTimeoutMs)
        {
            replyRetryTimeoutMs = requestTimeoutMs;
        }
        if (null == frameProtection)
        {
            throw new IllegalArgumentException("frameProtection must not be null (AUTHENTICATE or ENCRYPT)");
        }
        if (null == idleStrategy)
        {
            idleStrategy = newDefaultIdleStrategy();
        }
        if (null == awaitingIdleStrategy)
        {
            awaitingIdleStrategy = newDefaultAwaitingIdleStrategy();
        }
        if (awaitingIdleStrategy == idleStrategy)
        {
            throw new IllegalArgumentException("idleStrategy and awaitingIdleStrategy are the same instance: an idle " +
                "strategy keeps state, give each its own (or leave awaitingIdleStrategy unset for the default)");
        }
        if (!randomSeedSet)
        {
            randomSeed = new SecureRandom().nextLong();
            randomSeedSet = true;
        }
        if (null == errorHandler)
        {
            final int id = nodeId;
            errorHandler = (throwable) -> LOGGER.log(System.Logger.Level.WARNING, "node " + id + " error", throwable);
        }
        while (0 == initialCorrelationId)
        {
            initialCorrelationId = new SecureRandom().nextLong();
        }
        return this;
    }

    /**
     * This node's id, unique in the cluster; also the HLC node id.
     *
     * @param nodeId 0..{@link HlcTimestamp#MAX_NODE_ID}.
     * @return this.
     */
    public NodeContext nodeId(final int nodeId)
    {
        this.nodeId = nodeId;
        return this;
    }

    /**
     * This node's id.
     *
     * @return the id, -1 if not set.
     */
    public int nodeId()
    {
        return nodeId;
    }

    /**
     * The cluster id put in every frame; frames with another cluster id are dropped and counted.
     *
     * @param clusterId any value agreed by the cluster's nodes (default 0).
     * @return this.
     */
    public NodeContext clusterId(final long clusterId)
    {
        this.clusterId = clusterId;
        return this;
    }

    /**
     * The cluster id.
     *
     * @return the id.
     */
    public long clusterId()
    {
        return clusterId;
    }

    /**
     * Which life of this node id this is: a host that restarts a node after a crash (a simulation, a supervisor
     * that persists a counter) gives each start a higher number, so components can tell a restarted peer from the
     * one it replaced.
     *
     * @param incarnation 0 (the default: not counted) or more.
     * @return this.
     */
    public NodeContext incarnation(final long incarnation)
    {
        this.incarnation = incarnation;
        return this;
    }

    /**
     * Which life of this node id this is.
     *
     * @return the incarnation, 0 if not counted.
     */
    public long incarnation()
    {
        return incarnation;
    }

    /**
     * The transport the node sends and polls frames through; owned by the node thread from launch.
     *
     * @param transport an open transport.
     * @return this.
     */
    public NodeContext transport(final Transport transport)
    {
        this.transport = transport;
        return this;
    }

    /**
     * The transport.
     *
     * @return the transport, null if not set.
     */
    public Transport transport()
    {
        return transport;
    }

    /**
     * Whether closing the node closes the transport (default true).
     *
     * @param ownsTransport true to close the transport with the node.
     * @return this.
     */
    public NodeContext ownsTransport(final boolean ownsTransport)
    {
        this.ownsTransport = ownsTransport;
        return this;
    }

    /**
     * Whether closing the node closes the transport.
     *
     * @return true if the node owns the transport.
     */
    public boolean ownsTransport()
    {
        return ownsTransport;
    }

    /**
     * The wall clock: the physical part of the HLC and every time that is wall time by nature (see the class
     * description); a simulated, possibly skewed, clock in simulations. Timers and deadlines never read it.
     *
     * @param epochClock source of epoch milliseconds (default the system clock).
     * @return this.
     */
    public NodeContext epochClock(final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        return this;
    }

    /**
     * The wall clock.
     *
     * @return the clock.
     */
    public EpochClock epochClock()
    {
        return epochClock;
    }

    /**
     * The monotonic clock for timers, deadlines, intervals and scheduling (see the class description); a simulated
     * clock that moves only with virtual time in simulations.
     *
     * @param nanoClock source of monotonic nanoseconds from an arbitrary origin, never going back (default
     *                  {@link SystemNanoClock}, {@link System#nanoTime()}).
     * @return this.
     */
    public NodeContext nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    /**
     * A new instance of the default idle strategy: spins {@value #DEFAULT_IDLE_MAX_SPINS} times, yields
     * {@value #DEFAULT_IDLE_MAX_YIELDS} times, then parks from {@link #DEFAULT_IDLE_MIN_PARK_NS} doubling up to
     * {@link #DEFAULT_IDLE_MAX_PARK_NS}: low latency under load, no starved cores when idle.
     *
     * @return a new strategy (an idle strategy keeps state: one per thread).
     */
    public static IdleStrategy newDefaultIdleStrategy()
    {
        return new BackoffIdleStrategy(
            DEFAULT_IDLE_MAX_SPINS, DEFAULT_IDLE_MAX_YIELDS, DEFAULT_IDLE_MIN_PARK_NS, DEFAULT_IDLE_MAX_PARK_NS);
    }

    /**
     * A new instance of the default awaiting idle strategy: spins {@value #DEFAULT_IDLE_MAX_SPINS} times, yields up
     * to {@value #DEFAULT_AWAITING_MAX_YIELDS} times, then parks from {@link #DEFAULT_IDLE_MIN_PARK_NS} doubling up to
     * {@link #DEFAULT_AWAITING_MAX_PARK_NS}. A yield gives the core to any other runnable thread (the peer's driver,
     * the caller), so this never spins a core away from work, yet the answer is taken within a yield of arriving
     * instead of after a park, which the operating system's timer slack stretches to 50 us or more.
     *
     * @return a new strategy (an idle strategy keeps state: one per thread).
     */
    public static IdleStrategy newDefaultAwaitingIdleStrategy()
    {
        return new BackoffIdleStrategy(DEFAULT_IDLE_MAX_SPINS, DEFAULT_AWAITING_MAX_YIELDS, DEFAULT_IDLE_MIN_PARK_NS,
            DEFAULT_AWAITING_MAX_PARK_NS);
    }

    /**
     * How the node thread waits when a duty cycle found no work while it awaits answers: RPC calls it made are
     * in flight (a write waiting for its replicas, a repair step). The time until an answer arrives is then short
     * and on the operation's critical path, so the default ({@link #newDefaultAwaitingIdleStrategy()}) yields rather
     * than parks; when nothing is in flight the node waits with {@link #idleStrategy(IdleStrategy)}. Ignored in
     * invoker mode.
     *
     * @param awaitingIdleStrategy the strategy, not the same instance as the idle strategy (null for the default).
     * @return this.
     */
    public NodeContext awaitingIdleStrategy(final IdleStrategy awaitingIdleStrategy)
    {
        this.awaitingIdleStrategy = awaitingIdleStrategy;
        return this;
    }

    /**
     * The monotonic clock.
     *
     * @return the clock.
     */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * The awaiting idle strategy.
     *
     * @return the strategy, null until set or concluded.
     */
    public IdleStrategy awaitingIdleStrategy()
    {
        return awaitingIdleStrategy;
    }

    /**
     * How the node thread waits when a duty cycle found no work and no call it made is in flight (see
     * {@link #awaitingIdleStrategy(IdleStrategy)}). The default ({@link #newDefaultIdleStrategy()}) backs off to
     * parking up to 1 ms so that an idle node costs almost no CPU on a small machine; a busy-spin strategy lowers
     * latency but takes a core.
     *
     * @param idleStrategy the strategy for the node's own thread.
     * @return this.
     */
    public NodeContext idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /**
     * The idle strategy.
     *
     * @return the strategy, null until set or concluded.
     */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * Step the node from the caller's own loop with {@link Node#invoker()} instead of starting a thread.
     *
     * @param useAgentInvoker true for invoker mode (default false: a dedicated thread).
     * @return this.
     */
    public NodeContext useAgentInvoker(final boolean useAgentInvoker)
    {
        this.useAgentInvoker = useAgentInvoker;
        return this;
    }

    /**
     * Whether the node runs in invoker mode.
     *
     * @return true for invoker mode.
     */
    public boolean useAgentInvoker()
    {
        return useAgentInvoker;
    }

    /**
     * Capacity of the command queue from application threads; a full queue rejects with
     * {@link NodeBackPressureException}.
     *
     * @param capacity commands (rounded up to a power of two).
     * @return this.
     */
    public NodeContext commandQueueCapacity(final int capacity)
    {
        this.commandQueueCapacity = capacity;
        return this;
    }

    /**
     * Command queue capacity.
     *
     * @return commands.
     */
    public int commandQueueCapacity()
    {
        return commandQueueCapacity;
    }

    /**
     * Bound on commands run per duty cycle, so commands cannot starve the network.
     *
     * @param commandLimit commands per duty cycle.
     * @return this.
     */
    public NodeContext commandLimit(final int commandLimit)
    {
        this.commandLimit = commandLimit;
        return this;
    }

    /**
     * Commands per duty cycle.
     *
     * @return the bound.
     */
    public int commandLimit()
    {
        return commandLimit;
    }

    /**
     * Bound on frames polled from the transport per duty cycle.
     *
     * @param fragmentLimit frames per duty cycle.
     * @return this.
     */
    public NodeContext fragmentLimit(final int fragmentLimit)
    {
        this.fragmentLimit = fragmentLimit;
        return this;
    }

    /**
     * Frames per duty cycle.
     *
     * @return the bound.
     */
    public int fragmentLimit()
    {
        return fragmentLimit;
    }

    /**
     * Bound on timers scheduled at once.
     *
     * @param maxTimers timers.
     * @return this.
     */
    public NodeContext maxTimers(final int maxTimers)
    {
        this.maxTimers = maxTimers;
        return this;
    }

    /**
     * Timer bound.
     *
     * @return timers.
     */
    public int maxTimers()
    {
        return maxTimers;
    }

    /**
     * Bound on timers expired per duty cycle.
     *
     * @param timerExpiryLimit timers per duty cycle.
     * @return this.
     */
    public NodeContext timerExpiryLimit(final int timerExpiryLimit)
    {
        this.timerExpiryLimit = timerExpiryLimit;
        return this;
    }

    /**
     * Timers expired per duty cycle.
     *
     * @return the bound.
     */
    public int timerExpiryLimit()
    {
        return timerExpiryLimit;
    }

    /**
     * Bound on requests awaiting a response; more fail at once with {@code RpcError.TOO_MANY_PENDING}.
     *
     * @param maxPendingRequests requests.
     * @return this.
     */
    public NodeContext maxPendingRequests(final int maxPendingRequests)
    {
        this.maxPendingRequests = maxPendingRequests;
        return this;
    }

    /**
     * Pending request bound.
     *
     * @return requests.
     */
    public int maxPendingRequests()
    {
        return maxPendingRequests;
    }

    /**
     * Request timeout used when a call does not give one.
     *
     * @param requestTimeoutMs milliseconds.
     * @return this.
     */
    public NodeContext requestTimeoutMs(final long requestTimeoutMs)
    {
        this.requestTimeoutMs = requestTimeoutMs;
        return this;
    }

    /**
     * Default request timeout.
     *
     * @return milliseconds.
     */
    public long requestTimeoutMs()
    {
        return requestTimeoutMs;
    }

    /**
     * How long a request keeps retrying while the transport reports the peer not connected (an Aeron publication
     * still connecting) or back-pressured, before it fails with {@code RpcError.PEER_UNREACHABLE} (or
     * {@code BACK_PRESSURED}). The request timeout still applies if it is shorter.
     *
     * @param connectTimeoutMs milliseconds.
     * @return this.
     */
    public NodeContext connectTimeoutMs(final long connectTimeoutMs)
    {
        this.connectTimeoutMs = connectTimeoutMs;
        return this;
    }

    /**
     * Connect timeout.
     *
     * @return milliseconds.
     */
    public long connectTimeoutMs()
    {
        return connectTimeoutMs;
    }

    /**
     * Largest RPC body accepted or sent; bodies above the transport's frame size are streamed.
     *
     * @param maxBodyLength bytes.
     * @return this.
     */
    public NodeContext maxBodyLength(final int maxBodyLength)
    {
        this.maxBodyLength = maxBodyLength;
        return this;
    }

    /**
     * Largest body.
     *
     * @return bytes.
     */
    public int maxBodyLength()
    {
        return maxBodyLength;
    }

    /**
     * Flow-control window of a streamed body: how many bytes a sender may have sent beyond what the receiver
     * has acknowledged consuming.
     *
     * @param streamWindowBytes bytes.
     * @return this.
     */
    public NodeContext streamWindowBytes(final int streamWindowBytes)
    {
        this.streamWindowBytes = streamWindowBytes;
        return this;
    }

    /**
     * Stream window.
     *
     * @return bytes.
     */
    public int streamWindowBytes()
    {
        return streamWindowBytes;
    }

    /**
     * Bound on concurrent streamed bodies (inbound plus outbound).
     *
     * @param maxStreams streams.
     * @return this.
     */
    public NodeContext maxStreams(final int maxStreams)
    {
        this.maxStreams = maxStreams;
        return this;
    }

    /**
     * Stream bound.
     *
     * @return streams.
     */
    public int maxStreams()
    {
        return maxStreams;
    }

    /**
     * How long a streamed body may go without progress before it is abandoned.
     *
     * @param streamTimeoutMs milliseconds.
     * @return this.
     */
    public NodeContext streamTimeoutMs(final long streamTimeoutMs)
    {
        this.streamTimeoutMs = streamTimeoutMs;
        return this;
    }

    /**
     * Stream inactivity timeout.
     *
     * @return milliseconds.
     */
    public long streamTimeoutMs()
    {
        return streamTimeoutMs;
    }

    /**
     * Bound on stream chunks sent per duty cycle over all streams.
     *
     * @param streamChunkLimit chunks per duty cycle.
     * @return this.
     */
    public NodeContext streamChunkLimit(final int streamChunkLimit)
    {
        this.streamChunkLimit = streamChunkLimit;
        return this;
    }

    /**
     * Chunks per duty cycle.
     *
     * @return the bound.
     */
    public int streamChunkLimit()
    {
        return streamChunkLimit;
    }

    /**
     * Bound on the bytes of reply frames (responses and stream credits) queued while the transport is
     * back-pressured. A reply the transport cannot take is queued and retried every duty cycle, oldest first, so
     * the requester gets it instead of timing out although its handler ran; replies to a peer that has replies
     * queued go behind them, so order is kept. A reply that does not fit is dropped and counted in
     * {@link NodeCounters#repliesDropped}. Rounded up to a power of two; it must hold at least one frame of the
     * transport's {@code maxMessageLength} (checked when the node starts).
     *
     * @param maxPendingReplyBytes bytes, 1..2^30.
     * @return this.
     */
    public NodeContext maxPendingReplyBytes(final int maxPendingReplyBytes)
    {
        this.maxPendingReplyBytes = maxPendingReplyBytes;
        return this;
    }

    /**
     * Bound on queued reply bytes.
     *
     * @return bytes.
     */
    public int maxPendingReplyBytes()
    {
        return maxPendingReplyBytes;
    }

    /**
     * How long a queued reply is retried before it is dropped and counted in {@link NodeCounters#repliesDropped}.
     * The default (0) takes the {@link #requestTimeoutMs(long) request timeout}: after it a requester using the
     * default timeout has given up, so the reply would only be a late frame.
     *
     * @param replyRetryTimeoutMs milliseconds, or 0 for the request timeout.
     * @return this.
     */
    public NodeContext replyRetryTimeoutMs(final long replyRetryTimeoutMs)
    {
        this.replyRetryTimeoutMs = replyRetryTimeoutMs;
        return this;
    }

    /**
     * Retry deadline of a queued reply.
     *
     * @return milliseconds (0 before {@link #conclude()} if left to default to the request timeout).
     */
    public long replyRetryTimeoutMs()
    {
        return replyRetryTimeoutMs;
    }

    /**
     * Where errors on the node thread go (after being counted); the node keeps running.
     *
     * @param errorHandler the handler (default: log at WARNING through {@link System.Logger}).
     * @return this.
     */
    public NodeContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    /**
     * The error handler.
     *
     * @return the handler, null until set or concluded.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * Register an RPC service when the node starts (services can also be added later with
     * {@link Node#addService(RpcService)}).
     *
     * @param service the service.
     * @return this.
     */
    public NodeContext addService(final RpcService service)
    {
        services.add(service);
        return this;
    }

    List<RpcService> services()
    {
        return services;
    }

    /**
     * Register a component, started when the node launches (before the first frame is polled), in registration
     * order, and closed in reverse order when the node closes. See {@link Component} for the lifecycle.
     *
     * @param component the component; one instance belongs to one node.
     * @return this.
     * @throws NullPointerException     if the component is null.
     * @throws IllegalArgumentException if the same component instance is already registered.
     */
    public NodeContext addComponent(final Component component)
    {
        if (null == component)
        {
            throw new NullPointerException("component");
        }
        for (final Component registered : components)
        {
            if (registered == component)
            {
                throw new IllegalArgumentException("component already registered: " + component);
            }
        }
        components.add(component);
        return this;
    }

    /**
     * The registered components, in registration order.
     *
     * @return an unmodifiable view.
     */
    public List<Component> components()
    {
        return Collections.unmodifiableList(components);
    }

    /**
     * Seed of the node's random generator ({@link NodeServices#random()}); a simulation passes one so that a run
     * replays. Default: drawn from {@link SecureRandom} by {@link #conclude()}.
     *
     * @param randomSeed any value.
     * @return this.
     */
    public NodeContext randomSeed(final long randomSeed)
    {
        this.randomSeed = randomSeed;
        this.randomSeedSet = true;
        return this;
    }

    /**
     * The random seed; log it to replay a run.
     *
     * @return the seed (0 before {@link #conclude()} if not set).
     */
    public long randomSeed()
    {
        return randomSeed;
    }

    /**
     * Where this incarnation's RPC correlation ids start. Leave unset (0) to draw it from {@link SecureRandom}, so
     * two incarnations of a node (or two nodes started in the same millisecond) do not share a sequence; a
     * simulation sets it from its seed so runs replay.
     *
     * @param initialCorrelationId any non-zero value, or 0 for a random start.
     * @return this.
     */
    public NodeContext initialCorrelationId(final long initialCorrelationId)
    {
        this.initialCorrelationId = initialCorrelationId;
        return this;
    }

    /**
     * Where RPC correlation ids start.
     *
     * @return the start, 0 until concluded if left random.
     */
    public long initialCorrelationId()
    {
        return initialCorrelationId;
    }

    /**
     * The cluster's keys: with a keyring every frame is sealed under its primary key and every frame received must
     * be sealed under one of its keys, fresh for its sender (replay window) and authentic, or it is dropped and
     * counted before anything reads it. Every node of the cluster needs a keyring holding the keys the others send
     * under. Replace it on a running node with {@link Node#updateKeyring(Keyring)} to rotate keys. Default: none,
     * frames are not secured (use only on loopback or a trusted network; see
     * {@link io.datacake.security.ListenAddressCheck}).
     *
     * @param keyring the keyring, or null for none.
     * @return this.
     */
    public NodeContext keyring(final Keyring keyring)
    {
        this.keyring = keyring;
        return this;
    }

    /**
     * The cluster's keys.
     *
     * @return the keyring, null if frames are not secured.
     */
    public Keyring keyring()
    {
        return keyring;
    }

    /**
     * What the keyring does to every frame; the same on every node of the cluster. Ignored without a keyring.
     *
     * @param frameProtection {@link FrameProtection#AUTHENTICATE} (the default) or {@link FrameProtection#ENCRYPT}.
     * @return this.
     */
    public NodeContext frameProtection(final FrameProtection frameProtection)
    {
        this.frameProtection = frameProtection;
        return this;
    }

    /**
     * What the keyring does to every frame.
     *
     * @return the mode.
     */
    public FrameProtection frameProtection()
    {
        return frameProtection;
    }

    private static void checkPositive(final long value, final String name)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
