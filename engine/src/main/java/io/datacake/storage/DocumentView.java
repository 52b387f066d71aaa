package io.datacake.storage;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A reusable holder for one document read with {@link ReadTransaction#get(String, long, DocumentHandler)}: it
 * remembers the metadata and wraps the value bytes in place, without copying them. The {@link #value()} view is
 * valid only while the transaction that produced it is open and until the next read into this view.
 * <p>
 * Not thread safe: one view per reading thread.
 */
public final class DocumentView implements DocumentHandler
{
    private final UnsafeBuffer value = new UnsafeBuffer(0, 0);
    private long key;
    private long stamp;
    private int nodeId;

    /**
     * {@inheritDoc}
     */
    public void onDocument(
        final long key, final long stamp, final int nodeId, final DirectBuffer buffer, final int offset, final int length)
    {
        this.key = key;
        this.stamp = stamp;
        this.nodeId = nodeId;
        value.wrap(buffer, offset, length);
    }

    /**
     * @return document id of the last document read into this view.
     */
    public long key()
    {
        return key;
    }

    /**
     * @return packed HLC stamp of the last document read into this view.
     */
    public long stamp()
    {
        return stamp;
    }

    /**
     * @return node id of the last document's timestamp.
     */
    public int nodeId()
    {
        return nodeId;
    }

    /**
     * @return the value bytes, a view starting at index 0; read only.
     */
    public DirectBuffer value()
    {
        return value;
    }

    /**
     * @return length of the value in bytes.
     */
    public int valueLength()
    {
        return value.capacity();
    }

    /**
     * Copy the value out.
     *
     * @return a new array with the value bytes.
     */
    public byte[] valueBytes()
    {
        final byte[] bytes = new byte[value.capacity()];
        value.getBytes(0, bytes);
        return bytes;
    }
}
