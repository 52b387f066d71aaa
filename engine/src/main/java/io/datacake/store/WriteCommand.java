package io.datacake.store;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.node.NodeClosedException;
import io.datacake.node.NodeServices;
import io.datacake.node.NodeTask;

import java.util.concurrent.CompletableFuture;

/**
 * A put or delete batch handed from an application thread to the node thread through the command queue. Holds
 * its own copies of the keys and values, so the caller may reuse its arrays once the call returned.
 */
final class WriteCommand implements NodeTask
{
    final ReplicatedStore store;
    final String keyspace;
    final byte[] keyspaceUtf8;
    final long[] keys;
    final byte[][] values;
    final ConsistencyLevel level;
    final CompletableFuture<Void> future = new CompletableFuture<>();

    WriteCommand(
        final ReplicatedStore store,
        final String keyspace,
        final byte[] keyspaceUtf8,
        final long[] keys,
        final byte[][] values,
        final ConsistencyLevel level)
    {
        this.store = store;
        this.keyspace = keyspace;
        this.keyspaceUtf8 = keyspaceUtf8;
        this.keys = keys;
        this.values = values;
        this.level = level;
    }

    boolean isDelete()
    {
        return null == values;
    }

    public void execute(final NodeServices services)
    {
        try
        {
            store.coordinate(this);
        }
        catch (final RuntimeException ex)
        {
            future.completeExceptionally(ex);
        }
    }

    public void onRejected(final NodeClosedException reason)
    {
        future.completeExceptionally(reason);
    }
}
