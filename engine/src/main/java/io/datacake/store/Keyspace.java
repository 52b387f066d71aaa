package io.datacake.store;

import io.datacake.clock.HlcTimestamp;
import io.datacake.crdt.EntryConsumer;
import io.datacake.crdt.Orswot;
import io.datacake.crdt.SetOperation;
import org.agrona.collections.Long2LongHashMap;

import java.nio.charset.StandardCharsets;

/**
 * One keyspace's replicated state on the node thread: its set (which write of each key wins) and its content tree
 * (kept equal to the XOR of the set's entry hashes, for anti-entropy). Every change goes through
 * {@link #apply} or {@link #dropPurged}, which keep the two in step.
 * <p>
 * It also keeps what tombstone purge needs: when this node last found its copy equal to each peer's (a repair round
 * whose roots matched), what each peer last reported of its own synced time, and the purge floor: the time below
 * which tombstones are purged here, and below which a write for a key this keyspace does not hold is refused, as it
 * can only be a stale copy of a key deleted and purged since.
 */
final class Keyspace implements AutoCloseable
{
    /**
     * Stands in for an entry hash of 0, which the tree reads as "no entry": any fixed non-zero value works, since
     * every replica maps the same entries to the same value.
     */
    static final long ZERO_HASH_SUBSTITUTE = 0x9E37_79B9_7F4A_7C15L;

    /** A synced time or purge floor that was never set: nothing is below it. */
    static final long NEVER = 0;

    private final String name;
    private Orswot set;
    private final TictacTree tree;
    private final byte[] nameUtf8;
    private final SegmentIndex segmentIndex;
    private long changeStamp = HlcTimestamp.NULL_STAMP;
    private TictacExchange repairExchange;
    private TictacResponder repairResponder;
    private final Long2LongHashMap repairResumeByPeer = new Long2LongHashMap(RepairFetches.NO_RESUME);
    private final Long2LongHashMap syncedAtMsByPeer = new Long2LongHashMap(NEVER);
    private final Long2LongHashMap peerSyncedMsByPeer = new Long2LongHashMap(NEVER);
    private long purgeFloorMs = NEVER;
    private long refuseBelowMs = NEVER;
    private int purgeCursor;

    Keyspace(final String name, final Orswot set, final TictacTree tree)
    {
        this.name = name;
        this.nameUtf8 = name.getBytes(StandardCharsets.UTF_8);
        this.set = set;
        this.tree = tree;
        this.segmentIndex = new SegmentIndex(tree.segmentCount());
        set.forEachLive((key, stamp, nodeId) ->
        {
            tree.apply(key, TictacTree.ABSENT, hash(key, stamp, nodeId, false));
            segmentIndex.add(tree.segmentOf(key), key);
        });
        set.forEachTombstone((key, stamp, nodeId) ->
        {
            tree.apply(key, TictacTree.ABSENT, hash(key, stamp, nodeId, true));
            segmentIndex.add(tree.segmentOf(key), key);
        });
    }

