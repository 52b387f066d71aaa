package io.datacake.storage;

/**
 * A read scope over one consistent snapshot of a {@link Storage}. Values handed to a {@link DocumentHandler} are
 * views (for LMDB, of the mmap'd pages) valid only until the handler returns and never past {@link #close()}.
 * <p>
 * A transaction belongs to the thread that began it: use it from that thread only and close it there, promptly
 * (an open LMDB reader pins old pages; an open SQLite reader holds back the WAL checkpoint). Reads never create a
 * keyspace: an unknown keyspace reads as empty.
 */
public interface ReadTransaction extends AutoCloseable
{
    /**
     * Read one live document.
     *
     * @param keyspace keyspace name.
     * @param key      document id.
     * @param handler  receives the document if it exists and is not a tombstone.
     * @return true if the document was found (and the handler called), false if it is missing or a tombstone.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws StorageException             if the storage failed or this transaction is closed.
     */
    boolean get(String keyspace, long key, DocumentHandler handler);

    /**
     * Read many documents; missing and tombstoned keys are skipped silently. The handler is called in the order
     * of {@code keys}.
     *
     * @param keyspace keyspace name.
     * @param keys     document ids.
     * @param offset   first index in {@code keys} to read.
     * @param count    number of keys to read.
     * @param handler  receives each live document.
     * @return the number of documents found.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws IndexOutOfBoundsException    if offset and count are outside {@code keys}.
     * @throws StorageException             if the storage failed or this transaction is closed.
     */
    int getMany(String keyspace, long[] keys, int offset, int count, DocumentHandler handler);

    /**
     * Visit the metadata of every document in a keyspace, live or tombstone, without reading values, in
     * <b>unsigned</b> key order: keys are 64-bit ids, so 0, 1, ..., {@link Long#MAX_VALUE}, then {@link Long#MIN_VALUE}
     * (2^63), ..., -1 (2^64 - 1), the order of {@link Long#compareUnsigned}. Every storage visits in this order, so
     * replicas on different storages walk a keyspace alike.
     *
     * @param keyspace keyspace name; an unknown keyspace has no entries.
     * @param handler  receives every entry.
     * @return the number of entries visited.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws StorageException             if the storage failed or this transaction is closed.
     */
    int forEachMetadata(String keyspace, MetadataHandler handler);

    /**
     * End the scope. Every view handed out becomes invalid. Closing twice is harmless.
     *
     * @throws StorageException if the storage failed to release the snapshot.
     */
    void close();
}
