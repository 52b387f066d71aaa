package io.datacake.membership;

import java.util.Arrays;

/**
 * Picks the members an operation is replicated to for a {@link ConsistencyLevel}, aware of data centres.
 * <p>
 * Feed it the cluster's members besides this node (live and dead: the quorum sizes count every member) with
 * {@link #addMember}, then call {@link #select} as often as needed; {@link #clearMembers} starts over when
 * membership changes. The selected members are exactly the ones that must acknowledge:
 * <ul>
 *   <li>ONE, TWO, THREE: that many live members, spread over data centres: one from each data centre in turn,
 *   the local one first, before a second from any;</li>
 *   <li>QUORUM: a majority of all members counting this node, spread the same way;</li>
 *   <li>LOCAL_QUORUM: a majority of the local data centre counting this node, from the local data centre only;</li>
 *   <li>EACH_QUORUM: a majority of each data centre, this node counting in its own;</li>
 *   <li>ALL: every other member, which must all be live.</li>
 * </ul>
 * Within a data centre the starting member rotates from call to call so load spreads. Not thread safe; allocation
 * free on repeated use once its arrays have grown to the membership. The default {@link ReplicaSelection}.
 */
public final class ReplicaSelector implements ReplicaSelection
{
    /** Most distinct data centres. */
    public static final int MAX_DATA_CENTRES = 256;

    /** Most members besides this node. */
    public static final int MAX_MEMBERS = NodeState.MAX_NODE_ID;

    private static final int LOCAL_DC = 0;
    private static final int INITIAL_CAPACITY = 16;

    private final int localNodeId;
    private final String[] dcNames = new String[MAX_DATA_CENTRES];
    private final int[] dcTotal = new int[MAX_DATA_CENTRES];
    private final int[] dcLive = new int[MAX_DATA_CENTRES];
    private final int[] dcStart = new int[MAX_DATA_CENTRES + 1];
    private final int[] dcCursor = new int[MAX_DATA_CENTRES];
    private final long[] seenIds = new long[(NodeState.MAX_NODE_ID + 1) / Long.SIZE];
    private int dcCount;
    private int[] memberIds = new int[INITIAL_CAPACITY];
    private int[] memberDcs = new int[INITIAL_CAPACITY];
    private boolean[] memberLive = new boolean[INITIAL_CAPACITY];
    private int[] liveByDc = new int[INITIAL_CAPACITY];
    private int memberCount;
    private int liveCount;
    private boolean grouped;
    private int rotation;

    /**
     * @param localNodeId     this node's id.
     * @param localDataCentre this node's data centre name.
     * @throws IllegalArgumentException if the id is out of range or the name is null or empty.
     */
    public ReplicaSelector(final int localNodeId, final String localDataCentre)
    {
        NodeState.checkNodeId(localNodeId);
        checkDataCentre(localDataCentre);
        this.localNodeId = localNodeId;
        clearMembers();
        dcNames[LOCAL_DC] = localDataCentre;
    }

    /**
     * Forget every member but this node.
     */
    public void clearMembers()
    {
        for (int i = 0; i < memberCount; i++)
        {
            seenIds[memberIds[i] >>> 6] = 0;
        }
        Arrays.fill(dcTotal, 0, Math.max(1, dcCount), 0);
        Arrays.fill(dcLive, 0, Math.max(1, dcCount), 0);
        dcCount = 1;
        dcTotal[LOCAL_DC] = 1;
        memberCount = 0;
        liveCount = 0;
        grouped = false;
    }

    /**
     * Add a member other than this node.
     *
     * @param nodeId     its id.
     * @param dataCentre its data centre name.
     * @param live       whether the failure detector considers it live.
     * @throws IllegalArgumentException if the id is out of range, this node's, or already added; if the data
     *                                  centre name is null or empty, or would be one more than
     *                                  {@link #MAX_DATA_CENTRES}.
     */
    public void addMember(final int nodeId, final String dataCentre, final boolean live)
    {
        NodeState.checkNodeId(nodeId);
        checkDataCentre(dataCentre);
        if (nodeId == localNodeId)
        {
            throw new IllegalArgumentException("node " + nodeId + " is the local node, which is always a member");
        }
        final long bit = 1L << (nodeId & 63);
        if ((seenIds[nodeId >>> 6] & bit) != 0)
        {
            throw new IllegalArgumentException("node " + nodeId + " was already added");
        }
        int dc = 0;
        while (dc < dcCount && !dcNames[dc].equals(dataCentre))
        {
            dc++;
        }
        if (dc == dcCount)
        {
            if (dcCount == MAX_DATA_CENTRES)
            {
                throw new IllegalArgumentException("data centre '" + dataCentre + "' would be one more than " +
                    MAX_DATA_CENTRES);
            }
            dcNames[dcCount++] = dataCentre;
        }
        if (memberCount == memberIds.length)
        {
            final int capacity = memberCount * 2;
            memberIds = Arrays.copyOf(memberIds, capacity);
            memberDcs = Arrays.copyOf(memberDcs, capacity);
            memberLive = Arrays.copyOf(memberLive, capacity);
            liveByDc = new int[capacity];
        }
        seenIds[nodeId >>> 6] |= bit;
        memberIds[memberCount] = nodeId;
        memberDcs[memberCount] = dc;
        memberLive[memberCount] = live;
        memberCount++;
        dcTotal[dc]++;
        if (live)
        {
            dcLive[dc]++;
            liveCount++;
        }
        grouped = false;
    }

