package io.datacake.crdt;

import io.datacake.clock.HlcTimestamp;
import org.agrona.collections.LongArrayList;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static io.datacake.clock.HlcTimestamp.NULL_STAMP;

/**
 * An observed-remove set without tombstone growth (ORSWOT) keyed by 64-bit document ids and ordered by hybrid
 * logical clock timestamps, with the semantics of datacake's set: last write wins by (stamp, node id), and on an
 * exactly equal timestamp an insert beats a delete.
 * <p>
 * State: live entries and tombstones ({@code key -> timestamp}) in off-heap, segmented {@link StampTable}s (18 bytes
 * a slot, 64-80% full, grown one segment at a time, no per-entry objects), and, per <em>source</em>, the highest stamp seen from each node. A source is an ordered
 * stream of operations (datacake uses {@link #CONSISTENCY_SOURCE} for direct writes and {@link #REPAIR_SOURCE} for
 * anti-entropy); operations from one node arrive in stamp order within a source, so an operation older than the
 * highest stamp already seen from its node in its source is stale and rejected.
 * <p>
 * The <em>safe stamp</em> of a node is the lowest, over all sources, of the highest stamp seen from it, minus a
 * forgiveness period: every operation that node made before its safe stamp has been seen through every source.
 * A timestamp before its node's safe stamp is "already observed", which lets {@link #purgeOldDeletes} drop
 * tombstones and lets {@link #merge} tell an entry the other side removed from one it never received.
 * <p>
 * Not thread safe: a keyspace's set is owned by the node thread. Insert, delete, get and willApply allocate nothing
 * in steady state. Holds off-heap memory: {@link #close()} it.
 */
public final class Orswot implements AutoCloseable
{
    /** Source of direct writes (the synchronous replication path). */
    public static final int CONSISTENCY_SOURCE = 0;

    /** Source of anti-entropy repair. */
    public static final int REPAIR_SOURCE = 1;

    /** Datacake's two sources. */
    public static final int DEFAULT_SOURCE_COUNT = 2;

    /** Largest number of sources. */
    public static final int MAX_SOURCE_COUNT = 255;

    /** Datacake's forgiveness period: one hour. */
    public static final long DEFAULT_FORGIVENESS_MS = TimeUnit.HOURS.toMillis(1);

    /** Largest number of live entries (and separately of tombstones) one set holds. */
    public static final int MAX_ENTRIES = StampTable.MAX_SIZE;

    private static final int DEFAULT_INITIAL_CAPACITY = 64;

    // Distinct seeds keep entry, seen-stamp and source-count hashes in separate domains.
    private static final long ENTRY_SEED = 0x9E3779B97F4A7C15L;
    private static final long SEEN_STAMP_SEED = 0xD6E8FEB86659FD93L;
    private static final long SOURCE_COUNT_SEED = 0xA0761D6478BD642FL;

    private final int sourceCount;
    private final long forgivenessMs;
    private final StampTable live;
    private final StampTable dead;
    private final SeenStamps seenStamps;
    private final LongArrayList scratchKeys = new LongArrayList();

    /**
     * A set with datacake's defaults: two sources, one hour of forgiveness.
     */
    public Orswot()
    {
        this(DEFAULT_SOURCE_COUNT, DEFAULT_FORGIVENESS_MS, DEFAULT_INITIAL_CAPACITY);
    }

    /**
     * @param sourceCount     number of independent operation sources, 1..{@link #MAX_SOURCE_COUNT}.
     * @param forgivenessMs   how much older than its node's last observed stamp (in every source) a tombstone must
     *                        be before it may be purged; 0 or more.
     * @param expectedEntries number of live entries to size the table for without growing.
     * @throws IllegalArgumentException if a parameter is out of range.
     */
    public Orswot(final int sourceCount, final long forgivenessMs, final int expectedEntries)
    {
        if (sourceCount < 1 || sourceCount > MAX_SOURCE_COUNT)
        {
            throw new IllegalArgumentException(
                "sourceCount out of range [1, " + MAX_SOURCE_COUNT + "]: " + sourceCount);
        }
        if (forgivenessMs < 0)
        {
            throw new IllegalArgumentException("forgivenessMs must not be negative: " + forgivenessMs);
        }
        this.sourceCount = sourceCount;
        this.forgivenessMs = forgivenessMs;
        this.live = new StampTable(expectedEntries);
        this.dead = new StampTable(DEFAULT_INITIAL_CAPACITY);
        this.seenStamps = new SeenStamps(sourceCount, forgivenessMs);
    }

