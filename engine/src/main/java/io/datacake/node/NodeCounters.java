package io.datacake.node;

import io.datacake.rpc.RpcCounters;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.nio.ByteBuffer;

/**
 * The node's observability: Agrona {@link AtomicCounter}s written by the node thread, readable from any thread
 * without locks (also through {@link #reader()}, e.g. by a metrics exporter).
 */
public final class NodeCounters
{
    /** Number of counters a node allocates; the counters buffers are sized for this many. */
    static final int MAX_COUNTERS = 256;

    private final CountersManager countersManager;
    private final RpcCounters rpcCounters;

    /** Commands (tasks) executed from the command queue. */
    public final AtomicCounter commandsExecuted;
    /** Commands rejected because the queue was full. */
    public final AtomicCounter commandsRejected;
    /** Frames received from the transport. */
    public final AtomicCounter framesIn;
    /** Frames sent to the transport. */
    public final AtomicCounter framesOut;
    /** Bytes of frames received. */
    public final AtomicCounter bytesIn;
    /** Bytes of frames sent. */
    public final AtomicCounter bytesOut;
    /** Malformed frames dropped (bad magic, version, template, lengths). */
    public final AtomicCounter malformedFramesDropped;
    /** Well-formed frames dropped because they came from another cluster. */
    public final AtomicCounter foreignFramesDropped;
    /** Requests sent (one-way messages included). */
    public final AtomicCounter requestsSent;
    /** Requests received (one-way messages included). */
    public final AtomicCounter requestsReceived;
    /** Responses sent. */
    public final AtomicCounter responsesSent;
    /** Responses received for a pending request. */
    public final AtomicCounter responsesReceived;
    /** Responses (or stream frames) received for no pending request: late after a timeout, or duplicates. */
    public final AtomicCounter lateFramesDropped;
    /** Requests that timed out. */
    public final AtomicCounter requestTimeouts;
    /** Requests that failed for any reason (timeouts and error responses included). */
    public final AtomicCounter requestFailures;
    /** Handlers that threw or did not reply. */
    public final AtomicCounter handlerFailures;
    /**
     * Sends that failed for good: refused by the transport (not connected, closed), still not possible at the connect
     * deadline, or a queued reply dropped ({@link #repliesDropped}).
     */
    public final AtomicCounter sendFailures;
    /** Piggybacked HLC stamps the clock rejected (drift, overflow); the RPC itself proceeds. */
    public final AtomicCounter clockErrors;
    /** Errors thrown on the duty cycle (tasks, duties, timers, components) and given to the error handler. */
    public final AtomicCounter dutyCycleErrors;
    /** Timers expired. */
    public final AtomicCounter timersExpired;
    /** Streamed bodies started (either direction). */
    public final AtomicCounter streamsStarted;
    /** Stream chunks dropped (out of order, unknown or expired stream). */
    public final AtomicCounter streamChunksDropped;
    /** Replies (responses, stream credits) queued because the transport was back-pressured. */
    public final AtomicCounter repliesQueued;
    /** Queued replies sent later from the duty cycle. */
    public final AtomicCounter repliesRetried;
    /**
     * Replies dropped for good: the pending-reply queue was full, the retry deadline passed, the peer went away, or
     * the node closed with replies still queued. Each is also counted in {@link #sendFailures}.
     */
    public final AtomicCounter repliesDropped;
    /**
     * Exceptions thrown by {@link Component}s from their duty-cycle work, peer-status callbacks or close; each is
     * also counted in {@link #dutyCycleErrors} and given to the error handler.
     */
    public final AtomicCounter componentErrors;

    NodeCounters(final int nodeId)
    {
        final UnsafeBuffer values = new UnsafeBuffer(
            ByteBuffer.allocateDirect(MAX_COUNTERS * CountersReader.COUNTER_LENGTH));
        final UnsafeBuffer metadata = new UnsafeBuffer(
            ByteBuffer.allocateDirect(MAX_COUNTERS * CountersReader.METADATA_LENGTH));
        countersManager = new CountersManager(metadata, values);
        final String prefix = "node " + nodeId + ": ";
        commandsExecuted = countersManager.newCounter(prefix + "commands executed");
        commandsRejected = countersManager.newCounter(prefix + "commands rejected (queue full)");
        dutyCycleErrors = countersManager.newCounter(prefix + "duty cycle errors");
        timersExpired = countersManager.newCounter(prefix + "timers expired");
        // The RPC layer owns its counters; the node exposes them under the same names as before.
        rpcCounters = new RpcCounters(countersManager, prefix, dutyCycleErrors);
        framesIn = rpcCounters.framesIn;
        framesOut = rpcCounters.framesOut;
        bytesIn = rpcCounters.bytesIn;
        bytesOut = rpcCounters.bytesOut;
        malformedFramesDropped = rpcCounters.malformedFramesDropped;
        foreignFramesDropped = rpcCounters.foreignFramesDropped;
        requestsSent = rpcCounters.requestsSent;
        requestsReceived = rpcCounters.requestsReceived;
        responsesSent = rpcCounters.responsesSent;
        responsesReceived = rpcCounters.responsesReceived;
        lateFramesDropped = rpcCounters.lateFramesDropped;
        requestTimeouts = rpcCounters.requestTimeouts;
        requestFailures = rpcCounters.requestFailures;
        handlerFailures = rpcCounters.handlerFailures;
        sendFailures = rpcCounters.sendFailures;
        clockErrors = rpcCounters.clockErrors;
        streamsStarted = rpcCounters.streamsStarted;
        streamChunksDropped = rpcCounters.streamChunksDropped;
        repliesQueued = rpcCounters.repliesQueued;
        repliesRetried = rpcCounters.repliesRetried;
        repliesDropped = rpcCounters.repliesDropped;
        componentErrors = countersManager.newCounter(prefix + "component errors");
    }

    /**
     * The RPC layer's counters (the fields above that concern RPC are the same counters).
     *
     * @return the RPC counters.
     */
    public RpcCounters rpc()
    {
        return rpcCounters;
    }

    /**
     * Read every counter by id and label, from any thread (for exporters and tools).
     *
     * @return the reader over this node's counters.
     */
    public CountersReader reader()
    {
        return countersManager;
    }

    /**
     * Allocate an extra counter for a component (membership, replication, storage).
     *
     * @param label a readable label.
     * @return the new counter, owned by the node thread for writes.
     * @throws IllegalStateException if the node's counters buffer is full.
     */
    public AtomicCounter newCounter(final String label)
    {
        return countersManager.newCounter(label);
    }

    /**
     * A readable dump of every counter, for logs and test failures.
     *
     * @return one {@code label = value} line per counter.
     */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        countersManager.forEach((value, counterId, label) -> sb.append(label).append(" = ").append(value).append('\n'));
        return sb.toString();
    }
}
