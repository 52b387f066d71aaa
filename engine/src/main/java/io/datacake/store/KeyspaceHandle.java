package io.datacake.store;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.storage.Document;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link StoreHandle} bound to one keyspace: the same writes and reads without the keyspace argument, and the
 * name validated and encoded once. Thread safe; get one from {@link StoreHandle#keyspace(String)}.
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
