package io.datacake.rpc;

import io.datacake.clock.HlcException;
import io.datacake.clock.HybridLogicalClock;
import io.datacake.node.NodeContext;
import io.datacake.node.NodeCounters;
import io.datacake.node.NodeTimers;
import io.datacake.protocol.FrameFlagsDecoder;
import io.datacake.protocol.FrameHeaderDecoder;
import io.datacake.protocol.FrameHeaderEncoder;
import io.datacake.protocol.MessageHeaderDecoder;
import io.datacake.protocol.MessageHeaderEncoder;
import io.datacake.protocol.RequestDecoder;
import io.datacake.protocol.RequestEncoder;
import io.datacake.protocol.ResponseDecoder;
import io.datacake.protocol.ResponseEncoder;
import io.datacake.protocol.RpcStatus;
import io.datacake.protocol.StreamChunkDecoder;
import io.datacake.protocol.StreamChunkEncoder;
import io.datacake.protocol.StreamCreditDecoder;
import io.datacake.protocol.StreamCreditEncoder;
import io.datacake.transport.FrameHandler;
import io.datacake.transport.PeerStatusListener;
import io.datacake.transport.Transport;
import io.datacake.transport.TransportClaim;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.ArrayListUtil;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Objects;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The RPC layer of one node, on the node thread: services and their handlers, outgoing calls with correlation ids
 * and timeouts, one-way messages, streamed bodies with flow control, and decoding of every incoming frame.
 * <p>
 * Frames are SBE flyweights ({@code io.datacake.protocol}, schema {@code src/main/sbe/datacake-frames.xml}):
 * encoded in place into a transport claim, decoded in place from the transport's buffer. Every length is checked
 * against the frame before it is read; a malformed frame is dropped and counted and never throws out of
 * {@link #onFrame}. Every request and response carries the sender's HLC stamp, merged here with
 * {@link HybridLogicalClock#recv}; a rejected stamp is counted, the RPC proceeds (datacake semantics).
 * <p>
 * Requests carry the requester's endpoint; the first request from a node id (or from a new endpoint for it) is
 * resolved into a reply peer once and cached by node id.
 * <p>
 * <b>Back-pressure.</b> A response or stream credit the transport cannot take after a few immediate tries
 * because it is back-pressured (routine on Aeron IPC, where the driver moves the publication limit on its own duty
 * cycle) is encoded into a scratch buffer and queued ({@link PendingReplies}), then retried from {@link #doWork},
 * oldest first, stopping at the first frame still back-pressured. While replies to a peer are queued, new replies
 * to it queue behind them and streamed bodies to it wait, so the peer sees frames in order. The queue is bounded
 * by {@code NodeContext.maxPendingReplyBytes}; a reply that does not fit, is still queued after
 * {@code NodeContext.replyRetryTimeoutMs}, or whose peer goes away is dropped and counted
 * ({@code repliesDropped}); the requester then times out. Requests do not use this queue: a call that cannot be
 * sent keeps its own copy and retries until the connect timeout ({@link DeferredRequest}).
 * <p>
 * Delivery is at least once: a duplicated request frame runs its handler again, and the requester takes the first
 * response and drops the rest (counted as late frames). A streamed body needs its chunks in order, as Aeron
 * delivers them; a chunk out of order is dropped and the call then fails by timeout, never with a wrong body.
 * <p>
 * Node thread only. Created by the node; reached by components through {@code NodeServices.rpc()}.
 */
public final class RpcEngine implements FrameHandler, PeerStatusListener
{
    /** Attempts per send while the transport reports back-pressure or an admin action. */
    static final int SEND_ATTEMPTS = 3;

    /** Bound on queued replies taken from the pending-reply queue (sent or dropped) per duty cycle. */
    static final int REPLY_RETRY_LIMIT = 64;

    /** Smallest first chunk worth streaming: a frame whose headers leave less room than this is rejected. */
    static final int MIN_CHUNK_LENGTH = 64;

    /** Longest error message sent in a response, in ASCII characters. */
    static final int MAX_ERROR_MESSAGE_LENGTH = 1024;

    private static final System.Logger LOGGER = System.getLogger(RpcEngine.class.getName());
    private static final UnsafeBuffer ZERO_AUTH_TAG = new UnsafeBuffer(new byte[16]);
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);
    private static final int FRAME_HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int RESPONSE_FIXED_LENGTH = FRAME_HEADER_LENGTH + ResponseEncoder.BLOCK_LENGTH +
        ResponseEncoder.errorMessageHeaderLength() + ResponseEncoder.bodyHeaderLength();
    private static final int CHUNK_FIXED_LENGTH = FRAME_HEADER_LENGTH + StreamChunkEncoder.BLOCK_LENGTH +
        StreamChunkEncoder.dataHeaderLength();
    private static final int CREDIT_LENGTH = FRAME_HEADER_LENGTH + StreamCreditEncoder.BLOCK_LENGTH;

    private final int nodeId;
    private final long clusterId;
    private final Transport transport;
    private final HybridLogicalClock clock;
    private final NodeTimers timers;
    private final NodeCounters counters;
    private final int maxMessageLength;
    private final int maxPendingRequests;
    private final long defaultTimeoutMs;
    private final long connectTimeoutMs;
    private final int maxBodyLength;
    private final int streamWindowBytes;
    private final int maxStreams;
    private final long streamTimeoutMs;
    private final int streamChunkLimit;
    private final UnsafeBuffer localEndpoint;
    private final ErrorHandler errorHandler;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final RequestEncoder requestEncoder = new RequestEncoder();
    private final RequestDecoder requestDecoder = new RequestDecoder();
    private final ResponseEncoder responseEncoder = new ResponseEncoder();
    private final ResponseDecoder responseDecoder = new ResponseDecoder();
    private final StreamChunkEncoder chunkEncoder = new StreamChunkEncoder();
    private final StreamChunkDecoder chunkDecoder = new StreamChunkDecoder();
    private final StreamCreditEncoder creditEncoder = new StreamCreditEncoder();
    private final StreamCreditDecoder creditDecoder = new StreamCreditDecoder();
    private final UnsafeBuffer errorMessageBuffer = new UnsafeBuffer(new byte[MAX_ERROR_MESSAGE_LENGTH]);
    private final TransportClaim claim;
    private final PendingReplies pendingReplies;
    private final long replyRetryTimeoutMs;

    private final Int2ObjectHashMap<RpcService> serviceById = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<ReplyRoute> replyRouteByNodeId = new Int2ObjectHashMap<>();
    private final Long2ObjectHashMap<PendingCall> pendingByCorrelationId = new Long2ObjectHashMap<>();
    private final ArrayDeque<PendingCall> callPool = new ArrayDeque<>();
    private final Long2ObjectHashMap<OutboundStream> outboundByKey = new Long2ObjectHashMap<>();
    private final ArrayList<OutboundStream> outboundStreams = new ArrayList<>();
    private final Long2ObjectHashMap<InboundStream> inboundByKey = new Long2ObjectHashMap<>();
    private final ArrayList<InboundStream> inboundStreams = new ArrayList<>();
    private final ArrayList<PendingCall> deferredCalls = new ArrayList<>();
    private final RpcRequest request = new RpcRequest();
    private final RpcReply reply = new RpcReply(this);

    // Fields of the frame being decoded, set by the parse methods.
    private int frameSourceNodeId;
    private long frameCorrelationId;
    private long frameHlcStamp;
    private boolean frameStreamed;
    private int frameBodyOffset;
    private int frameBodyLength;
    private int frameTotalBodyLength;
    private int frameEndpointOffset;
    private int frameEndpointLength;

    // Where the reply being encoded goes, set by claimReply: the transport claim, or the pending-reply scratch.
    private MutableDirectBuffer replyBuffer;
    private int replyOffset;
    private boolean replyQueued;

    private long nextCorrelationId;
    private boolean closed;

    /**
     * Create the RPC layer of a node. Called by the node when it starts.
     *
     * @param ctx      the concluded node configuration (ids, transport, bounds).
     * @param clock    the node's hybrid logical clock.
     * @param timers   the node's timers, for request timeouts.
     * @param counters the node's counters.
     * @throws IllegalArgumentException if the transport's frames are too small for the RPC headers, or
     *                                  {@code maxPendingReplyBytes} cannot hold one frame.
     */
    public RpcEngine(
        final NodeContext ctx, final HybridLogicalClock clock, final NodeTimers timers, final NodeCounters counters)
    {
        this.nodeId = ctx.nodeId();
        this.clusterId = ctx.clusterId();
        this.transport = ctx.transport();
        this.clock = clock;
        this.timers = timers;
        this.counters = counters;
        this.maxMessageLength = transport.maxMessageLength();
        this.maxPendingRequests = ctx.maxPendingRequests();
        this.defaultTimeoutMs = ctx.requestTimeoutMs();
        this.connectTimeoutMs = ctx.connectTimeoutMs();
        this.maxBodyLength = ctx.maxBodyLength();
        this.streamWindowBytes = ctx.streamWindowBytes();
        this.maxStreams = ctx.maxStreams();
        this.streamTimeoutMs = ctx.streamTimeoutMs();
        this.streamChunkLimit = ctx.streamChunkLimit();
        this.localEndpoint = new UnsafeBuffer(transport.localEndpoint().getBytes(StandardCharsets.US_ASCII));
        this.claim = transport.newClaim();
        this.errorHandler = ctx.errorHandler();
        // Correlation ids start from the clock so a restarted node does not reuse ids still in flight; kept below
        // 2^46 so they fit in stream keys.
        this.nextCorrelationId = ((timers.nowMs() & 0x3FF_FFFFL) << 20) + 1;
        if (maxMessageLength < RESPONSE_FIXED_LENGTH + MIN_CHUNK_LENGTH + 256)
        {
            throw new IllegalArgumentException("transport maxMessageLength " + maxMessageLength + " is too small");
        }
        this.pendingReplies = new PendingReplies(transport, counters, ctx.maxPendingReplyBytes(), maxMessageLength);
        this.replyRetryTimeoutMs = ctx.replyRetryTimeoutMs() > 0 ? ctx.replyRetryTimeoutMs() : defaultTimeoutMs;
    }

    /**
     * Register a service.
     *
     * @param service the service.
     * @throws IllegalArgumentException if a service with the same id is registered.
     */
    public void addService(final RpcService service)
    {
        final RpcService existing = serviceById.get(service.id());
        if (null != existing)
        {
            throw new IllegalArgumentException("service id " + service.id() + " of '" + service.name() +
                "' is already registered by '" + existing.name() + "': give one of them an explicit id");
        }
        serviceById.put(service.id(), service);
    }

    /**
     * Remove a service by name; requests for it then fail with {@link RpcError#UNKNOWN_SERVICE}.
     *
     * @param name the service name.
     * @return true if it was registered.
     */
    public boolean removeService(final String name)
    {
        // Services may have explicit ids, so search by name; removal is rare.
        for (final RpcService service : serviceById.values())
        {
            if (service.name().equals(name))
            {
                serviceById.remove(service.id());
                return true;
            }
        }
        return false;
    }

    /**
     * Resolve a peer endpoint once into a handle for {@link #call} and {@link #send}.
     *
     * @param endpoint the peer's endpoint.
     * @return the peer handle.
     * @throws IllegalArgumentException if the endpoint is malformed for the transport.
     */
    public int resolvePeer(final CharSequence endpoint)
    {
        return transport.resolvePeer(endpoint);
    }

    /**
     * The request timeout used when a call passes 0.
     *
     * @return milliseconds.
     */
    public long defaultTimeoutMs()
    {
        return defaultTimeoutMs;
    }

    /**
     * The number of requests awaiting a response.
     *
     * @return count.
     */
    public int pendingCount()
    {
        return pendingByCorrelationId.size();
    }

    /**
     * The number of reply frames (responses, stream credits) queued because the transport was back-pressured.
     *
     * @return count.
     */
    public int pendingReplyCount()
    {
        return pendingReplies.frameCount();
    }

    /**
     * The number of streamed bodies in flight (being sent or received).
     *
     * @return count.
     */
    public int streamCount()
    {
        return outboundStreams.size() + inboundStreams.size();
    }

    /**
     * Call a service on a peer. The outcome goes to the listener exactly once, on the node thread, possibly before
     * this method returns (if the request cannot be sent at all). While the transport reports the peer not
     * connected or back-pressured, the request is kept and retried every duty cycle until the node's connect
     * timeout ({@link RpcError#PEER_UNREACHABLE} / {@link RpcError#BACK_PRESSURED}) or the request timeout.
     * Bodies larger than a frame are streamed. Allocates nothing in steady state.
     *
     * @param peer          a handle from {@link #resolvePeer}.
     * @param serviceId     the service id ({@link RpcService#idOf(String)}).
     * @param messageTypeId the message type id.
     * @param body          the body (copied before return), or null for none.
     * @param bodyOffset    where the body starts.
     * @param bodyLength    body length in bytes.
     * @param headers       request headers, or null for none.
     * @param timeoutMs     request timeout, or 0 for the node's default.
     * @param listener      receives the outcome.
     * @return the call's correlation id.
     */
    public long call(
        final int peer,
        final int serviceId,
        final int messageTypeId,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength,
        final RpcHeaders headers,
        final long timeoutMs,
        final RpcResponseListener listener)
    {
        Objects.requireNonNull(listener, "listener");
        final long correlationId = nextCorrelationId++;
        if (closed)
        {
            fail(listener, correlationId, RpcError.NODE_CLOSED, "node " + nodeId + " is closed");
            return correlationId;
        }
        if (bodyLength < 0 || bodyLength > maxBodyLength)
        {
            fail(listener, correlationId, RpcError.BODY_TOO_LARGE,
                "body of " + bodyLength + " bytes exceeds maxBodyLength " + maxBodyLength);
            return correlationId;
        }
        if (pendingByCorrelationId.size() >= maxPendingRequests)
        {
            fail(listener, correlationId, RpcError.TOO_MANY_PENDING,
                maxPendingRequests + " requests already pending on node " + nodeId);
            return correlationId;
        }
        final int fixedLength = requestFixedLength(headers);
        final int room = maxMessageLength - fixedLength;
        if (room < MIN_CHUNK_LENGTH && room < bodyLength)
        {
            fail(listener, correlationId, RpcError.BODY_TOO_LARGE,
                "request headers take " + fixedLength + " of the " + maxMessageLength + " bytes of a frame");
            return correlationId;
        }
        if (bodyLength > room && outboundStreams.size() + inboundStreams.size() >= maxStreams)
        {
            fail(listener, correlationId, RpcError.TOO_MANY_PENDING,
                maxStreams + " streamed bodies already in flight on node " + nodeId);
            return correlationId;
        }

        final PendingCall call = acquireCall();
        call.init(correlationId, peer, timeoutMs > 0 ? timeoutMs : defaultTimeoutMs, listener);
        final long result = sendRequest(call, serviceId, messageTypeId, body, bodyOffset, bodyLength, headers, false);
        if (result <= 0 && !isRetryable(result))
        {
            counters.sendFailures.incrementRelease();
            releaseCall(call);
            fail(listener, correlationId, errorFor(result), sendFailureMessage(peer, result));
            return correlationId;
        }
        call.timerId = timers.scheduleAfter(call.timeoutMs, call);
        pendingByCorrelationId.put(correlationId, call);
        if (result <= 0)
        {
            // Not connected yet (e.g. an Aeron publication still connecting) or back-pressured: keep a copy and
            // retry every duty cycle until the connect deadline.
            final UnsafeBuffer copy = new UnsafeBuffer(new byte[bodyLength]);
            if (bodyLength > 0)
            {
                copy.putBytes(0, body, bodyOffset, bodyLength);
            }
            call.deferred = new DeferredRequest(serviceId, messageTypeId, copy,
                null == headers || headers.count() == 0 ? null : new RpcHeaders().copyFrom(headers),
                timers.nowMs() + connectTimeoutMs, result);
            deferredCalls.add(call);
        }
        return correlationId;
    }

    private long sendRequest(
        final PendingCall call,
        final int serviceId,
        final int messageTypeId,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength,
        final RpcHeaders headers,
        final boolean countFailure)
    {
        final int fixedLength = requestFixedLength(headers);
        final int firstChunk = Math.min(bodyLength, maxMessageLength - fixedLength);
        final boolean streamed = firstChunk < bodyLength;
        final long result = claim(call.peer, fixedLength + firstChunk, countFailure);
        if (result > 0)
        {
            encodeRequest(call.correlationId, false, streamed, serviceId, messageTypeId, headers, body, bodyOffset,
                bodyLength, firstChunk);
            counters.requestsSent.incrementRelease();
            if (streamed)
            {
                final UnsafeBuffer copy = new UnsafeBuffer(new byte[bodyLength]);
                copy.putBytes(0, body, bodyOffset, bodyLength);
                addOutbound(new OutboundStream(streamKey(nodeId, call.correlationId, false), call.peer,
                    call.correlationId, false, copy, firstChunk, streamWindowBytes, timers.nowMs()));
                call.hasOutboundStream = true;
            }
        }
        return result;
    }

    private int retryDeferred(final long nowMs)
    {
        int work = 0;
        for (int i = deferredCalls.size() - 1; i >= 0; i--)
        {
            final PendingCall call = deferredCalls.get(i);
            final DeferredRequest request = call.deferred;
            final long result = sendRequest(call, request.serviceId, request.messageTypeId, request.body, 0,
                request.body.capacity(), request.headers, false);
            if (result > 0)
            {
                ArrayListUtil.fastUnorderedRemove(deferredCalls, i);
                call.deferred = null;
                work++;
            }
            else if (!isRetryable(result) || nowMs >= request.connectDeadlineMs)
            {
                counters.sendFailures.incrementRelease();
                completeError(call, errorFor(result), sendFailureMessage(call.peer, result) + " within the " +
                    connectTimeoutMs + " ms connect timeout");
                work++;
            }
            else
            {
                request.lastResult = result;
            }
        }
        return work;
    }

    private static boolean isRetryable(final long result)
    {
        return result == Transport.NOT_CONNECTED || result == Transport.BACK_PRESSURED ||
            result == Transport.ADMIN_ACTION;
    }

    /**
     * Send a one-way message (no response, no timeout): what gossip uses. The message must fit in one frame.
     *
     * @param peer          a handle from {@link #resolvePeer}.
     * @param serviceId     the service id.
     * @param messageTypeId the message type id.
     * @param body          the body, or null for none.
     * @param bodyOffset    where the body starts.
     * @param bodyLength    body length in bytes.
     * @param headers       headers, or null for none.
     * @return a positive value if sent, else a negative {@link Transport} result.
     * @throws IllegalArgumentException if the message does not fit in one frame.
     */
    public long send(
        final int peer,
        final int serviceId,
        final int messageTypeId,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength,
        final RpcHeaders headers)
    {
        if (closed)
        {
            return Transport.CLOSED;
        }
        final int length = requestFixedLength(headers) + bodyLength;
        if (length > maxMessageLength)
        {
            throw new IllegalArgumentException("one-way message of " + length + " bytes exceeds the transport's " +
                maxMessageLength + " byte frames: use call() for large bodies");
        }
        final long correlationId = nextCorrelationId++;
        final long result = claim(peer, length);
        if (result > 0)
        {
            encodeRequest(correlationId, true, false, serviceId, messageTypeId, headers, body, bodyOffset,
                bodyLength, bodyLength);
            counters.requestsSent.incrementRelease();
        }
        return result;
    }

    /**
     * Handle one incoming frame (the transport's poll callback). Never throws: malformed frames are dropped and
     * counted.
     *
     * @param buffer holds the frame.
     * @param offset where it starts.
     * @param length its length.
     */
    @Override
    public void onFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        counters.framesIn.incrementRelease();
        counters.bytesIn.getAndAddRelease(length);
        try
        {
            final int end = offset + length;
            if (length < FRAME_HEADER_LENGTH || end > buffer.capacity())
            {
                malformed();
                return;
            }
            headerDecoder.wrap(buffer, offset);
            if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID ||
                headerDecoder.version() != MessageHeaderDecoder.SCHEMA_VERSION)
            {
                malformed();
                return;
            }
            final int blockLength = headerDecoder.blockLength();
            final int version = headerDecoder.version();
            final int bodyStart = offset + FRAME_HEADER_LENGTH;
            switch (headerDecoder.templateId())
            {
                case RequestDecoder.TEMPLATE_ID:
                    onRequestFrame(buffer, offset, bodyStart, blockLength, version, end);
                    break;
                case ResponseDecoder.TEMPLATE_ID:
                    onResponseFrame(buffer, bodyStart, blockLength, version, end);
                    break;
                case StreamChunkDecoder.TEMPLATE_ID:
                    onChunkFrame(buffer, bodyStart, blockLength, version, end);
                    break;
                case StreamCreditDecoder.TEMPLATE_ID:
                    onCreditFrame(buffer, bodyStart, blockLength, version, end);
                    break;
                default:
                    malformed();
            }
        }
        catch (final IndexOutOfBoundsException | IllegalArgumentException ex)
        {
            malformed();
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onPeerAvailable(final int peer)
    {
    }

    /**
     * Fails every pending call to the peer with {@link RpcError#PEER_UNREACHABLE}, drops streams to it and drops
     * (and counts) the replies queued for it.
     *
     * @param peer the handle that went away.
     */
    @Override
    public void onPeerUnavailable(final int peer)
    {
        pendingReplies.dropPeer(peer);
        final ArrayList<PendingCall> affected = new ArrayList<>();
        for (final PendingCall call : pendingByCorrelationId.values())
        {
            if (call.peer == peer)
            {
                affected.add(call);
            }
        }
        for (final PendingCall call : affected)
        {
            completeError(call, RpcError.PEER_UNREACHABLE, "peer " + endpointOf(peer) + " went away");
        }
        for (int i = outboundStreams.size() - 1; i >= 0; i--)
        {
            if (outboundStreams.get(i).peer == peer)
            {
                removeOutbound(i);
            }
        }
    }

    /**
     * Retry queued replies and deferred requests, send streamed body chunks within flow-control credit, and abandon
     * streams that made no progress. Called every duty cycle.
     *
     * @param nowMs the node clock's time.
     * @return work done.
     */
    public int doWork(final long nowMs)
    {
        int work = pendingReplies.retry(nowMs, REPLY_RETRY_LIMIT);
        work += deferredCalls.isEmpty() ? 0 : retryDeferred(nowMs);
        if (outboundStreams.isEmpty() && inboundStreams.isEmpty())
        {
            return work;
        }
        int budget = streamChunkLimit;
        for (int i = outboundStreams.size() - 1; i >= 0; i--)
        {
            final OutboundStream stream = outboundStreams.get(i);
            if (nowMs - stream.lastProgressMs > streamTimeoutMs)
            {
                removeOutbound(i);
                continue;
            }
            if (pendingReplies.hasFramesFor(stream.peer))
            {
                // The stream's first frame, or a reply before it, still waits in the queue: chunks must follow it.
                continue;
            }
            boolean drop = false;
            while (budget > 0 && stream.sentOffset < stream.totalLength && stream.sentOffset < stream.creditLimit)
            {
                final int chunk = (int)Math.min(Math.min(maxMessageLength - CHUNK_FIXED_LENGTH,
                    stream.totalLength - stream.sentOffset), stream.creditLimit - stream.sentOffset);
                final long result = claim(stream.peer, CHUNK_FIXED_LENGTH + chunk);
                if (result <= 0)
                {
                    drop = result != Transport.BACK_PRESSURED && result != Transport.ADMIN_ACTION;
                    if (drop && !stream.response)
                    {
                        final PendingCall call = pendingByCorrelationId.get(stream.correlationId);
                        if (null != call)
                        {
                            call.hasOutboundStream = false;
                            completeError(call, errorFor(result), sendFailureMessage(stream.peer, result));
                        }
                    }
                    break;
                }
                encodeChunk(stream, chunk);
                stream.sentOffset += chunk;
                budget--;
                work++;
            }
            if (drop || stream.sentOffset == stream.totalLength)
            {
                final int index = outboundStreams.indexOf(stream);
                if (index >= 0)
                {
                    removeOutbound(index);
                }
            }
        }
        for (int i = inboundStreams.size() - 1; i >= 0; i--)
        {
            final InboundStream stream = inboundStreams.get(i);
            if (nowMs - stream.lastProgressMs > streamTimeoutMs)
            {
                inboundByKey.remove(stream.key);
                ArrayListUtil.fastUnorderedRemove(inboundStreams, i);
                counters.streamChunksDropped.incrementRelease();
                work++;
            }
        }
        return work;
    }

    /**
     * Fail every pending call with {@link RpcError#NODE_CLOSED} and drop all streams. Idempotent.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        final ArrayList<PendingCall> pending = new ArrayList<>(pendingByCorrelationId.values());
        pending.sort((a, b) -> Long.compare(a.correlationId, b.correlationId));
        for (final PendingCall call : pending)
        {
            try
            {
                completeError(call, RpcError.NODE_CLOSED, "node " + nodeId + " closed");
            }
            catch (final RuntimeException ex)
            {
                LOGGER.log(System.Logger.Level.WARNING, "listener failed while closing node " + nodeId, ex);
            }
        }
        deferredCalls.clear();
        pendingReplies.clear();
        outboundStreams.clear();
        outboundByKey.clear();
        inboundStreams.clear();
        inboundByKey.clear();
        callPool.clear();
    }

    // ------------------------------------------------------------------------------------------------ replies

    void sendOkResponse(
        final int peer, final long correlationId, final DirectBuffer body, final int offset, final int length,
        final int requesterNodeId)
    {
        if (length < 0 || length > maxBodyLength)
        {
            throw new IllegalArgumentException(
                "response body of " + length + " bytes exceeds maxBodyLength " + maxBodyLength);
        }
        final int room = maxMessageLength - RESPONSE_FIXED_LENGTH;
        final int firstChunk = Math.min(length, room);
        final boolean streamed = firstChunk < length;
        if (streamed && outboundByKey.containsKey(streamKey(requesterNodeId, correlationId, true)))
        {
            // A duplicated request answered again: the first response stream already serves the requester.
            counters.lateFramesDropped.incrementRelease();
            return;
        }
        if (streamed && outboundStreams.size() + inboundStreams.size() >= maxStreams)
        {
            sendErrorResponse(peer, correlationId, RpcStatus.SERVER_BUSY,
                maxStreams + " streamed bodies already in flight on node " + nodeId);
            return;
        }
        if (!claimReply(peer, RESPONSE_FIXED_LENGTH + firstChunk))
        {
            return;
        }
        responseEncoder.wrapAndApplyHeader(replyBuffer, replyOffset, headerEncoder);
        encodeFrameHeader(responseEncoder.frame(), correlationId);
        responseEncoder.frame().flags().clear().response(true).streamed(streamed);
        responseEncoder.status(RpcStatus.OK).totalBodyLength(length);
        responseEncoder.putErrorMessage(EMPTY, 0, 0);
        responseEncoder.putBody(null == body ? EMPTY : body, offset, firstChunk);
        if (!commitReply(peer, PendingReplies.RESPONSE, RESPONSE_FIXED_LENGTH + firstChunk))
        {
            // Dropped (queue full): the requester will time out, so do not start streaming the rest.
            return;
        }
        if (streamed)
        {
            final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
            copy.putBytes(0, body, offset, length);
            addOutbound(new OutboundStream(streamKey(requesterNodeId, correlationId, true), peer, correlationId,
                true, copy, firstChunk, streamWindowBytes, timers.nowMs()));
        }
    }

    void sendErrorResponse(final int peer, final long correlationId, final RpcStatus status, final String message)
    {
        final String text = null == message ? "" : message;
        final int messageLength = Math.min(text.length(), MAX_ERROR_MESSAGE_LENGTH);
        errorMessageBuffer.putStringWithoutLengthAscii(0, text, 0, messageLength);
        if (!claimReply(peer, RESPONSE_FIXED_LENGTH + messageLength))
        {
            return;
        }
        responseEncoder.wrapAndApplyHeader(replyBuffer, replyOffset, headerEncoder);
        encodeFrameHeader(responseEncoder.frame(), correlationId);
        responseEncoder.frame().flags().clear().response(true).failed(true);
        responseEncoder.status(status).totalBodyLength(0);
        responseEncoder.putErrorMessage(errorMessageBuffer, 0, messageLength);
        responseEncoder.putBody(EMPTY, 0, 0);
        commitReply(peer, PendingReplies.RESPONSE, RESPONSE_FIXED_LENGTH + messageLength);
    }

    /**
     * Find room for a reply frame: a transport claim or, when the transport is back-pressured or replies to the
     * peer are already queued (order), the pending-reply scratch buffer. Sets {@code replyBuffer} and
     * {@code replyOffset} for the encoder.
     *
     * @return false if the reply cannot be sent at all (peer not connected or closed, node closed): counted.
     */
    private boolean claimReply(final int peer, final int length)
    {
        if (closed)
        {
            counters.sendFailures.incrementRelease();
            return false;
        }
        if (!pendingReplies.hasFramesFor(peer))
        {
            final long result = claim(peer, length, false);
            if (result > 0)
            {
                replyBuffer = claim.buffer();
                replyOffset = claim.offset();
                replyQueued = false;
                return true;
            }
            if (result != Transport.BACK_PRESSURED && result != Transport.ADMIN_ACTION)
            {
                counters.sendFailures.incrementRelease();
                return false;
            }
        }
        replyBuffer = pendingReplies.scratch();
        replyOffset = PendingReplies.FRAME_OFFSET;
        replyQueued = true;
        return true;
    }

    /**
     * Commit the claim of {@code claimReply}, or queue the frame encoded in the scratch buffer.
     *
     * @return true if sent or queued; false if the queue was full and the frame was dropped (counted).
     */
    private boolean commitReply(final int peer, final int kind, final int length)
    {
        if (!replyQueued)
        {
            commit(length);
            if (kind == PendingReplies.RESPONSE)
            {
                counters.responsesSent.incrementRelease();
            }
            return true;
        }
        return pendingReplies.append(peer, kind, timers.nowMs() + replyRetryTimeoutMs, length);
    }

    void onCallTimeout(final PendingCall call, final long timerId, final long nowMs)
    {
        if (call.timerId == timerId && pendingByCorrelationId.get(call.correlationId) == call)
        {
            call.timerId = 0;
            final DeferredRequest deferred = call.deferred;
            if (null != deferred && nowMs >= deferred.connectDeadlineMs)
            {
                // Never sent and the connect deadline has come too (e.g. equal timeouts): say why it never left.
                counters.sendFailures.incrementRelease();
                completeError(call, errorFor(deferred.lastResult), sendFailureMessage(call.peer, deferred.lastResult) +
                    " within the " + connectTimeoutMs + " ms connect timeout");
                return;
            }
            counters.requestTimeouts.incrementRelease();
            completeError(call, RpcError.TIMEOUT,
                "no response from " + endpointOf(call.peer) + " within " + call.timeoutMs + " ms");
        }
    }

    // ------------------------------------------------------------------------------------------------ frames in

    private void onRequestFrame(
        final DirectBuffer buffer, final int frameOffset, final int offset, final int blockLength, final int version,
        final int end)
    {
        if (!parseRequest(buffer, offset, blockLength, version, end) || !acceptFrame(requestDecoder.frame()))
        {
            return;
        }
        final FrameFlagsDecoder flags = requestDecoder.frame().flags();
        final boolean oneWay = flags.oneWay();
        if (oneWay && frameStreamed)
        {
            malformed();
            return;
        }
        counters.requestsReceived.incrementRelease();
        final int replyPeer = oneWay ? -1 : replyPeer(buffer);
        if (!oneWay && replyPeer < 0)
        {
            return;
        }
        if (frameStreamed && !oneWay)
        {
            startInboundStream(buffer, frameOffset, end - frameOffset, replyPeer);
            return;
        }
        request.body(buffer, frameBodyOffset, frameBodyLength);
        dispatch(replyPeer);
    }

    private boolean parseRequest(
        final DirectBuffer buffer, final int offset, final int blockLength, final int version, final int end)
    {
        if (blockLength < RequestDecoder.BLOCK_LENGTH || offset + blockLength > end)
        {
            return malformed();
        }
        requestDecoder.wrap(buffer, offset, blockLength, version);
        final FrameHeaderDecoder frame = requestDecoder.frame();
        final FrameFlagsDecoder flags = frame.flags();
        request.reset(frame.sourceNodeId(), frame.correlationId(), requestDecoder.serviceId(),
            requestDecoder.messageTypeId(), flags.oneWay(), frame.hlcStamp(), buffer);
        frameStreamed = flags.streamed();
        frameTotalBodyLength = requestDecoder.totalBodyLength();

        int limit = requestDecoder.limit();
        if (limit + RequestDecoder.HeadersDecoder.sbeHeaderSize() > end)
        {
            return malformed();
        }
        final RequestDecoder.HeadersDecoder headers = requestDecoder.headers();
        if (headers.count() > RpcHeaders.MAX_HEADERS || headers.actingBlockLength() < 0)
        {
            return malformed();
        }
        while (headers.hasNext())
        {
            if (requestDecoder.limit() + headers.actingBlockLength() > end)
            {
                return malformed();
            }
            headers.next();
            final int nameOffset = varOffset(buffer, requestDecoder.limit(), 2, end);
            if (nameOffset < 0)
            {
                return false;
            }
            final int nameLength = headers.nameLength();
            headers.skipName();
            final int valueOffset = varOffset(buffer, requestDecoder.limit(), 2, end);
            if (valueOffset < 0)
            {
                return false;
            }
            final int valueLength = headers.valueLength();
            headers.skipValue();
            request.addHeader(nameOffset, nameLength, valueOffset, valueLength);
        }
        limit = requestDecoder.limit();
        frameEndpointOffset = varOffset(buffer, limit, RequestDecoder.replyEndpointHeaderLength(), end);
        if (frameEndpointOffset < 0)
        {
            return false;
        }
        frameEndpointLength = requestDecoder.replyEndpointLength();
        requestDecoder.skipReplyEndpoint();
        frameBodyOffset = varOffset(buffer, requestDecoder.limit(), RequestDecoder.bodyHeaderLength(), end);
        if (frameBodyOffset < 0)
        {
            return false;
        }
        frameBodyLength = requestDecoder.bodyLength();
        if (frameStreamed ? frameTotalBodyLength <= frameBodyLength : frameTotalBodyLength != frameBodyLength)
        {
            return malformed();
        }
        return true;
    }

    private void dispatch(final int replyPeer)
    {
        dispatch(replyPeer, 0, request.bodyLength());
    }

    /**
     * Run the handler for the request flyweight (whose body is the whole body, or one chunk of it for a streaming
     * handler).
     *
     * @return true if the request is finished; false if a streaming handler waits for more chunks.
     */
    private boolean dispatch(final int replyPeer, final long bodyOffset, final long totalLength)
    {
        final boolean oneWay = request.isOneWay();
        final RpcService service = serviceById.get(request.serviceId());
        if (null == service)
        {
            if (!oneWay)
            {
                sendErrorResponse(replyPeer, request.correlationId(), RpcStatus.UNKNOWN_SERVICE,
                    "unknown service id " + request.serviceId() + " on node " + nodeId);
            }
            return true;
        }
        final RpcHandler handler = service.handler(request.messageTypeId());
        final RpcStreamHandler streamHandler = null == handler ? service.streamHandler(request.messageTypeId()) : null;
        if (null == handler && null == streamHandler)
        {
            if (!oneWay)
            {
                sendErrorResponse(replyPeer, request.correlationId(), RpcStatus.UNKNOWN_MESSAGE_TYPE,
                    "service '" + service.name() + "' has no handler for message type " + request.messageTypeId());
            }
            return true;
        }
        final boolean lastChunk = bodyOffset + request.bodyLength() >= totalLength;
        reply.reset(replyPeer, request.correlationId(), request.sourceNodeId(), oneWay);
        try
        {
            if (null != handler)
            {
                handler.onRequest(request, reply);
            }
            else
            {
                streamHandler.onChunk(request, reply, bodyOffset, totalLength);
            }
            if (!oneWay && !reply.isDone() && !reply.isDeferred())
            {
                if (!lastChunk)
                {
                    return false;
                }
                counters.handlerFailures.incrementRelease();
                reply.fail("handler of service '" + service.name() + "' for message type " +
                    request.messageTypeId() + " returned without replying");
            }
            return oneWay ? lastChunk : true;
        }
        catch (final Exception ex)
        {
            counters.handlerFailures.incrementRelease();
            LOGGER.log(System.Logger.Level.DEBUG, "handler of service '" + service.name() + "' failed", ex);
            if (!oneWay && !reply.isDone() && !reply.isDeferred())
            {
                reply.fail(null != ex.getMessage() ? ex.getMessage() : ex.getClass().getName());
            }
            return true;
        }
    }

    private void startInboundStream(
        final DirectBuffer buffer, final int frameOffset, final int frameLength, final int replyPeer)
    {
        final long correlationId = request.correlationId();
        final long key = streamKey(request.sourceNodeId(), correlationId, false);
        if (inboundByKey.containsKey(key))
        {
            counters.lateFramesDropped.incrementRelease();
            return;
        }
        if (frameTotalBodyLength > maxBodyLength)
        {
            sendErrorResponse(replyPeer, correlationId, RpcStatus.BODY_TOO_LARGE, "request body of " +
                frameTotalBodyLength + " bytes exceeds maxBodyLength " + maxBodyLength + " of node " + nodeId);
            return;
        }
        final RpcService service = serviceById.get(request.serviceId());
        final boolean incremental = null != service && null != service.streamHandler(request.messageTypeId());
        if (null == service || (null == service.handler(request.messageTypeId()) && !incremental))
        {
            request.body(EMPTY, 0, 0);
            dispatch(replyPeer);
            return;
        }
        if (outboundStreams.size() + inboundStreams.size() >= maxStreams)
        {
            sendErrorResponse(replyPeer, correlationId, RpcStatus.SERVER_BUSY,
                maxStreams + " streamed bodies already in flight on node " + nodeId);
            return;
        }
        final int firstChunkOffset = frameBodyOffset;
        final int firstChunkLength = frameBodyLength;
        final int totalLength = frameTotalBodyLength;
        if (incremental)
        {
            request.body(buffer, firstChunkOffset, firstChunkLength);
            if (dispatch(replyPeer, 0, totalLength))
            {
                return;
            }
        }
        final UnsafeBuffer firstFrame = new UnsafeBuffer(new byte[frameLength]);
        firstFrame.putBytes(0, buffer, frameOffset, frameLength);
        final InboundStream stream = new InboundStream(
            key, replyPeer, firstFrame, totalLength, incremental, timers.nowMs());
        if (!incremental)
        {
            stream.body.putBytes(0, buffer, firstChunkOffset, firstChunkLength);
        }
        stream.received = firstChunkLength;
        inboundByKey.put(key, stream);
        inboundStreams.add(stream);
        counters.streamsStarted.incrementRelease();
        maybeCreditInbound(stream, correlationId);
    }

    private void onInboundChunk(final DirectBuffer buffer, final int sourceNodeId, final int bodyOffset)
    {
        final long correlationId = frameCorrelationId;
        final InboundStream stream = inboundByKey.get(streamKey(sourceNodeId, correlationId, false));
        if (null == stream || bodyOffset != stream.received || stream.received + frameBodyLength > stream.totalLength)
        {
            counters.streamChunksDropped.incrementRelease();
            return;
        }
        final int chunkOffset = frameBodyOffset;
        final int chunkLength = frameBodyLength;
        stream.received += chunkLength;
        stream.lastProgressMs = timers.nowMs();
        if (stream.incremental)
        {
            final UnsafeBuffer first = stream.firstFrame;
            headerDecoder.wrap(first, 0);
            final boolean finished = !parseRequest(first, FRAME_HEADER_LENGTH, headerDecoder.blockLength(),
                headerDecoder.version(), first.capacity()) ||
                dispatchChunk(stream, buffer, chunkOffset, chunkLength, bodyOffset);
            if (finished || stream.received == stream.totalLength)
            {
                inboundByKey.remove(stream.key);
                inboundStreams.remove(stream);
            }
            else
            {
                maybeCreditInbound(stream, correlationId);
            }
            return;
        }
        stream.body.putBytes(bodyOffset, buffer, chunkOffset, chunkLength);
        if (stream.received < stream.totalLength)
        {
            maybeCreditInbound(stream, correlationId);
            return;
        }
        inboundByKey.remove(stream.key);
        inboundStreams.remove(stream);
        final UnsafeBuffer first = stream.firstFrame;
        headerDecoder.wrap(first, 0);
        if (!parseRequest(first, FRAME_HEADER_LENGTH, headerDecoder.blockLength(), headerDecoder.version(),
            first.capacity()))
        {
            return;
        }
        request.body(stream.body, 0, stream.totalLength);
        dispatch(stream.replyPeer);
    }

    private boolean dispatchChunk(
        final InboundStream stream,
        final DirectBuffer buffer,
        final int chunkOffset,
        final int chunkLength,
        final int bodyOffset)
    {
        request.body(buffer, chunkOffset, chunkLength);
        return dispatch(stream.replyPeer, bodyOffset, stream.totalLength);
    }

    private void maybeCreditInbound(final InboundStream stream, final long correlationId)
    {
        if (stream.received - stream.lastCredit >= streamWindowBytes / 2)
        {
            stream.lastCredit = stream.received;
            sendCredit(stream.replyPeer, correlationId, false, stream.received);
        }
    }

    private void onResponseFrame(
        final DirectBuffer buffer, final int offset, final int blockLength, final int version, final int end)
    {
        if (blockLength < ResponseDecoder.BLOCK_LENGTH || offset + blockLength > end)
        {
            malformed();
            return;
        }
        responseDecoder.wrap(buffer, offset, blockLength, version);
        final int messageOffset = varOffset(
            buffer, responseDecoder.limit(), ResponseDecoder.errorMessageHeaderLength(), end);
        if (messageOffset < 0)
        {
            return;
        }
        final int messageLength = responseDecoder.errorMessageLength();
        responseDecoder.skipErrorMessage();
        frameBodyOffset = varOffset(buffer, responseDecoder.limit(), ResponseDecoder.bodyHeaderLength(), end);
        if (frameBodyOffset < 0)
        {
            return;
        }
        frameBodyLength = responseDecoder.bodyLength();
        final RpcStatus status = responseDecoder.status();
        final boolean streamed = responseDecoder.frame().flags().streamed();
        final int totalBodyLength = responseDecoder.totalBodyLength();
        if (status == RpcStatus.NULL_VAL ||
            (streamed ? totalBodyLength <= frameBodyLength : totalBodyLength != frameBodyLength))
        {
            malformed();
            return;
        }
        if (!acceptFrame(responseDecoder.frame()))
        {
            return;
        }
        final PendingCall call = pendingByCorrelationId.get(frameCorrelationId);
        if (null == call || call.responseStreaming)
        {
            counters.lateFramesDropped.incrementRelease();
            return;
        }
        counters.responsesReceived.incrementRelease();
        if (status != RpcStatus.OK)
        {
            completeError(call, RpcError.fromStatus(status),
                buffer.getStringWithoutLengthAscii(messageOffset, messageLength));
        }
        else if (streamed)
        {
            if (totalBodyLength > maxBodyLength)
            {
                completeError(call, RpcError.BODY_TOO_LARGE, "response body of " + totalBodyLength +
                    " bytes exceeds maxBodyLength " + maxBodyLength);
                return;
            }
            counters.streamsStarted.incrementRelease();
            call.responseStreaming = true;
            call.responseTotalLength = totalBodyLength;
            onResponseChunk(call, buffer, 0);
        }
        else
        {
            completeOk(call, buffer, frameBodyOffset, frameBodyLength);
        }
    }

    private void onResponseChunk(final PendingCall call, final DirectBuffer buffer, final int bodyOffset)
    {
        if (bodyOffset != call.responseReceived || bodyOffset + frameBodyLength > call.responseTotalLength)
        {
            counters.streamChunksDropped.incrementRelease();
            return;
        }
        if (null != call.bodyListener)
        {
            try
            {
                call.bodyListener.onBodyChunk(call.correlationId, buffer, frameBodyOffset, frameBodyLength,
                    bodyOffset, call.responseTotalLength);
            }
            catch (final RuntimeException ex)
            {
                onListenerError(ex);
                completeError(call, RpcError.HANDLER_FAILURE, "body listener failed: " + ex);
                return;
            }
        }
        else
        {
            call.assembly(call.responseTotalLength).putBytes(bodyOffset, buffer, frameBodyOffset, frameBodyLength);
        }
        call.responseReceived += frameBodyLength;
        if (call.responseReceived == call.responseTotalLength)
        {
            if (null != call.bodyListener)
            {
                completeOk(call, EMPTY, 0, 0);
            }
            else
            {
                completeOk(call, call.assembly, 0, call.responseTotalLength);
            }
        }
        else if (call.responseReceived - call.responseLastCredit >= streamWindowBytes / 2)
        {
            call.responseLastCredit = call.responseReceived;
            sendCredit(call.peer, call.correlationId, true, call.responseReceived);
        }
    }

    private void onChunkFrame(
        final DirectBuffer buffer, final int offset, final int blockLength, final int version, final int end)
    {
        if (blockLength < StreamChunkDecoder.BLOCK_LENGTH || offset + blockLength > end)
        {
            malformed();
            return;
        }
        chunkDecoder.wrap(buffer, offset, blockLength, version);
        frameBodyOffset = varOffset(buffer, chunkDecoder.limit(), StreamChunkDecoder.dataHeaderLength(), end);
        if (frameBodyOffset < 0)
        {
            return;
        }
        frameBodyLength = chunkDecoder.dataLength();
        final int bodyOffset = chunkDecoder.bodyOffset();
        if (bodyOffset < 0 || !acceptFrame(chunkDecoder.frame()))
        {
            return;
        }
        if (chunkDecoder.frame().flags().response())
        {
            final PendingCall call = pendingByCorrelationId.get(frameCorrelationId);
            if (null == call || !call.responseStreaming)
            {
                counters.lateFramesDropped.incrementRelease();
                return;
            }
            onResponseChunk(call, buffer, bodyOffset);
        }
        else
        {
            onInboundChunk(buffer, frameSourceNodeId, bodyOffset);
        }
    }

    private void onCreditFrame(
        final DirectBuffer buffer, final int offset, final int blockLength, final int version, final int end)
    {
        if (blockLength < StreamCreditDecoder.BLOCK_LENGTH || offset + blockLength > end)
        {
            malformed();
            return;
        }
        creditDecoder.wrap(buffer, offset, blockLength, version);
        if (!acceptFrame(creditDecoder.frame()))
        {
            return;
        }
        final boolean response = creditDecoder.frame().flags().response();
        final long key = response ?
            streamKey(frameSourceNodeId, frameCorrelationId, true) : streamKey(nodeId, frameCorrelationId, false);
        final OutboundStream stream = outboundByKey.get(key);
        if (null == stream)
        {
            counters.lateFramesDropped.incrementRelease();
            return;
        }
        final long limit = (long)creditDecoder.consumedBytes() + streamWindowBytes;
        if (limit > stream.creditLimit)
        {
            stream.creditLimit = limit;
            stream.lastProgressMs = timers.nowMs();
        }
    }

    /**
     * Checks the cluster id and merges the piggybacked HLC stamp. Sets the frame source and correlation fields.
     */
    private boolean acceptFrame(final FrameHeaderDecoder frame)
    {
        if (frame.clusterId() != clusterId)
        {
            counters.foreignFramesDropped.incrementRelease();
            return false;
        }
        frameSourceNodeId = frame.sourceNodeId();
        frameCorrelationId = frame.correlationId();
        frameHlcStamp = frame.hlcStamp();
        if (frameSourceNodeId != nodeId)
        {
            try
            {
                clock.recv(frameHlcStamp, frameSourceNodeId);
            }
            catch (final HlcException ex)
            {
                counters.clockErrors.incrementRelease();
            }
        }
        return true;
    }

    private int replyPeer(final DirectBuffer buffer)
    {
        final int sourceNodeId = request.sourceNodeId();
        final ReplyRoute route = replyRouteByNodeId.get(sourceNodeId);
        if (null != route && route.matches(buffer, frameEndpointOffset, frameEndpointLength))
        {
            return route.peer;
        }
        if (frameEndpointLength == 0)
        {
            malformed();
            return -1;
        }
        final String endpoint = buffer.getStringWithoutLengthAscii(frameEndpointOffset, frameEndpointLength);
        final int peer;
        try
        {
            peer = transport.resolvePeer(endpoint);
        }
        catch (final IllegalArgumentException ex)
        {
            malformed();
            return -1;
        }
        replyRouteByNodeId.put(sourceNodeId, new ReplyRoute(endpoint, peer));
        return peer;
    }

    /**
     * Offset of a var-length field's data, after checking that its length header and data fit in the frame.
     */
    private int varOffset(final DirectBuffer buffer, final int limit, final int headerLength, final int end)
    {
        if (limit + headerLength > end)
        {
            malformed();
            return -1;
        }
        final long length = headerLength == 2 ?
            (buffer.getShort(limit, LITTLE_ENDIAN) & 0xFFFF) :
            (buffer.getInt(limit, LITTLE_ENDIAN) & 0xFFFF_FFFFL);
        if (limit + headerLength + length > end)
        {
            malformed();
            return -1;
        }
        return limit + headerLength;
    }

    private boolean malformed()
    {
        counters.malformedFramesDropped.incrementRelease();
        return false;
    }

    // ------------------------------------------------------------------------------------------------ frames out

    private int requestFixedLength(final RpcHeaders headers)
    {
        return FRAME_HEADER_LENGTH + RequestEncoder.BLOCK_LENGTH + RequestEncoder.HeadersEncoder.sbeHeaderSize() +
            (null == headers ? 0 : headers.encodedLength()) + RequestEncoder.replyEndpointHeaderLength() +
            localEndpoint.capacity() + RequestEncoder.bodyHeaderLength();
    }

    private void encodeRequest(
        final long correlationId,
        final boolean oneWay,
        final boolean streamed,
        final int serviceId,
        final int messageTypeId,
        final RpcHeaders headers,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength,
        final int firstChunk)
    {
        requestEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder);
        encodeFrameHeader(requestEncoder.frame(), correlationId);
        requestEncoder.frame().flags().clear().request(!oneWay).oneWay(oneWay).streamed(streamed);
        requestEncoder.serviceId(serviceId).messageTypeId(messageTypeId).totalBodyLength(bodyLength);
        final int headerCount = null == headers ? 0 : headers.count();
        final RequestEncoder.HeadersEncoder headersEncoder = requestEncoder.headersCount(headerCount);
        for (int i = 0; i < headerCount; i++)
        {
            headersEncoder.next()
                .putName(headers.buffer(), headers.nameOffset(i), headers.nameLength(i))
                .putValue(headers.buffer(), headers.valueOffset(i), headers.valueLength(i));
        }
        requestEncoder.putReplyEndpoint(localEndpoint, 0, localEndpoint.capacity());
        requestEncoder.putBody(null == body ? EMPTY : body, bodyOffset, firstChunk);
        commit(claim.length());
    }

    private void encodeChunk(final OutboundStream stream, final int chunk)
    {
        chunkEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder);
        encodeFrameHeader(chunkEncoder.frame(), stream.correlationId);
        chunkEncoder.frame().flags().clear().streamChunk(true).response(stream.response).request(!stream.response);
        chunkEncoder.bodyOffset(stream.sentOffset);
        chunkEncoder.putData(stream.body, stream.sentOffset, chunk);
        commit(CHUNK_FIXED_LENGTH + chunk);
    }

    private void sendCredit(final int peer, final long correlationId, final boolean response, final int consumed)
    {
        if (!claimReply(peer, CREDIT_LENGTH))
        {
            return;
        }
        creditEncoder.wrapAndApplyHeader(replyBuffer, replyOffset, headerEncoder);
        encodeFrameHeader(creditEncoder.frame(), correlationId);
        creditEncoder.frame().flags().clear().response(response).request(!response);
        creditEncoder.consumedBytes(consumed);
        commitReply(peer, PendingReplies.CREDIT, CREDIT_LENGTH);
    }

    private void encodeFrameHeader(final FrameHeaderEncoder frame, final long correlationId)
    {
        frame.clusterId(clusterId)
            .putAuthTag(ZERO_AUTH_TAG, 0, ZERO_AUTH_TAG.capacity())
            .sourceNodeId(nodeId)
            .correlationId(correlationId)
            .hlcStamp(stamp());
    }

    private long stamp()
    {
        try
        {
            return clock.send();
        }
        catch (final HlcException ex)
        {
            counters.clockErrors.incrementRelease();
            return clock.lastStamp();
        }
    }

    private long claim(final int peer, final int length)
    {
        return claim(peer, length, true);
    }

    private long claim(final int peer, final int length, final boolean countFailure)
    {
        long result;
        int attempts = 0;
        do
        {
            result = transport.tryClaim(peer, length, claim);
        }
        while (result <= 0 && (result == Transport.BACK_PRESSURED || result == Transport.ADMIN_ACTION) &&
            ++attempts < SEND_ATTEMPTS);
        if (result <= 0 && countFailure)
        {
            counters.sendFailures.incrementRelease();
        }
        return result;
    }

    private void commit(final int length)
    {
        claim.commit();
        counters.framesOut.incrementRelease();
        counters.bytesOut.getAndAddRelease(length);
    }

    private RpcError errorFor(final long result)
    {
        if (result == Transport.BACK_PRESSURED || result == Transport.ADMIN_ACTION)
        {
            return RpcError.BACK_PRESSURED;
        }
        if (result == Transport.CLOSED && transport.isClosed())
        {
            return RpcError.NODE_CLOSED;
        }
        return RpcError.PEER_UNREACHABLE;
    }

    private String sendFailureMessage(final int peer, final long result)
    {
        return "could not send to " + endpointOf(peer) + ": " + Transport.resultName(result);
    }

    private String endpointOf(final int peer)
    {
        try
        {
            return transport.peerEndpoint(peer);
        }
        catch (final IllegalArgumentException ex)
        {
            return "released peer handle " + peer;
        }
    }

    // ------------------------------------------------------------------------------------------------ calls

    private PendingCall acquireCall()
    {
        final PendingCall call = callPool.pollFirst();
        return null != call ? call : new PendingCall(this);
    }

    private void releaseCall(final PendingCall call)
    {
        call.reset();
        if (!closed && callPool.size() < maxPendingRequests)
        {
            callPool.addFirst(call);
        }
    }

    private void removeCall(final PendingCall call)
    {
        pendingByCorrelationId.remove(call.correlationId);
        if (null != call.deferred)
        {
            deferredCalls.remove(call);
            call.deferred = null;
        }
        if (call.timerId != 0)
        {
            timers.cancel(call.timerId);
            call.timerId = 0;
        }
        if (call.hasOutboundStream)
        {
            final OutboundStream stream = outboundByKey.get(streamKey(nodeId, call.correlationId, false));
            if (null != stream)
            {
                removeOutbound(outboundStreams.indexOf(stream));
            }
        }
    }

    private void completeOk(final PendingCall call, final DirectBuffer body, final int offset, final int length)
    {
        removeCall(call);
        try
        {
            call.listener.onResponse(call.correlationId, body, offset, length);
        }
        catch (final RuntimeException ex)
        {
            onListenerError(ex);
        }
        finally
        {
            releaseCall(call);
        }
    }

    private void completeError(final PendingCall call, final RpcError error, final String message)
    {
        removeCall(call);
        counters.requestFailures.incrementRelease();
        try
        {
            call.listener.onError(call.correlationId, error, message);
        }
        catch (final RuntimeException ex)
        {
            onListenerError(ex);
        }
        finally
        {
            releaseCall(call);
        }
    }

    private void fail(
        final RpcResponseListener listener, final long correlationId, final RpcError error, final String message)
    {
        counters.requestFailures.incrementRelease();
        try
        {
            listener.onError(correlationId, error, message);
        }
        catch (final RuntimeException ex)
        {
            onListenerError(ex);
        }
    }

    /**
     * A listener's exception is the caller's bug, not a malformed frame: count it, report it, keep going.
     */
    private void onListenerError(final RuntimeException ex)
    {
        counters.dutyCycleErrors.incrementRelease();
        errorHandler.onError(ex);
    }

    private void addOutbound(final OutboundStream stream)
    {
        outboundByKey.put(stream.key, stream);
        outboundStreams.add(stream);
        counters.streamsStarted.incrementRelease();
    }

    private void removeOutbound(final int index)
    {
        if (index >= 0)
        {
            final OutboundStream stream = outboundStreams.get(index);
            outboundByKey.remove(stream.key);
            ArrayListUtil.fastUnorderedRemove(outboundStreams, index);
        }
    }

    /**
     * Key of a stream: correlation ids stay below 2^46, node ids take 16 bits, one bit for the direction.
     */
    static long streamKey(final int nodeId, final long correlationId, final boolean response)
    {
        return (correlationId << 17) | ((long)nodeId << 1) | (response ? 1 : 0);
    }

    private static final class ReplyRoute
    {
        private final byte[] endpoint;
        private final int peer;

        ReplyRoute(final String endpoint, final int peer)
        {
            this.endpoint = endpoint.getBytes(StandardCharsets.US_ASCII);
            this.peer = peer;
        }

        boolean matches(final DirectBuffer buffer, final int offset, final int length)
        {
            if (length != endpoint.length)
            {
                return false;
            }
            for (int i = 0; i < length; i++)
            {
                if (buffer.getByte(offset + i) != endpoint[i])
                {
                    return false;
                }
            }
            return true;
        }
    }
}
