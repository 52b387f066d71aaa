package io.datacake.store;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.node.Node;
import io.datacake.node.NodeBackPressureException;
import io.datacake.node.NodeClosedException;
import io.datacake.storage.Document;
import io.datacake.storage.KeyspaceNames;
import io.datacake.storage.ValueTooLargeException;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What application threads use of a {@link ReplicatedStore}: writes at a consistency level, local reads, keyspace
 * listing. Thread safe; get one from {@link ReplicatedStore#handle(Node)}.
 * <p>
 * A write copies its arguments and goes to the node thread through the node's bounded command queue; it never
 * waits for room: a full queue throws {@link NodeBackPressureException}. Its future completes on the node thread
 * (see {@link ReplicatedStore} for what completion means and how it fails), so a dependent stage added with a
 * non-async method must not block. The blocking forms wait for that future and must not be called on the node
 * thread. {@link KeyspaceHandle} adds a callback form of put and delete that allocates nothing in steady state.
 * <p>
 * Reads run on the calling thread against the node's storage: {@link #get(String, long)} copies the document into a
 * new {@link Document}, {@link #get(String, long, MutableDirectBuffer, int)} into the caller's buffer, and
 * {@link #read(String, long, ValueReader)} hands a view of the stored bytes to a reader without copying them. A read
 * may wait (for a commit holding the storage, for the disk), so do not read from the node thread: not in a
 * {@link WriteCallback}, nor in a stage added with a non-async method to a write's future.
 */
public final class StoreHandle
{
    /** What the copying {@code get} forms return for a missing or deleted document. */
    public static final int NOT_FOUND = -1;

    private final Node node;
    private final ReplicatedStore store;
    private final WriteSlots slots;

    StoreHandle(final Node node, final ReplicatedStore store)
    {
        this.node = node;
        this.store = store;
        this.slots = new WriteSlots(store, store.maxPendingWrites());
    }

    /**
     * A handle bound to one keyspace. The keyspace exists once something was written to it.
     *
     * @param keyspace the keyspace name.
     * @return the handle.
     * @throws io.datacake.storage.InvalidKeyspaceNameException if the name is not 1 to 255 bytes of UTF-8.
     */
    public KeyspaceHandle keyspace(final String keyspace)
    {
        return new KeyspaceHandle(this, keyspace, KeyspaceNames.encode(keyspace));
    }

    /**
     * Store a value under a key.
     *
     * @param keyspace the keyspace, created on first use.
     * @param key      the document id.
     * @param value    the value, copied before return.
     * @param level    how many replicas must acknowledge.
     * @return a future completed once acknowledged, or failed with {@link io.datacake.membership.ConsistencyException}
     * (too few live members; nothing written), {@link ReplicationException} (a replica failed or timed out),
     * {@link StoreBackPressureException} or {@link NodeClosedException}.
     * @throws io.datacake.storage.InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws ValueTooLargeException    if the value is longer than the store's maximum value length.
     * @throws NodeBackPressureException if the node's command queue is full.
     * @throws NodeClosedException       if the node is closed.
     */
    public CompletableFuture<Void> put(
        final String keyspace, final long key, final byte[] value, final ConsistencyLevel level)
    {
        return putMany(keyspace, new long[]{key}, new byte[][]{value}, level);
    }

    /**
     * Store many values in one keyspace, stamped as one write and replicated in one message per replica.
     *
     * @param keyspace the keyspace, created on first use.
     * @param keys     the document ids, copied before return.
     * @param values   the values, {@code values[i]} for {@code keys[i]}, copied before return.
     * @param level    how many replicas must acknowledge.
     * @return a future as for {@link #put}.
     * @throws IllegalArgumentException  if the arrays differ in length, are empty, or hold more than
     *                                   {@link StoreContext#maxBatchEntries(int)} entries.
     * @throws io.datacake.storage.InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws ValueTooLargeException    if a value is too long.
     * @throws NodeBackPressureException if the node's command queue is full.
     * @throws NodeClosedException       if the node is closed.
     */
    public CompletableFuture<Void> putMany(
        final String keyspace, final long[] keys, final byte[][] values, final ConsistencyLevel level)
    {
        return putMany(keyspace, KeyspaceNames.encode(keyspace), keys, values, level);
    }

    /**
     * Delete a key, leaving a tombstone.
     *
     * @param keyspace the keyspace, created on first use.
     * @param key      the document id.
     * @param level    how many replicas must acknowledge.
     * @return a future as for {@link #put}.
     * @throws io.datacake.storage.InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws NodeBackPressureException if the node's command queue is full.
     * @throws NodeClosedException       if the node is closed.
     */
    public CompletableFuture<Void> delete(final String keyspace, final long key, final ConsistencyLevel level)
    {
        return deleteMany(keyspace, new long[]{key}, level);
    }

    /**
     * Delete many keys of one keyspace as one write.
     *
     * @param keyspace the keyspace, created on first use.
     * @param keys     the document ids, copied before return.
     * @param level    how many replicas must acknowledge.
     * @return a future as for {@link #put}.
     * @throws IllegalArgumentException  if there are no keys or more than {@link StoreContext#maxBatchEntries(int)}.
     * @throws io.datacake.storage.InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws NodeBackPressureException if the node's command queue is full.
     * @throws NodeClosedException       if the node is closed.
     */
    public CompletableFuture<Void> deleteMany(final String keyspace, final long[] keys, final ConsistencyLevel level)
    {
        return deleteMany(keyspace, KeyspaceNames.encode(keyspace), keys, level);
    }

    /**
     * {@link #put} and wait for the outcome.
     *
     * @param keyspace the keyspace.
     * @param key      the document id.
     * @param value    the value.
     * @param level    how many replicas must acknowledge.
     * @throws io.datacake.membership.ConsistencyException if too few members are live (nothing written).
     * @throws ReplicationException                        if a replica failed or timed out.
     * @throws StoreBackPressureException                  if a store bound was reached.
     * @throws NodeBackPressureException                   if the node's command queue is full.
     * @throws NodeClosedException                         if the node is closed.
     */
    public void putAndWait(final String keyspace, final long key, final byte[] value, final ConsistencyLevel level)
    {
        await(put(keyspace, key, value, level));
    }

    /**
     * {@link #putMany} and wait for the outcome.
     *
     * @param keyspace the keyspace.
     * @param keys     the document ids.
     * @param values   the values.
     * @param level    how many replicas must acknowledge.
     * @throws RuntimeException the exceptions of {@link #putAndWait}, and those {@link #putMany} throws.
     */
    public void putManyAndWait(
        final String keyspace, final long[] keys, final byte[][] values, final ConsistencyLevel level)
    {
        await(putMany(keyspace, keys, values, level));
    }

    /**
     * {@link #delete} and wait for the outcome.
     *
     * @param keyspace the keyspace.
     * @param key      the document id.
     * @param level    how many replicas must acknowledge.
     * @throws RuntimeException the exceptions of {@link #putAndWait}.
     */
    public void deleteAndWait(final String keyspace, final long key, final ConsistencyLevel level)
    {
        await(delete(keyspace, key, level));
    }

    /**
     * {@link #deleteMany} and wait for the outcome.
     *
     * @param keyspace the keyspace.
     * @param keys     the document ids.
     * @param level    how many replicas must acknowledge.
     * @throws RuntimeException the exceptions of {@link #putAndWait}, and those {@link #deleteMany} throws.
     */
    public void deleteManyAndWait(final String keyspace, final long[] keys, final ConsistencyLevel level)
    {
        await(deleteMany(keyspace, keys, level));
    }

    /**
     * Read one live document from this node's storage.
     *
     * @param keyspace the keyspace.
     * @param key      the document id.
     * @return a copy of the document with its timestamp, or null if it is missing or deleted.
     * @throws io.datacake.storage.InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws io.datacake.storage.StorageException             if the storage failed or is closed.
     */
    public Document get(final String keyspace, final long key)
    {
        return store.storage().get(keyspace, key);
    }

    /**
     * Read one live document in place, without copying its value: the reader gets a view of the stored bytes (for
     * LMDB, of the memory-mapped page) valid only while it runs; see {@link ValueReader#onValue}. Runs on the
     * calling thread inside one read transaction of the node's storage.
     *
     * @param keyspace the keyspace.
     * @param key      the document id.
     * @param reader   called once if the document is live; an exception it throws reaches the caller.
     * @return true if the document was found and the reader called, false if it is missing or deleted.
     * @throws io.datacake.storage.InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws io.datacake.storage.StorageException             if the storage failed or is closed.
     */
    public boolean read(final String keyspace, final long key, final ValueReader reader)
    {
        Objects.requireNonNull(reader, "reader");
        return ValueScope.read(store.storage(), keyspace, key, reader);
    }

    /**
     * Copy one live document's value into a caller's buffer, without allocating a result.
     *
     * @param keyspace    the keyspace.
     * @param key         the document id.
     * @param destination receives the value at {@code offset}; an expandable buffer grows to fit.
     * @param offset      where the value goes in {@code destination}.
     * @return the value length, or {@link #NOT_FOUND} if the document is missing or deleted.
     * @throws IndexOutOfBoundsException if {@code offset} is negative, or the value does not fit in a fixed-size
     *                                   buffer from {@code offset} (nothing is copied; the message names both sizes).
     * @throws io.datacake.storage.InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws io.datacake.storage.StorageException             if the storage failed or is closed.
     */
    public int get(final String keyspace, final long key, final MutableDirectBuffer destination, final int offset)
    {
        Objects.requireNonNull(destination, "destination");
        checkOffset(offset);
        return ValueScope.copy(store.storage(), keyspace, key, destination, offset);
    }

    /**
     * Copy one live document's value into a caller's array, without allocating a result.
     *
     * @param keyspace    the keyspace.
     * @param key         the document id.
     * @param destination receives the value at {@code offset}.
     * @param offset      where the value goes in {@code destination}.
     * @return the value length, or {@link #NOT_FOUND} if the document is missing or deleted.
     * @throws IndexOutOfBoundsException if {@code offset} is negative, or the value does not fit in
     *                                   {@code destination} from {@code offset} (nothing is copied; the message names
     *                                   both sizes).
     * @throws io.datacake.storage.InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws io.datacake.storage.StorageException             if the storage failed or is closed.
     */
    public int get(final String keyspace, final long key, final byte[] destination, final int offset)
    {
        Objects.requireNonNull(destination, "destination");
        checkOffset(offset);
        return ValueScope.copy(store.storage(), keyspace, key, destination, offset);
    }

    /**
     * Read many live documents from this node's storage; missing and deleted keys are skipped.
     *
     * @param keyspace the keyspace.
     * @param keys     the document ids.
     * @return copies of the documents found, in the order of {@code keys}.
     * @throws io.datacake.storage.InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws io.datacake.storage.StorageException             if the storage failed or is closed.
     */
    public List<Document> getMany(final String keyspace, final long... keys)
    {
        return store.storage().getMany(keyspace, keys);
    }

    /**
     * The keyspaces this node's storage holds: every keyspace written to on this node, as coordinator or replica.
     *
     * @return the names, in no particular order (a new list).
     * @throws io.datacake.storage.StorageException if the storage failed or is closed.
     */
    public List<String> keyspaces()
    {
        return store.storage().keyspaces();
    }

    /**
     * The id of the node this handle writes through.
     *
     * @return the node id.
     */
    public int nodeId()
    {
        return node.nodeId();
    }

    /**
     * A digest of the last writes this node has applied to a keyspace: the root of the keyspace's content tree, the
     * XOR of one hash per key over its last write (key, stamp, writing node, tombstone flag). Members whose digests
     * of a keyspace are equal hold the same last write of every key in it (up to a 64-bit hash collision), so
     * polling it on every member shows when replicas converged, at the cost of one command per member instead of a
     * scan of every storage. Read on the node thread: a write is in the digest once applied there; its storage
     * commit follows.
     *
     * @param keyspace the keyspace name.
     * @return a future of the digest, 0 if this node holds nothing in the keyspace; it fails with
     * {@link NodeBackPressureException} if the node's command queue is full and with {@link NodeClosedException} if
     * the node is closed (or closes before the command runs).
     * @throws io.datacake.storage.InvalidKeyspaceNameException if the name is not 1 to 255 bytes of UTF-8.
     */
    public CompletableFuture<Long> keyspaceDigest(final String keyspace)
    {
        KeyspaceNames.validate(keyspace);
        return node.execute((services) -> store.keyspaceDigest(keyspace));
    }

    CompletableFuture<Void> putMany(
        final String keyspace,
        final byte[] keyspaceUtf8,
        final long[] keys,
        final byte[][] values,
        final ConsistencyLevel level)
    {
        Objects.requireNonNull(values, "values");
        checkBatch(keys, level);
        if (values.length != keys.length)
        {
            throw new IllegalArgumentException(
                "keys and values differ in length: " + keys.length + " keys, " + values.length + " values");
        }
        final byte[][] copies = new byte[values.length][];
        for (int i = 0; i < values.length; i++)
        {
            final byte[] value = Objects.requireNonNull(values[i], "values[" + i + "]");
            if (value.length > store.maxValueLength())
            {
                throw new ValueTooLargeException(keyspace, keys[i], value.length, store.maxValueLength());
            }
            copies[i] = value.clone();
        }
        return submit(new FutureWriteCommand(store, keyspace, keyspaceUtf8, keys.clone(), copies, level));
    }

    CompletableFuture<Void> deleteMany(
        final String keyspace, final byte[] keyspaceUtf8, final long[] keys, final ConsistencyLevel level)
    {
        checkBatch(keys, level);
        return submit(new FutureWriteCommand(store, keyspace, keyspaceUtf8, keys.clone(), null, level));
    }

    boolean put(
        final String keyspace,
        final byte[] keyspaceUtf8,
        final long key,
        final DirectBuffer value,
        final int offset,
        final int length,
        final ConsistencyLevel level,
        final WriteCallback callback,
        final long context)
    {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(callback, "callback");
        if (offset < 0 || length < 0 || offset > value.capacity() - length)
        {
            throw new IndexOutOfBoundsException("value range offset=" + offset + " length=" + length +
                " is outside the buffer's capacity " + value.capacity());
        }
        if (length > store.maxValueLength())
        {
            throw new ValueTooLargeException(keyspace, key, length, store.maxValueLength());
        }
        final CallbackWriteCommand slot = slots.acquire();
        return null != slot &&
            offer(slot.put(keyspace, keyspaceUtf8, key, value, offset, length, level, callback, context));
    }

    boolean delete(
        final String keyspace,
        final byte[] keyspaceUtf8,
        final long key,
        final ConsistencyLevel level,
        final WriteCallback callback,
        final long context)
    {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(callback, "callback");
        final CallbackWriteCommand slot = slots.acquire();
        return null != slot && offer(slot.delete(keyspace, keyspaceUtf8, key, level, callback, context));
    }

    /**
     * Slots of the callback form free now, for tests.
     */
    int freeWriteSlots()
    {
        return slots.available();
    }

    private boolean offer(final CallbackWriteCommand slot)
    {
        final int result = node.offer(slot);
        if (Node.OFFERED == result)
        {
            return true;
        }
        slots.release(slot);
        if (Node.CLOSED == result)
        {
            throw new NodeClosedException(node.nodeId());
        }
        return false;
    }

    private static void checkOffset(final int offset)
    {
        if (offset < 0)
        {
            throw new IndexOutOfBoundsException("offset must not be negative: " + offset);
        }
    }

    private void checkBatch(final long[] keys, final ConsistencyLevel level)
    {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(level, "level");
        if (0 == keys.length || keys.length > store.maxBatchEntries())
        {
            throw new IllegalArgumentException("a write holds 1 to " + store.maxBatchEntries() +
                " entries (StoreContext.maxBatchEntries): " + keys.length);
        }
    }

    private CompletableFuture<Void> submit(final FutureWriteCommand command)
    {
        node.submit(command);
        return command.future;
    }

    private static void await(final CompletableFuture<Void> future)
    {
        try
        {
            future.join();
        }
        catch (final CompletionException ex)
        {
            if (ex.getCause() instanceof RuntimeException)
            {
                throw (RuntimeException)ex.getCause();
            }
            throw ex;
        }
    }
}
