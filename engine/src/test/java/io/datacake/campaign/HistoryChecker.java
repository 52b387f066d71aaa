package io.datacake.campaign;

import io.datacake.clock.HlcTimestamp;
import io.datacake.storage.Document;
import io.datacake.storage.Metadata;
import io.datacake.storage.Storage;
import io.datacake.store.StoreInspector;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a seed's history against the converged cluster:
 * <ul>
 *   <li>nothing is stored that was never written: every live document is the exact value of a put of its key, by
 *       its coordinator, with the stamp the coordinator gave it; every tombstone is a delete of its key;</li>
 *   <li>no acknowledged write is lost: a put acknowledged at its level is still there (or deleted later by stamp)
 *       unless every node that acknowledged it may have lost it in a crash (on the write-back disk, as many nodes
 *       as its level needed crashed between its invocation and its durability);</li>
 *   <li>deleted keys never come back: a key whose acknowledged delete beat its put is not live (absent is fine:
 *       the tombstone may have been purged);</li>
 *   <li>each node's set agrees with its storage, key by key;</li>
 *   <li>each node incarnation stamped its writes in strictly increasing HLC order (regressions across a restart are
 *       counted, see {@link SeedResult#stampRegressionsAcrossRestarts}).</li>
 * </ul>
 * Convergence itself (equal trees, sets and stored data on every node) is checked before, by the run.
 */
final class HistoryChecker
{
    private final CampaignCluster cluster;
    private final List<Op> history;
    private final SeedResult result;
    private final Map<Long, Op> putByKey = new HashMap<>();
    private final Map<Long, Op> deleteByKey = new HashMap<>();

    HistoryChecker(final CampaignCluster cluster, final List<Op> history, final SeedResult result)
    {
        this.cluster = cluster;
        this.history = history;
        this.result = result;
        for (final Op op : history)
        {
            for (final long key : op.keys)
            {
                (Op.Kind.PUT == op.kind ? putByKey : deleteByKey).put(key, op);
            }
        }
    }

    void check()
    {
        checkStoredKeysWereWritten();
        checkSetsMatchStorage();
        checkPuts();
        checkStampOrder();
    }

    /**
     * A stored or read document against the put that wrote its key.
     *
     * @return what is wrong, or null.
     */
    static String checkDocument(final Document document, final Op put)
    {
        if (null == put)
        {
            return "key " + document.key() + " was never written but reads " + describe(document);
        }
        final int index = indexOf(put.keys, document.key());
        if (!Arrays.equals(put.values[index], document.value()))
        {
            final ByteBuffer value = ByteBuffer.wrap(document.value());
            final String origin = document.valueLength() >= CampaignRun.VALUE_HEADER_LENGTH ?
                " (its value names op " + value.getLong(0) + " by node " + value.getInt(Long.BYTES) + " for key " +
                value.getLong(Long.BYTES + Integer.BYTES) + ")" : "";
            return "key " + document.key() + " reads a value never written to it" + origin + "; written by " + put;
        }
        if (document.nodeId() != put.coordinator)
        {
            return "key " + document.key() + " carries node id " + document.nodeId() + ", not its coordinator's: " +
                put;
        }
        if (put.stampKnown() && document.stamp() != put.stamp)
        {
            return "key " + document.key() + " carries stamp " + HlcTimestamp.toString(document.stamp(),
                document.nodeId()) + ", not the one its coordinator gave it: " + put;
        }
        return null;
    }

    /**
     * An order-independent fingerprint of the stored data of some keyspaces: every entry's key, stamp, node, kind
     * and value.
     */
    static long storageFingerprint(final Storage storage, final List<String> keyspaces)
    {
        long fingerprint = 0;
        final List<String> stored = storage.keyspaces();
        for (final String name : keyspaces)
        {
            if (!stored.contains(name))
            {
                continue;
            }
            final long nameHash = name.hashCode();
            for (final Metadata entry : storage.metadata(name))
            {
                long hash = CampaignRun.mix(nameHash ^ CampaignRun.mix(entry.key() ^ CampaignRun.mix(
                    entry.stamp() ^ ((long)entry.nodeId() << 1 | (entry.tombstone() ? 1 : 0)))));
                if (!entry.tombstone())
                {
                    final Document document = storage.get(name, entry.key());
                    hash ^= null == document ? -1 : Arrays.hashCode(document.value());
                }
                fingerprint += CampaignRun.mix(hash);
            }
        }
        return fingerprint;
    }

    private void checkStoredKeysWereWritten()
    {
        final Storage storage = cluster.storage(1);
        for (final String name : storage.keyspaces())
        {
            for (final Metadata entry : storage.metadata(name))
            {
                final Op put = putByKey.get(entry.key());
                if (null == put || !put.keyspace.equals(name))
                {
                    result.violation("keyspace " + name + " stores key " + entry.key() + " that no put wrote there");
                }
                else if (!entry.tombstone())
                {
                    final String problem = checkDocument(storage.get(name, entry.key()), put);
                    if (null != problem)
                    {
                        result.violation("stored: " + problem);
                    }
                }
            }
        }
    }

    private void checkSetsMatchStorage()
    {
        for (int id = 1; id <= cluster.nodeCount(); id++)
        {
            final Map<String, Map<Long, Metadata>> stored = entries(cluster.storage(id));
            for (final Op put : putByKey.values())
            {
                for (final long key : put.keys)
                {
                    final Metadata entry = entry(stored, put.keyspace, key);
                    final int kind = StoreInspector.kind(cluster.store(id), put.keyspace, key);
                    final int storedKind = null == entry ? StoreInspector.ABSENT :
                        entry.tombstone() ? StoreInspector.TOMBSTONE : StoreInspector.LIVE;
                    if (kind != storedKind || (null != entry &&
                        StoreInspector.stamp(cluster.store(id), put.keyspace, key) != entry.stamp()))
                    {
                        result.violation("node " + id + ": key " + key + " in " + put.keyspace + " is " +
                            kindName(kind) + " in the set but " + kindName(storedKind) + " in storage (" + entry +
                            "); " + put);
                        return;
                    }
                }
            }
        }
    }

    private void checkPuts()
    {
        final Map<String, Map<Long, Metadata>> entries = entries(cluster.storage(1));
        for (final Op put : putByKey.values())
        {
            if (Op.Outcome.OK == put.outcome)
            {
                result.writesAcknowledged++;
            }
            final boolean mustSurvive = mustSurvive(put);
            if (mustSurvive)
            {
                result.writesRequiredToSurvive++;
            }
        }
        for (final Map.Entry<Long, Op> byKey : putByKey.entrySet())
        {
            final long key = byKey.getKey();
            final Op put = byKey.getValue();
            final Op delete = deleteByKey.get(key);
            final Metadata stored = entry(entries, put.keyspace, key);
            result.keysChecked++;
            final boolean deleteWon = null != delete && delete.stampKnown() && (!put.stampKnown() ||
                HlcTimestamp.compare(delete.stamp, delete.coordinator, put.stamp, put.coordinator) > 0);
            if (null == stored)
            {
                if (mustSurvive(put) && !deleteWon)
                {
                    result.lostWrites++;
                    result.violation("lost write: key " + key + " is on no node; " + put +
                        (null == delete ? "" : "; " + delete) + "; " + crashesAround(put));
                }
            }
            else if (stored.tombstone())
            {
                if (null == delete || stored.nodeId() != delete.coordinator ||
                    (delete.stampKnown() && stored.stamp() != delete.stamp))
                {
                    result.violation("key " + key + " holds a tombstone " + HlcTimestamp.toString(stored.stamp(),
                        stored.nodeId()) + " that no delete of it wrote; " + put + (null == delete ? "" : "; " +
                        delete));
                }
                else if (put.stampKnown() &&
                    HlcTimestamp.compare(stored.stamp(), stored.nodeId(), put.stamp, put.coordinator) < 0 &&
                    mustSurvive(put))
                {
                    result.lostWrites++;
                    result.violation("lost write: an older tombstone beat key " + key + "; " + put + "; " + delete);
                }
            }
            else if (deleteWon && mustSurvive(delete))
            {
                result.violation("deleted key came back: key " + key + " is live again after its acknowledged " +
                    "delete won; " + put + "; " + delete + "; " + crashesAround(delete));
            }
        }
    }

    private void checkStampOrder()
    {
        final Map<Integer, Op> lastByNode = new HashMap<>();
        for (final Op op : history)
        {
            if (!op.stampKnown())
            {
                continue;
            }
            final Op last = lastByNode.put(op.coordinator, op);
            if (null != last && last.stamp >= op.stamp)
            {
                if (last.incarnation == op.incarnation)
                {
                    result.violation("node " + op.coordinator + " stamped a later write no later than an earlier " +
                        "one in the same incarnation: " + last + " then " + op);
                }
                else
                {
                    result.stampRegressionsAcrossRestarts++;
                }
            }
        }
    }

    private boolean mustSurvive(final Op op)
    {
        if (Op.Outcome.OK != op.outcome)
        {
            return false;
        }
        if (!cluster.settings.crashLosesAcknowledgedCommits())
        {
            return true;
        }
        final int crashed = cluster.nodesCrashedBetween(
            op.invokedAtMs, op.completedAtMs + cluster.settings.maxSyncDelayMs);
        return crashed < Op.acknowledgers(op.level, op.viewMembers);
    }

    private String crashesAround(final Op op)
    {
        return cluster.nodesCrashedBetween(op.invokedAtMs, op.completedAtMs + cluster.settings.maxSyncDelayMs) +
            " node(s) crashed between its invocation and its durability";
    }

    /**
     * Keyspace name to key to stored entry, read once per node.
     */
    private static Map<String, Map<Long, Metadata>> entries(final Storage storage)
    {
        final Map<String, Map<Long, Metadata>> byKeyspace = new HashMap<>();
        for (final String name : storage.keyspaces())
        {
            final Map<Long, Metadata> byKey = new HashMap<>();
            for (final Metadata entry : storage.metadata(name))
            {
                byKey.put(entry.key(), entry);
            }
            byKeyspace.put(name, byKey);
        }
        return byKeyspace;
    }

    private static Metadata entry(final Map<String, Map<Long, Metadata>> entries, final String keyspace,
        final long key)
    {
        final Map<Long, Metadata> byKey = entries.get(keyspace);
        return null == byKey ? null : byKey.get(key);
    }

    private static int indexOf(final long[] keys, final long key)
    {
        for (int i = 0; i < keys.length; i++)
        {
            if (keys[i] == key)
            {
                return i;
            }
        }
        throw new IllegalStateException("key " + key + " is not among the put's keys");
    }

    private static String kindName(final int kind)
    {
        return StoreInspector.LIVE == kind ? "live" : StoreInspector.TOMBSTONE == kind ? "a tombstone" : "absent";
    }

    private static String describe(final Document document)
    {
        return HlcTimestamp.toString(document.stamp(), document.nodeId()) + " with " + document.valueLength() +
            " value bytes";
    }
}
