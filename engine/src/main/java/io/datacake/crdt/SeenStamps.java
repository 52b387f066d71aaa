package io.datacake.crdt;

import io.datacake.clock.HlcTimestamp;
import org.agrona.collections.Int2IntHashMap;

import java.util.Arrays;

import static io.datacake.clock.HlcTimestamp.NULL_STAMP;

/**
 * Per source, the highest stamp seen from each node, and per node the derived safe stamp. Nodes get dense slots
 * (at most 65,536, never reused), so the per-operation path is one slot lookup, usually answered by a one-entry
 * cache because consecutive operations tend to come from the same node, then array reads.
 */
final class SeenStamps
{
    private static final int INITIAL_SLOTS = 8;

    private final int sourceCount;
    private final long forgivenessMs;
    private final Int2IntHashMap slotByNode = new Int2IntHashMap(-1);
    private int[] nodeBySlot = new int[INITIAL_SLOTS];
    private long[] seen;
    private long[] safe = new long[INITIAL_SLOTS];
    private int slotCount;
    private int cachedNodeId = -1;
    private int cachedSlot = -1;

    SeenStamps(final int sourceCount, final long forgivenessMs)
    {
        this.sourceCount = sourceCount;
        this.forgivenessMs = forgivenessMs;
        this.seen = new long[INITIAL_SLOTS * sourceCount];
    }

    /**
     * Record a stamp if it is not older than the highest seen from its node in its source.
     *
     * @return false if the stamp is older (a stale operation).
     */
    boolean observe(final int source, final long stamp, final int nodeId)
    {
        final int slot = slotFor(nodeId);
        final int index = slot * sourceCount + source;
        final long max = seen[index];
        if (stamp < max)
        {
            return false;
        }
        if (stamp > max)
        {
            seen[index] = stamp;
            recomputeSafe(slot);
        }
        return true;
    }

    /**
     * The check of {@link #observe} without its side effects: an unknown node has seen nothing.
     *
     * @return true if the stamp is older than the highest seen from its node in its source.
     */
    boolean isStale(final int source, final long stamp, final int nodeId)
    {
        final int slot = slotOf(nodeId);
        return slot >= 0 && stamp < seen[slot * sourceCount + source];
    }

    /**
     * Raise the highest stamp seen (merge, decode); never lowers it.
     */
    void raise(final int source, final int nodeId, final long stamp)
    {
        final int slot = slotFor(nodeId);
        final int index = slot * sourceCount + source;
        if (stamp > seen[index])
        {
            seen[index] = stamp;
            recomputeSafe(slot);
        }
    }

    long seen(final int source, final int nodeId)
    {
        final int slot = slotOf(nodeId);
        return slot < 0 ? NULL_STAMP : seen[slot * sourceCount + source];
    }

    long safe(final int nodeId)
    {
        final int slot = slotOf(nodeId);
        return slot < 0 ? NULL_STAMP : safe[slot];
    }

    /**
     * @return true if the timestamp is before its node's safe stamp.
     */
    boolean isObserved(final long stamp, final int nodeId)
    {
        final int slot = slotOf(nodeId);
        return slot >= 0 && stamp < safe[slot];
    }

    void forEach(final SeenStampConsumer consumer)
    {
        for (int slot = 0; slot < slotCount; slot++)
        {
            for (int source = 0; source < sourceCount; source++)
            {
                final long stamp = seen[slot * sourceCount + source];
                if (stamp != NULL_STAMP)
                {
                    consumer.accept(source, nodeBySlot[slot], stamp);
                }
            }
        }
    }

    void mergeFrom(final SeenStamps other)
    {
        for (int slot = 0; slot < other.slotCount; slot++)
        {
            final int nodeId = other.nodeBySlot[slot];
            for (int source = 0; source < sourceCount; source++)
            {
                final long stamp = other.seen[slot * sourceCount + source];
                if (stamp != NULL_STAMP)
                {
                    raise(source, nodeId, stamp);
                }
            }
        }
    }

    boolean contentEquals(final SeenStamps other)
    {
        return containedIn(other) && other.containedIn(this);
    }

    void clear()
    {
        slotByNode.clear();
        Arrays.fill(seen, 0, slotCount * sourceCount, NULL_STAMP);
        Arrays.fill(safe, 0, slotCount, NULL_STAMP);
        slotCount = 0;
        cachedNodeId = -1;
        cachedSlot = -1;
    }

    private boolean containedIn(final SeenStamps other)
    {
        for (int slot = 0; slot < slotCount; slot++)
        {
            for (int source = 0; source < sourceCount; source++)
            {
                final long stamp = seen[slot * sourceCount + source];
                if (stamp != NULL_STAMP && other.seen(source, nodeBySlot[slot]) != stamp)
                {
                    return false;
                }
            }
        }
        return true;
    }

    private int slotOf(final int nodeId)
    {
        if (nodeId == cachedNodeId)
        {
            return cachedSlot;
        }
        final int slot = slotByNode.get(nodeId);
        if (slot >= 0)
        {
            cachedNodeId = nodeId;
            cachedSlot = slot;
        }
        return slot;
    }

    private int slotFor(final int nodeId)
    {
        int slot = slotOf(nodeId);
        if (slot < 0)
        {
            slot = slotCount++;
            if (slot == nodeBySlot.length)
            {
                final int newLength = slot * 2;
                nodeBySlot = Arrays.copyOf(nodeBySlot, newLength);
                seen = Arrays.copyOf(seen, newLength * sourceCount);
                safe = Arrays.copyOf(safe, newLength);
            }
            nodeBySlot[slot] = nodeId;
            slotByNode.put(nodeId, slot);
            cachedNodeId = nodeId;
            cachedSlot = slot;
        }
        return slot;
    }

    private void recomputeSafe(final int slot)
    {
        long lowest = Long.MAX_VALUE;
        for (int i = slot * sourceCount, end = i + sourceCount; i < end; i++)
        {
            lowest = Math.min(lowest, seen[i]);
        }
        final long millis = Math.max(0, HlcTimestamp.millis(lowest) - forgivenessMs);
        safe[slot] = (millis << HlcTimestamp.COUNTER_BITS) | HlcTimestamp.counter(lowest);
    }
}
