package io.datacake.node;

/**
 * The node's command queue is full: the node thread is behind. The command was not queued; retry later, slow
 * down, or raise {@link NodeContext#commandQueueCapacity(int)}.
 */
public final class NodeBackPressureException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    /**
     * Create the exception.
     *
     * @param nodeId   the node's id.
     * @param capacity the command queue's capacity.
     */
    public NodeBackPressureException(final int nodeId, final int capacity)
    {
        super("command queue of node " + nodeId + " is full (capacity " + capacity +
            "): retry later or raise NodeContext.commandQueueCapacity");
    }
}
