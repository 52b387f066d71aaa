package io.datacake.storage;

import java.util.Arrays;

/**
 * A copied, immutable document for the convenience API ({@link Storage#get(String, long)}). Hot paths read views
 * with {@link ReadTransaction} instead. Equality is key, timestamp and value bytes (as in datacake).
 */
public final class Document
{
    private final long key;
    private final long stamp;
    private final int nodeId;
    private final byte[] value;

    /**
     * @param key    document id.
     * @param stamp  packed HLC stamp.
     * @param nodeId node id of the timestamp.
     * @param value  value bytes; copied.
     */
    public Document(final long key, final long stamp, final int nodeId, final byte[] value)
    {
        this.key = key;
        this.stamp = stamp;
        this.nodeId = nodeId;
        this.value = value.clone();
    }

    /**
     * @return document id.
     */
    public long key()
    {
        return key;
    }

    /**
     * @return packed HLC stamp of the write that stored this value.
     */
    public long stamp()
    {
        return stamp;
    }

    /**
     * @return node id of the timestamp.
     */
    public int nodeId()
    {
        return nodeId;
    }

    /**
     * @return a copy of the value bytes.
     */
    public byte[] value()
    {
        return value.clone();
    }

    /**
     * @return length of the value in bytes.
     */
    public int valueLength()
    {
        return value.length;
    }

    /**
     * {@inheritDoc}
     */
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof Document))
        {
            return false;
        }
        final Document that = (Document)o;
        return key == that.key && stamp == that.stamp && nodeId == that.nodeId && Arrays.equals(value, that.value);
    }

    /**
     * {@inheritDoc}
     */
    public int hashCode()
    {
        return Long.hashCode(key);
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "Document{key=" + key + ", stamp=" + stamp + ", nodeId=" + nodeId + ", length=" + value.length + '}';
    }
}
