package io.datacake.store;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.storage.Document;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link StoreHandle} bound to one keyspace: the same writes and reads without the keyspace argument, and the
 * name validated and encoded once. Thread safe; get one from {@link StoreHandle#keyspace(String)}.
 *
 * <h2>The callback form</h2>
 * {@link #put(long, DirectBuffer, int, int, ConsistencyLevel, WriteCallback, long)} and
 * {@link #delete(long, ConsistencyLevel, WriteCallback, long)} are for latency-sensitive callers: the value is copied
 * into a pooled command slot of the {@link StoreHandle} this handle came from (its buffer grows once to the largest
 * value it carried), the slot goes to the node thread through the node's bounded command queue, and the outcome comes
 * back to a {@link WriteCallback} with a caller-chosen {@code long} context, on the node thread. Nothing is allocated
 * per write in steady state: no command, no copy array, no future. Each {@code StoreHandle} holds at most
 * {@link StoreContext#maxPendingWrites(int)} callback-form writes between the call and their callback; past that
 * bound, or with the command queue full, the call returns {@code false} at once (nothing was queued, the callback
 * will not be called) and never waits.
 */
public final class KeyspaceHandle
{
    private final StoreHandle store;
    private final String keyspace;
    private final byte[] keyspaceUtf8;

    KeyspaceHandle(final StoreHandle store, final String keyspace, final byte[] keyspaceUtf8)
    {
        this.store = store;
        this.keyspace = keyspace;
        this.keyspaceUtf8 = keyspaceUtf8;
    }

    /**
     * The keyspace name.
     *
     * @return the name.
     */
    public String name()
    {
        return keyspace;
    }

    /**
     * Store a value; see {@link StoreHandle#put}.
     *
     * @param key   the document id.
     * @param value the value, copied before return.
     * @param level how many replicas must acknowledge.
     * @return a future as for {@link StoreHandle#put}.
     * @throws RuntimeException what {@link StoreHandle#put} throws.
     */
    public CompletableFuture<Void> put(final long key, final byte[] value, final ConsistencyLevel level)
    {
        return store.putMany(keyspace, keyspaceUtf8, new long[]{key}, new byte[][]{value}, level);
    }

    /**
     * Store many values as one write; see {@link StoreHandle#putMany}.
     *
     * @param keys   the document ids.
     * @param values the values, {@code values[i]} for {@code keys[i]}.
     * @param level  how many replicas must acknowledge.
     * @return a future as for {@link StoreHandle#put}.
     * @throws RuntimeException what {@link StoreHandle#putMany} throws.
     */
    public CompletableFuture<Void> putMany(final long[] keys, final byte[][] values, final ConsistencyLevel level)
    {
        return store.putMany(keyspace, keyspaceUtf8, keys, values, level);
    }

    /**
     * Store a value without allocating: the callback form (see the class comment).
     *
     * @param key      the document id.
     * @param value    holds the value; copied before return, so the caller may reuse it at once.
     * @param offset   where the value starts in {@code value}.
     * @param length   the value length in bytes.
     * @param level    how many replicas must acknowledge.
     * @param callback hears the outcome once, on the node thread; it must not block.
     * @param context  handed back to the callback as is.
     * @return true if the write was queued (the callback will be called exactly once), false if the handle's
     * {@link StoreContext#maxPendingWrites(int)} callback writes are outstanding or the node's command queue is full
     * (nothing queued; retry once callbacks came back).
     * @throws IndexOutOfBoundsException                   if {@code offset} and {@code length} are outside
     *                                                     {@code value}.
     * @throws io.datacake.storage.ValueTooLargeException  if the value is longer than the store's maximum value
     *                                                     length (the message names the limit).
     * @throws io.datacake.node.NodeClosedException        if the node is closed.
     */
    public boolean put(
        final long key,
        final DirectBuffer value,
        final int offset,
        final int length,
        final ConsistencyLevel level,
        final WriteCallback callback,
        final long context)
    {
        return store.put(keyspace, keyspaceUtf8, key, value, offset, length, level, callback, context);
    }

    /**
     * Delete a key without allocating: the callback form (see the class comment).
     *
     * @param key      the document id.
     * @param level    how many replicas must acknowledge.
     * @param callback hears the outcome once, on the node thread; it must not block.
     * @param context  handed back to the callback as is.
     * @return as for {@link #put(long, DirectBuffer, int, int, ConsistencyLevel, WriteCallback, long)}.
     * @throws io.datacake.node.NodeClosedException if the node is closed.
     */
    public boolean delete(
        final long key, final ConsistencyLevel level, final WriteCallback callback, final long context)
    {
        return store.delete(keyspace, keyspaceUtf8, key, level, callback, context);
    }

    /**
     * Delete a key; see {@link StoreHandle#delete}.
     *
     * @param key   the document id.
     * @param level how many replicas must acknowledge.
     * @return a future as for {@link StoreHandle#put}.
     * @throws RuntimeException what {@link StoreHandle#delete} throws.
     */
    public CompletableFuture<Void> delete(final long key, final ConsistencyLevel level)
    {
        return store.deleteMany(keyspace, keyspaceUtf8, new long[]{key}, level);
    }

    /**
     * Delete many keys as one write; see {@link StoreHandle#deleteMany}.
     *
     * @param keys  the document ids.
     * @param level how many replicas must acknowledge.
     * @return a future as for {@link StoreHandle#put}.
     * @throws RuntimeException what {@link StoreHandle#deleteMany} throws.
     */
    public CompletableFuture<Void> deleteMany(final long[] keys, final ConsistencyLevel level)
    {
        return store.deleteMany(keyspace, keyspaceUtf8, keys, level);
    }

    /**
     * {@link #put} and wait; see {@link StoreHandle#putAndWait}.
     *
     * @param key   the document id.
     * @param value the value.
     * @param level how many replicas must acknowledge.
     * @throws RuntimeException what {@link StoreHandle#putAndWait} throws.
     */
    public void putAndWait(final long key, final byte[] value, final ConsistencyLevel level)
    {
        store.putAndWait(keyspace, key, value, level);
    }

    /**
     * {@link #delete} and wait; see {@link StoreHandle#deleteAndWait}.
     *
     * @param key   the document id.
     * @param level how many replicas must acknowledge.
     * @throws RuntimeException what {@link StoreHandle#deleteAndWait} throws.
     */
    public void deleteAndWait(final long key, final ConsistencyLevel level)
    {
        store.deleteAndWait(keyspace, key, level);
    }

    /**
     * Read one live document from this node's storage; see {@link StoreHandle#get}.
     *
     * @param key the document id.
     * @return a copy, or null if missing or deleted.
     * @throws io.datacake.storage.StorageException if the storage failed or is closed.
     */
    public Document get(final long key)
    {
        return store.get(keyspace, key);
    }

    /**
     * Read one live document in place; see {@link StoreHandle#read(String, long, ValueReader)}.
     *
     * @param key    the document id.
     * @param reader gets a view of the value valid only while it runs.
     * @return true if the document was found and the reader called.
     * @throws io.datacake.storage.StorageException if the storage failed or is closed.
     */
    public boolean read(final long key, final ValueReader reader)
    {
        return store.read(keyspace, key, reader);
    }

    /**
     * Copy a value into a caller's buffer; see {@link StoreHandle#get(String, long, MutableDirectBuffer, int)}.
     *
     * @param key         the document id.
     * @param destination receives the value at {@code offset}.
     * @param offset      where the value goes.
     * @return the value length, or {@link StoreHandle#NOT_FOUND}.
     * @throws IndexOutOfBoundsException            if the value does not fit.
     * @throws io.datacake.storage.StorageException if the storage failed or is closed.
     */
    public int get(final long key, final MutableDirectBuffer destination, final int offset)
    {
        return store.get(keyspace, key, destination, offset);
    }

    /**
     * Copy a value into a caller's array; see {@link StoreHandle#get(String, long, byte[], int)}.
     *
     * @param key         the document id.
     * @param destination receives the value at {@code offset}.
     * @param offset      where the value goes.
     * @return the value length, or {@link StoreHandle#NOT_FOUND}.
     * @throws IndexOutOfBoundsException            if the value does not fit.
     * @throws io.datacake.storage.StorageException if the storage failed or is closed.
     */
    public int get(final long key, final byte[] destination, final int offset)
    {
        return store.get(keyspace, key, destination, offset);
    }

    /**
     * Read many live documents; see {@link StoreHandle#getMany}.
     *
     * @param keys the document ids.
     * @return copies of the documents found, in the order of {@code keys}.
     * @throws io.datacake.storage.StorageException if the storage failed or is closed.
     */
    public List<Document> getMany(final long... keys)
    {
        return store.getMany(keyspace, keys);
    }
}
