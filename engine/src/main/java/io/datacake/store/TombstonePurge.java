package io.datacake.store;

import io.datacake.clock.HlcTimestamp;
import io.datacake.crdt.EntryConsumer;
import io.datacake.storage.StorageWriter;
import io.datacake.storage.WriteCompletionHandler;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The purge steps of one store, on the node thread: each step sweeps a bounded part of one keyspace's tombstone
 * table, submits a storage removal for every tombstone below the keyspace's purge floor, and drops each from the set
 * and tree only once its removal committed. A failed removal leaves set, tree and storage holding the tombstone
 * (the storages of this project apply none of a failed commit; a removal that did land is harmless to repeat) and
 * rewinds the sweep so the next step tries again. One step is in flight at a time.
 */
final class TombstonePurge implements WriteCompletionHandler
{
    /** A step looks at no more than this many tombstone table slots per tombstone it may remove. */
    static final int SCAN_SLOTS_PER_ENTRY = 4;

    private final int maxEntriesPerStep;
    private final long[] keys;
    private final long[] stamps;
    private final int[] nodeIds;
    private final EntryConsumer collector = this::collect;
    private final AtomicCounter purged;
    private final AtomicCounter failures;
    private Keyspace keyspace;
    private long floorMs;
    private int collected;
    private long firstSequence;
    private int outstanding;
    private int stepStartCursor;

    TombstonePurge(final int maxEntriesPerStep, final AtomicCounter purged, final AtomicCounter failures)
    {
        this.maxEntriesPerStep = maxEntriesPerStep;
        this.keys = new long[maxEntriesPerStep];
        this.stamps = new long[maxEntriesPerStep];
        this.nodeIds = new int[maxEntriesPerStep];
        this.purged = purged;
        this.failures = failures;
    }

    /**
     * @return true while removals of the last step are still waiting for their commit.
     */
    boolean isInFlight()
    {
        return outstanding > 0;
    }

    /**
     * Sweep on in the keyspace from where its last step stopped and submit the removal of every tombstone older
     * than the floor found, at most {@code maxEntriesPerStep} of them over at most {@link #SCAN_SLOTS_PER_ENTRY}
     * times as many slots. Does nothing while the previous step is in flight.
     *
     * @return the number of removals submitted.
     */
    int step(final Keyspace keyspace, final long floorMs, final StorageWriter writer)
    {
        if (outstanding > 0 || Keyspace.NEVER == floorMs || 0 == keyspace.set().tombstoneCount())
        {
            return 0;
        }
        this.keyspace = keyspace;
        this.floorMs = floorMs;
        collected = 0;
        stepStartCursor = keyspace.purgeCursor();
        int cursor = stepStartCursor;
        int slotsLeft = SCAN_SLOTS_PER_ENTRY * maxEntriesPerStep;
        // Chunks no larger than the room left, so a chunk can never find more tombstones than fit.
        do
        {
            final int chunk = Math.min(maxEntriesPerStep - collected, slotsLeft);
            cursor = keyspace.set().forEachTombstoneFrom(cursor, chunk, collector);
            slotsLeft -= chunk;
        }
        while (0 != cursor && collected < maxEntriesPerStep && slotsLeft > 0);
        keyspace.purgeCursor(cursor);

        int submitted = 0;
        for (; submitted < collected; submitted++)
        {
            final long sequence = writer.submitRemoveTombstone(keyspace.name(), keys[submitted], this);
            if (sequence < 0)
            {
                // Back-pressured or closing: what was not submitted is found again from the step's start.
                keyspace.purgeCursor(stepStartCursor);
                break;
            }
            if (0 == submitted)
            {
                firstSequence = sequence;
            }
        }
        outstanding = submitted;
        return submitted;
    }

    public void onWriteCommitted(final long sequence)
    {
        final int index = (int)(sequence - firstSequence);
        // The key may have been written again since: only exactly this tombstone goes.
        if (keyspace.dropPurged(keys[index], stamps[index], nodeIds[index]))
        {
            purged.increment();
        }
        outstanding--;
    }

    public void onWriteFailed(final long sequence, final Throwable cause)
    {
        failures.increment();
        keyspace.purgeCursor(stepStartCursor);
        outstanding--;
    }

    private void collect(final long key, final long stamp, final int nodeId)
    {
        if (HlcTimestamp.millis(stamp) < floorMs)
        {
            keys[collected] = key;
            stamps[collected] = stamp;
            nodeIds[collected] = nodeId;
            collected++;
        }
    }
}
