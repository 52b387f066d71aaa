package io.datacake.node;

import org.agrona.concurrent.IdleStrategy;

import java.util.function.BooleanSupplier;

/**
 * The node thread's idle strategy: while calls it made are in flight it waits with the awaiting strategy (an answer
 * is due soon and on someone's critical path), otherwise with the idle strategy. Any work resets both, so each
 * starts its back-off afresh after the next busy cycle. Node thread only.
 */
final class NodeIdleStrategy implements IdleStrategy
{
    private final IdleStrategy idle;
    private final IdleStrategy awaiting;
    private final BooleanSupplier isAwaiting;

    NodeIdleStrategy(final IdleStrategy idle, final IdleStrategy awaiting, final BooleanSupplier isAwaiting)
    {
        this.idle = idle;
        this.awaiting = awaiting;
        this.isAwaiting = isAwaiting;
    }

    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    public void idle()
    {
        if (isAwaiting.getAsBoolean())
        {
            awaiting.idle();
        }
        else
        {
            idle.idle();
        }
    }

    public void reset()
    {
        idle.reset();
        awaiting.reset();
    }

    public String alias()
    {
        return "node";
    }

    public String toString()
    {
        return "NodeIdleStrategy{idle=" + idle + ", awaiting=" + awaiting + "}";
    }
}
