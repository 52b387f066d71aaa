package io.datacake.rpc;

import io.datacake.protocol.RpcStatus;
import org.agrona.DirectBuffer;
import org.agrona.collections.ArrayListUtil;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;

/**
 * Bodies larger than one frame, both directions: outbound request and response bodies sent in chunks within the
 * receiver's credit, inbound request bodies assembled (or handed to an {@link RpcStreamHandler} chunk by chunk),
 * inbound response bodies assembled for their call (or handed to an {@link RpcBodyListener}), credits both ways,
 * and abandoning streams that make no progress.
 * <p>
 * Every stream has an identity on the wire (its stream id): the correlation id for a request body, an id the
 * responder picks for a response body. A caller locks onto the stream id of the first response frame of its call
 * and drops chunks of any other stream, so a duplicated request answered twice never mixes two answers. A chunk out
 * of order is dropped and the call then fails by timeout, never with a wrong body.
 * <p>
 * Node thread only.
 */
final class StreamManager
{
    /** Smallest first chunk worth streaming: a frame whose headers leave less room than this is rejected. */
    static final int MIN_CHUNK_LENGTH = 64;

    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    private final int nodeId;
    private final RpcCounters counters;
    private final NanoClock nanoClock;
    private final FramePublisher publisher;
    private final FrameAdapter adapter;
    private final RpcRequest request;
    private final int maxMessageLength;
    private final int maxBodyLength;
    private final int streamWindowBytes;
    private final int maxStreams;
    private final long streamTimeoutMs;
    private final int streamChunkLimit;
    private final Long2ObjectHashMap<OutboundStream> outboundRequestByCorrelationId = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<OutboundStream> outboundResponseByStreamId = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<OutboundStream> outboundResponseByRequestKey = new Long2ObjectHashMap<>();
    private final Int2IntHashMap requestStreamsByPeer = new Int2IntHashMap(0);
    private final ArrayList<OutboundStream> outboundStreams = new ArrayList<>();
    private final Long2ObjectHashMap<InboundStream> inboundByKey = new Long2ObjectHashMap<>();
    private final ArrayList<InboundStream> inboundStreams = new ArrayList<>();
    private RequestDispatcher dispatcher;
    private CallRegistry calls;
    private long nextResponseStreamId;

    StreamManager(
        final RpcContext ctx, final FramePublisher publisher, final FrameAdapter adapter, final RpcRequest request)
    {
        this.nodeId = ctx.nodeId();
        this.counters = ctx.counters();
        this.nanoClock = ctx.nanoClock();
        this.publisher = publisher;
        this.adapter = adapter;
        this.request = request;
        this.maxMessageLength = publisher.maxMessageLength();
        this.maxBodyLength = ctx.maxBodyLength();
        this.streamWindowBytes = ctx.streamWindowBytes();
        this.maxStreams = ctx.maxStreams();
        this.streamTimeoutMs = ctx.streamTimeoutMs();
        this.streamChunkLimit = ctx.streamChunkLimit();
        // Response stream ids continue the incarnation's unpredictable correlation-id start, in their own sequence.
        this.nextResponseStreamId = ctx.initialCorrelationId() ^ 0x5DEECE66DL;
    }

    void wire(final RequestDispatcher dispatcher, final CallRegistry calls)
    {
        this.dispatcher = dispatcher;
        this.calls = calls;
    }

    int count()
    {
        return outboundStreams.size() + inboundStreams.size();
    }

    int maxStreams()
    {
        return maxStreams;
    }

    boolean hasCapacity()
    {
        return count() < maxStreams;
    }

    long nextResponseStreamId()
    {
        long id = nextResponseStreamId++;
        if (0 == id)
        {
            id = nextResponseStreamId++;
        }
        return id;
    }

    /**
     * Whether a request body to the peer is still being streamed: later requests to the peer wait behind it.
     */
    boolean isSendingRequestTo(final int peer)
    {
        return !requestStreamsByPeer.isEmpty() && requestStreamsByPeer.get(peer) > 0;
    }

