package io.datacake.rpc;

import io.datacake.clock.HlcException;
import io.datacake.clock.HlcTimestamp;
import io.datacake.clock.HybridLogicalClock;
import io.datacake.protocol.FrameFlagsDecoder;
import io.datacake.protocol.FrameHeaderDecoder;
import io.datacake.protocol.MessageHeaderDecoder;
import io.datacake.protocol.RequestDecoder;
import io.datacake.protocol.ResponseDecoder;
import io.datacake.protocol.RpcStatus;
import io.datacake.protocol.StreamChunkDecoder;
import io.datacake.protocol.StreamCreditDecoder;
import io.datacake.security.FrameOpener;
import io.datacake.security.Keyring;
import io.datacake.transport.FrameHandler;
import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Every incoming frame goes through here first: the message header (schema, version, template) and the frame
 * header (cluster id) are checked before anything else reads the frame; with a keyring the frame's destination is
 * checked (it must name this node, or be an unaddressed request or request chunk) and the frame opened
 * ({@link FrameOpener}: key id, replay window, tag, decryption), so nothing reads an unauthenticated frame and no
 * dropped frame touches the clock, a peer or a handler; then the message is decoded in place and
 * every length is checked against the frame; only a frame that decoded cleanly (a request also needs a usable
 * reply endpoint) merges its HLC stamp into the node's clock and is handed on (requests to the
 * {@link RequestDispatcher}, responses to the {@link CallRegistry},
 * chunks and credits to the {@link StreamManager}). A malformed or foreign frame is dropped and counted by reason,
 * never throws out of {@link #onFrame}, and changes no state.
 * <p>
 * Node thread only.
 */
final class FrameAdapter implements FrameHandler
{
    /** Correlation ids of streamed requests stay below this so they fit in stream keys. */
    static final long MAX_STREAMED_CORRELATION_ID = 1L << 46;

    private static final int MESSAGE_HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int MIN_FRAME_LENGTH = MESSAGE_HEADER_LENGTH + FrameHeaderDecoder.ENCODED_LENGTH;

    private final int nodeId;
    private final long clusterId;
    private final HybridLogicalClock clock;
    private final RpcCounters counters;
    private final RpcRequest request;
    private final FrameOpener opener;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final FrameHeaderDecoder frameHeaderDecoder = new FrameHeaderDecoder();
    private final RequestDecoder requestDecoder = new RequestDecoder();
    private final ResponseDecoder responseDecoder = new ResponseDecoder();
    private final StreamChunkDecoder chunkDecoder = new StreamChunkDecoder();
    private final StreamCreditDecoder creditDecoder = new StreamCreditDecoder();
    private RequestDispatcher dispatcher;
    private CallRegistry calls;
    private StreamManager streams;
    private boolean openerPreparePending;

    // Fields of the frame being decoded.
    private int frameSourceNodeId;
    private long frameCorrelationId;
    private long frameHlcStamp;
    private boolean frameStreamed;
    private int frameTotalBodyLength;
    private int frameBodyOffset;
    private int frameBodyLength;
    private int frameEndpointOffset;
    private int frameEndpointLength;

    FrameAdapter(final RpcContext ctx, final RpcRequest request)
    {
        this.nodeId = ctx.nodeId();
        this.clusterId = ctx.clusterId();
        this.clock = ctx.hybridClock();
        this.counters = ctx.counters();
        this.request = request;
        final Keyring keyring = ctx.keyring();
        this.opener = null == keyring ? null : new FrameOpener(
            ctx.frameProtection(), keyring, ctx.transport().maxMessageLength(), ctx.epochClock().time());
    }

    /**
     * Accept frames under a new keyring's keys from the next frame on.
     *
     * @throws IllegalStateException if the node was started without a keyring.
     */
    void keyring(final Keyring keyring)
    {
        if (null == opener)
        {
            throw new IllegalStateException("frames are not secured: a keyring can only be replaced, set one when " +
                "the node is configured");
        }
        opener.keyring(keyring);
    }

    void wire(final RequestDispatcher dispatcher, final CallRegistry calls, final StreamManager streams)
    {
        this.dispatcher = dispatcher;
        this.calls = calls;
        this.streams = streams;
    }

    /**
     * Check, decode and route one incoming frame (the transport's poll callback). Never throws.
     *
     * @param buffer holds the frame.
     * @param offset where it starts.
     * @param length its length.
     */
    public void onFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        counters.framesIn.incrementRelease();
        counters.bytesIn.getAndAddRelease(length);
        try
        {
            if (!hasValidHeaders(buffer, offset, length))
            {
                return;
            }
            final boolean secured = frameHeaderDecoder.flags().secured();
            if (secured != (null != opener))
            {
                counters.unsecuredFramesDropped.incrementRelease();
                return;
            }
            if (secured)
            {
                if (!isForThisNode())
                {
                    counters.misaddressedFramesDropped.incrementRelease();
                    return;
                }
                if (!open(buffer, offset, length))
                {
                    return;
                }
                route(opener.buffer(), opener.offset(), opener.length());
                // The next tag's key blocks are hashed when the node thread is idle (prepareNextTag), not here: a
                // reply the handler just committed may still wait for this duty cycle to end before it leaves.
                openerPreparePending = true;
            }
            else
            {
                route(buffer, offset, length);
            }
        }
        catch (final IndexOutOfBoundsException | IllegalArgumentException ex)
        {
            malformed();
        }
    }

    /**
     * Hash the next frame's tag key blocks if a frame was opened since the last call: work that the next open would
     * otherwise do while its frame waits. Call when the node thread has nothing else to do. Allocates nothing.
     */
    /**
     * @return true with a keyring whose next open has its key blocks hashed already.
     */
    boolean isNextTagPrepared()
    {
        return null != opener && opener.isPrepared();
    }

    void prepareNextTag()
    {
        if (openerPreparePending)
        {
            openerPreparePending = false;
            opener.prepare();
        }
    }

    /**
     * Decode a request frame kept by the stream manager (the first frame of a streamed request body) into the
     * request flyweight again. The frame was checked when it arrived.
     *
     * @return false if it no longer decodes (counted as malformed).
     */
    boolean decodeStoredRequest(final DirectBuffer frame)
    {
        headerDecoder.wrap(frame, 0);
        return parseRequest(frame, MESSAGE_HEADER_LENGTH, headerDecoder.blockLength(), headerDecoder.version(),
            frame.capacity());
    }

    int bodyOffset()
    {
        return frameBodyOffset;
    }

    int bodyLength()
    {
        return frameBodyLength;
    }

    int totalBodyLength()
    {
        return frameTotalBodyLength;
    }

    int endpointOffset()
    {
        return frameEndpointOffset;
    }

    int endpointLength()
    {
        return frameEndpointLength;
    }

    boolean malformed()
    {
        counters.malformedFramesDropped.incrementRelease();
        return false;
    }

    /**
     * Count a malformed frame where a peer handle was expected.
     *
     * @return -1, no peer.
     */
    int malformedPeer()
    {
        counters.malformedFramesDropped.incrementRelease();
        return -1;
    }

    /**
     * The message header (schema, version, block length) and the frame header's cluster id; leaves the decoders on
     * the frame.
     */
    private boolean hasValidHeaders(final DirectBuffer buffer, final int offset, final int length)
    {
        final int end = offset + length;
        if (length < MIN_FRAME_LENGTH || end > buffer.capacity())
        {
            return malformed();
        }
        headerDecoder.wrap(buffer, offset);
        final int blockLength = headerDecoder.blockLength();
        final int bodyStart = offset + MESSAGE_HEADER_LENGTH;
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID ||
            headerDecoder.version() != MessageHeaderDecoder.SCHEMA_VERSION ||
            blockLength < FrameHeaderDecoder.ENCODED_LENGTH || bodyStart + blockLength > end)
        {
            return malformed();
        }
        // Every message starts with the FrameHeader composite.
        frameHeaderDecoder.wrap(buffer, bodyStart);
        if (frameHeaderDecoder.clusterId() != clusterId)
        {
            counters.foreignFramesDropped.incrementRelease();
            return false;
        }
        return true;
    }

    /**
     * Whether a secured frame is for this node, from its clear headers (the tag covers them, so a frame that passes
     * here and then fails the tag is still dropped): an addressed frame must name this node id; an unaddressed one
     * must be a request or a request chunk, the only frames a sender may send before it knows who listens at an
     * endpoint (a first call to a seed). Replies, credits and response chunks always answer a known node.
     */
    private boolean isForThisNode()
    {
        final FrameFlagsDecoder flags = frameHeaderDecoder.flags();
        if (flags.addressed())
        {
            return frameHeaderDecoder.destinationNodeId() == nodeId;
        }
        final int templateId = headerDecoder.templateId();
        return templateId == RequestDecoder.TEMPLATE_ID ||
            (templateId == StreamChunkDecoder.TEMPLATE_ID && !flags.response());
    }

    /**
     * Check a secured frame's key, freshness and tag (and decrypt it); count a drop under its reason.
     */
    private boolean open(final DirectBuffer buffer, final int offset, final int length)
    {
        final int verdict = opener.open(buffer, offset, FramePublisher.CLEAR_LENGTH, length,
            frameHeaderDecoder.sourceNodeId(), HlcTimestamp.millis(frameHeaderDecoder.hlcStamp()));
        switch (verdict)
        {
            case FrameOpener.OPENED:
                return true;
            case FrameOpener.UNKNOWN_KEY:
                counters.unknownKeyFramesDropped.incrementRelease();
                return false;
            case FrameOpener.FORGED:
                counters.forgedFramesDropped.incrementRelease();
                return false;
            case FrameOpener.REPLAYED:
                counters.replayedFramesDropped.incrementRelease();
                return false;
            case FrameOpener.STALE:
                counters.staleFramesDropped.incrementRelease();
                return false;
            default:
                return malformed();
        }
    }

    /**
     * Decode an accepted (authentic, or unsecured at an unsecured node) frame and hand it on.
     */
    private void route(final DirectBuffer buffer, final int offset, final int length)
    {
        final int end = offset + length;
        headerDecoder.wrap(buffer, offset);
        final int blockLength = headerDecoder.blockLength();
        final int bodyStart = offset + MESSAGE_HEADER_LENGTH;
        if (bodyStart + blockLength > end)
        {
            malformed();
            return;
        }
        frameHeaderDecoder.wrap(buffer, bodyStart);
        frameSourceNodeId = frameHeaderDecoder.sourceNodeId();
        frameCorrelationId = frameHeaderDecoder.correlationId();
        frameHlcStamp = frameHeaderDecoder.hlcStamp();
        final int version = headerDecoder.version();
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

    private void onRequestFrame(
        final DirectBuffer buffer, final int frameOffset, final int offset, final int blockLength, final int version,
        final int end)
    {
        if (!parseRequest(buffer, offset, blockLength, version, end))
        {
            return;
        }
        final boolean oneWay = request.isOneWay();
        if (oneWay && frameStreamed)
        {
            malformed();
            return;
        }
        if (frameStreamed && (frameCorrelationId < 0 || frameCorrelationId >= MAX_STREAMED_CORRELATION_ID))
        {
            malformed();
            return;
        }
        // The dispatcher merges the stamp once the reply endpoint checks out.
        dispatcher.onRequest(buffer, frameOffset, end - frameOffset, frameStreamed);
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

        if (requestDecoder.limit() + RequestDecoder.HeadersDecoder.sbeHeaderSize() > end)
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
        frameEndpointOffset = varOffset(
            buffer, requestDecoder.limit(), RequestDecoder.replyEndpointHeaderLength(), end);
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
        request.body(buffer, frameBodyOffset, frameBodyLength);
        return true;
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
        mergeStamp();
        calls.onResponse(frameSourceNodeId, frameCorrelationId, status, streamed, responseDecoder.streamId(),
            totalBodyLength, buffer, frameBodyOffset, frameBodyLength, messageOffset, messageLength);
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
        if (bodyOffset < 0)
        {
            malformed();
            return;
        }
        mergeStamp();
        if (chunkDecoder.frame().flags().response())
        {
            calls.onResponseChunk(frameSourceNodeId, frameCorrelationId, chunkDecoder.streamId(), bodyOffset,
                buffer, frameBodyOffset, frameBodyLength);
        }
        else
        {
            streams.onRequestChunk(frameSourceNodeId, frameCorrelationId, chunkDecoder.streamId(), bodyOffset,
                buffer, frameBodyOffset, frameBodyLength);
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
        final int consumed = creditDecoder.consumedBytes();
        if (consumed < 0)
        {
            malformed();
            return;
        }
        mergeStamp();
        streams.onCredit(frameSourceNodeId, frameCorrelationId, creditDecoder.streamId(),
            creditDecoder.frame().flags().response(), consumed);
    }

    /**
     * Merge the clock stamp of the frame being decoded (not for frames from this node itself).
     */
    void mergeStamp()
    {
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
}
