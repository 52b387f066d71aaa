package io.datacake.sim;

import io.datacake.clock.HlcTimestamp;
import io.datacake.storage.WriteBatch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The documents of a {@link SimStorage} layer: per keyspace, entries in key order, each an immutable record, so a
 * copy of the table shares its entries. Applies the storage specification's last-write-wins rules.
 */
final class SimTable
{
    private final HashMap<String, TreeMap<Long, Entry>> keyspaces = new HashMap<>();

    SimTable copy()
    {
        final SimTable copy = new SimTable();
        for (final Map.Entry<String, TreeMap<Long, Entry>> keyspace : keyspaces.entrySet())
        {
            copy.keyspaces.put(keyspace.getKey(), new TreeMap<>(keyspace.getValue()));
        }
        return copy;
    }

    void apply(final Operation operation)
    {
        if (WriteBatch.REMOVE_TOMBSTONE == operation.type)
        {
            final TreeMap<Long, Entry> entries = keyspaces.get(operation.keyspace);
            if (null != entries)
            {
                final Entry stored = entries.get(operation.key);
                if (null != stored && stored.tombstone)
                {
                    entries.remove(operation.key);
                }
            }
            return;
        }
        // Unsigned key order: the storage contract visits metadata in unsigned document-id order.
        final TreeMap<Long, Entry> entries =
            keyspaces.computeIfAbsent(operation.keyspace, (name) -> new TreeMap<>(Long::compareUnsigned));
        final Entry stored = entries.get(operation.key);
        final boolean tombstone = WriteBatch.TOMBSTONE == operation.type;
        if (null != stored)
        {
            final int order = HlcTimestamp.compare(operation.stamp, operation.nodeId, stored.stamp, stored.nodeId);
            // Later timestamp wins; an equal one changes nothing, except a put over a tombstone (the ORSWOT's tie).
            if (order < 0 || (order == 0 && (tombstone || !stored.tombstone)))
            {
                return;
            }
        }
        entries.put(operation.key, new Entry(operation.stamp, operation.nodeId, tombstone, operation.value));
    }

    List<String> keyspaceNames()
    {
        return new ArrayList<>(keyspaces.keySet());
    }

    TreeMap<Long, Entry> entries(final String keyspace)
    {
        return keyspaces.get(keyspace);
    }

    /**
     * One stored write: a live document or a tombstone, with its timestamp.
     */
    static final class Entry
    {
        final long stamp;
        final int nodeId;
        final boolean tombstone;
        final byte[] value;

        Entry(final long stamp, final int nodeId, final boolean tombstone, final byte[] value)
        {
            this.stamp = stamp;
            this.nodeId = nodeId;
            this.tombstone = tombstone;
            this.value = value;
        }
    }

    /**
     * One operation of a committed batch, copied out of the batch so it can be replayed onto the durable layer.
     */
    static final class Operation
    {
        private static final byte[] NO_VALUE = new byte[0];

        final byte type;
        final String keyspace;
        final long key;
        final long stamp;
        final int nodeId;
        final byte[] value;

        private Operation(
            final byte type, final String keyspace, final long key, final long stamp, final int nodeId,
            final byte[] value)
        {
            this.type = type;
            this.keyspace = keyspace;
            this.key = key;
            this.stamp = stamp;
            this.nodeId = nodeId;
            this.value = value;
        }

        static Operation[] copyOf(final WriteBatch batch)
        {
            final Operation[] operations = new Operation[batch.size()];
            for (int i = 0; i < operations.length; i++)
            {
                final byte type = batch.type(i);
                byte[] value = NO_VALUE;
                if (WriteBatch.PUT == type && batch.valueLength(i) > 0)
                {
                    value = new byte[batch.valueLength(i)];
                    batch.valueBuffer().getBytes(batch.valueOffset(i), value);
                }
                operations[i] = new Operation(
                    type, batch.keyspace(i), batch.key(i), batch.stamp(i), batch.nodeId(i), value);
            }
            return operations;
        }
    }
}
