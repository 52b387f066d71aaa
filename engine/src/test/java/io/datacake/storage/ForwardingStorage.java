package io.datacake.storage;

import java.util.List;

/**
 * A storage that hands every method of the storage contract to another storage, for test doubles that change only
 * what they test (count commits, hold or fail reads, wrap views): a subclass overrides those methods and calls
 * {@code super} for the real work. The contract's default methods are not forwarded, so they run over this storage
 * and reach the subclass's overrides.
 */
public class ForwardingStorage implements Storage
{
    private final Storage delegate;

    /**
     * @param delegate the storage that does the work; closed with this one.
     */
    public ForwardingStorage(final Storage delegate)
    {
        this.delegate = delegate;
    }

    /**
     * {@inheritDoc}
     */
    public int maxValueLength()
    {
        return delegate.maxValueLength();
    }

    /**
     * {@inheritDoc}
     */
    public List<String> keyspaces()
    {
        return delegate.keyspaces();
    }

    /**
     * {@inheritDoc}
     */
    public ReadTransaction beginRead()
    {
        return delegate.beginRead();
    }

    /**
     * {@inheritDoc}
     */
    public void commit(final WriteBatch batch)
    {
        delegate.commit(batch);
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        delegate.close();
    }
}