    /**
     * @return the number of sources.
     */
    public int sourceCount()
    {
        return sourceCount;
    }

    /**
     * @return the forgiveness period in milliseconds.
     */
    public long forgivenessMs()
    {
        return forgivenessMs;
    }

    /**
     * @return number of live entries.
     */
    public int liveCount()
    {
        return live.size();
    }

    /**
     * @return number of tombstones.
     */
    public int tombstoneCount()
    {
        return dead.size();
    }

    /**
     * @return off-heap bytes held by the live and tombstone tables.
     */
    public long offHeapBytes()
    {
        return live.allocatedBytes() + dead.allocatedBytes();
    }

    /**
     * Insert or update a key through the {@link #CONSISTENCY_SOURCE}.
     *
     * @see #insert(int, long, long, int)
     */
    public boolean insert(final long key, final long stamp, final int nodeId)
    {
        return insert(CONSISTENCY_SOURCE, key, stamp, nodeId);
    }

    /**
     * Insert or update a key. Rejected (returns false, changes nothing) if the stamp is older than one already seen
     * from the same node in the same source. Otherwise the stamp is recorded as seen, and the entry is set unless a
     * tombstone with a later timestamp exists or the live entry is already at least as new. A tombstone with exactly
     * the same timestamp loses to the insert.
     *
     * @param source source of the operation, 0..{@link #sourceCount()}-1.
     * @param key    document id.
     * @param stamp  packed HLC stamp, positive.
     * @param nodeId node id of the stamp.
     * @return true if the live entry changed.
     * @throws IllegalArgumentException if source, stamp or node id is out of range.
     */
    public boolean insert(final int source, final long key, final long stamp, final int nodeId)
    {
        return apply(SetOperation.INSERT, source, key, stamp, nodeId, true);
    }

    /**
     * Delete a key through the {@link #CONSISTENCY_SOURCE}.
     *
     * @see #delete(int, long, long, int)
     */
    public boolean delete(final long key, final long stamp, final int nodeId)
    {
        return delete(CONSISTENCY_SOURCE, key, stamp, nodeId);
    }

    /**
     * Delete a key, leaving a tombstone. Rejected (returns false, changes nothing) if the stamp is older than one
     * already seen from the same node in the same source. Otherwise the stamp is recorded as seen; a live entry at
     * least as new as the delete wins; else the live entry is removed and the tombstone set or raised. Deleting an
     * unknown key creates a tombstone.
     *
     * @param source source of the operation, 0..{@link #sourceCount()}-1.
     * @param key    document id.
     * @param stamp  packed HLC stamp, positive.
     * @param nodeId node id of the stamp.
     * @return true if the tombstone changed.
     * @throws IllegalArgumentException if source, stamp or node id is out of range.
     */
    public boolean delete(final int source, final long key, final long stamp, final int nodeId)
    {
        return apply(SetOperation.DELETE, source, key, stamp, nodeId, true);
    }

    /**
     * @param key document id.
     * @return the stamp of the key's live entry, or {@link HlcTimestamp#NULL_STAMP} if it has none.
     */
    public long get(final long key)
    {
        return live.stampOf(key);
    }

    /**
     * Look up the live stamps of many keys at once: on a set larger than the CPU caches this is faster per key than
     * {@link #get}, because the memory reads of up to 16 keys are started before any is compared, so their cache and
     * TLB misses overlap.
     *
     * @param keys         document ids.
     * @param keysOffset   index of the first key in keys.
     * @param count        number of keys to look up.
     * @param stamps       receives, at {@code stampsOffset + i}, the stamp of key {@code keysOffset + i}'s live entry
     *                     or {@link HlcTimestamp#NULL_STAMP} if it has none.
     * @param stampsOffset index in stamps for the first key's stamp.
     * @throws IndexOutOfBoundsException if count is negative or either range lies outside its array.
     */
    public void getMany(
        final long[] keys, final int keysOffset, final int count, final long[] stamps, final int stampsOffset)
    {
        Objects.checkFromIndexSize(keysOffset, count, keys.length);
        Objects.checkFromIndexSize(stampsOffset, count, stamps.length);
        live.stampsOf(keys, keysOffset, count, stamps, stampsOffset);
    }

