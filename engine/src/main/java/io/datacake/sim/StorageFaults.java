package io.datacake.sim;

/**
 * Decides what a {@link SimStorage} does with each commit: whether it fails (nothing is applied) and, if not, how
 * long after the commit it becomes durable (reaches the simulated disk). A crash before that point loses the
 * commit. The storage asks {@link #failsCommit} first and {@link #syncDelayMs} only for a commit that goes through.
 * Implementations must be deterministic for a given seed and call order.
 */
public interface StorageFaults
{
    /** No faults: every commit succeeds and is durable when it returns. */
    StorageFaults NONE = new StorageFaults()
    {
        public boolean failsCommit(final String storageName, final int operationCount)
        {
            return false;
        }

        public long syncDelayMs(final String storageName, final int operationCount)
        {
            return 0;
        }
    };

    /**
     * Whether a commit fails with a storage error; the storage then applies none of its operations.
     *
     * @param storageName    the storage's name (the node's endpoint in a {@link Simulation}).
     * @param operationCount operations in the batch.
     * @return true to fail the commit.
     */
    boolean failsCommit(String storageName, int operationCount);

    /**
     * How long after a successful commit it becomes durable. Commits become durable in commit order, so a commit
     * is never durable before an earlier one.
     *
     * @param storageName    the storage's name.
     * @param operationCount operations in the batch.
     * @return milliseconds of virtual time; 0 (or negative) for durable when the commit returns.
     */
    long syncDelayMs(String storageName, int operationCount);
}
