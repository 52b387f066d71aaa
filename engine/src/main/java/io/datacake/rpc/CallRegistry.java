package io.datacake.rpc;

import io.datacake.protocol.RpcStatus;
import io.datacake.timer.DeadlineTimers;
import io.datacake.transport.Transport;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Objects;

/**
 * The calling side: correlation ids, pending calls (pooled), their timeouts, the per-peer send queues that keep
 * requests and one-way messages in order while a peer is not connected or back-pressured, cancellation, and
 * matching responses to calls by (responder node, correlation id).
 * <p>
 * <b>Order.</b> A request or one-way message the transport cannot take yet is copied into its peer's queue and
 * retried from the duty cycle, oldest first; while a peer's queue is not empty, or a request body to it is still
 * streaming, new requests to it join the queue, so the peer dispatches them in the order they were sent. A queue
 * holds at most {@code maxQueuedRequestsPerPeer} entries; an entry not sent by its connect deadline fails
 * ({@link RpcError#PEER_UNREACHABLE} or {@link RpcError#BACK_PRESSURED}) or, for a one-way message, is dropped and
 * counted.
 * <p>
 * <b>Matching.</b> Correlation ids start at an unpredictable point per incarnation
 * ({@code RpcContext.initialCorrelationId}). A call is bound to the node that must answer it: given by the caller,
 * learned from earlier responses on the same peer handle, or locked on its first response. A response, chunk or
 * credit from any other node is dropped and counted ({@code wrongPeerFramesDropped}). A learned node id is
 * forgotten when the peer goes away or a call bound by learning times out, so a node replaced by another at the
 * same endpoint is learned again.
 * <p>
 * Node thread only.
 */
final class CallRegistry
{
    /** Bound on queued requests taken from the per-peer queues (sent or failed) per duty cycle. */
    static final int REQUEST_RETRY_LIMIT = 256;

    /** Bound on call timeouts expired per duty cycle. */
    static final int TIMEOUT_EXPIRY_LIMIT = 256;

    /** Correlation ids stay below this, so streamed requests fit in stream keys at the receiver. */
    static final long CORRELATION_ID_LIMIT = FrameAdapter.MAX_STREAMED_CORRELATION_ID;

    private static final System.Logger LOGGER = System.getLogger(CallRegistry.class.getName());

    private final int nodeId;
    private final Transport transport;
    private final RpcCounters counters;
    private final ErrorHandler errorHandler;
    private final NanoClock nanoClock;
    private final FramePublisher publisher;
    private final int maxPendingRequests;
    private final long defaultTimeoutMs;
    private final long connectTimeoutMs;
    private final int maxBodyLength;
    private final int maxQueuedRequestsPerPeer;
    private final Long2ObjectHashMap<PendingCall> pendingByCorrelationId = new Long2ObjectHashMap<>();
    private final ArrayDeque<PendingCall> callPool = new ArrayDeque<>();
    private final DeadlineTimers<PendingCall> timeouts;
    private final DeadlineTimers.ExpiryHandler<PendingCall> timeoutHandler = this::onTimeout;
    private final Int2ObjectHashMap<ArrayDeque<QueuedRequest>> queueByPeer = new Int2ObjectHashMap<>();
    private final ArrayList<ArrayDeque<QueuedRequest>> activeQueues = new ArrayList<>();
    private final Int2IntHashMap nodeIdByPeer = new Int2IntHashMap(PendingCall.UNBOUND);
    private StreamManager streams;
    private long nextCorrelationId;
    private boolean closed;