    /**
     * @return the number of members besides this node.
     */
    public int memberCount()
    {
        return memberCount;
    }

    /**
     * @return the number of live members besides this node.
     */
    public int liveCount()
    {
        return liveCount;
    }

    /**
     * Choose the members that must acknowledge an operation at {@code level}.
     *
     * @param level   the consistency level.
     * @param targets receives the member ids; every one of them must acknowledge.
     * @return the number of ids written, which is the number of acknowledgements required besides this node's.
     * @throws ConsistencyException     if too few members are live for the level.
     * @throws IllegalArgumentException if {@code targets} is too short for the selection.
     */
    public int select(final ConsistencyLevel level, final int[] targets)
    {
        group();
        rotation++;
        switch (level)
        {
            case NONE:
                return 0;
            case ONE:
                return spread(level, 1, targets);
            case TWO:
                return spread(level, 2, targets);
            case THREE:
                return spread(level, 3, targets);
            case QUORUM:
                return spread(level, (memberCount + 1) / 2, targets);
            case LOCAL_QUORUM:
            {
                final int required = dcTotal[LOCAL_DC] / 2;
                if (dcLive[LOCAL_DC] < required)
                {
                    throw new ConsistencyException(level, required, dcLive[LOCAL_DC], dcNames[LOCAL_DC],
                        "a majority of its " + dcTotal[LOCAL_DC] + " members counting this node");
                }
                checkTargets(targets, required);
                return pick(LOCAL_DC, required, targets, 0);
            }
            case EACH_QUORUM:
            {
                int total = 0;
                for (int dc = 0; dc < dcCount; dc++)
                {
                    final int required = eachQuorum(dc);
                    if (dcLive[dc] < required)
                    {
                        throw new ConsistencyException(level, required, dcLive[dc], dcNames[dc], "a majority of its " +
                            dcTotal[dc] + " members" + (LOCAL_DC == dc ? " counting this node" : ""));
                    }
                    total += required;
                }
                checkTargets(targets, total);
                int count = 0;
                for (int dc = 0; dc < dcCount; dc++)
                {
                    count = pick(dc, eachQuorum(dc), targets, count);
                }
                return count;
            }
            case ALL:
            {
                if (liveCount < memberCount)
                {
                    throw new ConsistencyException(level, memberCount, liveCount, null, "every member");
                }
                checkTargets(targets, memberCount);
                System.arraycopy(memberIds, 0, targets, 0, memberCount);
                return memberCount;
            }
            default:
                throw new IllegalArgumentException("unknown consistency level " + level);
        }
    }

    private int eachQuorum(final int dc)
    {
        return dcTotal[dc] / 2 + 1 - (LOCAL_DC == dc ? 1 : 0);
    }

    private int spread(final ConsistencyLevel level, final int required, final int[] targets)
    {
        if (liveCount < required)
        {
            throw new ConsistencyException(level, required, liveCount, null, ConsistencyLevel.QUORUM == level ?
                "a majority of " + (memberCount + 1) + " members counting this node" : "fixed count");
        }
        checkTargets(targets, required);
        int count = 0;
        for (int round = 0; count < required; round++)
        {
            for (int dc = 0; dc < dcCount && count < required; dc++)
            {
                final int live = dcLive[dc];
                if (round < live)
                {
                    targets[count++] = liveByDc[dcStart[dc] + (rotation + round) % live];
                }
            }
        }
        return count;
    }

    private int pick(final int dc, final int required, final int[] targets, final int offset)
    {
        final int live = dcLive[dc];
        int count = offset;
        for (int i = 0; i < required; i++)
        {
            targets[count++] = liveByDc[dcStart[dc] + (rotation + i) % live];
        }
        return count;
    }

    private static void checkTargets(final int[] targets, final int required)
    {
        if (targets.length < required)
        {
            throw new IllegalArgumentException("targets array holds " + targets.length + " ids, the selection has " +
                required);
        }
    }

    /** Counting sort of the live members by data centre, redone only after membership changed. */
    private void group()
    {
        if (grouped)
        {
            return;
        }
        dcStart[0] = 0;
        for (int dc = 0; dc < dcCount; dc++)
        {
            dcStart[dc + 1] = dcStart[dc] + dcLive[dc];
        }
        for (int dc = 0; dc < dcCount; dc++)
        {
            dcCursor[dc] = dcStart[dc];
        }
        for (int i = 0; i < memberCount; i++)
        {
            if (memberLive[i])
            {
                liveByDc[dcCursor[memberDcs[i]]++] = memberIds[i];
            }
        }
        grouped = true;
    }

    private static void checkDataCentre(final String dataCentre)
    {
        if (null == dataCentre || dataCentre.isEmpty())
        {
            throw new IllegalArgumentException("data centre name must be a non-empty string");
        }
    }
}
