package io.datacake.store;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.node.NodeCounters;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * What a {@link ReplicatedStore} has done, readable from any thread without locks: every figure is one of the
 * node's counters (so the node's counters file, and whatever exports it, carries the same figures under the labels
 * named here), written by the node thread and read with a volatile load. Totals only grow; the gauges (live members,
 * keyspaces, documents) follow the node's state. Two reads are not a consistent snapshot of each other.
 */
public final class StoreStatistics
{
    /** Label of the node counter of repair fetches refused because the repair reader held its bound of fetches. */
    public static final String REPAIR_FETCHES_READER_BUSY_LABEL = "store repair fetches refused: reader queue full";

    /** Label of the node counter of repair fetches failed because reading their values from storage failed. */
    public static final String REPAIR_FETCH_READ_FAILURES_LABEL = "store repair fetches failed: storage read error";

    private static final ConsistencyLevel[] LEVELS = ConsistencyLevel.values();
    private static final WriteFailureKind[] FAILURE_KINDS = WriteFailureKind.values();
    private static final EntryPath[] ENTRY_PATHS = EntryPath.values();

    /** Label of the gauge of off-heap bytes the keyspaces' resident state holds. */
    public static final String STATE_BYTES_LABEL = "store keyspace state bytes (sets, trees, segment indexes)";

    private final AtomicCounter liveMembers;
    private final AtomicCounter keyspaces;
    private final AtomicCounter documents;
    private final AtomicCounter stateBytes;
    private final AtomicCounter[] writesByLevel = new AtomicCounter[LEVELS.length];
    private final AtomicCounter[] failuresByKind = new AtomicCounter[FAILURE_KINDS.length];
    private final AtomicCounter[] stampedAheadByPath = new AtomicCounter[ENTRY_PATHS.length];
    private final AtomicCounter repairRounds;
    private final AtomicCounter repairEntriesCompared;
    private final AtomicCounter repairBytesCompared;
    private final AtomicCounter repairBytesSent;
    private final AtomicCounter documentsFetched;
    private final AtomicCounter tombstonesPurged;
    private final AtomicCounter broadcastMessages;
    private final AtomicCounter broadcastsDropped;
    private final AtomicCounter repairFetchesReaderBusy;
    private final AtomicCounter repairFetchReadFailures;

    StoreStatistics(
        final NodeCounters counters,
        final AtomicCounter repairRounds,
        final AtomicCounter repairEntriesCompared,
        final AtomicCounter documentsFetched,
        final AtomicCounter tombstonesPurged,
        final AtomicCounter broadcastsDropped)
    {
        liveMembers = counters.newCounter("store live members");
        keyspaces = counters.newCounter("store keyspaces");
        documents = counters.newCounter("store documents");
        stateBytes = counters.newCounter(STATE_BYTES_LABEL);
        for (final ConsistencyLevel level : LEVELS)
        {
            writesByLevel[level.ordinal()] = counters.newCounter("store writes coordinated at " + level);
        }
        for (final WriteFailureKind kind : FAILURE_KINDS)
        {
            failuresByKind[kind.ordinal()] = counters.newCounter("store writes failed: " + kind);
        }
        for (final EntryPath path : ENTRY_PATHS)
        {
            stampedAheadByPath[path.ordinal()] =
                counters.newCounter("store entries dropped, stamped beyond the maximum drift: " + path);
        }
        repairBytesCompared = counters.newCounter("store repair reply bytes compared");
        repairBytesSent = counters.newCounter("store repair request bytes sent");
        broadcastMessages = counters.newCounter("store broadcast messages sent");
        repairFetchesReaderBusy = counters.newCounter(REPAIR_FETCHES_READER_BUSY_LABEL);
        repairFetchReadFailures = counters.newCounter(REPAIR_FETCH_READ_FAILURES_LABEL);
        this.repairRounds = repairRounds;
        this.repairEntriesCompared = repairEntriesCompared;
        this.documentsFetched = documentsFetched;
        this.tombstonesPurged = tombstonesPurged;
        this.broadcastsDropped = broadcastsDropped;
    }

    /**
     * @return live members of the cluster view, this node included.
     */
    public long liveMembers()
    {
        return liveMembers.get();
    }

    /**
     * @return keyspaces this node holds.
     */
    public long keyspaces()
    {
        return keyspaces.get();
    }

    /**
     * @return live documents (keys whose last write is a put) over every keyspace of this node.
     */
    public long documents()
    {
        return documents.get();
    }

    /**
     * @param level a consistency level.
     * @return writes this node coordinated at that level (counted once their replicas were chosen).
     * @throws NullPointerException if level is null.
     */
    public long writes(final ConsistencyLevel level)
    {
        return writesByLevel[level.ordinal()].get();
    }