    /**
     * Start the memory reads that looking up or changing key begins with (the first cache line of its live entry
     * and of its tombstone), without waiting for them: a caller about to work through a batch of keys touches them
     * all first, so on a set larger than the CPU caches their misses overlap instead of following one another. A
     * hint only: it changes nothing, and the lookups that follow are right whatever changed in between.
     *
     * @param key document id.
     */
    public void prefetch(final long key)
    {
        live.touch(key);
        dead.touch(key);
    }

    /**
     * @param key document id.
     * @return the node id of the key's live entry, or -1 if it has none.
     */
    public int getNodeId(final long key)
    {
        final int index = live.indexOf(key);
        return index >= 0 ? live.nodeAt(index) : -1;
    }

    /**
     * @param key document id.
     * @return the stamp of the key's tombstone, or {@link HlcTimestamp#NULL_STAMP} if it has none.
     */
    public long getTombstone(final long key)
    {
        return dead.stampOf(key);
    }

    /**
     * @param key document id.
     * @return the node id of the key's tombstone, or -1 if it has none.
     */
    public int getTombstoneNodeId(final long key)
    {
        final int index = dead.indexOf(key);
        return index >= 0 ? dead.nodeAt(index) : -1;
    }

    /**
     * Would this operation through the {@link #CONSISTENCY_SOURCE} change the set?
     *
     * @see #willApply(SetOperation, int, long, long, int)
     */
    public boolean willApply(final SetOperation operation, final long key, final long stamp, final int nodeId)
    {
        return willApply(operation, CONSISTENCY_SOURCE, key, stamp, nodeId);
    }

    /**
     * Would this operation change the set? Exactly what {@link #insert(int, long, long, int)} or
     * {@link #delete(int, long, long, int)} would return, through the same code, without changing anything (not even
     * the seen stamps): false for a stamp older than one already seen from its node in its source, or one that
     * loses to the key's live entry or tombstone (an insert wins an exact tie with a tombstone).
     *
     * @param operation the operation.
     * @param source    source of the operation, 0..{@link #sourceCount()}-1.
     * @param key       document id.
     * @param stamp     packed HLC stamp, positive.
     * @param nodeId    node id of the stamp.
     * @return true if applying the operation would change the key's live entry or tombstone.
     * @throws IllegalArgumentException if source, stamp or node id is out of range.
     * @throws NullPointerException     if the operation is null.
     */
    public boolean willApply(
        final SetOperation operation, final int source, final long key, final long stamp, final int nodeId)
    {
        return apply(operation, source, key, stamp, nodeId, false);
    }

    /**
     * Would this repaired record change the set? Exactly what {@link #repair} would return, without changing
     * anything.
     *
     * @param tombstone true for a tombstone, false for a live entry.
     * @param key       document id.
     * @param stamp     packed HLC stamp, positive.
     * @param nodeId    node id of the stamp.
     * @return true if repairing with the record would change the key's live entry or tombstone.
     * @throws IllegalArgumentException if the stamp or node id is out of range, or the set has no repair source.
     */
    public boolean willRepair(final boolean tombstone, final long key, final long stamp, final int nodeId)
    {
        return applyRepair(tombstone, key, stamp, nodeId, false);
    }

    /**
     * Apply a record fetched by anti-entropy repair through the {@link #REPAIR_SOURCE}. Repair delivers records in
     * the order of the key space, not of their stamps, so unlike {@link #insert(int, long, long, int)} an older stamp
     * than one already seen from its node is not stale here. A record for a key this set does not hold is refused if
     * the set already observed its stamp (it was removed here and purged), as in {@link #merge}; otherwise the later
     * record by (stamp, node id) wins, an insert beating a tombstone at an equal timestamp. The stamp is not recorded
     * as seen (a record out of stamp order proves nothing about its node's earlier operations), so repair never moves
     * a safe stamp.
     *
     * @param tombstone true for a tombstone, false for a live entry.
     * @param key       document id.
     * @param stamp     packed HLC stamp, positive.
     * @param nodeId    node id of the stamp.
     * @return true if the key's live entry or tombstone changed.
     * @throws IllegalArgumentException if the stamp or node id is out of range, or the set has no repair source.
     */
    public boolean repair(final boolean tombstone, final long key, final long stamp, final int nodeId)
    {
        return applyRepair(tombstone, key, stamp, nodeId, true);
    }

