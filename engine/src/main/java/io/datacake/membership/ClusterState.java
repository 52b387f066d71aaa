package io.datacake.membership;

import org.agrona.collections.Int2ObjectHashMap;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * This node's view of the cluster for scuttlebutt gossip: one {@link NodeState} per known member (node ids 0 to
 * 65,535), including this node's own state, which only this node writes.
 * <p>
 * Gossip reconciles views in three messages: a {@link Digest} summarises a view (per member: generation, heartbeat,
 * max version, last collected version); the peer answers with the entries the digest shows missing (a delta, see
 * {@link GossipEncoder}) and its own digest; the first node replies with the entries the peer lacks. Applying a
 * delta is idempotent, and a delta cut short by the frame budget is a valid prefix that the next round continues.
 * <p>
 * A member seen with a newer generation (it restarted) replaces its old state wholesale; older generations are
 * ignored. Not thread safe: owned by the node thread. Pure state: no clock, no I/O; times are passed in.
 */
public final class ClusterState
{
    private final NodeState self;
    private final Int2ObjectHashMap<NodeState> nodes = new Int2ObjectHashMap<>();
    private final ClusterStateListener listener;

    /**
     * @param selfNodeId     this node's id, 0 to {@link NodeState#MAX_NODE_ID}.
     * @param selfGeneration this incarnation's generation; must grow across restarts (start time in ms works).
     * @param listener       told about changes; {@link ClusterStateListener#NO_OP} for none.
     * @throws IllegalArgumentException if the id is out of range or the generation is negative.
     */
    public ClusterState(final int selfNodeId, final long selfGeneration, final ClusterStateListener listener)
    {
        this.self = new NodeState(selfNodeId, selfGeneration);
        this.listener = listener;
        nodes.put(selfNodeId, self);
    }

    /**
     * @return this node's own state.
     */
    public NodeState self()
    {
        return self;
    }

    /**
     * @param nodeId a member id.
     * @return its state, or null if the member is unknown.
     */
    public NodeState node(final int nodeId)
    {
        return nodes.get(nodeId);
    }

    /**
     * @return the number of known members, this node included.
     */
    public int nodeCount()
    {
        return nodes.size();
    }

    /**
     * @param consumer receives each known member's state, this node's included, in no particular order.
     */
    public void forEachNode(final Consumer<NodeState> consumer)
    {
        nodes.values().forEach(consumer);
    }

    /**
     * Write one of this node's keys; it takes the next version. Writing the value a key already has is a no-op.
     *
     * @param key   the key, 1 to {@link NodeState#MAX_KEY_LENGTH} UTF-8 bytes.
     * @param value the value, up to {@link NodeState#MAX_VALUE_LENGTH} bytes; copied.
     * @return true if the state changed.
     * @throws IllegalArgumentException if the key or value is null, empty (key) or too long.
     * @throws IllegalStateException    if this node already holds {@link NodeState#MAX_ENTRIES} entries.
     */
    public boolean set(final String key, final byte[] value)
    {
        if (self.setLocal(key, value))
        {
            listener.onEntryChanged(self.nodeId(), key, self.maxVersion(), false);
            return true;
        }
        return false;
    }

