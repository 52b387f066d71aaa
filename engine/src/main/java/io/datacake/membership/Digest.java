package io.datacake.membership;

import org.agrona.collections.Int2IntHashMap;

import java.util.Arrays;

/**
 * Summary of a cluster view, one row per member: node id, generation, heartbeat, max version and last collected
 * tombstone version. Reusable: {@link #clear()} and fill again; grows to at most {@link #MAX_NODES} rows and allocates
 * nothing once grown.
 * <p>
 * A digest covers a range of node ids ({@link #fromNodeId()} to {@link #toNodeId()}, all ids after {@link #clear()}),
 * so a large view can be summarised over several frames; members outside the range are not described at all. Within
 * the range a <em>complete</em> digest (a SYN's) lists every member its sender knows, so a member it lacks is unknown
 * to the sender; a reply digest (a SYN_ACK's, {@link #complete()} false) lists only the members on which its sender
 * differs from the digest it answers, and a member it lacks needs nothing.
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
    private int fromNodeId;
    private int toNodeId = NodeState.MAX_NODE_ID;
    private boolean complete = true;

    /**
     * Remove every row and cover every node id as a complete digest.
     */
    public void clear()
    {
        indexByNodeId.clear();
        count = 0;
        fromNodeId = 0;
        toNodeId = NodeState.MAX_NODE_ID;
        complete = true;
    }

    /**
     * Set the range of node ids this digest describes and how to read a member it lacks.
     *
     * @param fromNodeId first node id covered.
     * @param toNodeId   last node id covered, >= {@code fromNodeId}.
     * @param complete   true if a member in the range without a row is unknown to the sender; false if it needs
     *                   nothing.
     * @throws IllegalArgumentException if an id is out of range or the range is empty.
     */
    public void cover(final int fromNodeId, final int toNodeId, final boolean complete)
    {
        NodeState.checkNodeId(fromNodeId);
        NodeState.checkNodeId(toNodeId);
        if (toNodeId < fromNodeId)
        {
            throw new IllegalArgumentException("digest range " + fromNodeId + ".." + toNodeId + " is empty");
        }
        this.fromNodeId = fromNodeId;
        this.toNodeId = toNodeId;
        this.complete = complete;
    }

    /**
     * @return the first node id this digest covers.
     */
    public int fromNodeId()
    {
        return fromNodeId;
    }

    /**
     * @return the last node id this digest covers.
     */
    public int toNodeId()
    {
        return toNodeId;
    }

    /**
     * @return true if a covered member without a row is unknown to the sender, false if it needs nothing.
     */
    public boolean complete()
    {
        return complete;
    }

    /**
     * @param nodeId a member id.
     * @return true if the digest describes that member, by a row or by its absence.
     */
    public boolean covers(final int nodeId)
    {
        return nodeId >= fromNodeId && nodeId <= toNodeId;
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
