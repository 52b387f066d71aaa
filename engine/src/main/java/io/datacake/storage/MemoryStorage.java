package io.datacake.storage;

import io.datacake.clock.HlcTimestamp;
import org.agrona.BitUtil;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link Storage} in process memory, for tests and as the embedded default. Values live off-heap in direct
 * buffers, one per document, reused when a document is overwritten with a value that fits; the index is an
 * Agrona {@link Long2ObjectHashMap} per keyspace, so a metadata scan sorts the keyspace's keys (into a key array the
 * transaction reuses) to visit them in unsigned key order. Nothing survives {@link #close()}.
 * <p>
 * Concurrency: a {@link ReadTransaction} holds a shared lock until it is closed and a commit holds the exclusive
 * lock, so a snapshot is simply "no commit runs meanwhile". Keep read scopes short (a long one delays the writer),
 * and never commit on a thread that holds an open read transaction of this storage (the lock does not upgrade).
 * <p>
 * A commit applies operations one by one; if one fails (the only realistic cause is running out of direct
 * memory), the {@link BulkMutationException} lists exactly the operations applied before it.
 */
public final class MemoryStorage implements Storage
{
    private static final int MIN_VALUE_CAPACITY = 16;

    private final int maxValueLength;
    private final Map<String, Keyspace> keyspaces = new HashMap<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final ThreadLocal<MemoryReadTransaction> pooledReaders = new ThreadLocal<>();
    private volatile boolean closed;

    /**
     * A memory storage with {@link Storage#DEFAULT_MAX_VALUE_LENGTH}.
     */
    public MemoryStorage()
    {
        this(DEFAULT_MAX_VALUE_LENGTH);
    }

    /**
     * @param maxValueLength largest value a document may hold, in bytes, 0..2^30.
     * @throws IllegalArgumentException if maxValueLength is out of range.
     */
    public MemoryStorage(final int maxValueLength)
    {
        if (maxValueLength < 0 || maxValueLength > (1 << 30))
        {
            throw new IllegalArgumentException("maxValueLength must be in [0, 2^30]: " + maxValueLength);
        }
        this.maxValueLength = maxValueLength;
    }

    /**
     * {@inheritDoc}
     */
    public int maxValueLength()
    {
        return maxValueLength;
    }

    /**
     * {@inheritDoc}
     */
    public List<String> keyspaces()
    {
        lock.readLock().lock();
        try
        {
            checkOpen();
            return new ArrayList<>(keyspaces.keySet());
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    /**
     * {@inheritDoc}
     */
    public ReadTransaction beginRead()
    {
        lock.readLock().lock();
        if (closed)
        {
            lock.readLock().unlock();
            throw closedException();
        }
        // one reusable transaction per thread keeps the read path allocation-free; nested scopes get their own
        MemoryReadTransaction reader = pooledReaders.get();
        if (null == reader)
        {
            reader = new MemoryReadTransaction();
            pooledReaders.set(reader);
        }
        else if (reader.open)
        {
            reader = new MemoryReadTransaction();
        }
        reader.open = true;
        return reader;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if this thread holds an open read transaction of this storage.
     */
    public void commit(final WriteBatch batch)
    {
        if (!checkCommit(batch))
        {
            return;
        }
        if (lock.getReadHoldCount() > 0)
        {
            // the read lock does not upgrade: waiting for the write lock here would never return
            throw new IllegalStateException(
                "commit on a thread that holds an open read transaction of this memory storage: close it first");
        }
        lock.writeLock().lock();
        applyLocked(batch);
    }

    /**
     * True: a commit only copies into memory; it waits for nothing but readers' open transactions, which
     * {@link #tryCommit(WriteBatch)} does not wait for.
     *
     * @return true.
     */
    @Override
    public boolean commitsWithoutWaiting()
    {
        return true;
    }

    /**
     * Commit unless a read transaction is open (on any thread, this one included): then return false at once.
     *
     * @param batch the operations, cleared only if committed.
     * @return true if committed.
     */
    @Override
    public boolean tryCommit(final WriteBatch batch)
    {
        if (!checkCommit(batch))
        {
            return true;
        }
        if (lock.getReadHoldCount() > 0 || !lock.writeLock().tryLock())
        {
            return false;
        }
        applyLocked(batch);
        return true;
    }

    private boolean checkCommit(final WriteBatch batch)
    {
        if (batch.maxValueLength() > maxValueLength)
        {
            throw new IllegalArgumentException("batch allows values of " + batch.maxValueLength() +
                " bytes, over this storage's maximum of " + maxValueLength + ": create it with newWriteBatch()");
        }
        return !batch.isEmpty();
    }

    /**
     * Apply the batch under the write lock this thread holds, release it, then clear the batch.
     */
    private void applyLocked(final WriteBatch batch)
    {
        try
        {
            checkOpen();
            final int size = batch.size();
            int applied = 0;
            try
            {
                for (; applied < size; applied++)
                {
                    apply(batch, applied);
                }
            }
            catch (final RuntimeException | OutOfMemoryError ex)
            {
                final int[] indexes = new int[applied];
                final long[] keys = new long[applied];
                for (int i = 0; i < applied; i++)
                {
                    indexes[i] = i;
                    keys[i] = batch.key(i);
                }
                throw new BulkMutationException(
                    "memory storage failed at operation " + applied + " of " + size, ex, indexes, keys);
            }
        }
        finally
        {
            lock.writeLock().unlock();
        }
        batch.clear();
    }

    /**
     * Drop every document and keyspace; later calls fail. Closing twice is harmless.
     */
    public void close()
    {
        lock.writeLock().lock();
        try
        {
            closed = true;
            keyspaces.clear();
        }
        finally
        {
            lock.writeLock().unlock();
        }
    }

    private void apply(final WriteBatch batch, final int index)
    {
        final byte type = batch.type(index);
        final String name = batch.keyspace(index);
        final long key = batch.key(index);

        if (WriteBatch.REMOVE_TOMBSTONE == type)
        {
            final Keyspace keyspace = keyspaces.get(name);
            if (null != keyspace)
            {
                final Entry entry = keyspace.entries.get(key);
                if (null != entry && entry.tombstone)
                {
                    keyspace.entries.remove(key);
                }
            }
            return;
        }

        final long stamp = batch.stamp(index);
        final int nodeId = batch.nodeId(index);
        Keyspace keyspace = keyspaces.get(name);
        if (null == keyspace)
        {
            keyspace = new Keyspace();
            keyspaces.put(name, keyspace);
        }

        Entry entry = keyspace.entries.get(key);
        if (null == entry)
        {
            entry = new Entry();
            keyspace.entries.put(key, entry);
        }
        else if (!wins(HlcTimestamp.compare(stamp, nodeId, entry.stamp, entry.nodeId), type, entry.tombstone))
        {
            return; // last write wins: an older or replayed write changes nothing
        }

        entry.stamp = stamp;
        entry.nodeId = nodeId;
        if (WriteBatch.TOMBSTONE == type)
        {
            entry.tombstone = true;
            entry.value.wrap(0, 0); // drop the value; the direct buffer is reclaimed by the GC
            entry.length = 0;
        }
        else
        {
            final int length = batch.valueLength(index);
            if (entry.value.capacity() < length)
            {
                final int capacity = BitUtil.findNextPositivePowerOfTwo(Math.max(MIN_VALUE_CAPACITY, length));
                entry.value.wrap(ByteBuffer.allocateDirect(capacity));
            }
            batch.copyValue(index, entry.value, 0);
            entry.length = length;
            entry.tombstone = false;
        }
    }

    /**
     * @param order           comparison of the new operation's timestamp with the stored entry's.
     * @param type            the new operation.
     * @param storedTombstone whether the stored entry is a tombstone.
     * @return true if the new operation replaces the stored entry (later timestamp, or the same timestamp and a put
     * over a tombstone, the ORSWOT's tie rule).
     */
    static boolean wins(final int order, final byte type, final boolean storedTombstone)
    {
        return order > 0 || (order == 0 && WriteBatch.PUT == type && storedTombstone);
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw closedException();
        }
    }

    private static StorageException closedException()
    {
        return new StorageException("memory storage is closed");
    }

    private static final class Keyspace
    {
        // Iterators must not be shared: readers on several threads may iterate at once.
        final Long2ObjectHashMap<Entry> entries = new Long2ObjectHashMap<>(
            8, org.agrona.collections.Hashing.DEFAULT_LOAD_FACTOR, false);
    }

    private static final class Entry
    {
        final UnsafeBuffer value = new UnsafeBuffer(0, 0);
        long stamp;
        int nodeId;
        int length;
        boolean tombstone;
    }

    private final class MemoryReadTransaction implements ReadTransaction
    {
        private boolean open;
        private long[] sortScratch = new long[0];
        private boolean sortScratchInUse;

        public boolean get(final String keyspace, final long key, final DocumentHandler handler)
        {
            KeyspaceNames.validate(keyspace);
            checkTxnOpen();
            final Keyspace space = keyspaces.get(keyspace);
            if (null == space)
            {
                return false;
            }
            final Entry entry = space.entries.get(key);
            if (null == entry || entry.tombstone)
            {
                return false;
            }
            handler.onDocument(key, entry.stamp, entry.nodeId, entry.value, 0, entry.length);
            return true;
        }

        public int getMany(
            final String keyspace, final long[] keys, final int offset, final int count, final DocumentHandler handler)
        {
            KeyspaceNames.validate(keyspace);
            checkTxnOpen();
            java.util.Objects.checkFromIndexSize(offset, count, keys.length);
            int found = 0;
            for (int i = offset, end = offset + count; i < end; i++)
            {
                if (get(keyspace, keys[i], handler))
                {
                    found++;
                }
            }
            return found;
        }

        public int forEachMetadata(final String keyspace, final MetadataHandler handler)
        {
            KeyspaceNames.validate(keyspace);
            checkTxnOpen();
            final Keyspace space = keyspaces.get(keyspace);
            if (null == space)
            {
                return 0;
            }

            // The index is a hash map: sort its keys into unsigned order. Flipping the sign bit maps unsigned
            // order onto signed order, so a plain sort does it without boxing.
            final int count = space.entries.size();
            final long[] keys = sortScratch(count);
            int i = 0;
            final Long2ObjectHashMap<Entry>.KeyIterator iterator = space.entries.keySet().iterator();
            while (iterator.hasNext())
            {
                keys[i++] = iterator.nextLong() ^ Long.MIN_VALUE;
            }
            Arrays.sort(keys, 0, count);

            sortScratchInUse = true;
            try
            {
                for (i = 0; i < count; i++)
                {
                    final long key = keys[i] ^ Long.MIN_VALUE;
                    final Entry entry = space.entries.get(key);
                    handler.onMetadata(key, entry.stamp, entry.nodeId, entry.tombstone);
                }
            }
            finally
            {
                sortScratchInUse = false;
            }
            return count;
        }

        /**
         * The reusable key array, or a fresh one if a handler iterates again from inside an iteration.
         */
        private long[] sortScratch(final int count)
        {
            if (sortScratchInUse)
            {
                return new long[count];
            }
            if (sortScratch.length < count)
            {
                sortScratch = new long[Math.max(count, sortScratch.length * 2)];
            }
            return sortScratch;
        }

        public void close()
        {
            if (open)
            {
                open = false;
                lock.readLock().unlock();
            }
        }

        private void checkTxnOpen()
        {
            if (!open)
            {
                throw new StorageException("read transaction is closed");
            }
        }
    }
}
