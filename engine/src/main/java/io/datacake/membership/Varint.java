package io.datacake.membership;

import org.agrona.MutableDirectBuffer;

/**
 * Unsigned LEB128 encoding of non-negative longs for gossip digests: seven bits a byte, low bits first, the high bit
 * of each byte set while more follow. A value below 128 takes one byte; the largest non-negative long takes
 * {@link #MAX_LENGTH}. Reading is done by {@link GossipDecoder}, which rejects over-long and non-minimal forms.
 */
final class Varint
{
    /** Bytes of the longest encoding: 63 value bits in 7-bit groups. */
    static final int MAX_LENGTH = 9;

    private Varint()
    {
    }

    /**
     * @param value a non-negative value.
     * @return the bytes its encoding takes.
     */
    static int length(final long value)
    {
        final int bits = Long.SIZE - Long.numberOfLeadingZeros(value | 1);
        return (bits + 6) / 7;
    }

    /**
     * Write a non-negative value.
     *
     * @param buffer   destination, with room for {@link #length(long)} bytes at {@code position}.
     * @param position where to write.
     * @param value    the value, >= 0.
     * @return the position after the encoding.
     */
    static int put(final MutableDirectBuffer buffer, final int position, final long value)
    {
        int at = position;
        long rest = value;
        while (rest >= 0x80)
        {
            buffer.putByte(at++, (byte)((rest & 0x7F) | 0x80));
            rest >>>= 7;
        }
        buffer.putByte(at++, (byte)rest);
        return at;
    }
}
