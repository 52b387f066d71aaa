package io.datacake.membership;

/**
 * What the rest of a node (the replicated store, application components) reads of cluster membership: the known
 * members with their data centre, endpoint, generation and liveness. Kept on the node thread by whoever owns
 * membership (the gossip component, or a {@link StaticClusterView} for a fixed cluster).
 * <p>
 * Readers poll {@link #version()} on their duty cycle and rebuild what they derive (replica selectors, peer
 * handles) only when it moved, so steady state costs one read. Node thread only.
 */
public interface ClusterView
{
    /**
     * This node's id.
     *
     * @return 0..65,535.
     */
    int localNodeId();

    /**
     * This node's data centre.
     *
     * @return the name.
     */
    String localDataCentre();

    /**
     * A number that changes whenever a member joins, is marked dead, revives, leaves or changes endpoint.
     *
     * @return the current version.
     */
    long version();

    /**
     * Known members, live or dead, this node included.
     *
     * @return the count.
     */
    int memberCount();

    /**
     * Live members, this node included.
     *
     * @return the count.
     */
    int liveCount();

    /**
     * Visit every known member, this node included, in ascending node id order. Allocates nothing.
     *
     * @param visitor receives each member.
     */
    void forEachMember(MemberVisitor visitor);

    /**
     * Whether the member list can be taken as every member there is. A gossiping node knows only the members it
     * heard of, so until it has heard from every seed since it started (after a restart in a partition, say) its
     * list may lack members only the unheard seeds know of. Anything that counts every member must wait: the store
     * refuses the count-based consistency levels ({@link ConsistencyLevel#countsMembers()}) and holds tombstone purge
     * back. A fixed view is always complete.
     *
     * @return true once the list holds every member, as far as this node can tell.
     */
    default boolean isComplete()
    {
        return true;
    }

    /**
     * The seeds this node forms its view from, itself excluded: what {@link #isComplete()} waits for.
     *
     * @return the count; 0 for a fixed view.
     */
    default int seedCount()
    {
        return 0;
    }

    /**
     * The seeds counted as heard since this node started: those that answered, those another member told this node
     * about, and those given up on after the view's wait bound. The view is complete once this equals
     * {@link #seedCount()}.
     *
     * @return the count, 0 to {@link #seedCount()}.
     */
    default int seedsHeard()
    {
        return seedCount();
    }
}
