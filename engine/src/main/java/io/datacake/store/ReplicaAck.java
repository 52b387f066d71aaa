package io.datacake.store;

import io.datacake.rpc.RpcReply;
import io.datacake.storage.WriteCompletionHandler;

/**
 * A replicate request this node serves as a replica: answers the coordinator once every write the request applied
 * is committed to storage, or fails the request if a commit failed. Node thread only.
 */
final class ReplicaAck implements WriteCompletionHandler
{
    private final RpcReply reply;
    private int outstanding;
    private boolean submitting = true;
    private boolean answered;

    ReplicaAck(final RpcReply reply)
    {
        this.reply = reply;
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
    }

    void failNow(final String why)
    {
        submitting = false;
        if (!answered)
        {
            answered = true;
            reply.fail(why);
        }
    }

    public void onWriteCommitted(final long sequence)
    {
        if (--outstanding == 0 && !submitting)
        {
            answer();
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
}
