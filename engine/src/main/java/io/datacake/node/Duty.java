package io.datacake.node;

/**
 * A component that does work on every turn of the node's duty cycle, on the node thread: membership, replication
 * and storage group commit plug in here ({@link NodeServices#addDuty(Duty)}).
 */
@FunctionalInterface
public interface Duty
{
    /**
     * Do a bounded amount of work. Never block; return 0 if there was nothing to do so the node can idle.
     *
     * @param monotonicMs the monotonic time of this turn of the duty cycle ({@link NodeServices#monotonicMs()}), in
     *                    milliseconds: compare it only with other monotonic readings of this node.
     * @return the amount of work done, 0 if none.
     */
    int doWork(long monotonicMs);

    /**
     * The node is closing; release what this duty holds. Runs on the node thread (or the closing thread in
     * invoker mode). The default does nothing.
     */
    default void onClose()
    {
    }
}
