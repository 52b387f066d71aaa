package io.datacake.storage.sqlite;

import io.datacake.storage.DocumentHandler;
import io.datacake.storage.MetadataHandler;
import io.datacake.storage.KeyspaceReadTransaction;
import io.datacake.storage.StorageException;
import org.agrona.concurrent.UnsafeBuffer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A read scope on a reader connection of its own (WAL lets readers run beside the writer). The connection stays in
 * a deferred transaction: the snapshot is taken by the first read of a scope and released by {@link #close()}.
 * JDBC hands out values as arrays, so values are copied once from SQLite and then wrapped, not copied again.
 */
final class SqliteReadTransaction extends KeyspaceReadTransaction
{
    private static final byte[] EMPTY = new byte[0];

    private final SqliteStorage storage;
    private final boolean pooled;
    private final Connection connection;
    private final PreparedStatement get;
    private final PreparedStatement metadata;
    private final UnsafeBuffer view = new UnsafeBuffer(EMPTY);
    private boolean active;

    SqliteReadTransaction(final SqliteStorage storage, final boolean pooled, final Connection connection)
        throws SQLException
    {
        this.storage = storage;
        this.pooled = pooled;
        this.connection = connection;
        connection.setAutoCommit(false);
        this.get = connection.prepareStatement(SqliteSchema.GET);
        this.metadata = connection.prepareStatement(SqliteSchema.METADATA);
    }

    protected boolean isActive()
    {
        return active;
    }

    void begin()
    {
        active = true;
    }

    protected int keyspaceId(final String keyspace)
    {
        return storage.keyspaceId(keyspace);
    }

    protected int forEachMetadata(final int keyspaceId, final MetadataHandler handler)
    {
        // Unsigned key order: ids 0..2^63-1 (non-negative longs), then 2^63..2^64-1 (negative longs).
        return forEachMetadata(keyspaceId, 0L, Long.MAX_VALUE, handler) +
            forEachMetadata(keyspaceId, Long.MIN_VALUE, -1L, handler);
    }

    private int forEachMetadata(
        final int keyspaceId, final long fromKey, final long toKey, final MetadataHandler handler)
    {
        int count = 0;
        try
        {
            metadata.setInt(1, keyspaceId);
            metadata.setLong(2, fromKey);
            metadata.setLong(3, toKey);
            try (ResultSet rows = metadata.executeQuery())
            {
                while (rows.next())
                {
                    handler.onMetadata(rows.getLong(1), rows.getLong(2), rows.getInt(3), rows.getInt(4) != 0);
                    count++;
                }
            }
        }
        catch (final SQLException ex)
        {
            throw new StorageException("SQLite metadata query failed", ex);
        }
        return count;
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        if (!active)
        {
            return;
        }
        active = false;
        try
        {
            connection.commit(); // ends the read snapshot
            if (!pooled)
            {
                release();
            }
        }
        catch (final SQLException ex)
        {
            throw new StorageException("failed to end an SQLite read transaction", ex);
        }
    }

    void release()
    {
        storage.deregister(this);
        try
        {
            get.close();
            metadata.close();
            connection.close();
        }
        catch (final SQLException ex)
        {
            throw new StorageException("failed to close an SQLite reader connection", ex);
        }
    }

    protected boolean read(final int keyspaceId, final long key, final DocumentHandler handler)
    {
        try
        {
            get.setInt(1, keyspaceId);
            get.setLong(2, key);
            try (ResultSet rows = get.executeQuery())
            {
                if (!rows.next())
                {
                    return false;
                }
                final long stamp = rows.getLong(1);
                final int nodeId = rows.getInt(2);
                final byte[] data = rows.getBytes(3);
                view.wrap(null == data ? EMPTY : data);
                handler.onDocument(key, stamp, nodeId, view, 0, view.capacity());
                return true;
            }
        }
        catch (final SQLException ex)
        {
            throw new StorageException("SQLite read of key " + key + " failed", ex);
        }
    }
}
