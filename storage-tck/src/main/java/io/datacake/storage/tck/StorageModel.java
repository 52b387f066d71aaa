package io.datacake.storage.tck;

import io.datacake.clock.HlcTimestamp;
import io.datacake.storage.Document;
import io.datacake.storage.Metadata;
import io.datacake.storage.WriteBatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A plain on-heap reference model of the {@code Storage} contract, used by the randomized conformance test: it
 * applies the same batches and must end in the same state as the storage under test.
 */
public final class StorageModel
{
    private final Map<String, TreeMap<Long, Entry>> keyspaces = new HashMap<>();

    /**
     * Apply every operation of a batch, in order, by the contract's rules.
     *
     * @param batch the batch (left unchanged).
     */
    public void apply(final WriteBatch batch)
    {
        for (int i = 0; i < batch.size(); i++)
        {
            final String name = batch.keyspace(i);
            final long key = batch.key(i);
            if (WriteBatch.REMOVE_TOMBSTONE == batch.type(i))
            {
                final TreeMap<Long, Entry> entries = keyspaces.get(name);
                if (null != entries)
                {
                    final Entry entry = entries.get(key);
                    if (null != entry && entry.tombstone)
                    {
                        entries.remove(key);
                    }
                }
                continue;
            }

            final TreeMap<Long, Entry> entries =
                keyspaces.computeIfAbsent(name, n -> new TreeMap<>(Long::compareUnsigned));
            final Entry existing = entries.get(key);
            final long stamp = batch.stamp(i);
            final int nodeId = batch.nodeId(i);
            if (null != existing)
            {
                final int order = HlcTimestamp.compare(stamp, nodeId, existing.stamp, existing.nodeId);
                final boolean putOverTombstone = WriteBatch.PUT == batch.type(i) && existing.tombstone;
                if (order < 0 || (order == 0 && !putOverTombstone))
                {
                    continue;
                }
            }
            if (WriteBatch.PUT == batch.type(i))
            {
                final byte[] value = new byte[batch.valueLength(i)];
                batch.valueBuffer().getBytes(batch.valueOffset(i), value);
                entries.put(key, new Entry(stamp, nodeId, false, value));
            }
            else
            {
                entries.put(key, new Entry(stamp, nodeId, true, null));
            }
        }
    }

    /**
     * @return names of every keyspace written to, sorted.
     */
    public List<String> keyspaces()
    {
        final List<String> names = new ArrayList<>(keyspaces.keySet());
        names.sort(Comparator.naturalOrder());
        return names;
    }

    /**
     * @param keyspace keyspace name.
     * @return every entry's metadata, in unsigned key order (the order storages visit it in).
     */
    public List<Metadata> metadata(final String keyspace)
    {
        final List<Metadata> result = new ArrayList<>();
        final TreeMap<Long, Entry> entries = keyspaces.get(keyspace);
        if (null != entries)
        {
            entries.forEach((key, e) -> result.add(new Metadata(key, e.stamp, e.nodeId, e.tombstone)));
        }
        return result;
    }

    /**
     * @param keyspace keyspace name.
     * @return every live document, in unsigned key order.
     */
    public List<Document> documents(final String keyspace)
    {
        final List<Document> result = new ArrayList<>();
        final TreeMap<Long, Entry> entries = keyspaces.get(keyspace);
        if (null != entries)
        {
            entries.forEach((key, e) ->
            {
                if (!e.tombstone)
                {
                    result.add(new Document(key, e.stamp, e.nodeId, e.value));
                }
            });
        }
        return result;
    }

    /**
     * @param keyspace keyspace name.
     * @return every key ever written and still present (live or tombstone), ascending.
     */
    public long[] keys(final String keyspace)
    {
        final TreeMap<Long, Entry> entries = keyspaces.get(keyspace);
        return null == entries ? new long[0] : entries.keySet().stream().mapToLong(Long::longValue).toArray();
    }

    private static final class Entry
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
            this.value = null == value ? null : Arrays.copyOf(value, value.length);
        }
    }
}
