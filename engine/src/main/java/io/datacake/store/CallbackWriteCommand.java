package io.datacake.store;

import io.datacake.membership.ConsistencyException;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.node.NodeClosedException;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * A pooled slot of the callback form: one put or delete whose value is copied into the slot's own buffer (grown
 * once to the largest value it carried, at most the store's maximum value length). Goes back to its pool after the
 * callback returned, so in steady state a write allocates nothing.
 */
final class CallbackWriteCommand extends WriteCommand
{
    private static final int INITIAL_VALUE_CAPACITY = 256;
    private static final System.Logger LOGGER = System.getLogger(CallbackWriteCommand.class.getName());

    private final WriteSlots pool;
    private final ExpandableArrayBuffer value = new ExpandableArrayBuffer(INITIAL_VALUE_CAPACITY);
    private long key;
    private int valueLength;
    private boolean delete;
    private WriteCallback callback;
    private long context;

    CallbackWriteCommand(final ReplicatedStore store, final WriteSlots pool)
    {
        super(store);
        this.pool = pool;
    }

    CallbackWriteCommand put(
        final String keyspace,
        final byte[] keyspaceUtf8,
        final long key,
        final DirectBuffer source,
        final int offset,
        final int length,
        final ConsistencyLevel level,
        final WriteCallback callback,
        final long context)
    {
        set(keyspace, keyspaceUtf8, key, level, callback, context);
        value.putBytes(0, source, offset, length);
        this.valueLength = length;
        this.delete = false;
        return this;
    }

    CallbackWriteCommand delete(
        final String keyspace,
        final byte[] keyspaceUtf8,
        final long key,
        final ConsistencyLevel level,
        final WriteCallback callback,
        final long context)
    {
        set(keyspace, keyspaceUtf8, key, level, callback, context);
        this.valueLength = 0;
        this.delete = true;
        return this;
    }

    int entryCount()
    {
        return 1;
    }

    int valueLength(final int index)
    {
        return valueLength;
    }

    void encodeEntry(final ReplicationMessage message, final int index, final long stamp, final int nodeId)
    {
        if (delete)
        {
            message.encodeTombstone(key, stamp, nodeId);
        }
        else
        {
            message.encodePut(key, stamp, nodeId, value, 0, valueLength);
        }
    }

    void succeeded(final int acknowledged)
    {
        complete(WriteStatus.ACKNOWLEDGED, acknowledged, acknowledged, null);
    }

    void failed(final RuntimeException cause)
    {
        if (cause instanceof ReplicationException)
        {
            final ReplicationException failure = (ReplicationException)cause;
            complete(WriteStatus.NOT_ACKNOWLEDGED, failure.acknowledged(), failure.required(), cause);
        }
        else if (cause instanceof ConsistencyException)
        {
            complete(WriteStatus.TOO_FEW_MEMBERS, 0, ((ConsistencyException)cause).required(), cause);
        }
        else if (cause instanceof StoreBackPressureException)
        {
            complete(WriteStatus.BACK_PRESSURED, 0, 0, cause);
        }
        else if (cause instanceof NodeClosedException)
        {
            complete(WriteStatus.NODE_CLOSED, 0, 0, cause);
        }
        else
        {
            complete(WriteStatus.REFUSED, 0, 0, cause);
        }
    }

    private void set(
        final String keyspace,
        final byte[] keyspaceUtf8,
        final long key,
        final ConsistencyLevel level,
        final WriteCallback callback,
        final long context)
    {
        this.keyspace = keyspace;
        this.keyspaceUtf8 = keyspaceUtf8;
        this.key = key;
        this.level = level;
        this.callback = callback;
        this.context = context;
    }

    /**
     * Report once, then go back to the pool. A callback that throws is an application bug: logged, never thrown into
     * the node thread's completion path (it would cut short the completions of other writes), and the slot still
     * goes back.
     */
    private void complete(
        final WriteStatus status, final int acknowledged, final int required, final RuntimeException failure)
    {
        final WriteCallback callback = this.callback;
        final long context = this.context;
        this.callback = null;
        if (null == callback)
        {
            return;
        }
        try
        {
            callback.onWriteComplete(context, status, acknowledged, required, failure);
        }
        catch (final RuntimeException ex)
        {
            LOGGER.log(System.Logger.Level.WARNING, "write callback for keyspace '" + keyspace + "' key " + key +
                " (context " + context + ") threw; the write's outcome was " + status, ex);
        }
        finally
        {
            pool.release(this);
        }
    }
}
