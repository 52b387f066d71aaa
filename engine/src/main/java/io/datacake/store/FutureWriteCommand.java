package io.datacake.store;

import io.datacake.membership.ConsistencyLevel;

import java.util.concurrent.CompletableFuture;

/**
 * The future form of a write: arrays copied from the caller, a new command and future per call.
 */
final class FutureWriteCommand extends WriteCommand
{
    final CompletableFuture<Void> future = new CompletableFuture<>();
    private final long[] keys;
    private final byte[][] values;

    FutureWriteCommand(
        final ReplicatedStore store,
        final String keyspace,
        final byte[] keyspaceUtf8,
        final long[] keys,
        final byte[][] values,
        final ConsistencyLevel level)
    {
        super(store);
        this.keyspace = keyspace;
        this.keyspaceUtf8 = keyspaceUtf8;
        this.level = level;
        this.keys = keys;
        this.values = values;
    }

    int entryCount()
    {
        return keys.length;
    }

    int valueLength(final int index)
    {
        return null == values ? 0 : values[index].length;
    }

    void encodeEntry(final ReplicationMessage message, final int index, final long stamp, final int nodeId)
    {
        if (null == values)
        {
            message.encodeTombstone(keys[index], stamp, nodeId);
        }
        else
        {
            message.encodePut(keys[index], stamp, nodeId, values[index]);
        }
    }

    void succeeded(final int acknowledged)
    {
        future.complete(null);
    }

    void failed(final RuntimeException cause)
    {
        future.completeExceptionally(cause);
    }
}