    /**
     * @param kind a kind of failure.
     * @return writes this node coordinated, or refused, that failed for that reason.
     * @throws NullPointerException if kind is null.
     */
    public long failures(final WriteFailureKind kind)
    {
        return failuresByKind[kind.ordinal()].get();
    }

    /**
     * Entries from peers dropped unapplied because their stamp was further ahead of this node's wall clock than the
     * hybrid logical clock's maximum drift: a peer with a broken clock (or a bug) would otherwise win every
     * last-write-wins comparison of their keys for as long as its stamps stay ahead.
     *
     * @param path how the entries arrived.
     * @return the count.
     * @throws NullPointerException if path is null.
     */
    public long entriesStampedAhead(final EntryPath path)
    {
        return stampedAheadByPath[path.ordinal()].get();
    }

    /**
     * @return off-heap bytes the keyspaces' resident state holds (their sets, content trees and segment indexes),
     * as of the store's start, its last repair round or its last purge step: what grows with the keyspace, as any
     * node holding the data needs it, apart from repair's and the writer's bounded buffers.
     */
    public long stateBytes()
    {
        return stateBytes.get();
    }

    /**
     * @return repair rounds this node started.
     */
    public long repairRounds()
    {
        return repairRounds.get();
    }

    /**
     * @return entries repair fetched from peers and compared with this node's set.
     */
    public long repairEntriesCompared()
    {
        return repairEntriesCompared.get();
    }

    /**
     * @return bytes of repair replies (keyspace lists, tree levels, fetched entries) this node compared.
     */
    public long repairBytesCompared()
    {
        return repairBytesCompared.get();
    }

    /**
     * @return bytes of repair requests (keyspace list, tree descent and fetch requests) this node sent; with
     * {@link #repairBytesCompared()}, the bytes a node's own repair rounds cost it on the wire (frame headers aside).
     */
    public long repairBytesSent()
    {
        return repairBytesSent.get();
    }

    /**
     * @return fetched entries that changed this node (newer than what it held).
     */
    public long documentsFetched()
    {
        return documentsFetched.get();
    }

    /**
     * @return tombstones purged (removed from storage, then from the set).
     */
    public long tombstonesPurged()
    {
        return tombstonesPurged.get();
    }

    /**
     * @return batched broadcast messages sent to members that were not selected replicas.
     */
    public long broadcastMessages()
    {
        return broadcastMessages.get();
    }

    /**
     * @return broadcast messages dropped (the transport was back-pressured, or the message was too long); repair
     * carries their writes on.
     */
    public long broadcastsDropped()
    {
        return broadcastsDropped.get();
    }

    /**
     * @return repair fetches from peers this node refused because its repair reader already held
     * {@link StoreContext#repairReaderQueueCapacity(int)} fetches; each peer asks again in a later round.
     */
    public long repairFetchesRefusedReaderBusy()
    {
        return repairFetchesReaderBusy.get();
    }

    /**
     * @return repair fetches from peers this node failed because reading the values from its storage failed; the
     * peer's round fails and a later one asks again.
     */
    public long repairFetchReadFailures()
    {
        return repairFetchReadFailures.get();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "StoreStatistics{liveMembers=" + liveMembers() + ", keyspaces=" + keyspaces() + ", documents=" +
            documents() + ", repairRounds=" + repairRounds() + ", tombstonesPurged=" + tombstonesPurged() + "}";
    }

    void liveMembers(final int count)
    {
        liveMembers.setRelease(count);
    }

    void keyspaces(final int count)
    {
        keyspaces.setRelease(count);
    }

    void stateBytes(final long bytes)
    {
        stateBytes.setRelease(bytes);
    }

    void documentsChanged(final long delta)
    {
        if (0 != delta)
        {
            documents.getAndAdd(delta);
        }
    }

    void onWrite(final ConsistencyLevel level)
    {
        writesByLevel[level.ordinal()].increment();
    }

    void onFailure(final WriteFailureKind kind)
    {
        failuresByKind[kind.ordinal()].increment();
    }

    /**
     * The counter of one path, for the node thread's per-entry check to increment without a lookup.
     */
    AtomicCounter stampedAhead(final EntryPath path)
    {
        return stampedAheadByPath[path.ordinal()];
    }

    void onRepairReply(final int length)
    {
        repairBytesCompared.getAndAdd(length);
    }

    void onRepairRequest(final int length)
    {
        repairBytesSent.getAndAdd(length);
    }

    void onRepairFetchReaderBusy()
    {
        repairFetchesReaderBusy.increment();
    }

    void onRepairFetchReadFailure()
    {
        repairFetchReadFailures.increment();
    }

    void onBroadcastMessage()
    {
        broadcastMessages.increment();
    }
}
