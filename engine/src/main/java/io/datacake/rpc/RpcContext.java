package io.datacake.rpc;

import io.datacake.clock.HybridLogicalClock;
import io.datacake.security.FrameProtection;
import io.datacake.security.Keyring;
import io.datacake.transport.Transport;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Settings and collaborators of one node's RPC layer, filled in by its owner (the node) before
 * {@link RpcLayer#RpcLayer(RpcContext)}. Bounds are validated by the owner's own configuration; this object only
 * carries them, so the RPC layer does not depend on the node package.
 */
public final class RpcContext
{
    /** Default bound on requests and one-way messages queued per peer behind one that could not be sent yet. */
    public static final int DEFAULT_MAX_QUEUED_REQUESTS_PER_PEER = 1024;

    private int nodeId;
    private long clusterId;
    private Transport transport;
    private HybridLogicalClock hybridClock;
    private EpochClock epochClock;
    private NanoClock nanoClock;
    private RpcCounters counters;
    private ErrorHandler errorHandler;
    private int maxPendingRequests;
    private long requestTimeoutMs;
    private long connectTimeoutMs;
    private int maxBodyLength;
    private int streamWindowBytes;
    private int maxStreams;
    private long streamTimeoutMs;
    private int streamChunkLimit;
    private int maxPendingReplyBytes;
    private long replyRetryTimeoutMs;
    private int maxQueuedRequestsPerPeer = DEFAULT_MAX_QUEUED_REQUESTS_PER_PEER;
    private long initialCorrelationId = 1;
    private Keyring keyring;
    private FrameProtection frameProtection = FrameProtection.AUTHENTICATE;
    private long generation;

    /**
     * @param nodeId this node's id, the source of every frame.
     * @return this.
     */
    public RpcContext nodeId(final int nodeId)
    {
        this.nodeId = nodeId;
        return this;
    }

    /**
     * @return this node's id.
     */
    public int nodeId()
    {
        return nodeId;
    }

    /**
     * @param clusterId the cluster id written in and checked on every frame.
     * @return this.
     */
    public RpcContext clusterId(final long clusterId)
    {
        this.clusterId = clusterId;
        return this;
    }

    /**
     * @return the cluster id.
     */
    public long clusterId()
    {
        return clusterId;
    }

    /**
     * @param transport the transport frames go through.
     * @return this.
     */
    public RpcContext transport(final Transport transport)
    {
        this.transport = transport;
        return this;
    }

    /**
     * @return the transport.
     */
    public Transport transport()
    {
        return transport;
    }

    /**
     * @param hybridClock the node's hybrid logical clock: stamps every frame sent, merges every stamp received.
     * @return this.
     */
    public RpcContext hybridClock(final HybridLogicalClock hybridClock)
    {
        this.hybridClock = hybridClock;
        return this;
    }

    /**
     * @return the hybrid logical clock.
     */
    public HybridLogicalClock hybridClock()
    {
        return hybridClock;
    }

    /**
     * @param epochClock the node's wall clock, in epoch milliseconds: only for what is wall time by nature (the
     *                   start time secured frames are checked against), never for a deadline.
     * @return this.
     */
    public RpcContext epochClock(final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        return this;
    }

    /**
     * @return the wall clock.
     */
    public EpochClock epochClock()
    {
        return epochClock;
    }

    /**
     * @param nanoClock the monotonic time of the current duty cycle, in nanoseconds from an arbitrary origin: call,
     *                  connect, stream and reply retry deadlines, so a wall clock step moves none of them.
     * @return this.
     */
    public RpcContext nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    /**
     * @return the monotonic clock.
     */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * @param counters where the RPC layer counts what it does and drops.
     * @return this.
     */
    public RpcContext counters(final RpcCounters counters)
    {
        this.counters = counters;
        return this;
    }

    /**
     * @return the counters.
     */
    public RpcCounters counters()
    {
        return counters;
    }

    /**
     * @param errorHandler told about exceptions thrown by response and body listeners.
     * @return this.
     */
    public RpcContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    /**
     * @return the error handler.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * @param maxPendingRequests bound on calls awaiting an outcome.
     * @return this.
     */
    public RpcContext maxPendingRequests(final int maxPendingRequests)
    {
        this.maxPendingRequests = maxPendingRequests;
        return this;
    }

    /**
     * @return bound on calls awaiting an outcome.
     */
    public int maxPendingRequests()
    {
        return maxPendingRequests;
    }

    /**
     * @param requestTimeoutMs the timeout of a call that passes 0.
     * @return this.
     */
    public RpcContext requestTimeoutMs(final long requestTimeoutMs)
    {
        this.requestTimeoutMs = requestTimeoutMs;
        return this;
    }

    /**
     * @return the default request timeout.
     */
    public long requestTimeoutMs()
    {
        return requestTimeoutMs;
    }

    /**
     * @param connectTimeoutMs how long a request may wait for its peer's connection before it fails.
     * @return this.
     */
    public RpcContext connectTimeoutMs(final long connectTimeoutMs)
    {
        this.connectTimeoutMs = connectTimeoutMs;
        return this;
    }

    /**
     * @return the connect timeout.
     */
    public long connectTimeoutMs()
    {
        return connectTimeoutMs;
    }

    /**
     * @param maxBodyLength largest body, streamed when above one frame.
     * @return this.
     */
    public RpcContext maxBodyLength(final int maxBodyLength)
    {
        this.maxBodyLength = maxBodyLength;
        return this;
    }

    /**
     * @return largest body.
     */
    public int maxBodyLength()
    {
        return maxBodyLength;
    }

    /**
     * @param streamWindowBytes bytes of a streamed body sent ahead of the receiver's credit.
     * @return this.
     */
    public RpcContext streamWindowBytes(final int streamWindowBytes)
    {
        this.streamWindowBytes = streamWindowBytes;
        return this;
    }

    /**
     * @return the flow-control window.
     */
    public int streamWindowBytes()
    {
        return streamWindowBytes;
    }

    /**
     * @param maxStreams bound on streamed bodies in flight (both directions).
     * @return this.
     */
    public RpcContext maxStreams(final int maxStreams)
    {
        this.maxStreams = maxStreams;
        return this;
    }

    /**
     * @return bound on streamed bodies in flight.
     */
    public int maxStreams()
    {
        return maxStreams;
    }

    /**
     * @param streamTimeoutMs time a streamed body may go without progress before it is abandoned.
     * @return this.
     */
    public RpcContext streamTimeoutMs(final long streamTimeoutMs)
    {
        this.streamTimeoutMs = streamTimeoutMs;
        return this;
    }

    /**
     * @return the stream timeout.
     */
    public long streamTimeoutMs()
    {
        return streamTimeoutMs;
    }

    /**
     * @param streamChunkLimit bound on chunks sent per duty cycle over all streams.
     * @return this.
     */
    public RpcContext streamChunkLimit(final int streamChunkLimit)
    {
        this.streamChunkLimit = streamChunkLimit;
        return this;
    }

    /**
     * @return bound on chunks sent per duty cycle.
     */
    public int streamChunkLimit()
    {
        return streamChunkLimit;
    }

    /**
     * @param maxPendingReplyBytes bound on reply frames queued while the transport cannot take them.
     * @return this.
     */
    public RpcContext maxPendingReplyBytes(final int maxPendingReplyBytes)
    {
        this.maxPendingReplyBytes = maxPendingReplyBytes;
        return this;
    }

    /**
     * @return bound on queued reply bytes.
     */
    public int maxPendingReplyBytes()
    {
        return maxPendingReplyBytes;
    }

    /**
     * @param replyRetryTimeoutMs how long a queued reply is retried, or 0 for the request timeout.
     * @return this.
     */
    public RpcContext replyRetryTimeoutMs(final long replyRetryTimeoutMs)
    {
        this.replyRetryTimeoutMs = replyRetryTimeoutMs;
        return this;
    }

    /**
     * @return the reply retry timeout, 0 for the request timeout.
     */
    public long replyRetryTimeoutMs()
    {
        return replyRetryTimeoutMs;
    }

    /**
     * @param maxQueuedRequestsPerPeer bound on requests and one-way messages queued to one peer behind one that
     *                                 could not be sent yet (order is kept per peer).
     * @return this.
     */
    public RpcContext maxQueuedRequestsPerPeer(final int maxQueuedRequestsPerPeer)
    {
        this.maxQueuedRequestsPerPeer = maxQueuedRequestsPerPeer;
        return this;
    }

    /**
     * @return bound on requests queued per peer.
     */
    public int maxQueuedRequestsPerPeer()
    {
        return maxQueuedRequestsPerPeer;
    }

    /**
     * @param initialCorrelationId the first correlation id of this incarnation: pick it at random (e.g. from
     *                             {@code SecureRandom}, or a seeded random in simulation) so two incarnations of a
     *                             node do not reuse each other's ids.
     * @return this.
     */
    public RpcContext initialCorrelationId(final long initialCorrelationId)
    {
        this.initialCorrelationId = initialCorrelationId;
        return this;
    }

    /**
     * @return the first correlation id.
     */
    public long initialCorrelationId()
    {
        return initialCorrelationId;
    }

    /**
     * @param keyring the cluster's keys: every frame is sealed under its primary key and checked against all of
     *                them; null (the default) sends and accepts unsecured frames only.
     * @return this.
     */
    public RpcContext keyring(final Keyring keyring)
    {
        this.keyring = keyring;
        return this;
    }

    /**
     * @return the keyring, null when frames are not secured.
     */
    public Keyring keyring()
    {
        return keyring;
    }

    /**
     * @param frameProtection what the keyring does to every frame (default {@link FrameProtection#AUTHENTICATE}).
     * @return this.
     */
    public RpcContext frameProtection(final FrameProtection frameProtection)
    {
        this.frameProtection = frameProtection;
        return this;
    }

    /**
     * @return what the keyring does to every frame.
     */
    public FrameProtection frameProtection()
    {
        return frameProtection;
    }

    /**
     * @param generation this life of the node, larger than every earlier life's (e.g. its incarnation, or its start
     *                   time in epoch ms): receivers drop secured frames of an older generation than the newest
     *                   they saw from the node.
     * @return this.
     */
    public RpcContext generation(final long generation)
    {
        this.generation = generation;
        return this;
    }

    /**
     * @return this life of the node.
     */
    public long generation()
    {
        return generation;
    }

    RpcContext conclude()
    {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(hybridClock, "hybridClock");
        Objects.requireNonNull(epochClock, "epochClock");
        Objects.requireNonNull(nanoClock, "nanoClock");
        Objects.requireNonNull(counters, "counters");
        Objects.requireNonNull(errorHandler, "errorHandler");
        if (null != keyring)
        {
            Objects.requireNonNull(frameProtection, "frameProtection");
        }
        if (maxQueuedRequestsPerPeer <= 0)
        {
            throw new IllegalArgumentException("maxQueuedRequestsPerPeer must be positive: " +
                maxQueuedRequestsPerPeer);
        }
        return this;
    }

    /**
     * Monotonic milliseconds, the unit of every RPC deadline and of the time the node passes to
     * {@link RpcLayer#doWork(long)}: the same conversion the node uses.
     */
    static long monotonicMs(final NanoClock nanoClock)
    {
        return TimeUnit.NANOSECONDS.toMillis(nanoClock.nanoTime());
    }
}
