package io.datacake.rpc;

import io.datacake.protocol.RpcStatus;
import io.datacake.transport.Transport;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

import java.nio.charset.StandardCharsets;

/**
 * The serving side: the service registry, the reply route of each requester, running handlers for decoded requests
 * and sending their responses (streamed through the {@link StreamManager} when larger than a frame).
 * <p>
 * Requests carry the requester's endpoint; the first request from a node id (or from a new endpoint for it) is
 * resolved into a reply peer once and cached by node id.
 * <p>
 * Node thread only.
 */
final class RequestDispatcher
{
    private static final System.Logger LOGGER = System.getLogger(RequestDispatcher.class.getName());

    private final int nodeId;
    private final boolean secured;
    private final Transport transport;
    private final RpcCounters counters;
    private final int maxBodyLength;
    private final FramePublisher publisher;
    private final FrameAdapter adapter;
    private final RpcRequest request;
    private final RpcReply reply = new RpcReply(this);
    private final Int2ObjectHashMap<RpcService> serviceById = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<ReplyRoute> replyRouteByNodeId = new Int2ObjectHashMap<>();
    private CallRegistry calls;
    private StreamManager streams;

    RequestDispatcher(
        final RpcContext ctx, final FramePublisher publisher, final FrameAdapter adapter, final RpcRequest request)
    {
        this.nodeId = ctx.nodeId();
        this.secured = null != ctx.keyring();
        this.transport = ctx.transport();
        this.counters = ctx.counters();
        this.maxBodyLength = ctx.maxBodyLength();
        this.publisher = publisher;
        this.adapter = adapter;
        this.request = request;
    }

    void wire(final StreamManager streams, final CallRegistry calls)
    {
        this.streams = streams;
        this.calls = calls;
    }

    void addService(final RpcService service)
    {
        final RpcService existing = serviceById.get(service.id());
        if (null != existing)
        {
            throw new IllegalArgumentException("service id " + service.id() + " of '" + service.name() +
                "' is already registered by '" + existing.name() + "': give one of them an explicit id");
        }
        serviceById.put(service.id(), service);
    }

    boolean removeService(final String name)
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

    RpcService service(final int serviceId)
    {
        return serviceById.get(serviceId);
    }


    /**
     * A request decoded into the request flyweight by the {@link FrameAdapter}.
     */
    void onRequest(final DirectBuffer buffer, final int frameOffset, final int frameLength, final boolean streamed)
    {
        final boolean oneWay = request.isOneWay();
        // A one-way sender's endpoint is resolved only where frames name their destination (a keyring): it gives
        // the sender's node id to the frames going back, gossip included, which never gets a response to learn from.
        final int replyPeer = oneWay && !secured ? -1 : replyPeer(buffer, !oneWay);
        if (!oneWay && replyPeer < 0)
        {
            return;
        }
        if (replyPeer >= 0)
        {
            calls.learnNodeId(replyPeer, request.sourceNodeId());
        }
        // Only a request that can be answered is received: one without a usable reply endpoint is malformed.
        adapter.mergeStamp();
        counters.requestsReceived.incrementRelease();
        if (streamed)
        {
            streams.startInbound(buffer, frameOffset, frameLength, replyPeer);
            return;
        }
        dispatch(replyPeer, 0, request.bodyLength());
    }

