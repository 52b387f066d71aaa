package io.datacake.storage;

import java.util.Objects;

/**
 * Skeleton of a {@link ReadTransaction} for storages that number their keyspaces: it validates arguments, checks
 * the transaction is open, resolves the keyspace name once per call and reads an unknown keyspace as empty, so an
 * implementation only supplies the keyspace lookup and the per-key and per-keyspace reads.
 */
public abstract class KeyspaceReadTransaction implements ReadTransaction
{
    /** What {@link #keyspaceId(String)} returns for a keyspace the storage has never written. */
    public static final int NO_KEYSPACE = -1;

    /**
     * {@inheritDoc}
     */
    public final boolean get(final String keyspace, final long key, final DocumentHandler handler)
    {
        KeyspaceNames.validate(keyspace);
        checkActive();
        final int keyspaceId = keyspaceId(keyspace);
        return keyspaceId != NO_KEYSPACE && read(keyspaceId, key, handler);
    }

    /**
     * {@inheritDoc}
     */
    public final int getMany(
        final String keyspace, final long[] keys, final int offset, final int count, final DocumentHandler handler)
    {
        KeyspaceNames.validate(keyspace);
        Objects.checkFromIndexSize(offset, count, keys.length);
        checkActive();
        final int keyspaceId = keyspaceId(keyspace);
        if (keyspaceId == NO_KEYSPACE)
        {
            return 0;
        }
        int found = 0;
        for (int i = offset, end = offset + count; i < end; i++)
        {
            if (read(keyspaceId, keys[i], handler))
            {
                found++;
            }
        }
        return found;
    }

    /**
     * {@inheritDoc}
     */
    public final int forEachMetadata(final String keyspace, final MetadataHandler handler)
    {
        KeyspaceNames.validate(keyspace);
        checkActive();
        final int keyspaceId = keyspaceId(keyspace);
        return keyspaceId == NO_KEYSPACE ? 0 : forEachMetadata(keyspaceId, handler);
    }

    /**
     * @return true between the start of the read scope and {@link #close()}.
     */
    protected abstract boolean isActive();

    /**
     * @param keyspace a valid keyspace name.
     * @return the storage's number for the keyspace, or {@link #NO_KEYSPACE}.
     */
    protected abstract int keyspaceId(String keyspace);

    /**
     * Read one key of a known keyspace.
     *
     * @param keyspaceId the keyspace number.
     * @param key        document id.
     * @param handler    receives the document if it is live.
     * @return true if a live document was found.
     */
    protected abstract boolean read(int keyspaceId, long key, DocumentHandler handler);

    /**
     * Visit the metadata of a known keyspace.
     *
     * @param keyspaceId the keyspace number.
     * @param handler    receives every entry, tombstones included.
     * @return the number of entries visited.
     */
    protected abstract int forEachMetadata(int keyspaceId, MetadataHandler handler);

    private void checkActive()
    {
        if (!isActive())
        {
            throw new StorageException("read transaction is closed");
        }
    }
}
