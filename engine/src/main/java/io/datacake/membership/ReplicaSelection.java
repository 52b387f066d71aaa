package io.datacake.membership;

/**
 * Chooses the members that must acknowledge an operation at a {@link ConsistencyLevel}: the strategy a replicated
 * store consults for every write. {@link ReplicaSelector} is the default (data-centre aware, datacake's
 * acknowledgement counts); supply another through a {@link ReplicaSelectorFactory}, for example to keep replicas on
 * distinct racks or to pin a keyspace to a fixed set of nodes.
 * <p>
 * The caller feeds the members besides the local node with {@link #addMember} after {@link #clearMembers}, whenever
 * the cluster view's version moved, and calls {@link #select} for each operation. Node thread only; an
 * implementation should allocate nothing in {@link #select}.
 */
public interface ReplicaSelection
{
    /**
     * Forget every member but the local node.
     */
    void clearMembers();

    /**
     * Add a member other than the local node.
     *
     * @param nodeId     its id.
     * @param dataCentre its data centre name.
     * @param live       whether the failure detector considers it live.
     * @throws IllegalArgumentException if the member is invalid for this selection (the message says why), for
     *                                  example the local node or one already added.
     */
    void addMember(int nodeId, String dataCentre, boolean live);

    /**
     * Choose the members that must acknowledge an operation at {@code level}.
     *
     * @param level   the consistency level.
     * @param targets receives the member ids; every one of them must acknowledge.
     * @return the number of ids written: the acknowledgements required besides the local node's.
     * @throws ConsistencyException     if too few members are live for the level.
     * @throws IllegalArgumentException if {@code targets} is too short for the selection.
     */
    int select(ConsistencyLevel level, int[] targets);
}
