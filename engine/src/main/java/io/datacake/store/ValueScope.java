package io.datacake.store;

import io.datacake.storage.DocumentHandler;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.Storage;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One local read of a handle: opens a read transaction of the node's storage, hands the value to a
 * {@link ValueReader} as a view, or copies it into a caller's buffer, and detaches the view before the transaction
 * closes so nothing can read through it afterwards. One per read call (reads may nest in a reader).
 */
final class ValueScope implements DocumentHandler
{
    private static final byte[] DETACHED = new byte[0];

    private final UnsafeBuffer view = new UnsafeBuffer(DETACHED);
    private ValueReader reader;
    private MutableDirectBuffer destination;
    private byte[] destinationArray;
    private int destinationOffset;
    private int length;

    /**
     * @return true if the document was found and the reader called.
     */
    static boolean read(final Storage storage, final String keyspace, final long key, final ValueReader reader)
    {
        final ValueScope scope = new ValueScope();
        scope.reader = reader;
        return scope.get(storage, keyspace, key);
    }

    /**
     * @return the value length, or {@link StoreHandle#NOT_FOUND}.
     */
    static int copy(
        final Storage storage, final String keyspace, final long key, final MutableDirectBuffer destination,
        final int offset)
    {
        final ValueScope scope = new ValueScope();
        scope.destination = destination;
        scope.destinationOffset = offset;
        return scope.get(storage, keyspace, key) ? scope.length : StoreHandle.NOT_FOUND;
    }

    /**
     * @return the value length, or {@link StoreHandle#NOT_FOUND}.
     */
    static int copy(
        final Storage storage, final String keyspace, final long key, final byte[] destination, final int offset)
    {
        final ValueScope scope = new ValueScope();
        scope.destinationArray = destination;
        scope.destinationOffset = offset;
        return scope.get(storage, keyspace, key) ? scope.length : StoreHandle.NOT_FOUND;
    }

    private boolean get(final Storage storage, final String keyspace, final long key)
    {
        try (ReadTransaction txn = storage.beginRead())
        {
            return txn.get(keyspace, key, this);
        }
    }

    public void onDocument(
        final long key, final long stamp, final int nodeId, final DirectBuffer buffer, final int offset, final int length)
    {
        this.length = length;
        if (null != reader)
        {
            view.wrap(buffer, offset, length);
            try
            {
                reader.onValue(key, stamp, nodeId, view);
            }
            finally
            {
                view.wrap(DETACHED);
            }
        }
        else if (null != destination)
        {
            if (!destination.isExpandable() && destinationOffset > destination.capacity() - length)
            {
                throw tooSmall(key, length, destination.capacity());
            }
            destination.putBytes(destinationOffset, buffer, offset, length);
        }
        else
        {
            if (destinationOffset > destinationArray.length - length)
            {
                throw tooSmall(key, length, destinationArray.length);
            }
            buffer.getBytes(offset, destinationArray, destinationOffset, length);
        }
    }

    private IndexOutOfBoundsException tooSmall(final long key, final int length, final int capacity)
    {
        return new IndexOutOfBoundsException("the value of key " + key + " is " + length + " bytes, the buffer has " +
            Math.max(0, capacity - destinationOffset) + " from offset " + destinationOffset + " (capacity " +
            capacity + "): give a larger buffer, an expandable one, or read it with a ValueReader");
    }
}