    CallRegistry(final RpcContext ctx, final FramePublisher publisher)
    {
        this.nodeId = ctx.nodeId();
        this.transport = ctx.transport();
        this.counters = ctx.counters();
        this.errorHandler = ctx.errorHandler();
        this.nanoClock = ctx.nanoClock();
        this.publisher = publisher;
        this.maxPendingRequests = ctx.maxPendingRequests();
        this.defaultTimeoutMs = ctx.requestTimeoutMs();
        this.connectTimeoutMs = ctx.connectTimeoutMs();
        this.maxBodyLength = ctx.maxBodyLength();
        this.maxQueuedRequestsPerPeer = ctx.maxQueuedRequestsPerPeer();
        this.nextCorrelationId = Math.floorMod(ctx.initialCorrelationId(), CORRELATION_ID_LIMIT >>> 1) + 1;
        this.timeouts = new DeadlineTimers<>(RpcContext.monotonicMs(nanoClock));
    }

    void wire(final StreamManager streams)
    {
        this.streams = streams;
    }

    long defaultTimeoutMs()
    {
        return defaultTimeoutMs;
    }

    int pendingCount()
    {
        return pendingByCorrelationId.size();
    }

    long call(
        final int peer,
        final int expectedNodeId,
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
        final long correlationId = nextCorrelationId();
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
        final int fixedLength = publisher.requestFixedLength(headers);
        final int room = publisher.maxMessageLength() - fixedLength;
        if (room < StreamManager.MIN_CHUNK_LENGTH && room < bodyLength)
        {
            fail(listener, correlationId, RpcError.BODY_TOO_LARGE,
                "request headers take " + fixedLength + " of the " + publisher.maxMessageLength() +
                " bytes of a frame");
            return correlationId;
        }
        if (bodyLength > room && !streams.hasCapacity())
        {
            fail(listener, correlationId, RpcError.TOO_MANY_PENDING,
                streams.maxStreams() + " streamed bodies already in flight on node " + nodeId);
            return correlationId;
        }
        final boolean mustQueue = mustQueue(peer);
        if (mustQueue && queueLength(peer) >= maxQueuedRequestsPerPeer)
        {
            counters.sendFailures.incrementRelease();
            fail(listener, correlationId, RpcError.BACK_PRESSURED, maxQueuedRequestsPerPeer +
                " requests already queued to " + endpointOf(peer) + " (maxQueuedRequestsPerPeer)");
            return correlationId;
        }

        final PendingCall call = acquireCall();
        final boolean named = expectedNodeId != PendingCall.UNBOUND;
        call.init(correlationId, peer, named ? expectedNodeId : nodeIdByPeer.get(peer), named,
            timeoutMs > 0 ? timeoutMs : defaultTimeoutMs, listener);
        long result = Transport.NOT_CONNECTED;
        if (!mustQueue)
        {
            result = sendRequest(call.peer, correlationId, call, serviceId, messageTypeId, body, bodyOffset,
                bodyLength, headers);
            if (result <= 0 && !PendingReplies.isRetryable(result))
            {
                counters.sendFailures.incrementRelease();
                releaseCall(call);
                fail(listener, correlationId, errorFor(result), sendFailureMessage(peer, result));
                return correlationId;
            }
        }
        pendingByCorrelationId.put(correlationId, call);
        call.timerId = timeouts.schedule(RpcContext.monotonicMs(nanoClock) + call.timeoutMs, call);
        if (mustQueue || result <= 0)
        {
            call.queued = enqueue(peer, correlationId, call, serviceId, messageTypeId, body, bodyOffset, bodyLength,
                headers, result);
        }
        return correlationId;
    }

