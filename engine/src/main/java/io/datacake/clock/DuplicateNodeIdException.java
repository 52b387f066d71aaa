package io.datacake.clock;

/**
 * A remote timestamp claims the local node's id. Two nodes share an id, which breaks last-write-wins tie-breaking:
 * give every node a unique id.
 */
public final class DuplicateNodeIdException extends HlcException
{
    private static final long serialVersionUID = 1L;

    private final int nodeId;

    /**
     * @param nodeId the id claimed by both the local node and the remote stamp.
     */
    public DuplicateNodeIdException(final int nodeId)
    {
        super("remote timestamp carries this node's own id " + nodeId + ": node ids must be unique in a cluster");
        this.nodeId = nodeId;
    }

    /**
     * @return the duplicated node id.
     */
    public int nodeId()
    {
        return nodeId;
    }
}
