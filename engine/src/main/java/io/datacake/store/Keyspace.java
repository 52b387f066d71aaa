package io.datacake.store;

import io.datacake.clock.HlcTimestamp;
import io.datacake.crdt.Orswot;
import io.datacake.crdt.SetOperation;
import org.agrona.collections.Int2IntHashMap;

import java.nio.charset.StandardCharsets;

/**
 * One keyspace's replicated state on the node thread: its set (which write of each key wins) and its content tree
 * (kept equal to the XOR of the set's entry hashes, for anti-entropy). Every change goes through
 * {@link #apply}, which keeps the two in step.
 */
final class Keyspace implements AutoCloseable
{
    /**
     * Stands in for an entry hash of 0, which the tree reads as "no entry": any fixed non-zero value works, since
     * every replica maps the same entries to the same value.
     */
    static final long ZERO_HASH_SUBSTITUTE = 0x9E37_79B9_7F4A_7C15L;

    private final String name;
    private Orswot set;
    private final TictacTree tree;
    private final byte[] nameUtf8;
    private long changeStamp = HlcTimestamp.NULL_STAMP;
    private TictacExchange repairExchange;
    private TictacResponder repairResponder;
    private final Int2IntHashMap repairSkipByPeer = new Int2IntHashMap(0);

    Keyspace(final String name, final Orswot set, final TictacTree tree)
    {
        this.name = name;
        this.nameUtf8 = name.getBytes(StandardCharsets.UTF_8);
        this.set = set;
        this.tree = tree;
        set.forEachLive((key, stamp, nodeId) ->
            tree.apply(key, TictacTree.ABSENT, hash(key, stamp, nodeId, false)));
        set.forEachTombstone((key, stamp, nodeId) ->
            tree.apply(key, TictacTree.ABSENT, hash(key, stamp, nodeId, true)));
    }

    /**
     * Replace the set with one loaded from storage, moving the tree to follow, and close the old set: after a failed
     * storage commit the set holds writes storage does not, which repair cannot see (it compares trees).
     */
    void reload(final Orswot loaded)
    {
        set.forEachLive((key, stamp, nodeId) -> tree.apply(key, hash(key, stamp, nodeId, false), TictacTree.ABSENT));
        set.forEachTombstone((key, stamp, nodeId) ->
            tree.apply(key, hash(key, stamp, nodeId, true), TictacTree.ABSENT));
        set.close();
        set = loaded;
        loaded.forEachLive((key, stamp, nodeId) -> tree.apply(key, TictacTree.ABSENT, hash(key, stamp, nodeId, false)));
        loaded.forEachTombstone((key, stamp, nodeId) ->
            tree.apply(key, TictacTree.ABSENT, hash(key, stamp, nodeId, true)));
    }

    String name()
    {
        return name;
    }

    byte[] nameUtf8()
    {
        return nameUtf8;
    }

    /**
     * The asking side of this keyspace's repair rounds, made on first use; it keeps where a truncated round stopped.
     */
    TictacExchange repairExchange(final int maxSegmentsPerRound)
    {
        if (null == repairExchange)
        {
            repairExchange = new TictacExchange(tree, maxSegmentsPerRound);
        }
        return repairExchange;
    }

    /**
     * The answering side of peers' repair rounds over this keyspace, made on first use.
     */
    TictacResponder repairResponder()
    {
        if (null == repairResponder)
        {
            repairResponder = new TictacResponder(tree);
        }
        return repairResponder;
    }

    /**
     * @param peerNodeId the peer the next repair fetch of this keyspace asks.
     * @return matching entries to pass over in that fetch (0: from the first). Kept per peer: a skip counts
     * entries of one peer's set, and one shared between peers that take turns would skip the entries the other
     * peer holds beyond it, round after round, for ever.
     */
    int repairSkip(final int peerNodeId)
    {
        return repairSkipByPeer.get(peerNodeId);
    }

    void repairSkip(final int peerNodeId, final int repairSkip)
    {
        if (0 == repairSkip)
        {
            repairSkipByPeer.remove(peerNodeId);
        }
        else
        {
            repairSkipByPeer.put(peerNodeId, repairSkip);
        }
    }

    Orswot set()
    {
        return set;
    }

    TictacTree tree()
    {
        return tree;
    }

    /**
     * @return the highest stamp of a change applied since start (moved only when the set changed), or
     * {@link HlcTimestamp#NULL_STAMP}.
     */
    long changeStamp()
    {
        return changeStamp;
    }

    boolean willApply(final boolean tombstone, final int source, final long key, final long stamp, final int nodeId)
    {
        if (Orswot.REPAIR_SOURCE == source)
        {
            return set.willRepair(tombstone, key, stamp, nodeId);
        }
        return set.willApply(tombstone ? SetOperation.DELETE : SetOperation.INSERT, source, key, stamp, nodeId);
    }

    /**
     * Apply a write that {@link #willApply} accepted: change the set and move the key's hash in the tree.
     */
    void apply(final boolean tombstone, final int source, final long key, final long stamp, final int nodeId)
    {
        final long oldHash = entryHashOf(key);
        final boolean changed;
        if (Orswot.REPAIR_SOURCE == source)
        {
            // Repair arrives in key-space order, not stamp order: the set's per-source ordering does not hold.
            changed = set.repair(tombstone, key, stamp, nodeId);
        }
        else
        {
            changed = tombstone ? set.delete(source, key, stamp, nodeId) : set.insert(source, key, stamp, nodeId);
        }
        if (changed)
        {
            tree.apply(key, oldHash, entryHashOf(key));
            if (stamp > changeStamp)
            {
                changeStamp = stamp;
            }
        }
    }

    private long entryHashOf(final long key)
    {
        final long liveStamp = set.get(key);
        if (HlcTimestamp.NULL_STAMP != liveStamp)
        {
            return hash(key, liveStamp, set.getNodeId(key), false);
        }
        final long deadStamp = set.getTombstone(key);
        if (HlcTimestamp.NULL_STAMP != deadStamp)
        {
            return hash(key, deadStamp, set.getTombstoneNodeId(key), true);
        }
        return TictacTree.ABSENT;
    }

    static long hash(final long key, final long stamp, final int nodeId, final boolean tombstone)
    {
        return treeHash(Orswot.entryHash(key, stamp, nodeId, tombstone));
    }

    /**
     * The value the tree holds for an entry hash: the hash itself, or {@link #ZERO_HASH_SUBSTITUTE} for 0.
     */
    static long treeHash(final long entryHash)
    {
        return TictacTree.ABSENT == entryHash ? ZERO_HASH_SUBSTITUTE : entryHash;
    }

    public void close()
    {
        set.close();
        tree.close();
    }
}