    long send(
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
        final int length = publisher.requestFixedLength(headers) + bodyLength;
        if (length > publisher.maxMessageLength())
        {
            throw new IllegalArgumentException("one-way message of " + length + " bytes exceeds the transport's " +
                publisher.maxMessageLength() + " byte frames: use call() for large bodies");
        }
        final long correlationId = nextCorrelationId();
        final boolean mustQueue = mustQueue(peer);
        long result = Transport.NOT_CONNECTED;
        if (!mustQueue)
        {
            result = publisher.publishRequest(
                peer, nodeIdByPeer.get(peer), correlationId, true, serviceId, messageTypeId, headers, body, bodyOffset,
                bodyLength, bodyLength);
            if (result > 0)
            {
                return result;
            }
            if (!PendingReplies.isRetryable(result))
            {
                counters.sendFailures.incrementRelease();
                return result;
            }
        }
        if (queueLength(peer) >= maxQueuedRequestsPerPeer)
        {
            counters.sendFailures.incrementRelease();
            return Transport.BACK_PRESSURED;
        }
        enqueue(peer, correlationId, null, serviceId, messageTypeId, body, bodyOffset, bodyLength, headers, result);
        return Rpc.QUEUED;
    }

    boolean cancel(final long correlationId)
    {
        final PendingCall call = pendingByCorrelationId.get(correlationId);
        if (null == call)
        {
            return false;
        }
        removeCall(call);
        counters.callsCancelled.incrementRelease();
        releaseCall(call);
        return true;
    }

    /**
     * Expire timeouts, then retry the per-peer queues. Called every duty cycle.
     */
    int doWork(final long nowMs)
    {
        int work = 0;
        work += timeouts.poll(nowMs, timeoutHandler, TIMEOUT_EXPIRY_LIMIT);
        if (!activeQueues.isEmpty())
        {
            work += retryQueues(nowMs);
        }
        return work;
    }

    void onResponse(
        final int sourceNodeId,
        final long correlationId,
        final RpcStatus status,
        final boolean streamed,
        final long streamId,
        final int totalBodyLength,
        final DirectBuffer buffer,
        final int bodyOffset,
        final int bodyLength,
        final int messageOffset,
        final int messageLength)
    {
        final PendingCall call = pendingByCorrelationId.get(correlationId);
        if (null == call || call.responseStreaming)
        {
            counters.lateFramesDropped.incrementRelease();
            return;
        }
        if (!call.acceptsFrom(sourceNodeId))
        {
            counters.wrongPeerFramesDropped.incrementRelease();
            return;
        }
        if (call.responderNodeId == PendingCall.UNBOUND)
        {
            call.responderNodeId = sourceNodeId;
        }
        if (nodeIdByPeer.get(call.peer) != sourceNodeId)
        {
            nodeIdByPeer.put(call.peer, sourceNodeId);
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
            call.responseStreaming = true;
            call.responseStreamId = streamId;
            call.responseTotalLength = totalBodyLength;
            streams.startResponseBody(call, buffer, bodyOffset, bodyLength);
        }
        else
        {
            completeOk(call, buffer, bodyOffset, bodyLength);
        }
    }

    void onResponseChunk(
        final int sourceNodeId,
        final long correlationId,
        final long streamId,
        final int bodyOffset,
        final DirectBuffer buffer,
        final int chunkOffset,
        final int chunkLength)
    {
        final PendingCall call = pendingByCorrelationId.get(correlationId);
        if (null == call || !call.responseStreaming)
        {
            counters.lateFramesDropped.incrementRelease();
            return;
        }
        if (!call.acceptsFrom(sourceNodeId))
        {
            counters.wrongPeerFramesDropped.incrementRelease();
            return;
        }
        if (streamId != call.responseStreamId)
        {
            // A chunk of another answer to the same (duplicated) request: never mix it into this one.
            counters.streamChunksDropped.incrementRelease();
            return;
        }
        streams.onResponseChunk(call, bodyOffset, buffer, chunkOffset, chunkLength);
    }

    void onRequestStreamFailed(final long correlationId, final long result)
    {
        final PendingCall call = pendingByCorrelationId.get(correlationId);
        if (null != call)
        {
            call.hasOutboundStream = false;
            completeError(call, errorFor(result), sendFailureMessage(call.peer, result));
        }
    }

