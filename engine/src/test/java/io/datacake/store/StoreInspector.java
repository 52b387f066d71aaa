package io.datacake.store;

import io.datacake.clock.HlcTimestamp;
import io.datacake.crdt.Orswot;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Read-only views of a {@link ReplicatedStore}'s in-memory keyspace state for checkers in other test packages (the
 * reliability campaign): the set's entry for a key, the set's data digest and the content tree's root. Call it on
 * the thread that steps the node, between steps, or from a callback on the node thread.
 */
public final class StoreInspector
{
    /** What the set holds for a key: nothing. */
    public static final int ABSENT = 0;

    /** What the set holds for a key: a live entry. */
    public static final int LIVE = 1;

    /** What the set holds for a key: a tombstone. */
    public static final int TOMBSTONE = 2;

    private StoreInspector()
    {
    }

    /**
     * The keyspaces the store holds in memory, sorted by name.
     *
     * @param store the store.
     * @return a new sorted list.
     */
    public static List<String> keyspaces(final ReplicatedStore store)
    {
        final List<String> names = new ArrayList<>(store.keyspaceNames());
        Collections.sort(names);
        return names;
    }

    /**
     * The root of a keyspace's content tree.
     *
     * @param store    the store.
     * @param keyspace the keyspace name.
     * @return the root, or {@link TictacTree#ABSENT} if the keyspace is not held (an empty tree reads the same).
     */
    public static long treeRoot(final ReplicatedStore store, final String keyspace)
    {
        final Keyspace state = store.keyspaceState(keyspace);
        return null == state ? TictacTree.ABSENT : state.tree().root();
    }

    /**
     * The digest of a keyspace set's live entries and tombstones (not its seen stamps).
     *
     * @param store    the store.
     * @param keyspace the keyspace name.
     * @return the digest, or 0 if the keyspace is not held.
     */
    public static long dataDigest(final ReplicatedStore store, final String keyspace)
    {
        final Keyspace state = store.keyspaceState(keyspace);
        return null == state ? 0 : state.set().dataDigest();
    }

    /**
     * What the set holds for a key.
     *
     * @param store    the store.
     * @param keyspace the keyspace name.
     * @param key      the document id.
     * @return {@link #ABSENT}, {@link #LIVE} or {@link #TOMBSTONE}.
     */
    public static int kind(final ReplicatedStore store, final String keyspace, final long key)
    {
        final Orswot set = set(store, keyspace);
        if (null == set)
        {
            return ABSENT;
        }
        if (HlcTimestamp.NULL_STAMP != set.get(key))
        {
            return LIVE;
        }
        return HlcTimestamp.NULL_STAMP != set.getTombstone(key) ? TOMBSTONE : ABSENT;
    }

    /**
     * The stamp of the set's entry for a key, live or tombstone.
     *
     * @param store    the store.
     * @param keyspace the keyspace name.
     * @param key      the document id.
     * @return the stamp, or {@link HlcTimestamp#NULL_STAMP} if the set holds nothing for the key.
     */
    public static long stamp(final ReplicatedStore store, final String keyspace, final long key)
    {
        final Orswot set = set(store, keyspace);
        if (null == set)
        {
            return HlcTimestamp.NULL_STAMP;
        }
        final long live = set.get(key);
        return HlcTimestamp.NULL_STAMP != live ? live : set.getTombstone(key);
    }

    /**
     * The node id of the set's entry for a key, live or tombstone.
     *
     * @param store    the store.
     * @param keyspace the keyspace name.
     * @param key      the document id.
     * @return the node id, or -1 if the set holds nothing for the key.
     */
    public static int nodeId(final ReplicatedStore store, final String keyspace, final long key)
    {
        final Orswot set = set(store, keyspace);
        if (null == set)
        {
            return -1;
        }
        return HlcTimestamp.NULL_STAMP != set.get(key) ? set.getNodeId(key) : set.getTombstoneNodeId(key);
    }

    /**
     * Stop (or resume) stepping the store's stepped storage writer: commits wait, as on a disk that stopped
     * answering, until resumed.
     *
     * @param store the store.
     * @param hold  true to hold the writer, false to resume it.
     */
    public static void holdWriter(final ReplicatedStore store, final boolean hold)
    {
        store.holdWriter(hold);
    }

    /**
     * The store's repair counters in one line, for reports of a cluster that did not converge.
     *
     * @param store the store.
     * @return e.g. {@code rounds=12 inSync=3 failed=1 ...}.
     */
    public static String repairSummary(final ReplicatedStore store)
    {
        final StringBuilder out = new StringBuilder()
            .append("rounds=").append(store.repairRounds())
            .append(" inSync=").append(store.repairRoundsInSync())
            .append(" failed=").append(store.repairRoundsFailed())
            .append(" requests=").append(store.repairRequestsSent())
            .append(" segments=").append(store.repairSegmentsFetched())
            .append(" fetched=").append(store.repairEntriesFetched())
            .append(" applied=").append(store.repairEntriesApplied());
        for (int reason = 1; reason < RepairMessages.REASON_COUNT; reason++)
        {
            final long dropped = store.malformedRepairDropped(reason);
            if (dropped > 0)
            {
                out.append(" dropped[").append(RepairMessages.reason(reason)).append("]=").append(dropped);
            }
        }
        return out.toString();
    }

    private static Orswot set(final ReplicatedStore store, final String keyspace)
    {
        final Keyspace state = store.keyspaceState(keyspace);
        return null == state ? null : state.set();
    }
}