    /**
     * What this set must apply to catch up with another: every live entry of {@code other} that is newer than what
     * this set holds for its key (or unknown here and not yet observed) goes to {@code changes}, every such tombstone
     * to {@code removals}.
     *
     * @param other    the other set.
     * @param changes  receives the entries to fetch and insert.
     * @param removals receives the tombstones to apply.
     */
    public void diff(final Orswot other, final EntryConsumer changes, final EntryConsumer removals)
    {
        other.live.forEach((key, stamp, nodeId) ->
        {
            if (isBehind(key, stamp, nodeId))
            {
                changes.accept(key, stamp, nodeId);
            }
        });
        other.dead.forEach((key, stamp, nodeId) ->
        {
            if (isBehind(key, stamp, nodeId))
            {
                removals.accept(key, stamp, nodeId);
            }
        });
    }

    /**
     * Merge another set's state into this one (a join: commutative, associative and idempotent over reachable
     * states). For each key the latest surviving record wins (an insert beats a delete at an equal timestamp). A
     * record held by only one side does not survive if the other side has already observed its timestamp: the other
     * side saw it and has since removed or purged it. Seen-stamps merge by maximum per source and node.
     *
     * @param other the set to merge in; unchanged.
     * @throws IllegalArgumentException if the sets have different source counts.
     */
    public void merge(final Orswot other)
    {
        if (other.sourceCount != sourceCount)
        {
            throw new IllegalArgumentException(
                "cannot merge sets with " + other.sourceCount + " and " + sourceCount + " sources");
        }
        if (other == this)
        {
            return;
        }

        // 1. Records only here that the other side already observed: it removed them.
        final LongArrayList doomed = scratchKeys;
        doomed.clear();
        collectObservedBy(other, live, doomed);
        collectObservedBy(other, dead, doomed);
        for (int i = 0, n = doomed.size(); i < n; i++)
        {
            final long key = doomed.getLong(i);
            live.remove(key);
            dead.remove(key);
        }

        // 2. The other side's records, against what is here (safe stamps are still this side's old ones).
        other.live.forEach((key, stamp, nodeId) -> mergeRecord(other, key, stamp, nodeId, false));
        other.dead.forEach((key, stamp, nodeId) -> mergeRecord(other, key, stamp, nodeId, true));

        // 3. Seen-stamps.
        seenStamps.mergeFrom(other.seenStamps);
    }

    /**
     * Remove every tombstone whose timestamp every source has observed (before its node's safe stamp): no
     * operation it must beat can still arrive. The caller removes them from storage; if that fails it puts them
     * back with {@link #addRawTombstone}.
     *
     * @param purged receives each removed tombstone.
     * @return the number of tombstones removed.
     */
    public int purgeOldDeletes(final EntryConsumer purged)
    {
        return purgeOldDeletes(purged, null);
    }

    /**
     * Like {@link #purgeOldDeletes(EntryConsumer)}, but a tombstone must also be before a cluster-wide bound for its
     * node: the lowest safe stamp over every replica of the keyspace. Purging only what every replica has observed
     * is what keeps a replica that still holds an older insert from resurrecting the key in a later merge (the local
     * rule alone relies on the forgiveness period for that).
     *
     * @param purged     receives each removed tombstone.
     * @param clusterSafe the cluster-wide safe stamp per node id; {@code null} means no bound beyond the local one.
     * @return the number of tombstones removed.
     */
    public int purgeOldDeletes(final EntryConsumer purged, final SafeStampBound clusterSafe)
    {
        final LongArrayList keys = scratchKeys;
        keys.clear();
        dead.forEach((key, stamp, nodeId) ->
        {
            if (isObserved(stamp, nodeId) && (null == clusterSafe || stamp < clusterSafe.safeStamp(nodeId)))
            {
                keys.addLong(key);
            }
        });
        for (int i = 0, n = keys.size(); i < n; i++)
        {
            final long key = keys.getLong(i);
            final int index = dead.indexOf(key);
            purged.accept(key, dead.stampAt(index), dead.nodeAt(index));
            dead.removeAt(index);
        }
        return keys.size();
    }

