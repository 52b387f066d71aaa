package io.datacake.rpc;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The rest of a body too large for one frame, being sent in StreamChunk frames as the receiver's credit allows.
 * Holds its own copy of the body so the caller's buffer can be reused at once.
 */
final class OutboundStream
{
    final long key;
    final int peer;
    final long correlationId;
    final boolean response;
    final UnsafeBuffer body;
    final int totalLength;
    int sentOffset;
    long creditLimit;
    long lastProgressMs;

    OutboundStream(
        final long key,
        final int peer,
        final long correlationId,
        final boolean response,
        final UnsafeBuffer body,
        final int sentOffset,
        final long creditLimit,
        final long nowMs)
    {
        this.key = key;
        this.peer = peer;
        this.correlationId = correlationId;
        this.response = response;
        this.body = body;
        this.totalLength = body.capacity();
        this.sentOffset = sentOffset;
        this.creditLimit = creditLimit;
        this.lastProgressMs = nowMs;
    }
}
