package io.datacake.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * A storage that delegates to a {@link MemoryStorage}, records the size of every commit, and fails the commits it
 * is told to fail (without applying anything, like a transactional storage).
 */
public final class CountingStorage implements Storage
{
    private final MemoryStorage delegate = new MemoryStorage();
    private final List<Integer> commitSizes = new ArrayList<>();
    private int commitsToFail;

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

    public int maxValueLength()
    {
        return delegate.maxValueLength();
    }

    public List<String> keyspaces()
    {
        return delegate.keyspaces();
    }

    public ReadTransaction beginRead()
    {
        return delegate.beginRead();
    }

    public synchronized void commit(final WriteBatch batch)
    {
        commitSizes.add(batch.size());
        if (commitsToFail > 0)
        {
            commitsToFail--;
            throw BulkMutationException.nothingApplied("disk full (injected)", new java.io.IOException("ENOSPC"));
        }
        delegate.commit(batch);
    }

    public void close()
    {
        delegate.close();
    }
}
