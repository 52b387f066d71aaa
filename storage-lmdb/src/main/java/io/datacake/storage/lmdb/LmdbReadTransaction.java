package io.datacake.storage.lmdb;

import io.datacake.storage.DocumentHandler;
import io.datacake.storage.KeyspaceNames;
import io.datacake.storage.MetadataHandler;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.StorageException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.lmdbjava.Cursor;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;

import java.nio.ByteBuffer;
import java.util.Objects;

import static io.datacake.storage.lmdb.LmdbLayout.DATA_HEADER_LENGTH;
import static io.datacake.storage.lmdb.LmdbLayout.KEY_LENGTH;

/**
 * A read transaction that is reused: a thread's pooled instance keeps its LMDB transaction reset between scopes
 * and renews it on the next {@code beginRead}, so a steady-state read allocates nothing. Values handed to
 * handlers are the buffers lmdbjava points at the mmap'd pages: no copy.
 */
final class LmdbReadTransaction implements ReadTransaction
{
    private final LmdbStorage storage;
    private final boolean pooled;
    private final UnsafeBuffer keyBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(KEY_LENGTH));
    private Txn<DirectBuffer> txn;
    private boolean active;

    LmdbReadTransaction(final LmdbStorage storage, final boolean pooled)
    {
        this.storage = storage;
        this.pooled = pooled;
    }

    boolean isActive()
    {
        return active;
    }

    boolean isPooled()
    {
        return pooled;
    }

    void begin()
    {
        if (null == txn)
        {
            txn = storage.env().txnRead();
        }
        else
        {
            txn.renew();
        }
        active = true;
    }

    /**
     * {@inheritDoc}
     */
    public boolean get(final String keyspace, final long key, final DocumentHandler handler)
    {
        KeyspaceNames.validate(keyspace);
        checkActive();
        final int keyspaceId = storage.keyspaceId(keyspace);
        return keyspaceId != LmdbStorage.NO_KEYSPACE && read(keyspaceId, key, handler);
    }

    /**
     * {@inheritDoc}
     */
    public int getMany(
        final String keyspace, final long[] keys, final int offset, final int count, final DocumentHandler handler)
    {
        KeyspaceNames.validate(keyspace);
        Objects.checkFromIndexSize(offset, count, keys.length);
        checkActive();
        final int keyspaceId = storage.keyspaceId(keyspace);
        if (keyspaceId == LmdbStorage.NO_KEYSPACE)
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
    public int forEachMetadata(final String keyspace, final MetadataHandler handler)
    {
        KeyspaceNames.validate(keyspace);
        checkActive();
        final int keyspaceId = storage.keyspaceId(keyspace);
        if (keyspaceId == LmdbStorage.NO_KEYSPACE)
        {
            return 0;
        }
        return storage.forEachMetadata(txn, keyBuffer, keyspaceId, handler);
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
            if (pooled)
            {
                txn.reset();
            }
            else
            {
                txn.close();
                txn = null;
                storage.deregister(this);
            }
        }
        catch (final LmdbException ex)
        {
            throw new StorageException("failed to end an LMDB read transaction", ex);
        }
        finally
        {
            storage.readerGate().exitReader();
        }
    }

    void release()
    {
        if (null != txn)
        {
            txn.close();
            txn = null;
        }
    }

    private boolean read(final int keyspaceId, final long key, final DocumentHandler handler)
    {
        LmdbLayout.encodeKey(keyBuffer, keyspaceId, key);
        final DirectBuffer record;
        try
        {
            record = storage.dataDb().get(txn, keyBuffer);
        }
        catch (final LmdbException ex)
        {
            throw new StorageException("LMDB read of key " + key + " failed", ex);
        }
        if (null == record)
        {
            return false;
        }
        handler.onDocument(
            key,
            LmdbLayout.stamp(record),
            LmdbLayout.nodeId(record),
            record,
            DATA_HEADER_LENGTH,
            record.capacity() - DATA_HEADER_LENGTH);
        return true;
    }

    private void checkActive()
    {
        if (!active)
        {
            throw new StorageException("read transaction is closed");
        }
    }

    static int iterate(
        final Cursor<DirectBuffer> cursor,
        final UnsafeBuffer keyBuffer,
        final int keyspaceId,
        final MetadataHandler handler)
    {
        LmdbLayout.encodeKey(keyBuffer, keyspaceId, 0L);
        int count = 0;
        boolean found = cursor.get(keyBuffer, GetOp.MDB_SET_RANGE);
        while (found)
        {
            final DirectBuffer key = cursor.key();
            if (LmdbLayout.keyspaceId(key) != keyspaceId)
            {
                break;
            }
            final DirectBuffer meta = cursor.val();
            handler.onMetadata(
                LmdbLayout.docKey(key), LmdbLayout.stamp(meta), LmdbLayout.nodeId(meta), LmdbLayout.isTombstone(meta));
            count++;
            found = cursor.next();
        }
        return count;
    }
}
