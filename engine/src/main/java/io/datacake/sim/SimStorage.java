package io.datacake.sim;

import io.datacake.storage.BulkMutationException;
import io.datacake.storage.DocumentHandler;
import io.datacake.storage.KeyspaceNames;
import io.datacake.storage.MetadataHandler;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.Storage;
import io.datacake.storage.StorageException;
import io.datacake.storage.WriteBatch;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link Storage} for simulations, with a disk that can lose writes: a simulated node's storage that survives
 * its crashes and restarts.
 * <p>
 * It keeps two layers. A successful {@link #commit} applies the batch to the <em>volatile</em> layer at once (the
 * page cache: every read sees it) and becomes <em>durable</em> (fsynced) at a virtual time the
 * {@link StorageFaults} plan decides, in commit order. {@link #crash()} throws away every commit that was not
 * durable yet, as a power loss would: after {@link #reopen()} the storage reads exactly the durable state. A commit
 * the plan fails throws {@link BulkMutationException} with nothing applied.
 * <p>
 * A stepped storage writer honours slow commits with {@link #lastCommitSequence()} and
 * {@link #lastCommitDurableAtMs()} right after a commit, and acknowledges the writes once
 * {@link #isDurable(long)} holds (or the virtual clock reaches that time). Durability is computed from the
 * virtual clock when asked, so no one has to step the storage.
 * <p>
 * {@link #close()} is a clean shutdown: everything committed becomes durable. Reads and writes between a crash or
 * close and the next {@link #reopen()} fail with {@link StorageException}.
 * <p>
 * Values are copied onto the heap: simulation only. Safe for concurrent readers like {@code MemoryStorage} (one
 * lock, readers share it), although a simulation drives it from one thread.
 */
public final class SimStorage implements Storage
{
    /** Default bound on commits waiting to become durable; one more fails as a full write-back queue. */
    public static final int DEFAULT_MAX_PENDING_COMMITS = 65_536;

    private final String name;
    private final SimClock clock;
    private final StorageFaults faults;
    private final int maxValueLength;
    private final int maxPendingCommits;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final ArrayDeque<PendingCommit> pendingCommits = new ArrayDeque<>();
    // First and last sequence of the commits each crash lost, one pair per crash that lost any (exact answers for
    // isDurable; grows by 16 bytes per such crash).
    private final LongArrayList lostSequenceRanges = new LongArrayList();
    private SimTable durable = new SimTable();
    private SimTable visible = new SimTable();
    private long lastCommitSequence;
    private long lastCommitDurableAtMs;
    private long durableSequence;
    private long commitsFailed;
    private long commitsLost;
    private long crashCount;
    private volatile boolean open = true;

    /**
     * A storage with {@link Storage#DEFAULT_MAX_VALUE_LENGTH} and {@link #DEFAULT_MAX_PENDING_COMMITS}.
     *
     * @param name   a name for messages and for the fault plan (a simulation uses the node's endpoint).
     * @param clock  the virtual clock that durability follows.
     * @param faults the fault plan.
     */
    public SimStorage(final String name, final SimClock clock, final StorageFaults faults)
    {
        this(name, clock, faults, DEFAULT_MAX_VALUE_LENGTH, DEFAULT_MAX_PENDING_COMMITS);
    }

    /**
     * A storage.
     *
     * @param name              a name for messages and for the fault plan.
     * @param clock             the virtual clock that durability follows.
     * @param faults            the fault plan.
     * @param maxValueLength    largest value, in bytes, 0..2^30.
     * @param maxPendingCommits bound on commits waiting to become durable, positive.
     * @throws IllegalArgumentException if a bound is out of range.
     * @throws NullPointerException     if the name, clock or faults is null.
     */
    public SimStorage(
        final String name,
        final SimClock clock,
        final StorageFaults faults,
        final int maxValueLength,
        final int maxPendingCommits)
    {
        if (maxValueLength < 0 || maxValueLength > (1 << 30))
        {
            throw new IllegalArgumentException("maxValueLength must be in [0, 2^30]: " + maxValueLength);
        }
        if (maxPendingCommits <= 0)
        {
            throw new IllegalArgumentException("maxPendingCommits must be positive: " + maxPendingCommits);
        }
        this.name = Objects.requireNonNull(name, "name");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.faults = Objects.requireNonNull(faults, "faults");
        this.maxValueLength = maxValueLength;
        this.maxPendingCommits = maxPendingCommits;
        this.lastCommitDurableAtMs = clock.time();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int maxValueLength()
    {
        return maxValueLength;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public List<String> keyspaces()
    {
        lock.readLock().lock();
        try
        {
            checkOpen();
            return visible.keyspaceNames();
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public ReadTransaction beginRead()
    {
        lock.readLock().lock();
        if (!open)
        {
            lock.readLock().unlock();
            throw closedException();
        }
        return new SimReadTransaction(visible);
    }

    /**
     * Apply the batch to the volatile layer and schedule its durability by the fault plan; or fail it by the plan.
     *
     * @param batch the operations; cleared on success, untouched on failure.
     * @throws BulkMutationException    if the fault plan fails the commit, or {@link #maxPendingCommits()} commits
     *                                  are waiting to become durable; nothing is applied.
     * @throws IllegalArgumentException if the batch allows larger values than this storage.
     * @throws IllegalStateException    if this thread holds an open read transaction of this storage.
     * @throws StorageException         if the storage is crashed or closed.
     */
    @Override
    public void commit(final WriteBatch batch)
    {
        if (batch.maxValueLength() > maxValueLength)
        {
            throw new IllegalArgumentException("batch allows values of " + batch.maxValueLength() +
                " bytes, over this storage's maximum of " + maxValueLength + ": create it with newWriteBatch()");
        }
        if (batch.isEmpty())
        {
            return;
        }
        if (lock.getReadHoldCount() > 0)
        {
            throw new IllegalStateException(
                "commit on a thread that holds an open read transaction of sim storage " + name + ": close it first");
        }
        lock.writeLock().lock();
        try
        {
            checkOpen();
            final long nowMs = clock.time();
            applyDurableUpTo(nowMs);
            if (pendingCommits.size() >= maxPendingCommits)
            {
                commitsFailed++;
                throw BulkMutationException.nothingApplied("sim storage " + name + " has " + maxPendingCommits +
                    " commits waiting to become durable (maxPendingCommits): let virtual time pass", null);
            }
            if (faults.failsCommit(name, batch.size()))
            {
                commitsFailed++;
                throw BulkMutationException.nothingApplied(
                    "simulated commit failure of sim storage " + name + " at virtual time " + nowMs, null);
            }
            final SimTable.Operation[] operations = SimTable.Operation.copyOf(batch);
            for (final SimTable.Operation operation : operations)
            {
                visible.apply(operation);
            }
            final long durableAtMs = Math.max(lastCommitDurableAtMs, nowMs + Math.max(0, faults.syncDelayMs(
                name, operations.length)));
            lastCommitSequence++;
            lastCommitDurableAtMs = durableAtMs;
            if (durableAtMs <= nowMs)
            {
                applyDurable(operations, lastCommitSequence);
            }
            else
            {
                pendingCommits.addLast(new PendingCommit(lastCommitSequence, durableAtMs, operations));
            }
        }
        finally
        {
            lock.writeLock().unlock();
        }
        batch.clear();
    }

    /**
     * Make every commit durable now, as an explicit fsync would.
     *
     * @throws StorageException if the storage is crashed or closed.
     */
    public void sync()
    {
        lock.writeLock().lock();
        try
        {
            checkOpen();
            applyDurableUpTo(Long.MAX_VALUE);
            lastCommitDurableAtMs = Math.min(lastCommitDurableAtMs, clock.time());
        }
        finally
        {
            lock.writeLock().unlock();
        }
    }

    /**
     * A power loss: every commit not yet durable at the current virtual time is lost, and the storage stays down
     * until {@link #reopen()}. Crashing a closed or crashed storage loses nothing more.
     *
     * @return the number of commits lost.
     */
    public int crash()
    {
        lock.writeLock().lock();
        try
        {
            final long nowMs = clock.time();
            applyDurableUpTo(nowMs);
            final int lost = pendingCommits.size();
            if (lost > 0)
            {
                lostSequenceRanges.addLong(pendingCommits.peekFirst().sequence);
                lostSequenceRanges.addLong(pendingCommits.peekLast().sequence);
            }
            pendingCommits.clear();
            commitsLost += lost;
            lastCommitDurableAtMs = Math.min(lastCommitDurableAtMs, nowMs);
            visible = durable.copy();
            if (open)
            {
                crashCount++;
            }
            open = false;
            return lost;
        }
        finally
        {
            lock.writeLock().unlock();
        }
    }

    /**
     * Open the storage again after a crash or close (a restarted node opening the same location); it holds exactly
     * the durable state.
     *
     * @throws IllegalStateException if the storage is open.
     */
    public void reopen()
    {
        lock.writeLock().lock();
        try
        {
            if (open)
            {
                throw new IllegalStateException("sim storage " + name + " is open: crash or close it first");
            }
            open = true;
        }
        finally
        {
            lock.writeLock().unlock();
        }
    }

    /**
     * A clean shutdown: every commit becomes durable, then the storage is down until {@link #reopen()}. Closing
     * twice is harmless.
     */
    @Override
    public void close()
    {
        lock.writeLock().lock();
        try
        {
            if (open)
            {
                applyDurableUpTo(Long.MAX_VALUE);
                lastCommitDurableAtMs = Math.min(lastCommitDurableAtMs, clock.time());
                open = false;
            }
        }
        finally
        {
            lock.writeLock().unlock();
        }
    }

    /**
     * Whether the storage is open (not crashed or closed since the last {@link #reopen()}).
     *
     * @return true if open.
     */
    public boolean isOpen()
    {
        return open;
    }

    /**
     * The sequence number of the last successful commit, counting from 1 over the storage's life (crashes included).
     *
     * @return the sequence, 0 before the first commit.
     */
    public long lastCommitSequence()
    {
        lock.readLock().lock();
        try
        {
            return lastCommitSequence;
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    /**
     * When the last successful commit becomes (or became) durable: read it right after a commit to know when to
     * acknowledge the commit's writes.
     *
     * @return virtual epoch milliseconds; at most the commit time if it was durable on return.
     */
    public long lastCommitDurableAtMs()
    {
        lock.readLock().lock();
        try
        {
            return lastCommitDurableAtMs;
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    /**
     * The highest commit sequence that is durable at the current virtual time; commits become durable in order.
     *
     * @return the sequence, 0 if none.
     */
    public long durableSequence()
    {
        lock.readLock().lock();
        try
        {
            final long nowMs = clock.time();
            long sequence = durableSequence;
            for (final PendingCommit pending : pendingCommits)
            {
                if (pending.durableAtMs > nowMs)
                {
                    break;
                }
                sequence = pending.sequence;
            }
            return sequence;
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    /**
     * Whether a commit survives a crash now.
     *
     * @param sequence a commit sequence from {@link #lastCommitSequence()}.
     * @return true if it is durable; false if it is still waiting, was lost in a crash, or was never committed.
     */
    public boolean isDurable(final long sequence)
    {
        if (sequence <= 0 || sequence > durableSequence())
        {
            return false;
        }
        lock.readLock().lock();
        try
        {
            for (int i = 0, size = lostSequenceRanges.size(); i < size; i += 2)
            {
                if (sequence >= lostSequenceRanges.getLong(i) && sequence <= lostSequenceRanges.getLong(i + 1))
                {
                    return false;
                }
            }
            return true;
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    /**
     * Virtual time at which the oldest waiting commit becomes durable.
     *
     * @return epoch milliseconds, or {@link Long#MAX_VALUE} if every commit is durable.
     */
    public long nextDurableAtMs()
    {
        lock.readLock().lock();
        try
        {
            final PendingCommit next = pendingCommits.peekFirst();
            return null == next ? Long.MAX_VALUE : next.durableAtMs;
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    /**
     * Commits waiting to become durable, including those whose time has come but were not yet folded in.
     *
     * @return count.
     */
    public int pendingCommitCount()
    {
        lock.readLock().lock();
        try
        {
            return pendingCommits.size();
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    /**
     * The bound on commits waiting to become durable.
     *
     * @return commits.
     */
    public int maxPendingCommits()
    {
        return maxPendingCommits;
    }

    /**
     * Commits the fault plan (or a full write-back queue) failed.
     *
     * @return count.
     */
    public long commitsFailed()
    {
        lock.readLock().lock();
        try
        {
            return commitsFailed;
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    /**
     * Commits lost in crashes.
     *
     * @return count.
     */
    public long commitsLost()
    {
        lock.readLock().lock();
        try
        {
            return commitsLost;
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    /**
     * Crashes of an open storage.
     *
     * @return count.
     */
    public long crashCount()
    {
        lock.readLock().lock();
        try
        {
            return crashCount;
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    /**
     * The storage's name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "SimStorage{" + name + (open ? "" : ", down") + "}";
    }

    private void applyDurableUpTo(final long timeMs)
    {
        PendingCommit pending;
        while (null != (pending = pendingCommits.peekFirst()) && pending.durableAtMs <= timeMs)
        {
            pendingCommits.pollFirst();
            applyDurable(pending.operations, pending.sequence);
        }
    }

    private void applyDurable(final SimTable.Operation[] operations, final long sequence)
    {
        for (final SimTable.Operation operation : operations)
        {
            durable.apply(operation);
        }
        durableSequence = sequence;
    }

    private void checkOpen()
    {
        if (!open)
        {
            throw closedException();
        }
    }

    private StorageException closedException()
    {
        return new StorageException("sim storage " + name + " is down (crashed or closed): reopen() it first");
    }

    private static final class PendingCommit
    {
        final long sequence;
        final long durableAtMs;
        final SimTable.Operation[] operations;

        PendingCommit(final long sequence, final long durableAtMs, final SimTable.Operation[] operations)
        {
            this.sequence = sequence;
            this.durableAtMs = durableAtMs;
            this.operations = operations;
        }
    }

    private final class SimReadTransaction implements ReadTransaction
    {
        private final SimTable table;
        private final UnsafeBuffer valueView = new UnsafeBuffer(new byte[0]);
        private boolean active = true;

        SimReadTransaction(final SimTable table)
        {
            this.table = table;
        }

        public boolean get(final String keyspace, final long key, final DocumentHandler handler)
        {
            KeyspaceNames.validate(keyspace);
            checkActive();
            return read(keyspace, key, handler);
        }

        public int getMany(
            final String keyspace, final long[] keys, final int offset, final int count, final DocumentHandler handler)
        {
            KeyspaceNames.validate(keyspace);
            Objects.checkFromIndexSize(offset, count, keys.length);
            checkActive();
            int found = 0;
            for (int i = offset, end = offset + count; i < end; i++)
            {
                if (read(keyspace, keys[i], handler))
                {
                    found++;
                }
            }
            return found;
        }

        public int forEachMetadata(final String keyspace, final MetadataHandler handler)
        {
            KeyspaceNames.validate(keyspace);
            checkActive();
            final TreeMap<Long, SimTable.Entry> entries = table.entries(keyspace);
            if (null == entries)
            {
                return 0;
            }
            int count = 0;
            for (final Map.Entry<Long, SimTable.Entry> entry : entries.entrySet())
            {
                final SimTable.Entry stored = entry.getValue();
                handler.onMetadata(entry.getKey(), stored.stamp, stored.nodeId, stored.tombstone);
                count++;
            }
            return count;
        }

        public void close()
        {
            if (active)
            {
                active = false;
                lock.readLock().unlock();
            }
        }

        private boolean read(final String keyspace, final long key, final DocumentHandler handler)
        {
            final TreeMap<Long, SimTable.Entry> entries = table.entries(keyspace);
            final SimTable.Entry stored = null == entries ? null : entries.get(key);
            if (null == stored || stored.tombstone)
            {
                return false;
            }
            valueView.wrap(stored.value);
            handler.onDocument(key, stored.stamp, stored.nodeId, valueView, 0, stored.value.length);
            return true;
        }

        private void checkActive()
        {
            if (!active)
            {
                throw new StorageException("read transaction is closed");
            }
        }
    }
}
