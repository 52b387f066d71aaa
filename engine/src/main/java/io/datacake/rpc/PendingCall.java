package io.datacake.rpc;

import io.datacake.timer.DeadlineTimers;
import org.agrona.ExpandableArrayBuffer;

/**
 * A call awaiting its outcome: pooled and reused by the {@link CallRegistry}, so a call allocates nothing in steady
 * state. Bound to the node that must answer it ({@link #responderNodeId}): frames from any other node are dropped.
 */
final class PendingCall
{
    /** A pooled call keeps an assembly buffer up to this size; larger ones are dropped on release. */
    static final int MAX_RETAINED_ASSEMBLY_BYTES = 1024 * 1024;

    /** First capacity of an assembly buffer; it grows as chunks arrive. */
    static final int INITIAL_ASSEMBLY_BYTES = 64 * 1024;

    /** {@link #responderNodeId} of a call not bound yet: locked on its first response. */
    static final int UNBOUND = -1;

    long correlationId;
    int peer;
    int responderNodeId;
    /** The caller named the responder; otherwise it was learned or is locked on the first response. */
    boolean responderNamed;
    long timerId;
    long timeoutMs;
    RpcResponseListener listener;
    RpcBodyListener bodyListener;
    boolean hasOutboundStream;
    boolean responseStreaming;
    long responseStreamId;
    int responseTotalLength;
    int responseReceived;
    int responseLastCredit;
    ExpandableArrayBuffer assembly;
    QueuedRequest queued;

    void init(
        final long correlationId,
        final int peer,
        final int responderNodeId,
        final boolean responderNamed,
        final long timeoutMs,
        final RpcResponseListener listener)
    {
        this.responderNamed = responderNamed;
        this.correlationId = correlationId;
        this.peer = peer;
        this.responderNodeId = responderNodeId;
        this.timeoutMs = timeoutMs;
        this.listener = listener;
        this.bodyListener = listener instanceof RpcBodyListener ? (RpcBodyListener)listener : null;
        this.hasOutboundStream = false;
        this.responseStreaming = false;
        this.responseStreamId = 0;
        this.responseTotalLength = 0;
        this.responseReceived = 0;
        this.responseLastCredit = 0;
        this.timerId = DeadlineTimers.NO_TIMER;
        this.queued = null;
    }

    boolean acceptsFrom(final int sourceNodeId)
    {
        return responderNodeId == UNBOUND || responderNodeId == sourceNodeId;
    }

    void reset()
    {
        correlationId = 0;
        listener = null;
        bodyListener = null;
        queued = null;
        if (null != assembly && assembly.capacity() > MAX_RETAINED_ASSEMBLY_BYTES)
        {
            assembly = null;
        }
    }

    ExpandableArrayBuffer assembly(final int length)
    {
        // Grow with the data actually received, not with the length the sender announced.
        if (null == assembly)
        {
            assembly = new ExpandableArrayBuffer(Math.min(Math.max(length, 64), INITIAL_ASSEMBLY_BYTES));
        }
        return assembly;
    }
}
