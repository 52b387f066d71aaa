package io.datacake.node;

/**
 * The node is closed (or closing): the command was not run. Create a new node to continue.
 */
public final class NodeClosedException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    /**
     * Create the exception.
     *
     * @param nodeId the closed node's id.
     */
    public NodeClosedException(final int nodeId)
    {
        super("node " + nodeId + " is closed");
    }
}