    /**
     * Put a tombstone back without any checks, e.g. one {@link #purgeOldDeletes} removed but storage failed to.
     * A live entry for the key is removed.
     *
     * @param key    document id.
     * @param stamp  packed HLC stamp, positive.
     * @param nodeId node id of the stamp.
     * @throws IllegalArgumentException if the stamp or node id is out of range.
     */
    public void addRawTombstone(final long key, final long stamp, final int nodeId)
    {
        checkStamp(stamp, nodeId);
        live.remove(key);
        dead.put(key, stamp, nodeId);
    }

    /**
     * Remove one tombstone, if the key's tombstone is exactly this record: the purge step of a caller that decides
     * itself which tombstones may go (a replicated store that has learned what every replica holds) and drops each
     * from the set only once its storage forgot it. A newer tombstone, a live entry or a missing key is left alone.
     *
     * @param key    document id.
     * @param stamp  packed HLC stamp of the tombstone to remove.
     * @param nodeId node id of that stamp.
     * @return true if the tombstone was removed.
     */
    public boolean removeTombstone(final long key, final long stamp, final int nodeId)
    {
        final int index = dead.indexOf(key);
        if (index < 0 || dead.stampAt(index) != stamp || dead.nodeAt(index) != nodeId)
        {
            return false;
        }
        dead.removeAt(index);
        return true;
    }

    /**
     * Visit the tombstones of at most {@code maxSlots} slots of the tombstone table from a cursor on, so a caller
     * can sweep a large set in bounded steps (start at 0, continue from what each call returns). The consumer must
     * not modify this set. A sweep that spans changes to the set may miss or revisit tombstones moved by a removal
     * or a growth of the table; the next sweep sees them.
     *
     * @param cursor   where the previous step stopped; 0 (or any value out of range) starts from the first slot.
     * @param maxSlots most table slots to look at, positive.
     * @param consumer receives each tombstone found.
     * @return the cursor to continue from, or 0 once this step reached the end of the table.
     * @throws IllegalArgumentException if maxSlots is not positive.
     */
    public int forEachTombstoneFrom(final int cursor, final int maxSlots, final EntryConsumer consumer)
    {
        if (maxSlots <= 0)
        {
            throw new IllegalArgumentException("maxSlots must be positive: " + maxSlots);
        }
        return dead.forEachFrom(cursor, maxSlots, consumer);
    }

    /**
     * Put a live entry without any checks (decoding a snapshot). The caller guarantees the key has no tombstone.
     */
    void putLiveUnchecked(final long key, final long stamp, final int nodeId)
    {
        live.put(key, stamp, nodeId);
    }

    /**
     * Visit every live entry, in table order. The consumer must not modify this set.
     *
     * @param consumer receives each live entry.
     */
    public void forEachLive(final EntryConsumer consumer)
    {
        live.forEach(consumer);
    }

    /**
     * Visit every tombstone, in table order. The consumer must not modify this set.
     *
     * @param consumer receives each tombstone.
     */
    public void forEachTombstone(final EntryConsumer consumer)
    {
        dead.forEach(consumer);
    }

    /**
     * Visit every (source, node id, highest stamp seen) triple.
     *
     * @param consumer receives each triple.
     */
    public void forEachSeenStamp(final SeenStampConsumer consumer)
    {
        seenStamps.forEach(consumer);
    }

    /**
     * @param source source index.
     * @param nodeId node id.
     * @return the highest stamp seen from the node in the source, or {@link HlcTimestamp#NULL_STAMP}.
     */
    public long seenStamp(final int source, final int nodeId)
    {
        return seenStamps.seen(checkSource(source), nodeId);
    }

    /**
     * @param nodeId node id.
     * @return the node's safe stamp: timestamps before it have been observed through every source.
     */
    public long safeStamp(final int nodeId)
    {
        return seenStamps.safe(nodeId);
    }

