package io.datacake.storage;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The writer side of a {@link StorageWriter}: each turn is one commit window. It takes every write submitted so far
 * (up to the batch bounds) from the ring buffer into one {@link WriteBatch}, commits it in one storage transaction
 * and publishes the outcome for the whole sequence range. A window that starts with a repair write takes repair
 * writes only, up to the repair bounds, and is committed as a {@linkplain WriteBatch#refetchable(boolean)
 * refetchable} batch; a window that starts with any other write keeps the (smaller) client bounds and takes what
 * follows, repair writes included, committed with the storage's full durability. It holds off while the completion
 * queue is full, so every commit has a slot for its outcome.
 * <p>
 * Runs on the writer thread, or on the stepping thread in stepped mode; after the writer thread stopped, on the
 * closing thread. When the storage commits without waiting, the submitting thread may also take a turn through
 * {@link #tryCommitHere()}: a turn is taken only by the thread that claimed the agent, so the ring keeps one consumer
 * at a time and the claim hands the agent's state from one thread to the next. A window whose try found the storage
 * busy is held, and the next turn (on either thread) commits it before reading more.
 */
final class StorageWriterAgent implements Agent, ControlledMessageHandler
{
    private final Storage storage;
    private final RingBuffer ring;
    private final WriteCompletionQueue completions;
    private final WriteBatch batch;
    private final String[] keyspaceNames;
    private final String roleName;
    private final int maxBatchOperations;
    private final int maxBatchValueBytes;
    private final int maxRepairBatchOperations;
    private final int maxRepairBatchValueBytes;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private long firstSequence;
    private long lastSequence;
    private int windowWrites;
    private int windowValueBytes;
    private boolean windowRepairOnly;
    private boolean windowFull;
    private Throwable encodeFailure;
    private volatile boolean windowHeld;
    private volatile long commits;
    private volatile long failedCommits;
    private volatile long committedWrites;

    StorageWriterAgent(
        final StorageWriterContext ctx,
        final RingBuffer ring,
        final WriteCompletionQueue completions,
        final String[] keyspaceNames)
    {
        this.storage = ctx.storage();
        this.ring = ring;
        this.completions = completions;
        this.keyspaceNames = keyspaceNames;
        this.maxBatchOperations = ctx.maxBatchOperations();
        this.maxBatchValueBytes = ctx.maxBatchValueBytes();
        this.maxRepairBatchOperations = ctx.maxRepairBatchOperations();
        this.maxRepairBatchValueBytes = ctx.maxRepairBatchValueBytes();
        this.batch = new WriteBatch(ctx.maxValueLength(), Math.max(maxBatchOperations, maxRepairBatchOperations),
            Math.max(maxBatchValueBytes, maxRepairBatchValueBytes));
        this.roleName = ctx.threadName();
    }

    public int doWork()
    {
        return turn(false);
    }

    /**
     * A turn on the submitting thread: commit what was submitted so far if the storage can do it without waiting
     * and no other thread is taking a turn. Never waits.
     *
     * @return writes committed (or failed) by this turn, 0 if none could be.
     */
    int tryCommitHere()
    {
        return turn(true);
    }

    private int turn(final boolean tryOnly)
    {
        // Claim only with work in sight, so an idle writer thread polling an empty ring never makes the node
        // thread's try fail (a held window is published to the writer thread by the release of the claim).
        if ((!windowHeld && ring.consumerPosition() == ring.producerPosition()) ||
            !claimed.compareAndSet(false, true))
        {
            return 0;
        }
        try
        {
            return commitWindow(tryOnly);
        }
        finally
        {
            claimed.set(false);
        }
    }

    private int commitWindow(final boolean tryOnly)
    {
        if (!windowHeld && 0 == readWindow())
        {
            return 0;
        }
        final int operations = windowWrites;
        Throwable failure = encodeFailure;
        if (null == failure)
        {
            try
            {
                if (tryOnly && !storage.tryCommit(batch))
                {
                    windowHeld = true;
                    return 0;
                }
                if (!tryOnly)
                {
                    storage.commit(batch);
                }
            }
            catch (final Throwable ex)
            {
                failure = ex;
            }
        }
        windowHeld = false;
        batch.clear();
        encodeFailure = null;
        if (null == failure)
        {
            committedWrites += operations;
        }
        else
        {
            failedCommits++;
        }
        commits++;
        completions.publish(firstSequence, lastSequence, failure);
        return operations;
    }

    /**
     * Take everything submitted so far, up to the batch bounds, into the batch, if the completion queue has room for
     * the window's outcome (no one else publishes until the window is committed, so the room stays).
     */
    private int readWindow()
    {
        if (!completions.hasRoom())
        {
            return 0;
        }
        windowWrites = 0;
        windowValueBytes = 0;
        windowFull = false;
        // One read stops at the end of the ring's buffer (or at padding there): read on while it moves, so a window
        // takes everything submitted so far across the wrap. Bounded by the window and by what is in the ring.
        long position;
        do
        {
            position = ring.consumerPosition();
            ring.controlledRead(this, batch.maxOperations() - windowWrites);
        }
        while (!windowFull && windowWrites < batch.maxOperations() && ring.consumerPosition() != position);
        batch.refetchable(windowRepairOnly);
        return windowWrites;
    }

    public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int valueLength = length - WriteRecord.VALUE_OFFSET;
        final boolean repair = WriteRecord.isRepair(msgTypeId);
        if (windowWrites > 0 && (windowRepairOnly && !repair || exceedsWindow(valueLength)))
        {
            // The window is full, or it holds only repair writes and this one is not: leave this write in the ring
            // for the next window, so a client write waits behind at most one repair window.
            windowFull = true;
            return Action.ABORT;
        }
        final long sequence = WriteRecord.sequence(buffer, index);
        if (0 == windowWrites)
        {
            firstSequence = sequence;
            windowRepairOnly = repair;
        }
        lastSequence = sequence;
        windowWrites++;
        windowValueBytes += valueLength;
        final int operation = WriteRecord.operation(msgTypeId);
        final String keyspace = keyspaceNames[WriteRecord.keyspaceId(buffer, index)];
        final long key = WriteRecord.key(buffer, index);
        try
        {
            if (WriteBatch.PUT == operation)
            {
                batch.put(keyspace, key, WriteRecord.stamp(buffer, index), WriteRecord.nodeId(buffer, index),
                    buffer, index + WriteRecord.VALUE_OFFSET, valueLength);
            }
            else if (WriteBatch.TOMBSTONE == operation)
            {
                batch.tombstone(keyspace, key, WriteRecord.stamp(buffer, index), WriteRecord.nodeId(buffer, index));
            }
            else
            {
                batch.removeTombstone(keyspace, key);
            }
        }
        catch (final RuntimeException ex)
        {
            // Submit validated the write, so this is a bug; the window fails as a whole rather than losing a write.
            encodeFailure = ex;
        }
        return Action.CONTINUE;
    }

    public String roleName()
    {
        return roleName;
    }

    long commits()
    {
        return commits;
    }

    long failedCommits()
    {
        return failedCommits;
    }

    long committedWrites()
    {
        return committedWrites;
    }

    private boolean exceedsWindow(final int valueLength)
    {
        final int maxOperations = windowRepairOnly ? maxRepairBatchOperations : maxBatchOperations;
        final int maxValueBytes = windowRepairOnly ? maxRepairBatchValueBytes : maxBatchValueBytes;
        return windowWrites >= maxOperations || windowValueBytes + valueLength > maxValueBytes;
    }
}
