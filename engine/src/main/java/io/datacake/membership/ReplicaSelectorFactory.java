package io.datacake.membership;

/**
 * Makes the {@link ReplicaSelection} a node uses, once it knows its own id and data centre.
 */
@FunctionalInterface
public interface ReplicaSelectorFactory
{
    /** The default: a {@link ReplicaSelector}. */
    ReplicaSelectorFactory DEFAULT = ReplicaSelector::new;

    /**
     * @param localNodeId     the local node's id.
     * @param localDataCentre the local node's data centre.
     * @return a new selection for that node.
     * @throws IllegalArgumentException if the id or the data centre is invalid (the message says which).
     */
    ReplicaSelection newSelection(int localNodeId, String localDataCentre);
}
