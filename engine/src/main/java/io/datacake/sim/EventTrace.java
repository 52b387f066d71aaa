package io.datacake.sim;

import java.util.ArrayDeque;
import java.util.zip.CRC32;

/**
 * The record of a simulation run: every network event (send, drop, duplicate, delivery, partition), every node
 * launch, crash and close, and whatever a scenario records, folded into a running 64-bit digest, plus the most
 * recent events kept for failure reports. Two runs with the same seed must have the same digest.
 */
public final class EventTrace
{
    /** How many recent events are kept for {@link #recentEvents()}. */
    public static final int RECENT_EVENT_LIMIT = 64;

    private static final long FNV_PRIME = 0x100000001B3L;

    private final ArrayDeque<String> recent = new ArrayDeque<>(RECENT_EVENT_LIMIT);
    private final CRC32 crc = new CRC32();
    private long digest = 0xCBF29CE484222325L;
    private long eventCount;

    /**
     * Record an event.
     *
     * @param timeMs      virtual time.
     * @param kind        what happened, e.g. {@code "send"}.
     * @param source      source endpoint.
     * @param destination destination endpoint.
     * @param frame       the frame bytes, or null.
     * @param length      bytes of the frame to fold in.
     */
    public void record(
        final long timeMs,
        final String kind,
        final String source,
        final String destination,
        final byte[] frame,
        final int length)
    {
        long frameCrc = 0;
        if (null != frame)
        {
            crc.reset();
            crc.update(frame, 0, length);
            frameCrc = crc.getValue();
        }
        mix(timeMs);
        mix(kind.hashCode());
        mix(source.hashCode());
        mix(destination.hashCode());
        mix(length);
        mix(frameCrc);
        eventCount++;
        if (recent.size() == RECENT_EVENT_LIMIT)
        {
            recent.pollFirst();
        }
        recent.addLast(timeMs + " " + kind + " " + source + "->" + destination + " len=" + length +
            " crc=" + Long.toHexString(frameCrc));
    }

    /**
     * Fold an application-level observation into the digest (e.g. a completed RPC and its outcome).
     *
     * @param timeMs virtual time.
     * @param event  a description.
     */
    public void record(final long timeMs, final String event)
    {
        mix(timeMs);
        mix(event.hashCode());
        eventCount++;
        if (recent.size() == RECENT_EVENT_LIMIT)
        {
            recent.pollFirst();
        }
        recent.addLast(timeMs + " " + event);
    }

    /**
     * The digest of every event so far.
     *
     * @return the digest.
     */
    public long digest()
    {
        return digest;
    }

    /**
     * The number of events recorded.
     *
     * @return count.
     */
    public long eventCount()
    {
        return eventCount;
    }

    /**
     * The most recent events, oldest first, for failure reports.
     *
     * @return one event per line.
     */
    public String recentEvents()
    {
        return String.join("\n", recent);
    }

    private void mix(final long value)
    {
        digest = (digest ^ value) * FNV_PRIME;
        digest ^= digest >>> 29;
    }
}