    /**
     * Whether a response stream to this request is still in flight (the responder's duplicate guard).
     */
    boolean isAnswering(final int requesterNodeId, final long correlationId)
    {
        return outboundResponseByRequestKey.containsKey(requestKey(requesterNodeId, correlationId));
    }

    void startOutboundRequest(
        final PendingCall call, final DirectBuffer body, final int offset, final int length, final int firstChunk)
    {
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
        copy.putBytes(0, body, offset, length);
        final OutboundStream stream = new OutboundStream(call.peer, call.correlationId, call.correlationId, false,
            call.responderNodeId, 0, copy, firstChunk, streamWindowBytes, RpcContext.monotonicMs(nanoClock));
        outboundRequestByCorrelationId.put(call.correlationId, stream);
        requestStreamsByPeer.put(call.peer, requestStreamsByPeer.get(call.peer) + 1);
        add(stream);
        call.hasOutboundStream = true;
    }

    void startOutboundResponse(
        final int peer,
        final int requesterNodeId,
        final long correlationId,
        final long streamId,
        final DirectBuffer body,
        final int offset,
        final int length,
        final int firstChunk)
    {
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
        copy.putBytes(0, body, offset, length);
        final long requestKey = requestKey(requesterNodeId, correlationId);
        final OutboundStream stream = new OutboundStream(peer, correlationId, streamId, true, requesterNodeId,
            requestKey, copy, firstChunk, streamWindowBytes, RpcContext.monotonicMs(nanoClock));
        outboundResponseByStreamId.put(streamId, stream);
        outboundResponseByRequestKey.put(requestKey, stream);
        add(stream);
    }

    /**
     * Stop sending the request body of a call that ended.
     */
    void removeRequestStream(final long correlationId)
    {
        final OutboundStream stream = outboundRequestByCorrelationId.get(correlationId);
        if (null != stream)
        {
            remove(outboundStreams.indexOf(stream));
        }
    }