    /**
     * Write one of this node's keys with a string value, stored as UTF-8.
     *
     * @param key   the key.
     * @param value the value.
     * @return true if the state changed.
     * @throws IllegalArgumentException if the key or value is null, empty (key) or too long.
     * @throws IllegalStateException    if this node already holds {@link NodeState#MAX_ENTRIES} entries.
     */
    public boolean set(final String key, final String value)
    {
        if (null == value)
        {
            throw new IllegalArgumentException("value of key '" + key + "' is null; use delete to remove a key");
        }
        return set(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Delete one of this node's keys: it becomes a tombstone at the next version, which gossip spreads, and is
     * collected by {@link #collectTombstones} once the grace period has passed.
     *
     * @param key   the key.
     * @param nowMs the current time, recorded as the deletion time.
     * @return true if a live key was deleted.
     */
    public boolean delete(final String key, final long nowMs)
    {
        if (self.deleteLocal(key, nowMs))
        {
            listener.onEntryChanged(self.nodeId(), key, self.maxVersion(), true);
            return true;
        }
        return false;
    }

    /**
     * Advance this node's heartbeat; call once per gossip round.
     *
     * @return the new heartbeat value.
     */
    public long incrementHeartbeat()
    {
        return self.incrementHeartbeat();
    }

    /**
     * Fill a digest with a summary of every known member.
     *
     * @param into cleared and filled.
     */
    public void digest(final Digest into)
    {
        into.clear();
        for (final NodeState node : nodes.values())
        {
            into.add(node.nodeId(), node.generation(), node.heartbeat(), node.maxVersion(), node.lastGcVersion());
        }
    }

    /**
     * Take the heartbeats a peer's digest reports for members known here in the same generation. Heartbeats of
     * unknown members or other generations are ignored: the delta brings those members.
     *
     * @param digest the peer's digest.
     * @return the number of members whose heartbeat rose.
     */
    public int observeHeartbeats(final Digest digest)
    {
        int raised = 0;
        for (int i = 0, count = digest.count(); i < count; i++)
        {
            final int nodeId = digest.nodeId(i);
            final NodeState node = nodes.get(nodeId);
            if (null != node && node != self && node.generation() == digest.generation(i) &&
                node.updateHeartbeat(digest.heartbeat(i)))
            {
                listener.onHeartbeat(nodeId, node.generation(), node.heartbeat());
                raised++;
            }
        }
        return raised;
    }

    /**
     * Collect tombstones deleted more than {@code gracePeriodMs} ago, in every member's state.
     *
     * @param nowMs         the current time.
     * @param gracePeriodMs how long a deletion is kept so it can spread; must be positive.
     * @return the number of tombstones collected.
     * @throws IllegalArgumentException if the grace period is not positive.
     */
    public int collectTombstones(final long nowMs, final long gracePeriodMs)
    {
        if (gracePeriodMs <= 0)
        {
            throw new IllegalArgumentException("tombstone grace period must be > 0 ms, got " + gracePeriodMs);
        }
        int collected = 0;
        for (final NodeState node : nodes.values())
        {
            collected += node.collectTombstones(nowMs - gracePeriodMs);
        }
        return collected;
    }

    /**
     * Drop a member's state, typically once it has been dead past the grace period.
     *
     * @param nodeId the member.
     * @return true if it was known.
     * @throws IllegalArgumentException if {@code nodeId} is this node.
     */
    public boolean forget(final int nodeId)
    {
        if (nodeId == self.nodeId())
        {
            throw new IllegalArgumentException("node " + nodeId + " is this node and cannot be forgotten");
        }
        if (null != nodes.remove(nodeId))
        {
            listener.onNodeForgotten(nodeId);
            return true;
        }
        return false;
    }

    Int2ObjectHashMap<NodeState> nodes()
    {
        return nodes;
    }

    /**
     * Start applying one member's part of a validated delta.
     *
     * @return the state to apply the member's entries to, or null to skip them (this node itself, an older
     * generation, a gap between what is known here and where the delta starts, or a sender that knows less of
     * collected deletions than this node's rebuild needs).
     */
    NodeState beginNodeDelta(
        final int nodeId,
        final long generation,
        final long heartbeat,
        final long fromVersionExcluded,
        final long lastGcVersion,
        final long senderMaxVersion)
    {
        if (nodeId == self.nodeId())
        {
            return null;
        }
        NodeState node = nodes.get(nodeId);
        if (null != node && node.generation() > generation)
        {
            return null;
        }
        if (null == node || node.generation() < generation)
        {
            if (fromVersionExcluded != 0)
            {
                return null;
            }
            final boolean restarted = null != node;
            node = new NodeState(nodeId, generation);
            node.raiseLastGcVersion(lastGcVersion);
            nodes.put(nodeId, node);
            listener.onNodeJoined(nodeId, generation, restarted);
        }
        else
        {
            if (fromVersionExcluded > node.maxVersion())
            {
                return null;
            }
            if (node.maxVersion() < node.lastGcVersion() &&
                Math.max(senderMaxVersion, lastGcVersion) < node.lastGcVersion())
            {
                // This node is rebuilding the member after deletions collected up to its last collected version;
                // a sender that has seen neither those versions nor the collection may hold keys they removed.
                return null;
            }
            if (lastGcVersion > Math.max(node.maxVersion(), node.lastGcVersion()))
            {
                // The sender collected tombstones this node may never have seen: start over from its full state.
                if (fromVersionExcluded != 0)
                {
                    return null;
                }
                node.clearEntries();
                node.raiseLastGcVersion(lastGcVersion);
            }
        }
        if (node.updateHeartbeat(heartbeat))
        {
            listener.onHeartbeat(nodeId, generation, heartbeat);
        }
        return node;
    }

    boolean applyEntry(
        final NodeState node,
        final String key,
        final byte[] keyUtf8,
        final byte[] value,
        final long version,
        final boolean tombstone,
        final long nowMs)
    {
        if (node.applyRemote(key, keyUtf8, value, version, tombstone, nowMs))
        {
            listener.onEntryChanged(node.nodeId(), key, version, tombstone);
            return true;
        }
        return false;
    }
}