    /**
     * Record a seen stamp directly (used when decoding a snapshot). Keeps the maximum.
     *
     * @param source source index.
     * @param nodeId node id.
     * @param stamp  packed stamp.
     * @throws IllegalArgumentException if a value is out of range.
     */
    public void addSeenStamp(final int source, final int nodeId, final long stamp)
    {
        checkSource(source);
        checkStamp(stamp, nodeId);
        seenStamps.raise(source, nodeId, stamp);
    }

    /**
     * Order-independent digest of the whole state (entries, tombstones and seen-stamps): the XOR of
     * {@link #entryHash} over every live entry and tombstone, of a seen-stamp hash over every seen stamp, and of a
     * hash of the source count. Equal states have equal digests; different states collide with probability about
     * 2^-64, whatever their structure (swapped node ids, stamps, keys, live and tombstone flags, or seen stamps).
     *
     * @return a 64-bit digest.
     * @see #contentEquals(Orswot)
     */
    public long contentDigest()
    {
        final long[] digest = { dataDigest() ^ mix64(sourceCount + SOURCE_COUNT_SEED) };
        seenStamps.forEach((source, nodeId, stamp) -> digest[0] ^= seenStampHash(source, nodeId, stamp));
        return digest[0];
    }

    /**
     * Order-independent digest of the data alone, the live entries and tombstones, not the seen stamps: the XOR of
     * {@link #entryHash} over all of them. Replicas holding the same data have equal data digests even while their
     * seen stamps still differ (those converge through anti-entropy).
     *
     * @return a 64-bit digest; 0 for a set without entries or tombstones.
     * @see #dataEquals(Orswot)
     */
    public long dataDigest()
    {
        final long[] digest = { 0 };
        live.forEach((key, stamp, nodeId) -> digest[0] ^= entryHash(key, stamp, nodeId, false));
        dead.forEach((key, stamp, nodeId) -> digest[0] ^= entryHash(key, stamp, nodeId, true));
        return digest[0];
    }

    /**
     * Strong 64-bit hash of one live entry or tombstone. Every field goes through a full 64-bit mix, so hashes of
     * structurally related records (swapped fields, neighbouring values) are unrelated, and an XOR (or sum) of them
     * is a sound order-independent digest. {@link #dataDigest()} is the XOR of this over a set's records, so a
     * structure that keeps such a digest current in O(1) per change (XOR the old record's hash out and the new one's
     * in) matches it exactly.
     *
     * @param key       document id.
     * @param stamp     packed HLC stamp.
     * @param nodeId    node id of the stamp.
     * @param tombstone true for a tombstone, false for a live entry.
     * @return the hash.
     */
    public static long entryHash(final long key, final long stamp, final int nodeId, final boolean tombstone)
    {
        long h = mix64(key + ENTRY_SEED);
        h = mix64(h ^ stamp);
        return mix64(h ^ (((long)nodeId << 1) | (tombstone ? 1L : 0L)));
    }

    /**
     * Exact state equality: same entries, tombstones and seen-stamps.
     *
     * @param other the other set.
     * @return true if both hold exactly the same state.
     */
    public boolean contentEquals(final Orswot other)
    {
        return other.sourceCount == sourceCount && dataEquals(other) && seenStamps.contentEquals(other.seenStamps);
    }

    /**
     * Data equality: the same live entries and the same tombstones (key, stamp and node id each), whatever the seen
     * stamps. This is what "replicas converged" means; the seen stamps converge later, through anti-entropy.
     *
     * @param other the other set.
     * @return true if both hold exactly the same live entries and tombstones.
     */
    public boolean dataEquals(final Orswot other)
    {
        if (other.live.size() != live.size() || other.dead.size() != dead.size())
        {
            return false;
        }
        final boolean[] equal = { true };
        live.forEach((key, stamp, nodeId) -> equal[0] &= sameRecord(other.live, key, stamp, nodeId));
        dead.forEach((key, stamp, nodeId) -> equal[0] &= sameRecord(other.dead, key, stamp, nodeId));
        return equal[0];
    }

