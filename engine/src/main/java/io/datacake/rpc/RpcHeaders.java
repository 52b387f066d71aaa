package io.datacake.rpc;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * Request metadata: an ordered list of ASCII name/value pairs sent with a request (trace ids, tags, ...). Encoded
 * once when added, so a reused instance adds nothing per send. Not thread safe; a call copies what it needs.
 */
public final class RpcHeaders
{
    /** Most headers one request may carry. */
    public static final int MAX_HEADERS = 64;

    /** Longest header name or value, in ASCII bytes. */
    public static final int MAX_HEADER_LENGTH = 1024;

    private static final int LENGTH_FIELD_SIZE = 2;

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
    private final int[] nameOffsets = new int[MAX_HEADERS];
    private final int[] nameLengths = new int[MAX_HEADERS];
    private final int[] valueOffsets = new int[MAX_HEADERS];
    private final int[] valueLengths = new int[MAX_HEADERS];
    private int count;
    private int limit;

    /**
     * Add a header.
     *
     * @param name  ASCII name, 1..{@link #MAX_HEADER_LENGTH} characters.
     * @param value ASCII value, 0..{@link #MAX_HEADER_LENGTH} characters.
     * @return this.
     * @throws IllegalArgumentException if a string is too long, not ASCII, or there are already
     *                                  {@link #MAX_HEADERS} headers.
     */
    public RpcHeaders add(final String name, final String value)
    {
        if (count == MAX_HEADERS)
        {
            throw new IllegalArgumentException("too many headers: at most " + MAX_HEADERS);
        }
        checkAscii(name, "name", 1);
        checkAscii(value, "value", 0);
        nameOffsets[count] = limit;
        nameLengths[count] = name.length();
        limit += buffer.putStringWithoutLengthAscii(limit, name);
        valueOffsets[count] = limit;
        valueLengths[count] = value.length();
        limit += buffer.putStringWithoutLengthAscii(limit, value);
        count++;
        return this;
    }

    /**
     * Remove every header, keeping the storage for reuse.
     *
     * @return this.
     */
    public RpcHeaders clear()
    {
        count = 0;
        limit = 0;
        return this;
    }

    /**
     * The number of headers.
     *
     * @return count.
     */
    public int count()
    {
        return count;
    }

    /**
     * A header's name.
     *
     * @param index 0..count-1.
     * @return the name.
     * @throws IndexOutOfBoundsException if the index is out of range.
     */
    public String name(final int index)
    {
        checkIndex(index);
        return buffer.getStringWithoutLengthAscii(nameOffsets[index], nameLengths[index]);
    }

    /**
     * A header's value.
     *
     * @param index 0..count-1.
     * @return the value.
     * @throws IndexOutOfBoundsException if the index is out of range.
     */
    public String value(final int index)
    {
        checkIndex(index);
        return buffer.getStringWithoutLengthAscii(valueOffsets[index], valueLengths[index]);
    }

    /**
     * Copy every header of another instance into this one, replacing its content.
     *
     * @param other the headers to copy, may be null for none.
     * @return this.
     */
    public RpcHeaders copyFrom(final RpcHeaders other)
    {
        clear();
        if (null != other)
        {
            buffer.putBytes(0, other.buffer, 0, other.limit);
            System.arraycopy(other.nameOffsets, 0, nameOffsets, 0, other.count);
            System.arraycopy(other.nameLengths, 0, nameLengths, 0, other.count);
            System.arraycopy(other.valueOffsets, 0, valueOffsets, 0, other.count);
            System.arraycopy(other.valueLengths, 0, valueLengths, 0, other.count);
            count = other.count;
            limit = other.limit;
        }
        return this;
    }

    int encodedLength()
    {
        return limit + count * 2 * LENGTH_FIELD_SIZE;
    }

    DirectBuffer buffer()
    {
        return buffer;
    }

    int nameOffset(final int index)
    {
        return nameOffsets[index];
    }

    int nameLength(final int index)
    {
        return nameLengths[index];
    }

    int valueOffset(final int index)
    {
        return valueOffsets[index];
    }

    int valueLength(final int index)
    {
        return valueLengths[index];
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("RpcHeaders{");
        for (int i = 0; i < count; i++)
        {
            sb.append(i == 0 ? "" : ", ").append(name(i)).append('=').append(value(i));
        }
        return sb.append('}').toString();
    }

    private void checkIndex(final int index)
    {
        if (index < 0 || index >= count)
        {
            throw new IndexOutOfBoundsException("header index " + index + " not in 0.." + (count - 1));
        }
    }

    private static void checkAscii(final String text, final String what, final int minLength)
    {
        if (null == text)
        {
            throw new IllegalArgumentException("header " + what + " must not be null");
        }
        if (text.length() < minLength || text.length() > MAX_HEADER_LENGTH)
        {
            throw new IllegalArgumentException("header " + what + " length must be in " + minLength + ".." +
                MAX_HEADER_LENGTH + ": " + text.length());
        }
        for (int i = 0; i < text.length(); i++)
        {
            if (text.charAt(i) > 127)
            {
                throw new IllegalArgumentException("header " + what + " must be ASCII: '" + text + "'");
            }
        }
    }
}
