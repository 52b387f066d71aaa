package io.datacake.store;

import org.agrona.DirectBuffer;

/**
 * Reads one stored value in place, without copying it: {@link StoreHandle#read(String, long, ValueReader)} and
 * {@link KeyspaceHandle#read(long, ValueReader)} call it on the caller's thread inside a read transaction of the
 * node's storage (for LMDB the view is the memory-mapped page itself).
 */
@FunctionalInterface
public interface ValueReader
{
    /**
     * One live document, found.
     * <p>
     * {@code value} is valid only until this method returns: copy what must outlive the call. Afterwards the view is
     * detached (capacity 0), so a reference kept past the call reads nothing: with Agrona's bounds checks on (the
     * default) every read of it throws {@link IndexOutOfBoundsException} instead of reading memory the storage may
     * have reused. Keep the call short: an open read holds back the storage (LMDB pins pages, SQLite the checkpoint).
     *
     * @param key    the document id.
     * @param stamp  the packed HLC stamp of the write that stored it.
     * @param nodeId the node id of that stamp.
     * @param value  a read-only view of exactly the value bytes, index 0 to {@code value.capacity()}.
     */
    void onValue(long key, long stamp, int nodeId, DirectBuffer value);
}
