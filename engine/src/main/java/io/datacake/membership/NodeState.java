package io.datacake.membership;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What this node knows of one cluster member in one generation: its versioned key/value entries, the tombstones of
 * deleted keys, its heartbeat counter and the highest version it has seen from it.
 * <p>
 * Only the member itself writes its entries; every write or deletion takes the next version of that member, so the
 * versions of one member are unique and increasing. Others learn the entries through gossip and always hold a
 * prefix of the owner's history by version: everything up to {@link #maxVersion()} (minus collected tombstones).
 * Deleted keys stay as tombstones so the deletion spreads, and are collected after a grace period; the highest
 * collected version is kept as {@link #lastGcVersion()} so a peer that may have missed a collected deletion is sent
 * the whole state instead of a delta.
 * <p>
 * Not thread safe: owned by the node thread.
 */
public final class NodeState
{
    /** Longest key in UTF-8 bytes. */
    public static final int MAX_KEY_LENGTH = 256;

    /** Longest value in bytes; with {@link #MAX_KEY_LENGTH} it bounds one entry so any entry fits a gossip frame. */
    public static final int MAX_VALUE_LENGTH = 4096;

    /** Most entries (live keys plus tombstones) one node may hold. */
    public static final int MAX_ENTRIES = 65_536;

    /** Highest node id: ids are unsigned 16-bit. */
    public static final int MAX_NODE_ID = 65_535;

    private final int nodeId;
    private final long generation;
    private final Map<String, VersionedEntry> byKey = new HashMap<>();
    private final TreeMap<Long, VersionedEntry> byVersion = new TreeMap<>();
    private long heartbeat;
    private long maxVersion;
    private long lastGcVersion;
    private int liveCount;

    NodeState(final int nodeId, final long generation)
    {
        checkNodeId(nodeId);
        if (generation < 0)
        {
            throw new IllegalArgumentException("generation must be >= 0, got " + generation);
        }
        this.nodeId = nodeId;
        this.generation = generation;
    }

    /**
     * @return the member's node id, 0 to {@link #MAX_NODE_ID}.
     */
    public int nodeId()
    {
        return nodeId;
    }

    /**
     * @return the member's generation: a restarted member comes back with a higher one and replaces this state.
     */
    public long generation()
    {
        return generation;
    }

    /**
     * @return the highest heartbeat counter seen from the member in this generation.
     */
    public long heartbeat()
    {
        return heartbeat;
    }

    /**
     * @return the highest entry version received from the member; all entries up to it are known here.
     */
    public long maxVersion()
    {
        return maxVersion;
    }

    /**
     * @return the highest version of a tombstone collected from this state, 0 if none.
     */
    public long lastGcVersion()
    {
        return lastGcVersion;
    }

    /**
     * @return the number of entries, live keys plus tombstones.
     */
    public int entryCount()
    {
        return byKey.size();
    }

    /**
     * @return the number of live (not deleted) keys.
     */
    public int liveKeyCount()
    {
        return liveCount;
    }

    /**
     * @param key the key.
     * @return true if the key is present and not deleted.
     */
    public boolean containsKey(final String key)
    {
        final VersionedEntry entry = byKey.get(key);
        return null != entry && !entry.tombstone;
    }

    /**
     * @param key the key.
     * @return a copy of the value, or null if the key is absent or deleted.
     */
    public byte[] value(final String key)
    {
        final VersionedEntry entry = byKey.get(key);
        return null == entry || entry.tombstone ? null : entry.value.clone();
    }

    /**
     * @param key the key.
     * @return the value decoded as UTF-8, or null if the key is absent or deleted.
     */
    public String stringValue(final String key)
    {
        final VersionedEntry entry = byKey.get(key);
        return null == entry || entry.tombstone ? null : new String(entry.value, StandardCharsets.UTF_8);
    }

    /**
     * @param key the key.
     * @return the version of the key's latest write or deletion, 0 if the key is unknown (or its tombstone collected).
     */
    public long version(final String key)
    {
        final VersionedEntry entry = byKey.get(key);
        return null == entry ? 0 : entry.version;
    }

    /**
     * @param key the key.
     * @return true if the key is held as a tombstone (deleted, not yet collected).
     */
    public boolean isDeleted(final String key)
    {
        final VersionedEntry entry = byKey.get(key);
        return null != entry && entry.tombstone;
    }

    /**
     * Visit every entry, live keys and tombstones, in increasing version order.
     *
     * @param visitor receives each entry.
     */
    public void forEachEntry(final EntryVisitor visitor)
    {
        for (final VersionedEntry entry : byVersion.values())
        {
            visitor.onEntry(entry.key, entry.value, entry.version, entry.tombstone);
        }
    }

    /**
     * @param floorVersion versions at or below this are excluded.
     * @return how many entries have a version above {@code floorVersion}.
     */
    public int countEntriesAbove(final long floorVersion)
    {
        return byVersion.tailMap(floorVersion, false).size();
    }

    NavigableMap<Long, VersionedEntry> entriesAbove(final long floorVersion)
    {
        return byVersion.tailMap(floorVersion, false);
    }

    boolean updateHeartbeat(final long heartbeat)
    {
        if (heartbeat > this.heartbeat)
        {
            this.heartbeat = heartbeat;
            return true;
        }
        return false;
    }

    long incrementHeartbeat()
    {
        return ++heartbeat;
    }

    /**
     * Owner write: the key takes the next version. An identical live value is not rewritten.
     *
     * @return true if the state changed.
     */
    boolean setLocal(final String key, final byte[] value)
    {
        final byte[] keyUtf8 = checkKey(key);
        checkValue(key, value);
        final VersionedEntry existing = byKey.get(key);
        if (null != existing && !existing.tombstone && Arrays.equals(existing.value, value))
        {
            return false;
        }
        checkRoomFor(existing);
        put(new VersionedEntry(key, keyUtf8, value.clone(), maxVersion + 1, false, 0), existing);
        return true;
    }

    /**
     * Owner deletion: the key becomes a tombstone at the next version.
     *
     * @return true if a live key was deleted.
     */
    boolean deleteLocal(final String key, final long nowMs)
    {
        final VersionedEntry existing = byKey.get(key);
        if (null == existing || existing.tombstone)
        {
            return false;
        }
        put(new VersionedEntry(key, existing.keyUtf8, VersionedEntry.NO_VALUE, maxVersion + 1, true, nowMs), existing);
        return true;
    }

    /**
     * Apply one entry received from gossip. Entries at or below {@link #maxVersion()} are already known and ignored,
     * which makes applying a delta twice harmless.
     *
     * @return true if the entry was new here.
     */
    boolean applyRemote(
        final String key,
        final byte[] keyUtf8,
        final byte[] value,
        final long version,
        final boolean tombstone,
        final long nowMs)
    {
        if (version <= maxVersion)
        {
            return false;
        }
        final VersionedEntry existing = byKey.get(key);
        if (null == existing && byKey.size() >= MAX_ENTRIES)
        {
            // Over the bound: remember the version so gossip moves on, but do not grow.
            maxVersion = version;
            return false;
        }
        put(new VersionedEntry(key, keyUtf8, value, version, tombstone, tombstone ? nowMs : 0), existing);
        return true;
    }

    void raiseMaxVersion(final long version)
    {
        maxVersion = Math.max(maxVersion, version);
    }

    void raiseLastGcVersion(final long version)
    {
        lastGcVersion = Math.max(lastGcVersion, version);
    }

    void clearEntries()
    {
        byKey.clear();
        byVersion.clear();
        liveCount = 0;
        maxVersion = 0;
    }

    /**
     * Drop tombstones that were deleted at or before {@code deletedBeforeMs}.
     *
     * @return the number of tombstones collected.
     */
    int collectTombstones(final long deletedBeforeMs)
    {
        if (byKey.size() == liveCount)
        {
            return 0;
        }
        int collected = 0;
        final Iterator<VersionedEntry> iterator = byVersion.values().iterator();
        while (iterator.hasNext())
        {
            final VersionedEntry entry = iterator.next();
            if (entry.tombstone && entry.deletedAtMs <= deletedBeforeMs)
            {
                iterator.remove();
                byKey.remove(entry.key);
                lastGcVersion = Math.max(lastGcVersion, entry.version);
                collected++;
            }
        }
        return collected;
    }

    private void put(final VersionedEntry entry, final VersionedEntry existing)
    {
        if (null != existing)
        {
            byVersion.remove(existing.version);
            if (!existing.tombstone)
            {
                liveCount--;
            }
        }
        byKey.put(entry.key, entry);
        byVersion.put(entry.version, entry);
        if (!entry.tombstone)
        {
            liveCount++;
        }
        maxVersion = Math.max(maxVersion, entry.version);
    }

    private void checkRoomFor(final VersionedEntry existing)
    {
        if (null == existing && byKey.size() >= MAX_ENTRIES)
        {
            throw new IllegalStateException("node " + nodeId + " already holds " + MAX_ENTRIES +
                " entries (live keys plus tombstones); delete keys and let tombstones be collected first");
        }
    }

    static void checkNodeId(final int nodeId)
    {
        if (nodeId < 0 || nodeId > MAX_NODE_ID)
        {
            throw new IllegalArgumentException("node id must be 0.." + MAX_NODE_ID + ", got " + nodeId);
        }
    }

    private static byte[] checkKey(final String key)
    {
        if (null == key || key.isEmpty())
        {
            throw new IllegalArgumentException("key must be a non-empty string");
        }
        final byte[] utf8 = VersionedEntry.utf8(key);
        if (utf8.length > MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException("key '" + key.substring(0, Math.min(32, key.length())) + "...' is " +
                utf8.length + " UTF-8 bytes, the limit is " + MAX_KEY_LENGTH);
        }
        return utf8;
    }

    private static void checkValue(final String key, final byte[] value)
    {
        if (null == value)
        {
            throw new IllegalArgumentException("value of key '" + key + "' is null; use delete to remove a key");
        }
        if (value.length > MAX_VALUE_LENGTH)
        {
            throw new IllegalArgumentException("value of key '" + key + "' is " + value.length +
                " bytes, the limit is " + MAX_VALUE_LENGTH);
        }
    }
}