    /**
     * Remember which node listens behind a peer handle (it sent a request from that endpoint), so that requests and
     * one-way messages to the handle name their destination.
     */
    void learnNodeId(final int peer, final int sourceNodeId)
    {
        if (nodeIdByPeer.get(peer) != sourceNodeId)
        {
            nodeIdByPeer.put(peer, sourceNodeId);
        }
    }

    /**
     * Fail every call to the peer, drop the one-way messages queued for it (counted) and forget its node id.
     */
    void onPeerUnavailable(final int peer)
    {
        nodeIdByPeer.remove(peer);
        final ArrayList<PendingCall> affected = new ArrayList<>();
        for (final PendingCall call : pendingByCorrelationId.values())
        {
            if (call.peer == peer)
            {
                affected.add(call);
            }
        }
        affected.sort((a, b) -> Long.compare(a.correlationId, b.correlationId));
        for (final PendingCall call : affected)
        {
            completeError(call, RpcError.PEER_UNREACHABLE, "peer " + endpointOf(peer) + " went away");
        }
        final ArrayDeque<QueuedRequest> queue = queueByPeer.get(peer);
        if (null != queue && !queue.isEmpty())
        {
            counters.sendFailures.getAndAddRelease(queue.size());
            queue.clear();
        }
    }

    void close()
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
        for (final ArrayDeque<QueuedRequest> queue : activeQueues)
        {
            queue.clear();
        }
        activeQueues.clear();
        timeouts.clear();
        callPool.clear();
    }

    void completeOk(final PendingCall call, final DirectBuffer body, final int offset, final int length)
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

    void completeError(final PendingCall call, final RpcError error, final String message)
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

    /**
     * A listener's exception is the caller's bug, not a malformed frame: count it, report it, keep going.
     */
    void onListenerError(final RuntimeException ex)
    {
        counters.listenerErrors.incrementRelease();
        errorHandler.onError(ex);
    }

    private long nextCorrelationId()
    {
        final long id = nextCorrelationId++;
        if (nextCorrelationId >= CORRELATION_ID_LIMIT)
        {
            nextCorrelationId = 1;
        }
        return id;
    }

    private boolean mustQueue(final int peer)
    {
        // Nothing is queued to any peer in steady state: skip the per-peer lookup then.
        return (!activeQueues.isEmpty() && queueLength(peer) > 0) || streams.isSendingRequestTo(peer);
    }

    private int queueLength(final int peer)
    {
        final ArrayDeque<QueuedRequest> queue = queueByPeer.get(peer);
        return null == queue ? 0 : queue.size();
    }

    private long sendRequest(
        final int peer,
        final long correlationId,
        final PendingCall call,
        final int serviceId,
        final int messageTypeId,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength,
        final RpcHeaders headers)
    {
        final boolean oneWay = null == call;
        final int room = publisher.maxMessageLength() - publisher.requestFixedLength(headers);
        final int firstChunk = Math.min(bodyLength, room);
        final int destinationNodeId = oneWay ? nodeIdByPeer.get(peer) : call.responderNodeId;
        final long result = publisher.publishRequest(
            peer, destinationNodeId, correlationId, oneWay, serviceId, messageTypeId, headers, body, bodyOffset,
            bodyLength, firstChunk);
        if (result > 0 && firstChunk < bodyLength)
        {
            streams.startOutboundRequest(call, body, bodyOffset, bodyLength, firstChunk);
        }
        return result;
    }

    private QueuedRequest enqueue(
        final int peer,
        final long correlationId,
        final PendingCall call,
        final int serviceId,
        final int messageTypeId,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength,
        final RpcHeaders headers,
        final long lastResult)
    {
        // Off the steady-state path: the peer is connecting or back-pressured, so keep a copy.
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[bodyLength]);
        if (bodyLength > 0)
        {
            copy.putBytes(0, body, bodyOffset, bodyLength);
        }
        final QueuedRequest queued = new QueuedRequest(peer, correlationId, call, serviceId, messageTypeId, copy,
            null == headers || headers.count() == 0 ? null : new RpcHeaders().copyFrom(headers),
            RpcContext.monotonicMs(nanoClock) + connectTimeoutMs, lastResult);
        ArrayDeque<QueuedRequest> queue = queueByPeer.get(peer);
        if (null == queue)
        {
            queue = new ArrayDeque<>();
            queueByPeer.put(peer, queue);
        }
        if (queue.isEmpty() && !activeQueues.contains(queue))
        {
            activeQueues.add(queue);
        }
        queue.addLast(queued);
        counters.requestsQueued.incrementRelease();
        return queued;
    }

    private int retryQueues(final long nowMs)
    {
        int work = 0;
        for (int i = activeQueues.size() - 1; i >= 0 && work < REQUEST_RETRY_LIMIT; i--)
        {
            final ArrayDeque<QueuedRequest> queue = activeQueues.get(i);
            QueuedRequest queued;
            while (work < REQUEST_RETRY_LIMIT && null != (queued = queue.peekFirst()))
            {
                if (streams.isSendingRequestTo(queued.peer))
                {
                    break;
                }
                final long result = sendRequest(queued.peer, queued.correlationId, queued.call, queued.serviceId,
                    queued.messageTypeId, queued.body, 0, queued.body.capacity(), queued.headers);
                if (result > 0)
                {
                    queue.pollFirst();
                    if (null != queued.call)
                    {
                        queued.call.queued = null;
                    }
                    work++;
                }
                else if (!PendingReplies.isRetryable(result) || nowMs >= queued.connectDeadlineMs)
                {
                    queue.pollFirst();
                    counters.sendFailures.incrementRelease();
                    if (null != queued.call)
                    {
                        queued.call.queued = null;
                        completeError(queued.call, errorFor(result), sendFailureMessage(queued.peer, result) +
                            " within the " + connectTimeoutMs + " ms connect timeout");
                    }
                    work++;
                }
                else
                {
                    queued.lastResult = result;
                    break;
                }
            }
            if (queue.isEmpty())
            {
                activeQueues.remove(i);
            }
        }
        return work;
    }

    private void onTimeout(final long timerId, final PendingCall call, final long nowMs)
    {
        call.timerId = DeadlineTimers.NO_TIMER;
        final QueuedRequest queued = call.queued;
        if (null != queued && nowMs >= queued.connectDeadlineMs)
        {
            // Never sent and the connect deadline has come too (e.g. equal timeouts): say why it never left.
            counters.sendFailures.incrementRelease();
            completeError(call, errorFor(queued.lastResult), sendFailureMessage(call.peer, queued.lastResult) +
                " within the " + connectTimeoutMs + " ms connect timeout");
            return;
        }
        if (!call.responderNamed)
        {
            // The node learned for this peer handle may have been replaced by another at the same endpoint:
            // learn again from the next response rather than drop its answers for ever.
            nodeIdByPeer.remove(call.peer);
        }
        counters.requestTimeouts.incrementRelease();
        completeError(call, RpcError.TIMEOUT,
            "no response from " + endpointOf(call.peer) + " within " + call.timeoutMs + " ms");
    }

    private PendingCall acquireCall()
    {
        final PendingCall call = callPool.pollFirst();
        return null != call ? call : new PendingCall();
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
        final QueuedRequest queued = call.queued;
        if (null != queued)
        {
            final ArrayDeque<QueuedRequest> queue = queueByPeer.get(queued.peer);
            if (null != queue)
            {
                queue.remove(queued);
            }
            call.queued = null;
        }
        if (call.timerId != DeadlineTimers.NO_TIMER)
        {
            timeouts.cancel(call.timerId);
            call.timerId = DeadlineTimers.NO_TIMER;
        }
        if (call.hasOutboundStream)
        {
            streams.removeRequestStream(call.correlationId);
            call.hasOutboundStream = false;
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
}
