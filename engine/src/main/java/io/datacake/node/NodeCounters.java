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
    /** Errors thrown on the duty cycle (tasks, duties, timers, components) and given to the error handler. */
    public final AtomicCounter dutyCycleErrors;
    /** Timers expired. */
    public final AtomicCounter timersExpired;
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
        // The RPC layer owns its counters (frames, bytes, requests, replies, drops): read them through rpc().
        rpcCounters = new RpcCounters(countersManager, prefix, dutyCycleErrors);
        componentErrors = countersManager.newCounter(prefix + "component errors");
    }

    /**
     * The RPC layer's counters: frames, bytes, requests, responses, replies and streams, and what it dropped.
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
