package io.datacake.storage;

import io.datacake.clock.HlcTimestamp;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Arrays;

/**
 * Puts, tombstones and tombstone removals handed to {@link Storage#commit(WriteBatch)} together: one transaction per
 * batch (group commit). A {@link StorageWriter} fills one from everything submitted since its last commit.
 * <p>
 * A batch is reused: {@link #clear()} (or a successful commit) empties it without freeing its arrays, so a
 * steady-state duty cycle allocates nothing. Value bytes are copied into the batch's own direct buffer when added,
 * so the caller's buffer may be reused at once. Arguments are validated when an operation is added, so a batch
 * that reaches the storage holds only valid operations.
 * <p>
 * Bounds: at most {@link #maxOperations()} operations and {@link #maxValueBytes()} bytes of values per batch;
 * {@link #remainingOperations()} and {@link #remainingValueBytes()} tell the caller when to commit.
 * <p>
 * Not thread safe: a batch belongs to the one thread that fills and commits it.
 */
public final class WriteBatch
{
    /** Default bound on the number of operations in one batch. */
    public static final int DEFAULT_MAX_OPERATIONS = 16 * 1024;

    /** Default bound on the total value bytes in one batch. */
    public static final int DEFAULT_MAX_VALUE_BYTES = 64 * 1024 * 1024;

    /** Operation: store a document (last write wins). */
    public static final byte PUT = 1;

    /** Operation: mark a document deleted, keeping a tombstone with its timestamp (last write wins). */
    public static final byte TOMBSTONE = 2;

    /** Operation: forget a tombstone; a live document of that key is left alone. */
    public static final byte REMOVE_TOMBSTONE = 3;

    private static final int INITIAL_OPERATIONS = 64;
    private static final int INITIAL_VALUE_BYTES = 4096;

    private final int maxValueLength;
    private final int maxOperations;
    private final int maxValueBytes;
    private final ExpandableDirectByteBuffer values = new ExpandableDirectByteBuffer(INITIAL_VALUE_BYTES);

    private byte[] types = new byte[INITIAL_OPERATIONS];
    private String[] keyspaces = new String[INITIAL_OPERATIONS];
    private long[] keys = new long[INITIAL_OPERATIONS];
    private long[] stamps = new long[INITIAL_OPERATIONS];
    private int[] nodeIds = new int[INITIAL_OPERATIONS];
    private int[] valueOffsets = new int[INITIAL_OPERATIONS];
    private int[] valueLengths = new int[INITIAL_OPERATIONS];
    private int size;
    private int valueBytes;
    private boolean refetchable;

    /**
     * A batch with the default bounds.
     *
     * @param maxValueLength largest value a put may carry, in bytes (the storage's limit).
     * @throws IllegalArgumentException if maxValueLength is negative.
     */
    public WriteBatch(final int maxValueLength)
    {
        this(maxValueLength, DEFAULT_MAX_OPERATIONS, DEFAULT_MAX_VALUE_BYTES);
    }

    /**
     * @param maxValueLength largest value a put may carry, in bytes (the storage's limit).
     * @param maxOperations  bound on operations per batch, at least 1.
     * @param maxValueBytes  bound on the total value bytes per batch, at least maxValueLength.
     * @throws IllegalArgumentException if a bound is out of range.
     */
    public WriteBatch(final int maxValueLength, final int maxOperations, final int maxValueBytes)
    {
        if (maxValueLength < 0)
        {
            throw new IllegalArgumentException("maxValueLength must be >= 0: " + maxValueLength);
        }
        if (maxOperations < 1)
        {
            throw new IllegalArgumentException("maxOperations must be >= 1: " + maxOperations);
        }
        if (maxValueBytes < maxValueLength)
        {
            throw new IllegalArgumentException(
                "maxValueBytes (" + maxValueBytes + ") must be >= maxValueLength (" + maxValueLength + ")");
        }
        this.maxValueLength = maxValueLength;
        this.maxOperations = maxOperations;
        this.maxValueBytes = maxValueBytes;
    }