    /**
     * Replace the set with one loaded from storage, moving the tree to follow, and close the old set: after a failed
     * storage commit the set holds writes storage does not, which repair cannot see (it compares trees).
     */
    void reload(final Orswot loaded)
    {
        set.forEachLive((key, stamp, nodeId) ->
        {
            tree.apply(key, hash(key, stamp, nodeId, false), TictacTree.ABSENT);
            segmentIndex.remove(tree.segmentOf(key), key);
        });
        set.forEachTombstone((key, stamp, nodeId) ->
        {
            tree.apply(key, hash(key, stamp, nodeId, true), TictacTree.ABSENT);
            segmentIndex.remove(tree.segmentOf(key), key);
        });
        set.close();
        set = loaded;
        // The purge sweep's cursor is a slot of the old set's table.
        purgeCursor = 0;
        loaded.forEachLive((key, stamp, nodeId) ->
        {
            tree.apply(key, TictacTree.ABSENT, hash(key, stamp, nodeId, false));
            segmentIndex.add(tree.segmentOf(key), key);
        });
        loaded.forEachTombstone((key, stamp, nodeId) ->
        {
            tree.apply(key, TictacTree.ABSENT, hash(key, stamp, nodeId, true));
            segmentIndex.add(tree.segmentOf(key), key);
        });
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
     * @param peerNodeId the peer the next repair round of this keyspace asks.
     * @return where a fetch group of an earlier round with that peer stopped part way (its first segment and the
     * matching entries to pass over, packed by {@link RepairFetches#resumePoint()}), or
     * {@link RepairFetches#NO_RESUME}. Kept per peer: a skip counts entries of one peer's set, and one shared between
     * peers that take turns would skip the entries the other peer holds beyond it, round after round, for ever.
     */
    long repairResume(final int peerNodeId)
    {
        return repairResumeByPeer.get(peerNodeId);
    }

    void repairResume(final int peerNodeId, final long resume)
    {
        if (RepairFetches.NO_RESUME == resume)
        {
            repairResumeByPeer.remove(peerNodeId);
        }
        else
        {
            repairResumeByPeer.put(peerNodeId, resume);
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
        if (HlcTimestamp.millis(stamp) < refuseBelowMs &&
            HlcTimestamp.NULL_STAMP == set.get(key) && HlcTimestamp.NULL_STAMP == set.getTombstone(key))
        {
            // This node held every live member's writes from before this time (or newer ones of their keys): an
            // unknown key this old was deleted and purged here, and its record is a stale copy.
            return false;
        }
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
            if (TictacTree.ABSENT == oldHash)
            {
                segmentIndex.add(tree.segmentOf(key), key);
            }
            tree.apply(key, oldHash, entryHashOf(key));
            if (stamp > changeStamp)
            {
                changeStamp = stamp;
            }
        }
    }

    /**
     * Drop a tombstone storage has forgotten, if the key still holds exactly that tombstone, and move the tree.
     *
     * @return true if it was dropped.
     */
    boolean dropPurged(final long key, final long stamp, final int nodeId)
    {
        final long oldHash = entryHashOf(key);
        if (!set.removeTombstone(key, stamp, nodeId))
        {
            return false;
        }
        tree.apply(key, oldHash, TictacTree.ABSENT);
        segmentIndex.remove(tree.segmentOf(key), key);
        return true;
    }

    /**
     * Visit the entries of one tree segment, walking only that segment's keys: O(keys in the segment).
     *
     * @param segment a segment of this keyspace's tree.
     * @param live    receives each live entry.
     * @param dead    receives each tombstone.
     */
    void forEachInSegment(final int segment, final EntryConsumer live, final EntryConsumer dead)
    {
        for (int slot = segmentIndex.firstSlot(segment); slot >= 0; slot = segmentIndex.nextSlot(slot))
        {
            final long key = segmentIndex.keyAt(slot);
            final long liveStamp = set.get(key);
            if (HlcTimestamp.NULL_STAMP != liveStamp)
            {
                live.accept(key, liveStamp, set.getNodeId(key));
            }
            else
            {
                dead.accept(key, set.getTombstone(key), set.getTombstoneNodeId(key));
            }
        }
    }

    /**
     * @return keys the segment index holds: every key of the set, live or tombstone.
     */
    int indexedKeyCount()
    {
        return segmentIndex.size();
    }

    /**
     * A repair round that started at {@code startedAtMs} found this keyspace's root equal to the peer's: every
     * write the peer held then is held here (or a newer write of its key).
     */
    void syncedWith(final int peerNodeId, final long startedAtMs)
    {
        if (startedAtMs > syncedAtMsByPeer.get(peerNodeId))
        {
            syncedAtMsByPeer.put(peerNodeId, startedAtMs);
        }
    }

    /**
     * A peer's report: its own synced time for this keyspace, and its purge floor. A floor is adopted, capped at
     * {@code maxFloorMs}: the peer set it knowing that every live member held the writes below it, so purging
     * below it here is as safe, and it keeps every replica purging the same tombstones.
     */
    void peerReported(final int peerNodeId, final long peerSyncedMs, final long peerFloorMs, final long maxFloorMs)
    {
        if (peerSyncedMs > NEVER)
        {
            peerSyncedMsByPeer.put(peerNodeId, peerSyncedMs);
        }
        else
        {
            peerSyncedMsByPeer.remove(peerNodeId);
        }
        raisePurgeFloor(Math.min(peerFloorMs, maxFloorMs));
    }

    /**
     * @return the earliest over the live peers of the time this node last found its copy equal to theirs;
     * {@link #NEVER} if some live peer was never found equal, or without live peers (a node alone cannot tell
     * members it has not heard of yet from members that do not exist).
     */
    long syncedMs(final int[] livePeers, final int livePeerCount)
    {
        if (0 == livePeerCount)
        {
            return NEVER;
        }
        long synced = Long.MAX_VALUE;
        for (int i = 0; i < livePeerCount; i++)
        {
            synced = Math.min(synced, syncedAtMsByPeer.get(livePeers[i]));
        }
        return synced;
    }

    /**
     * @return the cluster-wide synced time: the earliest of this node's synced time and every live peer's last
     * report of its own; every live member held, at a time after it, every write any live member held before it.
     */
    long clusterSyncedMs(final int[] livePeers, final int livePeerCount)
    {
        long synced = syncedMs(livePeers, livePeerCount);
        for (int i = 0; i < livePeerCount; i++)
        {
            synced = Math.min(synced, peerSyncedMsByPeer.get(livePeers[i]));
        }
        return synced;
    }

    /**
     * Raise the purge floor (it never falls).
     *
     * @return the floor.
     */
    long raisePurgeFloor(final long floorMs)
    {
        if (floorMs > purgeFloorMs)
        {
            purgeFloorMs = floorMs;
        }
        return purgeFloorMs;
    }

    /**
     * Set the time below which a write for a key this keyspace does not hold is refused: the purge floor, but no
     * later than this node's own synced time, as only a node that holds everything from before a time can tell a
     * purged key's stale copy from a key it never received (a node that adopted a peer's floor may still lack old
     * live keys). It never falls: what this node held at a time stays held (or replaced by newer writes), and a
     * member that comes back must not lower it again with the stale copies it kept while away.
     */
    void refuseBelow(final long ownSyncedMs)
    {
        refuseBelowMs = Math.max(refuseBelowMs, Math.min(purgeFloorMs, ownSyncedMs));
    }

    /**
     * @return epoch milliseconds below which tombstones are purged and unknown keys' writes refused; {@link #NEVER}
     * until the first purge step.
     */
    long purgeFloorMs()
    {
        return purgeFloorMs;
    }

    /**
     * @return where the next purge step's sweep of the tombstone table starts.
     */
    int purgeCursor()
    {
        return purgeCursor;
    }

    void purgeCursor(final int purgeCursor)
    {
        this.purgeCursor = purgeCursor;
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

    /**
     * @return off-heap bytes this keyspace's resident state holds: its set, its tree and its segment index.
     */
    long stateBytes()
    {
        return set.offHeapBytes() + tree.offHeapBytes() + segmentIndex.offHeapBytes();
    }

    public void close()
    {
        set.close();
        tree.close();
        segmentIndex.close();
    }
}
