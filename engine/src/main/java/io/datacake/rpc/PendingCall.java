package io.datacake.rpc;

import io.datacake.node.TimerListener;
import org.agrona.ExpandableArrayBuffer;

/**
 * A request awaiting its response: pooled and reused by the {@link RpcEngine}, so a call allocates nothing in
 * steady state. Its timer is the request timeout.
 */
final class PendingCall implements TimerListener
{
    /** A pooled call keeps an assembly buffer up to this size; larger ones are dropped on release. */
    static final int MAX_RETAINED_ASSEMBLY_BYTES = 1024 * 1024;

    /** First capacity of an assembly buffer; it grows as chunks arrive. */
    static final int INITIAL_ASSEMBLY_BYTES = 64 * 1024;

    private final RpcEngine engine;
    long correlationId;
    int peer;
    long timerId;
    long timeoutMs;
    RpcResponseListener listener;
    RpcBodyListener bodyListener;
    boolean hasOutboundStream;
    boolean responseStreaming;
    int responseTotalLength;
    int responseReceived;
    int responseLastCredit;
    ExpandableArrayBuffer assembly;
    DeferredRequest deferred;

    PendingCall(final RpcEngine engine)
    {
        this.engine = engine;
    }

    void init(final long correlationId, final int peer, final long timeoutMs, final RpcResponseListener listener)
    {
        this.correlationId = correlationId;
        this.peer = peer;
        this.timeoutMs = timeoutMs;
        this.listener = listener;
        this.bodyListener = listener instanceof RpcBodyListener ? (RpcBodyListener)listener : null;
        this.hasOutboundStream = false;
        this.responseStreaming = false;
        this.responseTotalLength = 0;
        this.responseReceived = 0;
        this.responseLastCredit = 0;
        this.timerId = 0;
        this.deferred = null;
    }

    void reset()
    {
        listener = null;
        bodyListener = null;
        deferred = null;
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

    public void onTimer(final long timerId, final long nowMs)
    {
        engine.onCallTimeout(this, timerId, nowMs);
    }
}
