package io.datacake.store;

import io.datacake.rpc.RpcReply;
import io.datacake.storage.WriteCompletionHandler;

import java.util.ArrayDeque;

/**
 * A replicate request this node serves as a replica: answers the coordinator once every write the request applied
 * is committed to storage, or fails the request if a commit failed. Node thread only.
 * <p>
 * Pooled by the store: once the request is answered and none of its writes is still in flight, nothing can call it
 * any more, and it goes back to its pool (up to the pool's bound) for the next request.
 */
final class ReplicaAck implements WriteCompletionHandler
{
    private final ArrayDeque<ReplicaAck> pool;
    private final int maxPooled;
    private RpcReply reply;
    private RpcReply spentReply;
    private int outstanding;
    private boolean submitting;
    private boolean answered;

    /**
     * @param pool      where the ack goes once idle.
     * @param maxPooled the pool's bound: an idle ack finding it full is left to the garbage collector.
     */
    ReplicaAck(final ArrayDeque<ReplicaAck> pool, final int maxPooled)
    {
        this.pool = pool;
        this.maxPooled = maxPooled;
    }

    /**
     * Start serving a request.
     *
     * @param reply the request's deferred reply.
     * @return this.
     */
    ReplicaAck reset(final RpcReply reply)
    {
        this.reply = reply;
        outstanding = 0;
        submitting = true;
        answered = false;
        return this;
    }

    /**
     * The deferred reply of the last request this ack served, answered, for {@link RpcReply#defer(RpcReply)} to
     * reuse; {@code null} before the first.
     */
    RpcReply spentReply()
    {
        return spentReply;
    }

    void outstanding(final int writes)
    {
        outstanding = writes;
    }

    /**
     * Every write of the request is submitted; answer now if none is in flight.
     */
    void submitDone()
    {
        submitting = false;
        if (0 == outstanding)
        {
            answer();
        }
        recycleIfIdle();
    }

    /**
     * Fail the request now (once); the writes still in flight are waited for before the ack is reused.
     */
    void failNow(final String why)
    {
        submitting = false;
        if (!answered)
        {
            answered = true;
            reply.fail(why);
        }
        recycleIfIdle();
    }

    public void onWriteCommitted(final long sequence)
    {
        if (--outstanding == 0 && !submitting)
        {
            answer();
            recycleIfIdle();
        }
    }

    public void onWriteFailed(final long sequence, final Throwable cause)
    {
        --outstanding;
        failNow("replica storage commit failed: " + cause);
    }

    private void answer()
    {
        if (!answered)
        {
            answered = true;
            reply.sendEmpty();
        }
    }

    private void recycleIfIdle()
    {
        if (answered && !submitting && 0 == outstanding && null != reply)
        {
            spentReply = reply;
            reply = null;
            if (pool.size() < maxPooled)
            {
                pool.addLast(this);
            }
        }
    }
}