    /**
     * Remove all state, keeping the allocated tables.
     */
    public void clear()
    {
        live.clear();
        dead.clear();
        seenStamps.clear();
    }

    /**
     * Size the live table for at least this many entries without further growth.
     *
     * @param expectedEntries number of live entries.
     */
    public void ensureCapacity(final int expectedEntries)
    {
        live.ensureCapacity(expectedEntries);
    }

    /**
     * Free the off-heap tables. The set must not be used afterwards. Idempotent.
     */
    public void close()
    {
        live.close();
        dead.close();
    }

    /**
     * @return a short summary for logs.
     */
    public String toString()
    {
        return "Orswot{live=" + live.size() + ", tombstones=" + dead.size() + ", sources=" + sourceCount + "}";
    }

    /**
     * The one code path of insert, delete and willApply: with {@code commit} false it only answers what the
     * operation would return.
     */
    private boolean apply(
        final SetOperation operation, final int source, final long key, final long stamp, final int nodeId,
        final boolean commit)
    {
        if (null == operation)
        {
            throw new NullPointerException("operation");
        }
        checkSource(source);
        checkStamp(stamp, nodeId);
        if (commit ? !seenStamps.observe(source, stamp, nodeId) : seenStamps.isStale(source, stamp, nodeId))
        {
            return false;
        }
        return SetOperation.INSERT == operation ?
            applyInsert(key, stamp, nodeId, commit) : applyDelete(key, stamp, nodeId, commit);
    }

    private boolean applyRepair(
        final boolean tombstone, final long key, final long stamp, final int nodeId, final boolean commit)
    {
        checkSource(REPAIR_SOURCE);
        checkStamp(stamp, nodeId);
        if (live.indexOf(key) < 0 && dead.indexOf(key) < 0 && isObserved(stamp, nodeId))
        {
            return false;
        }
        // The stamp is not recorded as seen: records arrive in key-space order, so a repaired stamp does not prove
        // that every earlier operation of its node was seen, and raising the safe stamp on it would make a record
        // missed for longer than the forgiveness period look purged and be refused for ever.
        return tombstone ? applyDelete(key, stamp, nodeId, commit) : applyInsert(key, stamp, nodeId, commit);
    }

    // A key is never both live and a tombstone, so each branch below knows the other table lacks it.
    private boolean applyInsert(final long key, final long stamp, final int nodeId, final boolean commit)
    {
        final int deadIndex = dead.indexOf(key);
        if (deadIndex >= 0)
        {
            // An insert beats a tombstone with exactly the same timestamp.
            if (HlcTimestamp.compare(stamp, nodeId, dead.stampAt(deadIndex), dead.nodeAt(deadIndex)) < 0)
            {
                return false;
            }
            if (commit)
            {
                dead.removeAt(deadIndex);
                live.put(key, stamp, nodeId);
            }
            return true;
        }

        final int liveIndex = live.indexOf(key);
        if (liveIndex >= 0)
        {
            if (HlcTimestamp.compare(live.stampAt(liveIndex), live.nodeAt(liveIndex), stamp, nodeId) >= 0)
            {
                return false;
            }
            if (commit)
            {
                live.setAt(liveIndex, stamp, nodeId);
            }
            return true;
        }

        if (commit)
        {
            live.put(key, stamp, nodeId);
        }
        return true;
    }

    private boolean applyDelete(final long key, final long stamp, final int nodeId, final boolean commit)
    {
        final int liveIndex = live.indexOf(key);
        if (liveIndex >= 0)
        {
            // A live entry at least as new as the delete wins.
            if (HlcTimestamp.compare(stamp, nodeId, live.stampAt(liveIndex), live.nodeAt(liveIndex)) <= 0)
            {
                return false;
            }
            if (commit)
            {
                live.removeAt(liveIndex);
                dead.put(key, stamp, nodeId);
            }
            return true;
        }

        final int deadIndex = dead.indexOf(key);
        if (deadIndex >= 0)
        {
            if (HlcTimestamp.compare(dead.stampAt(deadIndex), dead.nodeAt(deadIndex), stamp, nodeId) >= 0)
            {
                return false;
            }
            if (commit)
            {
                dead.setAt(deadIndex, stamp, nodeId);
            }
            return true;
        }

        if (commit)
        {
            dead.put(key, stamp, nodeId);
        }
        return true;
    }

