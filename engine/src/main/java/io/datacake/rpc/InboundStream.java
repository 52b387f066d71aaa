package io.datacake.rpc;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A streamed request body being received on the serving node: the first frame (kept for its metadata and
 * headers) plus the body so far, or, for an {@link RpcStreamHandler}, just the progress. Dispatched when complete.
 */
final class InboundStream
{
    final long key;
    final long streamId;
    final int replyPeer;
    final UnsafeBuffer firstFrame;
    final ExpandableArrayBuffer body;
    final int totalLength;
    /** Chunks go to an {@link RpcStreamHandler} as they arrive; nothing is assembled. */
    final boolean incremental;
    int received;
    int lastCredit;
    long lastProgressMs;

    InboundStream(
        final long key,
        final long streamId,
        final int replyPeer,
        final UnsafeBuffer firstFrame,
        final int totalLength,
        final boolean incremental,
        final long nowMs)
    {
        this.key = key;
        this.streamId = streamId;
        this.replyPeer = replyPeer;
        this.firstFrame = firstFrame;
        this.totalLength = totalLength;
        this.incremental = incremental;
        // Grow with the data actually received, not with the length the sender announced.
        this.body = incremental ? null :
            new ExpandableArrayBuffer(Math.min(totalLength, PendingCall.INITIAL_ASSEMBLY_BYTES));
        this.lastProgressMs = nowMs;
    }
}
