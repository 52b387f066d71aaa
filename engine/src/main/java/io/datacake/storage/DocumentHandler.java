package io.datacake.storage;

import org.agrona.DirectBuffer;

/**
 * Receives one live document read inside a {@link ReadTransaction}. The value is a view, not a copy: it is valid
 * only until the handler returns (or, for LMDB, until the transaction closes) and must never be written through.
 * Copy the bytes out if they must outlive the call.
 */
@FunctionalInterface
public interface DocumentHandler
{
    /**
     * @param key    document id.
     * @param stamp  packed HLC stamp of the write that stored this value.
     * @param nodeId node id of that write's timestamp.
     * @param buffer buffer holding the value.
     * @param offset offset of the value in {@code buffer}.
     * @param length length of the value in bytes (0 for an empty document).
     */
    void onDocument(long key, long stamp, int nodeId, DirectBuffer buffer, int offset, int length);
}
