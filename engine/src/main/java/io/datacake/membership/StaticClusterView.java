package io.datacake.membership;

import java.util.Objects;
import java.util.TreeMap;

/**
 * A {@link ClusterView} for a cluster whose members are configured rather than gossiped: tests, simulations, and
 * deployments with a fixed member list. Members are added up front; liveness can be changed by hand (a test marking
 * a node dead). Node thread only once the node runs.
 */
public final class StaticClusterView implements ClusterView
{
    private final int localNodeId;
    private final String localDataCentre;
    private final TreeMap<Integer, Member> members = new TreeMap<>();
    private long version;
    private int liveCount;

    /**
     * A view holding only this node; add the others with {@link #addMember}.
     *
     * @param localNodeId     this node's id, 0..65,535.
     * @param localDataCentre this node's data centre.
     * @param localEndpoint   this node's endpoint.
     * @throws IllegalArgumentException if the id is out of range.
     */
    public StaticClusterView(final int localNodeId, final String localDataCentre, final String localEndpoint)
    {
        this.localNodeId = localNodeId;
        this.localDataCentre = Objects.requireNonNull(localDataCentre, "localDataCentre");
        addMember(localNodeId, localDataCentre, localEndpoint);
    }

    /**
     * Add a member, live, at generation 1.
     *
     * @param nodeId     its id, 0..65,535.
     * @param dataCentre its data centre.
     * @param endpoint   its RPC endpoint.
     * @return this.
     * @throws IllegalArgumentException if the id is out of range or already present.
     */
    public StaticClusterView addMember(final int nodeId, final String dataCentre, final String endpoint)
    {
        if (nodeId < 0 || nodeId > NodeState.MAX_NODE_ID)
        {
            throw new IllegalArgumentException("node id " + nodeId + " is outside 0.." + NodeState.MAX_NODE_ID);
        }
        if (members.containsKey(nodeId))
        {
            throw new IllegalArgumentException("node id " + nodeId + " is already a member");
        }
        members.put(nodeId, new Member(
            Objects.requireNonNull(dataCentre, "dataCentre"), Objects.requireNonNull(endpoint, "endpoint")));
        liveCount++;
        version++;
        return this;
    }

    /**
     * Mark a member live or dead (this node is always live).
     *
     * @param nodeId the member.
     * @param live   its new liveness.
     * @throws IllegalArgumentException if it is not a member, or is this node and {@code live} is false.
     */
    public void live(final int nodeId, final boolean live)
    {
        final Member member = members.get(nodeId);
        if (null == member)
        {
            throw new IllegalArgumentException("node id " + nodeId + " is not a member");
        }
        if (nodeId == localNodeId && !live)
        {
            throw new IllegalArgumentException("this node (" + nodeId + ") is always live in its own view");
        }
        if (member.live != live)
        {
            member.live = live;
            liveCount += live ? 1 : -1;
            version++;
        }
    }

    /**
     * {@inheritDoc}
     */
    public int localNodeId()
    {
        return localNodeId;
    }

    /**
     * {@inheritDoc}
     */
    public String localDataCentre()
    {
        return localDataCentre;
    }

    /**
     * {@inheritDoc}
     */
    public long version()
    {
        return version;
    }

    /**
     * {@inheritDoc}
     */
    public int memberCount()
    {
        return members.size();
    }

    /**
     * {@inheritDoc}
     */
    public int liveCount()
    {
        return liveCount;
    }

    /**
     * {@inheritDoc}
     */
    public void forEachMember(final MemberVisitor visitor)
    {
        for (final var entry : members.entrySet())
        {
            final Member member = entry.getValue();
            visitor.onMember(entry.getKey(), member.dataCentre, member.endpoint, 1, member.live);
        }
    }

    private static final class Member
    {
        private final String dataCentre;
        private final String endpoint;
        private boolean live = true;

        Member(final String dataCentre, final String endpoint)
        {
            this.dataCentre = dataCentre;
            this.endpoint = endpoint;
        }
    }
}
