package io.datacake.store;

import io.datacake.rpc.RpcError;
import io.datacake.rpc.RpcResponseListener;
import io.datacake.storage.WriteCompletionHandler;
import org.agrona.DirectBuffer;

import java.util.Arrays;

/**
 * A write this node coordinates, from the local apply until it has its acknowledgements or fails: it hears the
 * local storage commits (as the writer's completion handler) and the selected replicas' answers (as the listener of
 * their calls), and reports the outcome to the caller's command exactly once, on the node thread. Linked into the store's list of
 * pending writes so closing the node fails the ones still open.
 * <p>
 * Pooled by the store: once the outcome is reported and no local commit of the write is still in flight, nothing
 * can call it any more (its other calls were answered or cancelled), and it goes back to the pool.
 */
final class PendingWrite implements WriteCompletionHandler, RpcResponseListener
{
    private final ReplicatedStore store;
    private WriteCommand command;
    private String keyspace;
    private int required;
    private long[] correlationIds = new long[4];
    private int[] replicaNodeIds = new int[4];
    private int callCount;
    private int acknowledged;
    private int localOutstanding;
    private boolean localAcknowledged;
    private boolean done;
    PendingWrite previous;
    PendingWrite next;

    PendingWrite(final ReplicatedStore store)
    {
        this.store = store;
    }

    PendingWrite reset(final WriteCommand command, final String keyspace, final int replicaCount)
    {
        this.command = command;
        this.keyspace = keyspace;
        this.required = replicaCount + 1;
        if (correlationIds.length < replicaCount)
        {
            correlationIds = new long[replicaCount];
            replicaNodeIds = new int[replicaCount];
        }
        callCount = 0;
        acknowledged = 0;
        localOutstanding = 0;
        localAcknowledged = false;
        done = false;
        previous = null;
        next = null;
        return this;
    }

    boolean isDone()
    {
        return done;
    }

    void localSubmitted(final int writes)
    {
        localOutstanding = writes;
    }

    /**
     * Every local write is submitted (or none applied); count the local acknowledgement if nothing is in flight.
     */
    void localSubmitDone()
    {
        if (0 == localOutstanding && !localAcknowledged)
        {
            localAcknowledged = true;
            acknowledged++;
        }
        checkComplete();
    }

    /**
     * Name the replica of the call about to be made, so a failure reported inside the call names it too.
     */
    void beginCall(final int replicaNodeId)
    {
        replicaNodeIds[callCount] = replicaNodeId;
        correlationIds[callCount] = 0;
    }

    void callStarted(final long correlationId)
    {
        correlationIds[callCount++] = correlationId;
    }

    public void onWriteCommitted(final long sequence)
    {
        if (--localOutstanding == 0)
        {
            if (!done && !localAcknowledged)
            {
                localAcknowledged = true;
                acknowledged++;
                checkComplete();
            }
            else if (done)
            {
                store.recycle(this);
            }
        }
    }

    public void onWriteFailed(final long sequence, final Throwable cause)
    {
        --localOutstanding;
        if (!done)
        {
            fail(WriteFailureKind.STORAGE, "the local storage commit failed: " + cause);
        }
        else if (0 == localOutstanding)
        {
            store.recycle(this);
        }
    }

    public void onResponse(final long correlationId, final DirectBuffer body, final int offset, final int length)
    {
        if (!done)
        {
            acknowledged++;
            checkComplete();
        }
    }

    public void onError(final long correlationId, final RpcError error, final String message)
    {
        if (!done)
        {
            fail(RpcError.TIMEOUT == error ? WriteFailureKind.TIMEOUT : WriteFailureKind.REPLICA_ERROR,
                "replica " + replicaOf(correlationId) + " did not acknowledge: " + error + " " + message);
        }
    }

    /**
     * Fail the write (idempotent): cancel the calls still open and report the failure.
     */
    void fail(final WriteFailureKind kind, final String why)
    {
        if (done)
        {
            return;
        }
        done = true;
        store.unlink(this);
        store.onWriteFailed(kind);
        for (int i = 0; i < callCount; i++)
        {
            store.cancelCall(correlationIds[i]);
        }
        final WriteCommand failed = command;
        command = null;
        final ReplicationException failure = new ReplicationException(acknowledged, required,
            "write to keyspace '" + keyspace + "' acknowledged by " + acknowledged + " of " + required +
            " replicas (local commit included): " + why + "; it may have landed on some replicas, and repair " +
            "carries it to the rest");
        recycleIfIdle();
        failed.failed(failure);
    }

    /**
     * Fail the write with a given exception (the node closing); the write is not recycled.
     */
    void abort(final RuntimeException cause)
    {
        if (!done)
        {
            done = true;
            final WriteCommand aborted = command;
            command = null;
            aborted.failed(cause);
        }
    }

    private void checkComplete()
    {
        if (!done && acknowledged >= required)
        {
            done = true;
            store.unlink(this);
            final WriteCommand completed = command;
            command = null;
            recycleIfIdle();
            completed.succeeded(acknowledged);
        }
    }

    private void recycleIfIdle()
    {
        if (0 == localOutstanding)
        {
            store.recycle(this);
        }
    }

    private String replicaOf(final long correlationId)
    {
        for (int i = 0; i < callCount; i++)
        {
            if (correlationIds[i] == correlationId)
            {
                return "node " + replicaNodeIds[i];
            }
        }
        return callCount < replicaNodeIds.length ? "node " + replicaNodeIds[callCount] : "(call " + correlationId + ")";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "PendingWrite{keyspace=" + keyspace + ", acknowledged=" + acknowledged + "/" + required +
            ", replicas=" + Arrays.toString(Arrays.copyOf(replicaNodeIds, callCount)) + ", done=" + done + "}";
    }
}
