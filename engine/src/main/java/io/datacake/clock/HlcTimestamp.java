package io.datacake.clock;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Static helpers over a hybrid logical clock timestamp packed into one {@code long}.
 * <p>
 * Layout of the packed stamp, most significant bits first:
 * <pre>
 *   63                                              16 15             0
 *  +------------------------------------------------+----------------+
 *  |      physical time: Unix epoch milliseconds    | logical counter|
 *  |                   (48 bits)                    |    (16 bits)   |
 *  +------------------------------------------------+----------------+
 * </pre>
 * 48 bits of milliseconds last until the year 10889, so the packed value is never negative and compares as a
 * plain {@code long}. The node id (0..65535) is carried beside the stamp, not inside it, and is the final
 * tie-breaker: a full timestamp is ordered by (physical time, counter, node id).
 * <p>
 * A packed value of {@link #NULL_STAMP} means "no timestamp": real stamps always have a positive physical part.
 */
public final class HlcTimestamp
{
    /** Marker for "no timestamp". No clock ever produces it. */
    public static final long NULL_STAMP = 0L;

    /** Bits used by the logical counter. */
    public static final int COUNTER_BITS = 16;

    /** Largest logical counter value; one more is a counter overflow. */
    public static final int MAX_COUNTER = (1 << COUNTER_BITS) - 1;

    /** Largest physical time in milliseconds that fits the packed layout. */
    public static final long MAX_MILLIS = (1L << (Long.SIZE - COUNTER_BITS - 1)) - 1;

    /** Largest node id; node ids are unsigned 16-bit values. */
    public static final int MAX_NODE_ID = 0xFFFF;

    private static final char SEPARATOR = '/';

    private HlcTimestamp()
    {
    }

    /**
     * Pack a physical time and a logical counter.
     *
     * @param millis  physical time in Unix epoch milliseconds, 0..{@link #MAX_MILLIS}.
     * @param counter logical counter, 0..{@link #MAX_COUNTER}.
     * @return the packed stamp.
     * @throws IllegalArgumentException if either part is out of range.
     */
    public static long pack(final long millis, final int counter)
    {
        if (millis < 0 || millis > MAX_MILLIS)
        {
            throw new IllegalArgumentException("physical time out of range [0, " + MAX_MILLIS + "]: " + millis);
        }
        if (counter < 0 || counter > MAX_COUNTER)
        {
            throw new IllegalArgumentException("logical counter out of range [0, " + MAX_COUNTER + "]: " + counter);
        }
        return (millis << COUNTER_BITS) | counter;
    }

    /**
     * @param stamp a packed stamp.
     * @return its physical time in Unix epoch milliseconds.
     */
    public static long millis(final long stamp)
    {
        return stamp >>> COUNTER_BITS;
    }

    /**
     * @param stamp a packed stamp.
     * @return its logical counter.
     */
    public static int counter(final long stamp)
    {
        return (int)(stamp & MAX_COUNTER);
    }

    /**
     * Total order of full timestamps: packed stamp first, then node id.
     *
     * @param stampA packed stamp of A.
     * @param nodeA  node id of A.
     * @param stampB packed stamp of B.
     * @param nodeB  node id of B.
     * @return negative, zero or positive as A is before, equal to or after B.
     */
    public static int compare(final long stampA, final int nodeA, final long stampB, final int nodeB)
    {
        final int byStamp = Long.compare(stampA, stampB);
        return byStamp != 0 ? byStamp : Integer.compare(nodeA, nodeB);
    }

    /**
     * Check a node id is in range.
     *
     * @param nodeId the node id.
     * @return the node id.
     * @throws IllegalArgumentException if it is outside 0..{@link #MAX_NODE_ID}.
     */
    public static int checkNodeId(final int nodeId)
    {
        if (nodeId < 0 || nodeId > MAX_NODE_ID)
        {
            throw new IllegalArgumentException("node id out of range [0, " + MAX_NODE_ID + "]: " + nodeId);
        }
        return nodeId;
    }

    /**
     * Readable form for logs and the CLI: {@code <ISO-8601 instant>/<counter, 4 hex digits>/<node id>}, for
     * example {@code 2026-11-25T09:08:51.123Z/000a/12}. {@link #parseStamp} and {@link #parseNodeId} read it back.
     *
     * @param stamp  packed stamp.
     * @param nodeId node id.
     * @return the readable form.
     */
    public static String toString(final long stamp, final int nodeId)
    {
        final StringBuilder sb = new StringBuilder(40);
        sb.append(Instant.ofEpochMilli(millis(stamp))).append(SEPARATOR);
        final String hex = Integer.toHexString(counter(stamp));
        for (int i = hex.length(); i < 4; i++)
        {
            sb.append('0');
        }
        return sb.append(hex).append(SEPARATOR).append(nodeId).toString();
    }

    /**
     * Parse the packed stamp of a readable timestamp made by {@link #toString(long, int)}.
     *
     * @param text the readable form.
     * @return the packed stamp.
     * @throws HlcFormatException if the text is not a readable timestamp.
     */
    public static long parseStamp(final CharSequence text)
    {
        final String s = text.toString();
        final int second = s.lastIndexOf(SEPARATOR);
        final int first = second > 0 ? s.lastIndexOf(SEPARATOR, second - 1) : -1;
        if (first <= 0)
        {
            throw new HlcFormatException(s, "expected <instant>/<counter hex>/<node id>");
        }
        try
        {
            final long millis = Instant.parse(s.substring(0, first)).toEpochMilli();
            final int counter = Integer.parseInt(s.substring(first + 1, second), 16);
            parseNodeId(s);
            return pack(millis, counter);
        }
        catch (final DateTimeParseException | IllegalArgumentException | ArithmeticException ex)
        {
            throw new HlcFormatException(s, ex.getMessage());
        }
    }

    /**
     * Parse the node id of a readable timestamp made by {@link #toString(long, int)}.
     *
     * @param text the readable form.
     * @return the node id.
     * @throws HlcFormatException if the text does not end in a valid node id.
     */
    public static int parseNodeId(final CharSequence text)
    {
        final String s = text.toString();
        final int second = s.lastIndexOf(SEPARATOR);
        try
        {
            return checkNodeId(Integer.parseInt(s.substring(second + 1)));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new HlcFormatException(s, ex.getMessage());
        }
    }
}
