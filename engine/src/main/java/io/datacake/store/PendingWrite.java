package io.datacake.store;

import io.datacake.rpc.RpcError;
import io.datacake.rpc.RpcResponseListener;
import io.datacake.storage.WriteCompletionHandler;
import org.agrona.DirectBuffer;

import java.util.concurrent.CompletableFuture;

/**
 * A write this node coordinates, from the local apply until it has its acknowledgements or fails: it hears the
 * local storage commits (as the writer's completion handler) and the selected replicas' answers (as the listener of
 * their calls), and completes the caller's future exactly once, on the node thread. Linked into the store's list of
 * pending writes so closing the node fails the ones still open.
 */
final class PendingWrite implements WriteCompletionHandler, RpcResponseListener
{
    private final ReplicatedStore store;
    private final CompletableFuture<Void> future;
    private final String keyspace;
    private final int required;
    private final long[] correlationIds;
    private final int[] replicaNodeIds;
    private int callCount;
    private int acknowledged;
    private int localOutstanding;
    private boolean localAcknowledged;
    private boolean done;
    PendingWrite previous;
    PendingWrite next;

    PendingWrite(
        final ReplicatedStore store,
        final CompletableFuture<Void> future,
        final String keyspace,
        final int replicaCount)
    {
        this.store = store;
        this.future = future;
        this.keyspace = keyspace;
        this.required = replicaCount + 1;
        this.correlationIds = new long[replicaCount];
        this.replicaNodeIds = new int[replicaCount];
    }

    int required()
    {
        return required;
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
        if (--localOutstanding == 0 && !localAcknowledged)
        {
            localAcknowledged = true;
            acknowledged++;
            checkComplete();
        }
    }

    public void onWriteFailed(final long sequence, final Throwable cause)
    {
        --localOutstanding;
        fail("the local storage commit failed: " + cause);
    }

    public void onResponse(final long correlationId, final DirectBuffer body, final int offset, final int length)
    {
        if (done)
        {
            return;
        }
        acknowledged++;
        checkComplete();
    }

    public void onError(final long correlationId, final RpcError error, final String message)
    {
        if (done)
        {
            return;
        }
        fail("replica " + replicaOf(correlationId) + " did not acknowledge: " + error + " " + message);
    }

    /**
     * Fail the write (idempotent): cancel the calls still open and complete the future exceptionally.
     */
    void fail(final String why)
    {
        if (done)
        {
            return;
        }
        done = true;
        store.unlink(this);
        store.onWriteFailed();
        for (int i = 0; i < callCount; i++)
        {
            store.cancelCall(correlationIds[i]);
        }
        future.completeExceptionally(new ReplicationException(acknowledged, required,
            "write to keyspace '" + keyspace + "' acknowledged by " + acknowledged + " of " + required +
            " replicas (local commit included): " + why + "; it may have landed on some replicas, and repair " +
            "carries it to the rest"));
    }

    /**
     * Fail the write with a given exception (the node closing).
     */
    void abort(final RuntimeException cause)
    {
        if (!done)
        {
            done = true;
            future.completeExceptionally(cause);
        }
    }

    private void checkComplete()
    {
        if (!done && acknowledged >= required)
        {
            done = true;
            store.unlink(this);
            future.complete(null);
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
}
