package io.datacake.store;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.node.NodeClosedException;
import io.datacake.node.NodeServices;
import io.datacake.node.NodeTask;

/**
 * A put or delete batch handed from an application thread to the node thread through the command queue, in one of
 * the handle's forms: what {@link ReplicatedStore} reads to coordinate it, and how it hears the outcome. Holds its
 * own copies of the keys and values, so the caller may reuse its arrays or buffers once the call returned.
 * <p>
 * The outcome is reported exactly once, on the node thread (or on the thread closing the node for a command still
 * queued then); nothing may read the command after reporting it, as a pooled form is reused at once.
 */
abstract class WriteCommand implements NodeTask
{
    final ReplicatedStore store;
    String keyspace;
    byte[] keyspaceUtf8;
    ConsistencyLevel level;

    WriteCommand(final ReplicatedStore store)
    {
        this.store = store;
    }

    /**
     * @return the number of entries, at least one.
     */
    abstract int entryCount();

    /**
     * @param index the entry.
     * @return the entry's value length, 0 for a delete.
     */
    abstract int valueLength(int index);

    /**
     * Append one entry, stamped, to a replicate message.
     */
    abstract void encodeEntry(ReplicationMessage message, int index, long stamp, int nodeId);

    /**
     * The write has every acknowledgement it needs.
     *
     * @param acknowledged acknowledgements received, the local commit included.
     */
    abstract void succeeded(int acknowledged);

    /**
     * The write failed or was refused.
     *
     * @param cause the exception the future form fails with.
     */
    abstract void failed(RuntimeException cause);

    /**
     * {@inheritDoc}
     */
    public final void execute(final NodeServices services)
    {
        try
        {
            store.coordinate(this);
        }
        catch (final RuntimeException ex)
        {
            failed(ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    public final void onRejected(final NodeClosedException reason)
    {
        failed(reason);
    }
}