    /**
     * Add a put: store {@code value[offset, offset + length)} under {@code key} unless the storage holds a write
     * of that key with the same or a later timestamp.
     *
     * @param keyspace keyspace name; created by the commit if it does not exist.
     * @param key      document id.
     * @param stamp    packed HLC stamp of the write, not {@link HlcTimestamp#NULL_STAMP}.
     * @param nodeId   node id of the timestamp, 0..65535.
     * @param value    buffer holding the value; copied now.
     * @param offset   offset of the value in {@code value}.
     * @param length   length of the value in bytes.
     * @return this batch.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws ValueTooLargeException       if length is over the storage's maximum value length.
     * @throws IllegalArgumentException     if the stamp or node id is invalid, or the range is outside the buffer.
     * @throws IllegalStateException        if the batch is full: commit it first.
     */
    public WriteBatch put(
        final String keyspace,
        final long key,
        final long stamp,
        final int nodeId,
        final DirectBuffer value,
        final int offset,
        final int length)
    {
        KeyspaceNames.validate(keyspace);
        checkTimestamp(stamp, nodeId);
        if (length > maxValueLength)
        {
            throw new ValueTooLargeException(keyspace, key, length, maxValueLength);
        }
        if (length < 0 || offset < 0 || (long)offset + length > value.capacity())
        {
            throw new IllegalArgumentException(
                "value range [" + offset + ", " + offset + " + " + length + ") is outside a buffer of capacity " +
                value.capacity());
        }
        if (valueBytes + length > maxValueBytes)
        {
            throw new IllegalStateException(
                "batch holds " + valueBytes + " value bytes, adding " + length + " would pass maxValueBytes " +
                maxValueBytes + ": commit the batch first");
        }

        final int index = add(PUT, keyspace, key, stamp, nodeId);
        values.putBytes(valueBytes, value, offset, length);
        valueOffsets[index] = valueBytes;
        valueLengths[index] = length;
        valueBytes += length;
        return this;
    }

    /**
     * Add a tombstone: mark {@code key} deleted at the given timestamp unless the storage holds a write of that key
     * with the same or a later timestamp. Works for keys and keyspaces never seen (creates the marker).
     *
     * @param keyspace keyspace name; created by the commit if it does not exist.
     * @param key      document id.
     * @param stamp    packed HLC stamp of the delete.
     * @param nodeId   node id of the timestamp, 0..65535.
     * @return this batch.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws IllegalArgumentException     if the stamp or node id is invalid.
     * @throws IllegalStateException        if the batch is full: commit it first.
     */
    public WriteBatch tombstone(final String keyspace, final long key, final long stamp, final int nodeId)
    {
        KeyspaceNames.validate(keyspace);
        checkTimestamp(stamp, nodeId);
        add(TOMBSTONE, keyspace, key, stamp, nodeId);
        return this;
    }

    /**
     * Add a tombstone removal: forget the tombstone of {@code key} (tombstone purge). A live document under the key
     * is left alone, and a missing key or keyspace is not an error.
     *
     * @param keyspace keyspace name.
     * @param key      document id.
     * @return this batch.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws IllegalStateException        if the batch is full: commit it first.
     */
    public WriteBatch removeTombstone(final String keyspace, final long key)
    {
        KeyspaceNames.validate(keyspace);
        add(REMOVE_TOMBSTONE, keyspace, key, HlcTimestamp.NULL_STAMP, 0);
        return this;
    }

    /**
     * Empty the batch, keeping its memory for reuse.
     */
    public void clear()
    {
        Arrays.fill(keyspaces, 0, size, null);
        size = 0;
        valueBytes = 0;
        refetchable = false;
    }

    /**
     * Mark (or unmark) every operation of the batch as refetchable: a replica holds each of them and repair fetches
     * it again if this node loses it (a {@link StorageWriter} marks its windows made only of repair writes). A
     * storage may commit a refetchable batch with less durability than its configured mode, as long as what it may
     * lose is only this batch (and earlier refetchable ones) and only in an OS crash or power loss: never an earlier
     * batch that was not refetchable, never the storage's integrity, and never after a later commit that is not
     * refetchable returned, which makes everything before it as durable as itself. A storage may also ignore the
     * mark and commit with its full durability. {@link #clear()} (and so a successful commit) unmarks the batch.
     *
     * @param refetchable true to mark the batch refetchable.
     * @return this.
     */
    public WriteBatch refetchable(final boolean refetchable)
    {
        this.refetchable = refetchable;
        return this;
    }

    /**
     * Whether the batch is marked refetchable (see {@link #refetchable(boolean)}).
     *
     * @return true if a storage may commit it with less durability.
     */
    public boolean isRefetchable()
    {
        return refetchable;
    }

    /**
     * @return number of operations in the batch.
     */
    public int size()
    {
        return size;
    }

    /**
     * @return true if the batch holds no operation.
     */
    public boolean isEmpty()
    {
        return 0 == size;
    }

    /**
     * @return how many more operations fit.
     */
    public int remainingOperations()
    {
        return maxOperations - size;
    }

    /**
     * @return how many more value bytes fit.
     */
    public int remainingValueBytes()
    {
        return maxValueBytes - valueBytes;
    }

