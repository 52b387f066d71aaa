package io.datacake.node;

/**
 * Work an application thread hands to the node thread through the node's bounded command queue
 * ({@link Node#submit(NodeTask)}). The same task object may be submitted again once it has run, so a caller can
 * keep a reusable task and submit it without allocating.
 */
@FunctionalInterface
public interface NodeTask
{
    /**
     * Run on the node thread. Must not block: the node thread also serves the network and the timers. An exception
     * is counted, given to the node's error handler and does not stop the node.
     *
     * @param services the node's state and components, usable only during this call and from the node thread.
     */
    void execute(NodeServices services);

    /**
     * Called instead of {@link #execute} when the node closed before the task ran. Runs on the thread that closed
     * the node. The default does nothing.
     *
     * @param reason the node's closed error.
     */
    default void onRejected(NodeClosedException reason)
    {
    }
}
