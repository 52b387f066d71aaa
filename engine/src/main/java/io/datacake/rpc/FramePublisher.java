package io.datacake.rpc;

import io.datacake.clock.HlcException;
import io.datacake.clock.HybridLogicalClock;
import io.datacake.protocol.FrameFlagsEncoder;
import io.datacake.protocol.FrameHeaderEncoder;
import io.datacake.protocol.MessageHeaderEncoder;
import io.datacake.protocol.RequestEncoder;
import io.datacake.protocol.ResponseEncoder;
import io.datacake.protocol.RpcStatus;
import io.datacake.protocol.StreamChunkEncoder;
import io.datacake.protocol.StreamCreditEncoder;
import io.datacake.security.FrameSealer;
import io.datacake.security.Keyring;
import io.datacake.transport.Transport;
import io.datacake.transport.TransportClaim;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The one place where outgoing frames are claimed, encoded (frame header included) and committed: requests,
 * one-way messages, responses, stream chunks and stream credits. A frame is encoded in place into a transport claim;
 * a reply (response or credit) the transport cannot take because it is back-pressured or the requester's
 * publication is not connected yet is encoded into the {@link PendingReplies} scratch and queued, then offered again
 * from {@link #retryQueuedReplies}, already encoded.
 * <p>
 * With a keyring every frame is sealed here, as it is committed ({@link FrameSealer}: flags.secured, security
 * trailer, tag, encryption): a queued reply is kept unsealed and sealed into a scratch buffer each time it is offered,
 * so its frame counter is taken when it goes out and the receiver's replay window sees counters nearly in order.
 * <p>
 * Node thread only.
 */
final class FramePublisher
{
    /** Attempts per send while the transport reports back-pressure or an admin action. */
    static final int SEND_ATTEMPTS = 3;

    /** Bound on queued replies taken from the pending-reply queue (sent or dropped) per duty cycle. */
    static final int REPLY_RETRY_LIMIT = 64;

    /** Longest error message sent in a response, in ASCII characters. */
    static final int MAX_ERROR_MESSAGE_LENGTH = 1024;

    static final int MESSAGE_HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    static final int RESPONSE_FIXED_LENGTH = MESSAGE_HEADER_LENGTH + ResponseEncoder.BLOCK_LENGTH +
        ResponseEncoder.errorMessageHeaderLength() + ResponseEncoder.bodyHeaderLength();
    static final int CHUNK_FIXED_LENGTH = MESSAGE_HEADER_LENGTH + StreamChunkEncoder.BLOCK_LENGTH +
        StreamChunkEncoder.dataHeaderLength();
    static final int CREDIT_LENGTH = MESSAGE_HEADER_LENGTH + StreamCreditEncoder.BLOCK_LENGTH;

    /** Bytes at the start of every frame that stay readable when frames are encrypted: the two headers. */
    static final int CLEAR_LENGTH = MESSAGE_HEADER_LENGTH + FrameHeaderEncoder.ENCODED_LENGTH;

    /** Offset of the frame flags from the start of a frame. */
    static final int FLAGS_OFFSET = MESSAGE_HEADER_LENGTH + FrameHeaderEncoder.flagsEncodingOffset();

    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    private final int nodeId;
    private final long clusterId;
    private final Transport transport;
    private final TransportClaim claim;
    private final HybridLogicalClock clock;
    private final NanoClock nanoClock;
    private final RpcCounters counters;
    private final int maxMessageLength;
    private final long replyRetryTimeoutMs;
    private final UnsafeBuffer localEndpoint;
    private final PendingReplies pendingReplies;
    private final FrameSealer sealer;
    private final int trailerLength;
    private final UnsafeBuffer sealScratch;
    private final FrameFlagsEncoder securedFlag = new FrameFlagsEncoder();
    private boolean sealerPreparePending;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final RequestEncoder requestEncoder = new RequestEncoder();
    private final ResponseEncoder responseEncoder = new ResponseEncoder();
    private final StreamChunkEncoder chunkEncoder = new StreamChunkEncoder();
    private final StreamCreditEncoder creditEncoder = new StreamCreditEncoder();
    private final UnsafeBuffer errorMessageBuffer = new UnsafeBuffer(new byte[MAX_ERROR_MESSAGE_LENGTH]);

    // Where the reply being encoded goes, set by claimReply: the transport claim, or the pending-reply scratch.
    private MutableDirectBuffer replyBuffer;
    private int replyOffset;
    private boolean replyQueued;
    private boolean closed;

    FramePublisher(final RpcContext ctx)
    {
        this.nodeId = ctx.nodeId();
        this.clusterId = ctx.clusterId();
        this.transport = ctx.transport();
        this.claim = transport.newClaim();
        this.clock = ctx.hybridClock();
        this.nanoClock = ctx.nanoClock();
        this.counters = ctx.counters();
        final Keyring keyring = ctx.keyring();
        this.trailerLength = null == keyring ? 0 : FrameSealer.TRAILER_LENGTH;
        this.maxMessageLength = transport.maxMessageLength() - trailerLength;
        this.sealer = null == keyring ?
            null : new FrameSealer(nodeId, ctx.generation(), ctx.frameProtection(), keyring);
        this.sealScratch = null == keyring ? null : new UnsafeBuffer(new byte[transport.maxMessageLength()]);
        this.replyRetryTimeoutMs = ctx.replyRetryTimeoutMs() > 0 ? ctx.replyRetryTimeoutMs() : ctx.requestTimeoutMs();
        this.localEndpoint = new UnsafeBuffer(transport.localEndpoint().getBytes(StandardCharsets.US_ASCII));
        this.pendingReplies = new PendingReplies(
            this::offerQueued, counters, ctx.maxPendingReplyBytes(), maxMessageLength);
    }

    /**
     * Seal frames under a new keyring's primary key from the next frame on.
     *
     * @throws IllegalStateException if the node was started without a keyring.
     */
    void keyring(final Keyring keyring)
    {
        if (null == sealer)
        {
            throw new IllegalStateException("frames are not secured: a keyring can only be replaced, set one when " +
                "the node is configured");
        }
        sealer.keyring(keyring);
    }

    int maxMessageLength()
    {
        return maxMessageLength;
    }

    int requestFixedLength(final RpcHeaders headers)
    {
        return MESSAGE_HEADER_LENGTH + RequestEncoder.BLOCK_LENGTH + RequestEncoder.HeadersEncoder.sbeHeaderSize() +
            (null == headers ? 0 : headers.encodedLength()) + RequestEncoder.replyEndpointHeaderLength() +
            localEndpoint.capacity() + RequestEncoder.bodyHeaderLength();
    }

    /**
     * Claim, encode and commit a request (or one-way message) with the first {@code firstChunk} bytes of its body.
     *
     * @return the transport result: positive if sent.
     */
    long publishRequest(
        final int peer,
        final int destinationNodeId,
        final long correlationId,
        final boolean oneWay,
        final int serviceId,
        final int messageTypeId,
        final RpcHeaders headers,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength,
        final int firstChunk)
    {
        final long result = claim(peer, requestFixedLength(headers) + firstChunk);
        if (result > 0)
        {
            requestEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder);
            encodeFrameHeader(requestEncoder.frame(), correlationId, destinationNodeId);
            requestEncoder.frame().flags().clear().request(!oneWay).oneWay(oneWay).streamed(firstChunk < bodyLength)
                .addressed(isAddressed(destinationNodeId));
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
            commit(claim.length() - trailerLength);
            counters.requestsSent.incrementRelease();
        }
        return result;
    }

    /**
     * Claim, encode and commit one chunk of a streamed body.
     *
     * @return the transport result: positive if sent; a failure is counted.
     */
    long publishChunk(final OutboundStream stream, final int chunkLength)
    {
        final long result = claim(stream.peer, CHUNK_FIXED_LENGTH + chunkLength);
        if (result > 0)
        {
            chunkEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder);
            encodeFrameHeader(chunkEncoder.frame(), stream.correlationId, stream.remoteNodeId);
            chunkEncoder.frame().flags().clear().streamChunk(true).response(stream.response).request(!stream.response)
                .addressed(isAddressed(stream.remoteNodeId));
            chunkEncoder.streamId(stream.streamId).bodyOffset(stream.sentOffset);
            chunkEncoder.putData(stream.body, stream.sentOffset, chunkLength);
            commit(CHUNK_FIXED_LENGTH + chunkLength);
        }
        else
        {
            counters.sendFailures.incrementRelease();
        }
        return result;
    }

    /**
     * Send (or queue) a successful response carrying the first {@code firstChunk} bytes of its body.
     *
     * @return true if sent or queued; false if it cannot be sent or was dropped (counted).
     */
    boolean publishOkResponse(
        final int peer,
        final int requesterNodeId,
        final long correlationId,
        final long streamId,
        final DirectBuffer body,
        final int offset,
        final int totalLength,
        final int firstChunk)
    {
        final int length = RESPONSE_FIXED_LENGTH + firstChunk;
        if (!claimReply(peer, length))
        {
            return false;
        }
        responseEncoder.wrapAndApplyHeader(replyBuffer, replyOffset, headerEncoder);
        encodeFrameHeader(responseEncoder.frame(), correlationId, requesterNodeId);
        responseEncoder.frame().flags().clear().response(true).streamed(firstChunk < totalLength).addressed(true);
        responseEncoder.streamId(streamId).status(RpcStatus.OK).totalBodyLength(totalLength);
        responseEncoder.putErrorMessage(EMPTY, 0, 0);
        responseEncoder.putBody(null == body ? EMPTY : body, offset, firstChunk);
        return commitReply(peer, PendingReplies.RESPONSE, length);
    }

    /**
     * Send (or queue) a successful response whose body the writer encodes in place, in one frame. If the writer
     * throws, the claim is aborted (or the scratch left unqueued) and the exception goes on.
     *
     * @return true if sent or queued; false if it cannot be sent or was dropped (counted).
     */
    boolean publishOkResponse(
        final int peer, final int requesterNodeId, final long correlationId, final int length, final RpcBodyWriter writer)
    {
        final int frameLength = RESPONSE_FIXED_LENGTH + length;
        if (!claimReply(peer, frameLength))
        {
            return false;
        }
        responseEncoder.wrapAndApplyHeader(replyBuffer, replyOffset, headerEncoder);
        encodeFrameHeader(responseEncoder.frame(), correlationId, requesterNodeId);
        responseEncoder.frame().flags().clear().response(true).addressed(true);
        responseEncoder.streamId(0).status(RpcStatus.OK).totalBodyLength(length);
        responseEncoder.putErrorMessage(EMPTY, 0, 0);
        final int bodyHeaderAt = responseEncoder.limit();
        replyBuffer.putInt(bodyHeaderAt, length, ResponseEncoder.BYTE_ORDER);
        responseEncoder.limit(bodyHeaderAt + ResponseEncoder.bodyHeaderLength() + length);
        try
        {
            writer.writeBody(replyBuffer, bodyHeaderAt + ResponseEncoder.bodyHeaderLength(), length);
        }
        catch (final RuntimeException | Error ex)
        {
            if (!replyQueued)
            {
                claim.abort();
            }
            throw ex;
        }
        return commitReply(peer, PendingReplies.RESPONSE, frameLength);
    }

    /**
     * Send (or queue) an error response.
     */
    void publishErrorResponse(
        final int peer,
        final int requesterNodeId,
        final long correlationId,
        final RpcStatus status,
        final String message)
    {
        final String text = null == message ? "" : message;
        final int messageLength = Math.min(text.length(), MAX_ERROR_MESSAGE_LENGTH);
        errorMessageBuffer.putStringWithoutLengthAscii(0, text, 0, messageLength);
        final int length = RESPONSE_FIXED_LENGTH + messageLength;
        if (!claimReply(peer, length))
        {
            return;
        }
        responseEncoder.wrapAndApplyHeader(replyBuffer, replyOffset, headerEncoder);
        encodeFrameHeader(responseEncoder.frame(), correlationId, requesterNodeId);
        responseEncoder.frame().flags().clear().response(true).failed(true).addressed(true);
        responseEncoder.streamId(0).status(status).totalBodyLength(0);
        responseEncoder.putErrorMessage(errorMessageBuffer, 0, messageLength);
        responseEncoder.putBody(EMPTY, 0, 0);
        commitReply(peer, PendingReplies.RESPONSE, length);
    }

    /**
     * Send (or queue) a stream credit: the receiver of a streamed body has consumed this many bytes.
     */
    void publishCredit(
        final int peer,
        final int destinationNodeId,
        final long correlationId,
        final long streamId,
        final boolean response,
        final int consumed)
    {
        if (!claimReply(peer, CREDIT_LENGTH))
        {
            return;
        }
        creditEncoder.wrapAndApplyHeader(replyBuffer, replyOffset, headerEncoder);
        encodeFrameHeader(creditEncoder.frame(), correlationId, destinationNodeId);
        creditEncoder.frame().flags().clear().response(response).request(!response)
            .addressed(isAddressed(destinationNodeId));
        creditEncoder.streamId(streamId).consumedBytes(consumed);
        commitReply(peer, PendingReplies.CREDIT, CREDIT_LENGTH);
    }

    /**
     * Whether replies to the peer wait in the queue: later frames of the same flow must follow them.
     */
    boolean hasQueuedRepliesFor(final int peer)
    {
        return pendingReplies.hasFramesFor(peer);
    }

    int queuedReplyCount()
    {
        return pendingReplies.frameCount();
    }

    int retryQueuedReplies(final long nowMs)
    {
        return pendingReplies.retry(nowMs, REPLY_RETRY_LIMIT);
    }

    void dropQueuedReplies(final int peer)
    {
        pendingReplies.dropPeer(peer);
    }

    void close()
    {
        closed = true;
        pendingReplies.clear();
    }

    /**
     * Find room for a reply frame: a transport claim or, when the transport is back-pressured or not connected to
     * the requester yet, or replies to the peer are already queued (order), the pending-reply scratch buffer. Sets
     * {@code replyBuffer} and {@code replyOffset} for the encoder.
     *
     * @return false if the reply cannot be sent at all (peer closed, node closed): counted.
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
            final long result = claim(peer, length);
            if (result > 0)
            {
                replyBuffer = claim.buffer();
                replyOffset = claim.offset();
                replyQueued = false;
                return true;
            }
            if (!PendingReplies.isRetryable(result))
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
        return pendingReplies.append(peer, kind, RpcContext.monotonicMs(nanoClock) + replyRetryTimeoutMs, length);
    }

    /**
     * Encode the frame header; the caller sets the flags after it, {@code addressed} among them.
     *
     * @param destinationNodeId the receiver's node id, or {@link PendingCall#UNBOUND} if not known yet.
     */
    private void encodeFrameHeader(
        final FrameHeaderEncoder frame, final long correlationId, final int destinationNodeId)
    {
        frame.clusterId(clusterId)
            .sourceNodeId(nodeId)
            .destinationNodeId(isAddressed(destinationNodeId) ? destinationNodeId : 0)
            .correlationId(correlationId)
            .hlcStamp(stamp());
    }

    private static boolean isAddressed(final int destinationNodeId)
    {
        return destinationNodeId != PendingCall.UNBOUND;
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
        long result;
        int attempts = 0;
        do
        {
            result = transport.tryClaim(peer, length + trailerLength, claim);
        }
        while (result <= 0 && (result == Transport.BACK_PRESSURED || result == Transport.ADMIN_ACTION) &&
            ++attempts < SEND_ATTEMPTS);
        return result;
    }

    /**
     * Seal (with a keyring) and commit the claimed frame.
     *
     * @param length the frame's length, trailer excluded.
     */
    private void commit(final int length)
    {
        final int sentLength = null == sealer ? length : seal(claim.buffer(), claim.offset(), length);
        claim.commit();
        counters.framesOut.incrementRelease();
        counters.bytesOut.getAndAddRelease(sentLength);
        // The next tag's key blocks are hashed when the node thread is idle (prepareNextTag), not here: with an
        // invoked media driver the frame leaves only on the next duty cycle, and the work would delay it.
        sealerPreparePending = null != sealer;
    }

    /**
     * Hash the next frame's tag key blocks if a frame was sealed since the last call: work that the next seal would
     * otherwise do while its frame waits. Call when the node thread has nothing else to do. Allocates nothing.
     */
    /**
     * @return true with a keyring whose next seal has its key blocks hashed already.
     */
    boolean isNextTagPrepared()
    {
        return null != sealer && sealer.isPrepared();
    }

    void prepareNextTag()
    {
        if (sealerPreparePending)
        {
            sealerPreparePending = false;
            sealer.prepare();
        }
    }

    /**
     * Offer a queued reply: as it is, or sealed into the scratch buffer (the queued copy stays unsealed, so a
     * refused offer is sealed again with a new counter next time).
     */
    private long offerQueued(final int peer, final DirectBuffer buffer, final int offset, final int length)
    {
        if (null == sealer)
        {
            return transport.offer(peer, buffer, offset, length);
        }
        sealScratch.putBytes(0, buffer, offset, length);
        final long result = transport.offer(peer, sealScratch, 0, seal(sealScratch, 0, length));
        if (result > 0)
        {
            counters.bytesOut.getAndAddRelease(trailerLength);
            sealerPreparePending = true;
        }
        return result;
    }

    private int seal(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        securedFlag.wrap(buffer, offset + FLAGS_OFFSET).secured(true);
        return sealer.seal(buffer, offset, CLEAR_LENGTH, length);
    }
}
