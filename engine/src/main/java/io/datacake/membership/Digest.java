package io.datacake.membership;

import org.agrona.collections.Int2IntHashMap;

import java.util.Arrays;

/**
 * Summary of a cluster view, one row per known member: node id, generation, heartbeat, max version and last
 * collected tombstone version. Reusable: {@link #clear()} and fill again; grows to at most {@link #MAX_NODES} rows
 * and allocates nothing once grown.
 */
public final class Digest
{
    /** Most rows: one per possible node id. */
    public static final int MAX_NODES = NodeState.MAX_NODE_ID + 1;

    private static final int INITIAL_CAPACITY = 16;
    private static final int MISSING = -1;

    private final Int2IntHashMap indexByNodeId = new Int2IntHashMap(MISSING);
    private int[] nodeIds = new int[INITIAL_CAPACITY];
    private long[] generations = new long[INITIAL_CAPACITY];
    private long[] heartbeats = new long[INITIAL_CAPACITY];
    private long[] maxVersions = new long[INITIAL_CAPACITY];
    private long[] lastGcVersions = new long[INITIAL_CAPACITY];
    private int count;

    /**
     * Remove every row.
     */
    public void clear()
    {
        indexByNodeId.clear();
        count = 0;
    }

    /**
     * Add one member's row.
     *
     * @param nodeId        member id, 0 to {@link NodeState#MAX_NODE_ID}.
     * @param generation    its generation, >= 0.
     * @param heartbeat     its heartbeat, >= 0.
     * @param maxVersion    highest version known of it, >= 0.
     * @param lastGcVersion highest collected tombstone version, >= 0.
     * @throws IllegalArgumentException if a value is out of range or the node id already has a row.
     */
    public void add(
        final int nodeId,
        final long generation,
        final long heartbeat,
        final long maxVersion,
        final long lastGcVersion)
    {
        NodeState.checkNodeId(nodeId);
        if (generation < 0 || heartbeat < 0 || maxVersion < 0 || lastGcVersion < 0)
        {
            throw new IllegalArgumentException("digest row of node " + nodeId + " has a negative field: generation=" +
                generation + " heartbeat=" + heartbeat + " maxVersion=" + maxVersion + " lastGcVersion=" +
                lastGcVersion);
        }
        if (indexByNodeId.get(nodeId) != MISSING)
        {
            throw new IllegalArgumentException("node " + nodeId + " already has a digest row");
        }
        if (count == nodeIds.length)
        {
            final int capacity = Math.min(MAX_NODES, count * 2);
            nodeIds = Arrays.copyOf(nodeIds, capacity);
            generations = Arrays.copyOf(generations, capacity);
            heartbeats = Arrays.copyOf(heartbeats, capacity);
            maxVersions = Arrays.copyOf(maxVersions, capacity);
            lastGcVersions = Arrays.copyOf(lastGcVersions, capacity);
        }
        nodeIds[count] = nodeId;
        generations[count] = generation;
        heartbeats[count] = heartbeat;
        maxVersions[count] = maxVersion;
        lastGcVersions[count] = lastGcVersion;
        indexByNodeId.put(nodeId, count);
        count++;
    }

    /**
     * @return the number of rows.
     */
    public int count()
    {
        return count;
    }

    /**
     * @param nodeId a member id.
     * @return the row index of that member, or -1 if the digest has no row for it.
     */
    public int indexOf(final int nodeId)
    {
        return indexByNodeId.get(nodeId);
    }

    /**
     * @param index row index, 0 to {@link #count()} - 1.
     * @return the member id of the row.
     */
    public int nodeId(final int index)
    {
        return nodeIds[checkIndex(index)];
    }

    /**
     * @param index row index.
     * @return the generation of the row.
     */
    public long generation(final int index)
    {
        return generations[checkIndex(index)];
    }

    /**
     * @param index row index.
     * @return the heartbeat of the row.
     */
    public long heartbeat(final int index)
    {
        return heartbeats[checkIndex(index)];
    }

    /**
     * @param index row index.
     * @return the max version of the row.
     */
    public long maxVersion(final int index)
    {
        return maxVersions[checkIndex(index)];
    }

    /**
     * @param index row index.
     * @return the last collected tombstone version of the row.
     */
    public long lastGcVersion(final int index)
    {
        return lastGcVersions[checkIndex(index)];
    }

    private int checkIndex(final int index)
    {
        if (index < 0 || index >= count)
        {
            throw new IndexOutOfBoundsException("digest row " + index + " of " + count);
        }
        return index;
    }
}