    /**
     * A streamed request arrived: assemble its body, or hand its first chunk to a streaming handler.
     */
    void startInbound(final DirectBuffer buffer, final int frameOffset, final int frameLength, final int replyPeer)
    {
        final long correlationId = request.correlationId();
        final long key = requestKey(request.sourceNodeId(), correlationId);
        final int totalLength = adapter.totalBodyLength();
        if (inboundByKey.containsKey(key))
        {
            counters.lateFramesDropped.incrementRelease();
            return;
        }
        if (totalLength > maxBodyLength)
        {
            dispatcher.sendErrorResponse(replyPeer, request.sourceNodeId(), correlationId, RpcStatus.BODY_TOO_LARGE,
                "request body of " + totalLength + " bytes exceeds maxBodyLength " + maxBodyLength + " of node " +
                nodeId);
            return;
        }
        final RpcService service = dispatcher.service(request.serviceId());
        final boolean incremental = null != service && null != service.streamHandler(request.messageTypeId());
        if (null == service || (null == service.handler(request.messageTypeId()) && !incremental))
        {
            request.body(EMPTY, 0, 0);
            dispatcher.dispatch(replyPeer, 0, 0);
            return;
        }
        if (!hasCapacity())
        {
            dispatcher.sendErrorResponse(replyPeer, request.sourceNodeId(), correlationId, RpcStatus.SERVER_BUSY,
                maxStreams + " streamed bodies already in flight on node " + nodeId);
            return;
        }
        final int firstChunkOffset = adapter.bodyOffset();
        final int firstChunkLength = adapter.bodyLength();
        if (incremental && dispatcher.dispatch(replyPeer, 0, totalLength))
        {
            return;
        }
        final UnsafeBuffer firstFrame = new UnsafeBuffer(new byte[frameLength]);
        firstFrame.putBytes(0, buffer, frameOffset, frameLength);
        final InboundStream stream = new InboundStream(
            key, correlationId, replyPeer, firstFrame, totalLength, incremental, RpcContext.monotonicMs(nanoClock));
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

    void onRequestChunk(
        final int sourceNodeId,
        final long correlationId,
        final long streamId,
        final int bodyOffset,
        final DirectBuffer buffer,
        final int chunkOffset,
        final int chunkLength)
    {
        final InboundStream stream = inboundByKey.get(requestKey(sourceNodeId, correlationId));
        if (null == stream)
        {
            counters.lateFramesDropped.incrementRelease();
            return;
        }
        if (streamId != stream.streamId || bodyOffset != stream.received ||
            stream.received + chunkLength > stream.totalLength)
        {
            counters.streamChunksDropped.incrementRelease();
            return;
        }
        stream.received += chunkLength;
        stream.lastProgressMs = RpcContext.monotonicMs(nanoClock);
        if (stream.incremental)
        {
            boolean finished = !adapter.decodeStoredRequest(stream.firstFrame);
            if (!finished)
            {
                request.body(buffer, chunkOffset, chunkLength);
                finished = dispatcher.dispatch(stream.replyPeer, bodyOffset, stream.totalLength);
            }
            if (finished || stream.received == stream.totalLength)
            {
                removeInbound(stream);
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
        removeInbound(stream);
        if (adapter.decodeStoredRequest(stream.firstFrame))
        {
            request.body(stream.body, 0, stream.totalLength);
            dispatcher.dispatch(stream.replyPeer, 0, stream.totalLength);
        }
    }

    /**
     * The first response frame of a streamed body arrived for a call (already locked onto its stream id): take its
     * part of the body.
     */
    void startResponseBody(final PendingCall call, final DirectBuffer buffer, final int chunkOffset,
        final int chunkLength)
    {
        counters.streamsStarted.incrementRelease();
        onResponseChunk(call, 0, buffer, chunkOffset, chunkLength);
    }

    /**
     * A chunk of a call's streamed response body, from the call's responder and of the call's stream.
     */
    void onResponseChunk(
        final PendingCall call,
        final int bodyOffset,
        final DirectBuffer buffer,
        final int chunkOffset,
        final int chunkLength)
    {
        if (bodyOffset != call.responseReceived || bodyOffset + chunkLength > call.responseTotalLength)
        {
            counters.streamChunksDropped.incrementRelease();
            return;
        }
        if (null != call.bodyListener)
        {
            try
            {
                call.bodyListener.onBodyChunk(call.correlationId, buffer, chunkOffset, chunkLength,
                    bodyOffset, call.responseTotalLength);
            }
            catch (final RuntimeException ex)
            {
                calls.onListenerError(ex);
                calls.completeError(call, RpcError.HANDLER_FAILURE, "body listener failed: " + ex);
                return;
            }
        }
        else
        {
            call.assembly(call.responseTotalLength).putBytes(bodyOffset, buffer, chunkOffset, chunkLength);
        }
        call.responseReceived += chunkLength;
        if (call.responseReceived == call.responseTotalLength)
        {
            if (null != call.bodyListener)
            {
                calls.completeOk(call, EMPTY, 0, 0);
            }
            else
            {
                calls.completeOk(call, call.assembly, 0, call.responseTotalLength);
            }
        }
        else if (call.responseReceived - call.responseLastCredit >= streamWindowBytes / 2)
        {
            call.responseLastCredit = call.responseReceived;
            publisher.publishCredit(call.peer, call.responderNodeId, call.correlationId, call.responseStreamId, true,
                call.responseReceived);
        }
    }

    void onCredit(
        final int sourceNodeId, final long correlationId, final long streamId, final boolean response,
        final int consumed)
    {
        final OutboundStream stream = response ?
            outboundResponseByStreamId.get(streamId) : outboundRequestByCorrelationId.get(correlationId);
        if (null == stream || stream.streamId != streamId || stream.correlationId != correlationId)
        {
            counters.lateFramesDropped.incrementRelease();
            return;
        }
        if (stream.remoteNodeId == PendingCall.UNBOUND)
        {
            stream.remoteNodeId = sourceNodeId;
        }
        else if (stream.remoteNodeId != sourceNodeId)
        {
            counters.wrongPeerFramesDropped.incrementRelease();
            return;
        }
        final long limit = (long)consumed + streamWindowBytes;
        if (limit > stream.creditLimit)
        {
            stream.creditLimit = limit;
            stream.lastProgressMs = RpcContext.monotonicMs(nanoClock);
        }
    }

    /**
     * Send chunks within credit (bounded per duty cycle) and abandon streams that made no progress.
     */
    int doWork(final long nowMs)
    {
        if (outboundStreams.isEmpty() && inboundStreams.isEmpty())
        {
            return 0;
        }
        int work = 0;
        int budget = streamChunkLimit;
        for (int i = outboundStreams.size() - 1; i >= 0; i--)
        {
            final OutboundStream stream = outboundStreams.get(i);
            if (nowMs - stream.lastProgressMs > streamTimeoutMs)
            {
                remove(i);
                continue;
            }
            if (stream.response && publisher.hasQueuedRepliesFor(stream.peer))
            {
                // The stream's first frame, or a reply before it, still waits in the queue: chunks must follow it.
                continue;
            }
            boolean drop = false;
            while (budget > 0 && stream.sentOffset < stream.totalLength && stream.sentOffset < stream.creditLimit)
            {
                final int chunk = (int)Math.min(Math.min(maxMessageLength - FramePublisher.CHUNK_FIXED_LENGTH,
                    stream.totalLength - stream.sentOffset), stream.creditLimit - stream.sentOffset);
                final long result = publisher.publishChunk(stream, chunk);
                if (result <= 0)
                {
                    // Back-pressure or a publication reconnecting: retry next cycle, bounded by the stream timeout.
                    drop = !PendingReplies.isRetryable(result);
                    if (drop && !stream.response)
                    {
                        calls.onRequestStreamFailed(stream.correlationId, result);
                    }
                    break;
                }
                stream.sentOffset += chunk;
                budget--;
                work++;
            }
            if (drop || stream.sentOffset == stream.totalLength)
            {
                remove(outboundStreams.indexOf(stream));
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

    void onPeerUnavailable(final int peer)
    {
        for (int i = outboundStreams.size() - 1; i >= 0; i--)
        {
            if (outboundStreams.get(i).peer == peer)
            {
                remove(i);
            }
        }
    }

    void close()
    {
        outboundStreams.clear();
        outboundRequestByCorrelationId.clear();
        outboundResponseByStreamId.clear();
        outboundResponseByRequestKey.clear();
        requestStreamsByPeer.clear();
        inboundStreams.clear();
        inboundByKey.clear();
    }

    private void maybeCreditInbound(final InboundStream stream, final long correlationId)
    {
        if (stream.received - stream.lastCredit >= streamWindowBytes / 2)
        {
            stream.lastCredit = stream.received;
            publisher.publishCredit(stream.replyPeer, requesterNodeId(stream.key), correlationId, stream.streamId,
                false, stream.received);
        }
    }

    private void add(final OutboundStream stream)
    {
        outboundStreams.add(stream);
        counters.streamsStarted.incrementRelease();
    }

    private void remove(final int index)
    {
        if (index < 0)
        {
            return;
        }
        final OutboundStream stream = outboundStreams.get(index);
        ArrayListUtil.fastUnorderedRemove(outboundStreams, index);
        if (stream.response)
        {
            outboundResponseByStreamId.remove(stream.streamId);
            outboundResponseByRequestKey.remove(stream.requestKey);
        }
        else if (outboundRequestByCorrelationId.remove(stream.correlationId) == stream)
        {
            final int remaining = requestStreamsByPeer.get(stream.peer) - 1;
            if (remaining <= 0)
            {
                requestStreamsByPeer.remove(stream.peer);
            }
            else
            {
                requestStreamsByPeer.put(stream.peer, remaining);
            }
        }
    }

    private void removeInbound(final InboundStream stream)
    {
        inboundByKey.remove(stream.key);
        inboundStreams.remove(stream);
    }

    /**
     * Key of a request from a node: correlation ids of streamed requests stay below 2^46, node ids take 16 bits.
     */
    static long requestKey(final int nodeId, final long correlationId)
    {
        return (correlationId << 17) | ((long)nodeId << 1);
    }

    /**
     * The requester's node id in a {@link #requestKey}.
     */
    static int requesterNodeId(final long requestKey)
    {
        return (int)(requestKey >>> 1) & 0xFFFF;
    }
}
