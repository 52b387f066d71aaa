package io.datacake.storage;

/**
 * Told on the node thread when a write submitted to a {@link StorageWriter} has been committed or has failed;
 * exactly one of the two calls per write, in submission order. A handler is typically one reused object (a store)
 * that tells writes apart by sequence number, so completions allocate nothing. Must not block.
 */
public interface WriteCompletionHandler
{
    /**
     * The write is in the storage, to the durability the storage's mode gives (see {@link StorageWriter}).
     *
     * @param sequence the number {@link StorageWriter} returned when the write was submitted.
     */
    void onWriteCommitted(long sequence);

    /**
     * The commit window holding the write failed; every write of that window gets this call with the same cause.
     *
     * @param sequence the number returned when the write was submitted.
     * @param cause    what the storage threw: a {@link BulkMutationException} names the operations that were
     *                 applied anyway (none for the transactional storages of this project); a
     *                 {@link StorageException} if the storage was closed.
     */
    void onWriteFailed(long sequence, Throwable cause);
}