    /**
     * @return true if the timestamp is before its node's safe stamp (every source has observed later operations).
     */
    boolean isObserved(final long stamp, final int nodeId)
    {
        return seenStamps.isObserved(stamp, nodeId);
    }

    private boolean isBehind(final long key, final long stamp, final int nodeId)
    {
        final int liveIndex = live.indexOf(key);
        if (liveIndex >= 0)
        {
            return HlcTimestamp.compare(live.stampAt(liveIndex), live.nodeAt(liveIndex), stamp, nodeId) < 0;
        }
        final int deadIndex = dead.indexOf(key);
        if (deadIndex >= 0)
        {
            return HlcTimestamp.compare(dead.stampAt(deadIndex), dead.nodeAt(deadIndex), stamp, nodeId) < 0;
        }
        return !isObserved(stamp, nodeId);
    }

    private static void collectObservedBy(final Orswot other, final StampTable table, final LongArrayList doomed)
    {
        table.forEach((key, stamp, nodeId) ->
        {
            if (other.live.indexOf(key) < 0 && other.dead.indexOf(key) < 0 && other.isObserved(stamp, nodeId))
            {
                doomed.addLong(key);
            }
        });
    }

    private void mergeRecord(
        final Orswot other, final long key, final long stamp, final int nodeId, final boolean tombstone)
    {
        final StampTable mineTable;
        int index = live.indexOf(key);
        if (index >= 0)
        {
            mineTable = live;
        }
        else
        {
            index = dead.indexOf(key);
            mineTable = index >= 0 ? dead : null;
        }

        if (null == mineTable)
        {
            if (!isObserved(stamp, nodeId))
            {
                (tombstone ? dead : live).put(key, stamp, nodeId);
            }
            return;
        }

        final long myStamp = mineTable.stampAt(index);
        final int myNode = mineTable.nodeAt(index);
        final boolean myTombstone = mineTable == dead;
        if (myStamp == stamp && myNode == nodeId && myTombstone == tombstone)
        {
            return;
        }

        // Each record survives unless the side lacking it has already observed its timestamp.
        final boolean mineSurvives = !other.isObserved(myStamp, myNode);
        final boolean theirsSurvives = !isObserved(stamp, nodeId);
        final boolean theirsWins;
        if (mineSurvives && theirsSurvives)
        {
            final int order = HlcTimestamp.compare(stamp, nodeId, myStamp, myNode);
            theirsWins = order > 0 || (order == 0 && !tombstone);
        }
        else if (mineSurvives)
        {
            return;
        }
        else if (theirsSurvives)
        {
            theirsWins = true;
        }
        else
        {
            mineTable.removeAt(index);
            return;
        }

        if (theirsWins)
        {
            if (myTombstone == tombstone)
            {
                mineTable.setAt(index, stamp, nodeId);
            }
            else
            {
                mineTable.removeAt(index);
                (tombstone ? dead : live).put(key, stamp, nodeId);
            }
        }
    }

    private static boolean sameRecord(final StampTable table, final long key, final long stamp, final int nodeId)
    {
        final int index = table.indexOf(key);
        return index >= 0 && table.stampAt(index) == stamp && table.nodeAt(index) == nodeId;
    }

    private static long seenStampHash(final int source, final int nodeId, final long stamp)
    {
        long h = mix64((((long)source << 16) | nodeId) + SEEN_STAMP_SEED);
        return mix64(h ^ stamp);
    }

    /**
     * A bijective 64-bit finalizer (xor-shift-multiply, the constants of SplitMix64): every input bit affects every
     * output bit.
     */
    private static long mix64(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private int checkSource(final int source)
    {
        if (source < 0 || source >= sourceCount)
        {
            throw new IllegalArgumentException("source out of range [0, " + (sourceCount - 1) + "]: " + source);
        }
        return source;
    }

    private static void checkStamp(final long stamp, final int nodeId)
    {
        if (stamp <= NULL_STAMP)
        {
            throw new IllegalArgumentException("stamp must be positive: " + stamp);
        }
        HlcTimestamp.checkNodeId(nodeId);
    }
}
