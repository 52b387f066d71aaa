package io.datacake.storage;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Durable home of a node's documents: per named keyspace, a map from 64-bit document id to the last write of that
 * id, which is either a live document (value bytes) or a tombstone, each with the HLC timestamp of the write
 * (packed stamp plus node id, see {@code io.datacake.clock.HlcTimestamp}). This javadoc is the specification that
 * the conformance kit ({@code datacake-storage-tck}) checks.
 *
 * <h2>Data model</h2>
 * <ul>
 *   <li>A keyspace name is 1 to {@link #MAX_KEYSPACE_NAME_BYTES} bytes of UTF-8; every method that takes one
 *       rejects others with {@link InvalidKeyspaceNameException} before touching the storage.</li>
 *   <li>A keyspace exists once a put or tombstone has been committed to it, and is listed by {@link #keyspaces()}
 *       from then on, even when every entry has been removed again. Reads never create keyspaces; an unknown
 *       keyspace reads as empty.</li>
 *   <li>A value is 0 to {@link #maxValueLength()} bytes; an empty value is a live document, not a tombstone. A
 *       longer value is rejected with {@link ValueTooLargeException} when it is added to a batch.</li>
 * </ul>
 *
 * <h2>Writes</h2>
 * Writes go through a {@link WriteBatch} committed by {@link #commit(WriteBatch)}, by a single writer thread at a
 * time: a {@link StorageWriter}'s thread, which commits for the node thread so that a slow commit never stalls it. The convenience methods ({@link #put}, {@link #markTombstone}, ...) build and commit a
 * batch of their own. For every put or tombstone, per key:
 * <ul>
 *   <li><b>Last write wins by timestamp.</b> The operation replaces the stored entry only if its timestamp is
 *       later, by (stamp, node id), than the stored entry's, live or tombstone. An operation with an earlier or
 *       equal timestamp changes nothing (writes arrive out of order under replication; an equal timestamp is the
 *       same write replayed) and still counts as applied. One exception, the ORSWOT's tie rule: a put with exactly
 *       the timestamp of a stored tombstone replaces it.</li>
 *   <li>A put stores the value and clears any tombstone; a tombstone drops the value and keeps a marker with
 *       its timestamp, also for a key or keyspace never seen before.</li>
 *   <li>A tombstone removal forgets the marker of a key whose entry is a tombstone; a live entry, a missing key
 *       and a missing keyspace are left alone and not an error.</li>
 *   <li>Operations of one batch apply in order; a later operation of the same batch sees the earlier ones.</li>
 * </ul>
 * A commit is atomic and durable to the implementation's configured level when it returns; a batch marked
 * {@linkplain WriteBatch#refetchable(boolean) refetchable} may be committed with less durability, within the bounds
 * its javadoc sets (never the storage's integrity, never an earlier batch not so marked). If it fails, it throws
 * {@link BulkMutationException} naming exactly which operations were applied (none, for the transactional
 * implementations in this project), and the storage holds exactly those. A batch is cleared by a successful commit
 * and left untouched by a failed one.
 *
 * <h2>Reads</h2>
 * {@link #beginRead()} opens a {@link ReadTransaction} over a consistent snapshot holding every commit that
 * returned before it began. Values are handed out as views valid only inside the handler call (zero copy where the
 * backing store allows it). Tombstones never read as documents; {@link ReadTransaction#forEachMetadata} lists
 * live entries and tombstones with their timestamps. Any number of threads may read concurrently with each other
 * and with the writer; each thread uses its own transactions.
 *
 * <h2>Lifecycle</h2>
 * A persistent implementation reopened on the same location holds every committed write and every keyspace name.
 * {@link #close()} releases everything; use after close fails with {@link StorageException}. A location that holds
 * a corrupt or foreign file fails to open with {@link StorageCorruptedException} and is left unchanged.
 */
public interface Storage extends AutoCloseable
{
    /** Longest keyspace name, in UTF-8 bytes. */
    int MAX_KEYSPACE_NAME_BYTES = 255;

    /** Default largest value, in bytes, for implementations that take it as an option. */
    int DEFAULT_MAX_VALUE_LENGTH = 16 * 1024 * 1024;

    /**
     * @return the largest value a document may hold, in bytes.
     */
    int maxValueLength();

    /**
     * @return the names of every keyspace written to, in no particular order (a new list).
     * @throws StorageException if the storage failed or is closed.
     */
    List<String> keyspaces();

    /**
     * Open a read scope over the current committed state.
     *
     * @return the transaction; close it on the same thread.
     * @throws StorageException if the storage failed, has too many open readers, or is closed.
     */
    ReadTransaction beginRead();

    /**
     * @return a new, empty batch bounded to this storage's {@link #maxValueLength()}; reuse it across commits.
     */
    default WriteBatch newWriteBatch()
    {
        return new WriteBatch(maxValueLength());
    }

    /**
     * Apply every operation of the batch in one transaction, then clear the batch. An empty batch is a no-op.
     *
     * @param batch the operations; it must have been created for a storage with the same or a smaller maximum
     *              value length.
     * @throws BulkMutationException    if the commit failed; it names the operations that were applied.
     * @throws IllegalArgumentException if the batch allows larger values than this storage.
     * @throws StorageException         if the storage is closed.
     */
    void commit(WriteBatch batch);

    /**
     * Whether {@link #tryCommit(WriteBatch)} can succeed: the storage commits without I/O, flushes or lock waits
     * once nothing else holds it. A {@link StorageWriter} then commits on the submitting (node) thread when it can,
     * instead of handing every window to its writer thread. Default false.
     *
     * @return true if {@link #tryCommit(WriteBatch)} may commit.
     */
    default boolean commitsWithoutWaiting()
    {
        return false;
    }

    /**
     * Commit the batch as {@link #commit(WriteBatch)} does, but only if that needs no wait (for a lock another
     * thread holds, for I/O or for a flush); otherwise leave the batch and the storage untouched. What a successful
     * try promises is what a commit promises. The default never commits.
     *
     * @param batch the operations, cleared only if committed.
     * @return true if the batch was committed, false if committing it now would have to wait.
     * @throws BulkMutationException    if the commit was attempted and failed; it names the operations applied.
     * @throws IllegalArgumentException if the batch allows larger values than this storage.
     * @throws StorageException         if the storage is closed.
     */
    default boolean tryCommit(final WriteBatch batch)
    {
        return false;
    }

    /**
     * Whether reading never waits: {@link #beginRead()}, every read of the transaction and its close complete without
     * waiting for a lock another thread holds (a commit), for I/O (a page fault of a cold mapped page counts) or for
     * a flush. A {@code ReplicatedStore} over such a storage answers repair fetches on its node thread, copying each
     * value from the storage's view straight into the transport's frame; over any other storage it reads them on its
     * repair reader thread, so that a slow read never stalls the node. Default false: none of the storages of this
     * project claim it ({@link MemoryStorage} reads share a lock that its commits hold exclusively, SQLite reads are
     * queries that may reach the disk, LMDB reads may fault a cold page in).
     *
     * @return true only if no read of this storage ever waits.
     */
    default boolean readsWithoutBlocking()
    {
        return false;
    }

    /**
     * Release every resource. Closing twice is harmless.
     *
     * @throws StorageException if the backing store failed to close cleanly.
     */
    void close();

    /**
     * Store one document (a batch of one).
     *
     * @param keyspace keyspace name.
     * @param key      document id.
     * @param stamp    packed HLC stamp.
     * @param nodeId   node id of the timestamp.
     * @param value    buffer holding the value.
     * @param offset   offset of the value.
     * @param length   length of the value.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws ValueTooLargeException       if the value is too long.
     * @throws BulkMutationException        if the write failed.
     */
    default void put(
        final String keyspace,
        final long key,
        final long stamp,
        final int nodeId,
        final DirectBuffer value,
        final int offset,
        final int length)
    {
        commit(newWriteBatch().put(keyspace, key, stamp, nodeId, value, offset, length));
    }

    /**
     * Store one document from an array (a batch of one).
     *
     * @param keyspace keyspace name.
     * @param key      document id.
     * @param stamp    packed HLC stamp.
     * @param nodeId   node id of the timestamp.
     * @param value    the value bytes.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws ValueTooLargeException       if the value is too long.
     * @throws BulkMutationException        if the write failed.
     */
    default void put(final String keyspace, final long key, final long stamp, final int nodeId, final byte[] value)
    {
        put(keyspace, key, stamp, nodeId, new UnsafeBuffer(value), 0, value.length);
    }

    /**
     * Store many documents in one transaction.
     *
     * @param keyspace  keyspace name.
     * @param documents the documents.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws ValueTooLargeException       if a value is too long (nothing is written).
     * @throws BulkMutationException        if the write failed; its applied keys are the documents written.
     */
    default void putMany(final String keyspace, final List<Document> documents)
    {
        final WriteBatch batch = new WriteBatch(
            maxValueLength(), Math.max(1, documents.size()), Integer.MAX_VALUE);
        final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
        for (final Document document : documents)
        {
            final byte[] value = document.value();
            buffer.wrap(value);
            batch.put(keyspace, document.key(), document.stamp(), document.nodeId(), buffer, 0, value.length);
        }
        commit(batch);
    }

    /**
     * Mark one document deleted (a batch of one).
     *
     * @param keyspace keyspace name.
     * @param key      document id.
     * @param stamp    packed HLC stamp of the delete.
     * @param nodeId   node id of the timestamp.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws BulkMutationException        if the write failed.
     */
    default void markTombstone(final String keyspace, final long key, final long stamp, final int nodeId)
    {
        commit(newWriteBatch().tombstone(keyspace, key, stamp, nodeId));
    }

    /**
     * Mark many documents deleted in one transaction.
     *
     * @param keyspace keyspace name.
     * @param entries  key and timestamp of each delete; the tombstone flag of each entry is ignored.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws BulkMutationException        if the write failed; its applied keys are the tombstones written.
     */
    default void markManyTombstones(final String keyspace, final List<Metadata> entries)
    {
        final WriteBatch batch = new WriteBatch(maxValueLength(), Math.max(1, entries.size()), maxValueLength());
        for (final Metadata entry : entries)
        {
            batch.tombstone(keyspace, entry.key(), entry.stamp(), entry.nodeId());
        }
        commit(batch);
    }

    /**
     * Forget the tombstones of the given keys in one transaction (tombstone purge).
     *
     * @param keyspace keyspace name.
     * @param keys     document ids.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws BulkMutationException        if the write failed; its applied keys are the removals done.
     */
    default void removeTombstones(final String keyspace, final long... keys)
    {
        final WriteBatch batch = new WriteBatch(maxValueLength(), Math.max(1, keys.length), maxValueLength());
        for (final long key : keys)
        {
            batch.removeTombstone(keyspace, key);
        }
        commit(batch);
    }

    /**
     * Read and copy one live document.
     *
     * @param keyspace keyspace name.
     * @param key      document id.
     * @return the document, or null if it is missing or a tombstone.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws StorageException             if the storage failed.
     */
    default Document get(final String keyspace, final long key)
    {
        final List<Document> found = getMany(keyspace, key);
        return found.isEmpty() ? null : found.get(0);
    }

    /**
     * Read and copy many live documents; missing and tombstoned keys are skipped.
     *
     * @param keyspace keyspace name.
     * @param keys     document ids.
     * @return the documents found, in the order of {@code keys}.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws StorageException             if the storage failed.
     */
    default List<Document> getMany(final String keyspace, final long... keys)
    {
        final List<Document> found = new ArrayList<>(keys.length);
        try (ReadTransaction txn = beginRead())
        {
            txn.getMany(keyspace, keys, 0, keys.length, (key, stamp, nodeId, buffer, offset, length) ->
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                found.add(new Document(key, stamp, nodeId, bytes));
            });
        }
        return found;
    }

    /**
     * Copy the metadata of every entry of a keyspace, live or tombstone.
     *
     * @param keyspace keyspace name; an unknown keyspace yields an empty list.
     * @return the entries, in the order {@link ReadTransaction#forEachMetadata} visits them.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws StorageException             if the storage failed.
     */
    default List<Metadata> metadata(final String keyspace)
    {
        final List<Metadata> entries = new ArrayList<>();
        try (ReadTransaction txn = beginRead())
        {
            txn.forEachMetadata(keyspace, (key, stamp, nodeId, tombstone) ->
                entries.add(new Metadata(key, stamp, nodeId, tombstone)));
        }
        return entries;
    }
}
