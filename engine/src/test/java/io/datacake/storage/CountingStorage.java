package io.datacake.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * A storage that delegates to a {@link MemoryStorage}, records the size of every commit, and fails the commits it
 * is told to fail (without applying anything, like a transactional storage).
 */
public final class CountingStorage extends ForwardingStorage
{
    private final List<Integer> commitSizes = new ArrayList<>();
    private final List<Boolean> commitRefetchable = new ArrayList<>();
    private int commitsToFail;

    /**
     * A counting storage over a new {@link MemoryStorage}.
     */
    public CountingStorage()
    {
        super(new MemoryStorage());
    }

    /**
     * Fail the next {@code count} commits with a {@link BulkMutationException} that applied nothing.
     *
     * @param count commits to fail; 0 stops failing.
     */
    public synchronized void failNextCommits(final int count)
    {
        commitsToFail = count;
    }

    /** Sizes of every commit attempted, failed ones included, in order. */
    synchronized List<Integer> commitSizes()
    {
        return new ArrayList<>(commitSizes);
    }

    /**
     * @return for every commit attempted, whether its batch was marked refetchable.
     */
    synchronized List<Boolean> commitRefetchable()
    {
        return new ArrayList<>(commitRefetchable);
    }

    public synchronized void commit(final WriteBatch batch)
    {
        commitSizes.add(batch.size());
        commitRefetchable.add(batch.isRefetchable());
        if (commitsToFail > 0)
        {
            commitsToFail--;
            throw BulkMutationException.nothingApplied("disk full (injected)", new java.io.IOException("ENOSPC"));
        }
        super.commit(batch);
    }
}
