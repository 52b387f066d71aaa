package io.datacake.membership;

import org.agrona.collections.Int2ObjectHashMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The members a {@link MembershipComponent} reports: node id, data centre, endpoint, generation and liveness, with a
 * version that moves on join, death, revival, departure and endpoint change, and an immutable snapshot rebuilt after
 * each change for other threads. Node thread only, except {@link #snapshot()}.
 */
final class MemberTable
{
    private final int localNodeId;
    private final Int2ObjectHashMap<Member> members = new Int2ObjectHashMap<>();
    private int[] sortedIds = new int[16];
    private int liveCount;
    private long version;
    private boolean dirty;
    private volatile List<ClusterMember> snapshot = List.of();

    MemberTable(final int localNodeId)
    {
        this.localNodeId = localNodeId;
    }

    void upsert(final int nodeId, final long generation, final String dataCentre, final String endpoint)
    {
        Member member = members.get(nodeId);
        if (null == member)
        {
            member = new Member(nodeId);
            members.put(nodeId, member);
            resort();
        }
        if (!member.live)
        {
            member.live = true;
            liveCount++;
        }
        member.generation = generation;
        member.dataCentre = dataCentre;
        member.endpoint = endpoint;
        changed();
    }

    void live(final int nodeId, final boolean live)
    {
        final Member member = members.get(nodeId);
        if (null != member && member.live != live && nodeId != localNodeId)
        {
            member.live = live;
            liveCount += live ? 1 : -1;
            changed();
        }
    }

    boolean contains(final int nodeId)
    {
        return members.containsKey(nodeId);
    }

    void dataCentre(final int nodeId, final String dataCentre)
    {
        final Member member = members.get(nodeId);
        if (null != member && !dataCentre.equals(member.dataCentre))
        {
            member.dataCentre = dataCentre;
            dirty = true;
        }
    }

    boolean endpoint(final int nodeId, final String endpoint)
    {
        final Member member = members.get(nodeId);
        if (null != member && !endpoint.equals(member.endpoint))
        {
            member.endpoint = endpoint;
            changed();
            return true;
        }
        return false;
    }

    void remove(final int nodeId)
    {
        final Member member = members.remove(nodeId);
        if (null != member)
        {
            if (member.live)
            {
                liveCount--;
            }
            resort();
            changed();
        }
    }

    long version()
    {
        return version;
    }

    int memberCount()
    {
        return members.size();
    }

    int liveCount()
    {
        return liveCount;
    }

    void forEach(final MemberVisitor visitor)
    {
        for (int i = 0, size = members.size(); i < size; i++)
        {
            final Member member = members.get(sortedIds[i]);
            visitor.onMember(member.nodeId, member.dataCentre, member.endpoint, member.generation, member.live);
        }
    }

    /**
     * Publish the snapshot if anything changed since the last publication.
     */
    void publish()
    {
        if (dirty)
        {
            dirty = false;
            final ArrayList<ClusterMember> list = new ArrayList<>(members.size());
            forEach((nodeId, dataCentre, endpoint, generation, live) ->
                list.add(new ClusterMember(nodeId, dataCentre, endpoint, generation, live)));
            snapshot = List.copyOf(list);
        }
    }

    List<ClusterMember> snapshot()
    {
        return snapshot;
    }

    private void changed()
    {
        version++;
        dirty = true;
    }

    private void resort()
    {
        if (sortedIds.length < members.size())
        {
            sortedIds = new int[Math.max(members.size(), sortedIds.length * 2)];
        }
        int i = 0;
        for (final Int2ObjectHashMap<Member>.KeyIterator it = members.keySet().iterator(); it.hasNext(); )
        {
            sortedIds[i++] = it.nextInt();
        }
        Arrays.sort(sortedIds, 0, i);
    }

    private static final class Member
    {
        private final int nodeId;
        private long generation;
        private String dataCentre;
        private String endpoint;
        private boolean live;

        Member(final int nodeId)
        {
            this.nodeId = nodeId;
        }
    }
}
