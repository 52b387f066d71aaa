package io.datacake.rpc;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The rest of a body too large for one frame, being sent in StreamChunk frames as the receiver's credit allows.
 * Holds its own copy of the body so the caller's buffer can be reused at once. Identified on the wire by its
 * stream id: the correlation id for a request body, a responder-chosen id for a response body, so a receiver never
 * mixes the chunks of two responses to the same (duplicated) request.
 */
final class OutboundStream
{
    final int peer;
    final long correlationId;
    final long streamId;
    final boolean response;
    final UnsafeBuffer body;
    final int totalLength;
    /** The node that may grant credit, {@link PendingCall#UNBOUND} until the first credit of a request stream. */
    int remoteNodeId;
    /** Key of the request this stream answers (response streams only), for the responder's duplicate guard. */
    final long requestKey;
    int sentOffset;
    long creditLimit;
    long lastProgressMs;

    OutboundStream(
        final int peer,
        final long correlationId,
        final long streamId,
        final boolean response,
        final int remoteNodeId,
        final long requestKey,
        final UnsafeBuffer body,
        final int sentOffset,
        final long creditLimit,
        final long nowMs)
    {
        this.peer = peer;
        this.correlationId = correlationId;
        this.streamId = streamId;
        this.response = response;
        this.remoteNodeId = remoteNodeId;
        this.requestKey = requestKey;
        this.body = body;
        this.totalLength = body.capacity();
        this.sentOffset = sentOffset;
        this.creditLimit = creditLimit;
        this.lastProgressMs = nowMs;
    }
}