    /**
     * @return the bound on operations per batch.
     */
    public int maxOperations()
    {
        return maxOperations;
    }

    /**
     * @return the bound on value bytes per batch.
     */
    public int maxValueBytes()
    {
        return maxValueBytes;
    }

    /**
     * @return the largest value a put may carry, in bytes.
     */
    public int maxValueLength()
    {
        return maxValueLength;
    }

    /**
     * @param index operation index, 0..size-1.
     * @return the operation type: {@link #PUT}, {@link #TOMBSTONE} or {@link #REMOVE_TOMBSTONE}.
     * @throws IndexOutOfBoundsException if the index is not in the batch.
     */
    public byte type(final int index)
    {
        checkIndex(index);
        return types[index];
    }

    /**
     * @param index operation index.
     * @return the keyspace name of the operation.
     * @throws IndexOutOfBoundsException if the index is not in the batch.
     */
    public String keyspace(final int index)
    {
        checkIndex(index);
        return keyspaces[index];
    }

    /**
     * @param index operation index.
     * @return the document id of the operation.
     * @throws IndexOutOfBoundsException if the index is not in the batch.
     */
    public long key(final int index)
    {
        checkIndex(index);
        return keys[index];
    }

    /**
     * @param index operation index.
     * @return the packed stamp ({@link HlcTimestamp#NULL_STAMP} for a tombstone removal).
     * @throws IndexOutOfBoundsException if the index is not in the batch.
     */
    public long stamp(final int index)
    {
        checkIndex(index);
        return stamps[index];
    }

    /**
     * @param index operation index.
     * @return the node id of the timestamp.
     * @throws IndexOutOfBoundsException if the index is not in the batch.
     */
    public int nodeId(final int index)
    {
        checkIndex(index);
        return nodeIds[index];
    }

    /**
     * @return the buffer holding every put's value; read with {@link #valueOffset} and {@link #valueLength}.
     */
    public DirectBuffer valueBuffer()
    {
        return values;
    }

    /**
     * @param index operation index of a put.
     * @return offset of its value in {@link #valueBuffer()}.
     * @throws IndexOutOfBoundsException if the index is not in the batch.
     */
    public int valueOffset(final int index)
    {
        checkIndex(index);
        return valueOffsets[index];
    }

    /**
     * @param index operation index of a put.
     * @return length of its value (0 for other operations).
     * @throws IndexOutOfBoundsException if the index is not in the batch.
     */
    public int valueLength(final int index)
    {
        checkIndex(index);
        return valueLengths[index];
    }

    /**
     * Copy a put's value into another buffer (for storages that need the bytes elsewhere).
     *
     * @param index       operation index of a put.
     * @param destination where to copy.
     * @param offset      offset in the destination.
     * @throws IndexOutOfBoundsException if the index is not in the batch.
     */
    public void copyValue(final int index, final MutableDirectBuffer destination, final int offset)
    {
        checkIndex(index);
        destination.putBytes(offset, values, valueOffsets[index], valueLengths[index]);
    }

    private int add(final byte type, final String keyspace, final long key, final long stamp, final int nodeId)
    {
        if (size == maxOperations)
        {
            throw new IllegalStateException("batch is full (" + maxOperations + " operations): commit it first");
        }
        if (size == types.length)
        {
            grow();
        }
        final int index = size++;
        types[index] = type;
        keyspaces[index] = keyspace;
        keys[index] = key;
        stamps[index] = stamp;
        nodeIds[index] = nodeId;
        valueOffsets[index] = 0;
        valueLengths[index] = 0;
        return index;
    }

    private void grow()
    {
        final int capacity = Math.min(maxOperations, types.length * 2);
        types = Arrays.copyOf(types, capacity);
        keyspaces = Arrays.copyOf(keyspaces, capacity);
        keys = Arrays.copyOf(keys, capacity);
        stamps = Arrays.copyOf(stamps, capacity);
        nodeIds = Arrays.copyOf(nodeIds, capacity);
        valueOffsets = Arrays.copyOf(valueOffsets, capacity);
        valueLengths = Arrays.copyOf(valueLengths, capacity);
    }

    private void checkIndex(final int index)
    {
        if (index < 0 || index >= size)
        {
            throw new IndexOutOfBoundsException("operation index " + index + " not in a batch of " + size);
        }
    }

    private static void checkTimestamp(final long stamp, final int nodeId)
    {
        if (stamp <= HlcTimestamp.NULL_STAMP)
        {
            throw new IllegalArgumentException("stamp must be a packed HLC stamp > 0: " + stamp);
        }
        HlcTimestamp.checkNodeId(nodeId);
    }
}
