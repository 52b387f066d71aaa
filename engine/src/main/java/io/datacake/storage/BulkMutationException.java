package io.datacake.storage;

import java.util.Arrays;

/**
 * A {@link WriteBatch} (or a bulk convenience call) failed part-way. It says exactly which operations of the batch
 * were applied and are durable to the storage's configured level, so the caller applies exactly those to its CRDT
 * state and replicas never diverge (datacake's {@code BulkMutationError}).
 * <p>
 * Implementations that commit a batch in one transaction report {@link #appliedCount()} 0: nothing was applied.
 * Operations are identified by their index in the batch, in the order they were added.
 */
public final class BulkMutationException extends StorageException
{
    private final int[] appliedOperations;
    private final long[] appliedKeys;

    /**
     * @param message           what failed.
     * @param cause             the underlying error.
     * @param appliedOperations indexes (in the batch) of the operations that were applied, ascending; copied.
     * @param appliedKeys       keys of those operations, same order; copied.
     */
    public BulkMutationException(
        final String message, final Throwable cause, final int[] appliedOperations, final long[] appliedKeys)
    {
        super(message + " (" + appliedOperations.length + " operations applied)", cause);
        if (appliedOperations.length != appliedKeys.length)
        {
            throw new IllegalArgumentException(
                "applied operations and keys differ in length: " + appliedOperations.length + " vs " +
                appliedKeys.length);
        }
        this.appliedOperations = appliedOperations.clone();
        this.appliedKeys = appliedKeys.clone();
    }

    /**
     * A failure that applied nothing: the whole batch was rolled back.
     *
     * @param message what failed.
     * @param cause   the underlying error.
     * @return the exception.
     */
    public static BulkMutationException nothingApplied(final String message, final Throwable cause)
    {
        return new BulkMutationException(message, cause, new int[0], new long[0]);
    }

    /**
     * @return how many operations of the batch were applied.
     */
    public int appliedCount()
    {
        return appliedOperations.length;
    }

    /**
     * @param operationIndex index of an operation in the failed batch.
     * @return true if that operation was applied.
     */
    public boolean isApplied(final int operationIndex)
    {
        return Arrays.binarySearch(appliedOperations, operationIndex) >= 0;
    }

    /**
     * @return indexes of the applied operations in the batch, ascending (a copy).
     */
    public int[] appliedOperations()
    {
        return appliedOperations.clone();
    }

    /**
     * @return keys of the applied operations, in operation order (a copy). Keys of different keyspaces are not
     * told apart here: use {@link #appliedOperations()} with {@link WriteBatch#keyspace(int)} for mixed batches.
     */
    public long[] appliedKeys()
    {
        return appliedKeys.clone();
    }
}