    /**
     * Run the handler for the request flyweight (whose body is the whole body, or one chunk of it for a streaming
     * handler).
     *
     * @return true if the request is finished; false if a streaming handler waits for more chunks.
     */
    boolean dispatch(final int replyPeer, final long bodyOffset, final long totalLength)
    {
        final boolean oneWay = request.isOneWay();
        final RpcService service = serviceById.get(request.serviceId());
        if (null == service)
        {
            if (!oneWay)
            {
                sendErrorResponse(replyPeer, request.sourceNodeId(), request.correlationId(), RpcStatus.UNKNOWN_SERVICE,
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
                sendErrorResponse(replyPeer, request.sourceNodeId(), request.correlationId(),
                    RpcStatus.UNKNOWN_MESSAGE_TYPE,
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

    void sendOkResponse(
        final int peer, final long correlationId, final DirectBuffer body, final int offset, final int length,
        final int requesterNodeId)
    {
        if (length < 0 || length > maxBodyLength)
        {
            throw new IllegalArgumentException(
                "response body of " + length + " bytes exceeds maxBodyLength " + maxBodyLength);
        }
        final int room = publisher.maxMessageLength() - FramePublisher.RESPONSE_FIXED_LENGTH;
        final int firstChunk = Math.min(length, room);
        if (firstChunk == length)
        {
            publisher.publishOkResponse(peer, requesterNodeId, correlationId, 0, body, offset, length, length);
            return;
        }
        if (streams.isAnswering(requesterNodeId, correlationId))
        {
            // A duplicated request answered again while the first answer still streams: that stream serves the
            // requester. After it ends, the stream id keeps a later answer from mixing with it.
            counters.lateFramesDropped.incrementRelease();
            return;
        }
        if (!streams.hasCapacity())
        {
            sendErrorResponse(peer, requesterNodeId, correlationId, RpcStatus.SERVER_BUSY,
                streams.maxStreams() + " streamed bodies already in flight on node " + nodeId);
            return;
        }
        final long streamId = streams.nextResponseStreamId();
        if (publisher.publishOkResponse(peer, requesterNodeId, correlationId, streamId, body, offset, length,
            firstChunk))
        {
            streams.startOutboundResponse(peer, requesterNodeId, correlationId, streamId, body, offset, length,
                firstChunk);
        }
        // Else dropped (queue full) or not sendable: the requester will time out, so do not stream the rest.
    }

    void sendOkResponse(
        final int peer, final long correlationId, final int length, final RpcBodyWriter writer, final int requesterNodeId)
    {
        if (length < 0 || length > maxInPlaceBodyLength())
        {
            throw new IllegalArgumentException("response body of " + length + " bytes does not fit one frame (" +
                maxInPlaceBodyLength() + " bytes): send it from a buffer, to be streamed");
        }
        publisher.publishOkResponse(peer, requesterNodeId, correlationId, length, writer);
    }

    int maxInPlaceBodyLength()
    {
        return Math.min(maxBodyLength, publisher.maxMessageLength() - FramePublisher.RESPONSE_FIXED_LENGTH);
    }

    void sendErrorResponse(
        final int peer, final int requesterNodeId, final long correlationId, final RpcStatus status,
        final String message)
    {
        publisher.publishErrorResponse(peer, requesterNodeId, correlationId, status, message);
    }

    /**
     * The peer handle of the requester's endpoint, resolved once per node id and cached.
     *
     * @param required true for a request that must be answered: a missing or bad endpoint is then malformed.
     * @return the handle, or -1 if there is no usable endpoint.
     */
    private int replyPeer(final DirectBuffer buffer, final boolean required)
    {
        final int sourceNodeId = request.sourceNodeId();
        final int endpointOffset = adapter.endpointOffset();
        final int endpointLength = adapter.endpointLength();
        final ReplyRoute route = replyRouteByNodeId.get(sourceNodeId);
        if (null != route && route.matches(buffer, endpointOffset, endpointLength))
        {
            return route.peer;
        }
        if (endpointLength == 0)
        {
            return required ? adapter.malformedPeer() : -1;
        }
        final String endpoint = buffer.getStringWithoutLengthAscii(endpointOffset, endpointLength);
        final int peer;
        try
        {
            peer = transport.resolvePeer(endpoint);
        }
        catch (final IllegalArgumentException ex)
        {
            return required ? adapter.malformedPeer() : -1;
        }
        replyRouteByNodeId.put(sourceNodeId, new ReplyRoute(endpoint, peer));
        return peer;
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
