package io.datacake.sim;

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

    // The recent events as a ring of their parts, formatted only when asked for: a run records every frame, and
    // building a string per frame would cost more than the rest of the trace.
    private final long[] recentTimesMs = new long[RECENT_EVENT_LIMIT];
    private final String[] recentKinds = new String[RECENT_EVENT_LIMIT];
    private final String[] recentSources = new String[RECENT_EVENT_LIMIT];
    private final String[] recentDestinations = new String[RECENT_EVENT_LIMIT];
    private final int[] recentLengths = new int[RECENT_EVENT_LIMIT];
    private final long[] recentCrcs = new long[RECENT_EVENT_LIMIT];
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
        remember(timeMs, kind, source, destination, length, frameCrc);
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
        remember(timeMs, event, null, null, 0, 0);
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
        final StringBuilder out = new StringBuilder();
        final long first = Math.max(0, eventCount - RECENT_EVENT_LIMIT);
        for (long event = first; event < eventCount; event++)
        {
            final int slot = (int)(event % RECENT_EVENT_LIMIT);
            if (event > first)
            {
                out.append('\n');
            }
            out.append(recentTimesMs[slot]).append(' ').append(recentKinds[slot]);
            if (null != recentSources[slot])
            {
                out.append(' ').append(recentSources[slot]).append("->").append(recentDestinations[slot])
                    .append(" len=").append(recentLengths[slot]).append(" crc=")
                    .append(Long.toHexString(recentCrcs[slot]));
            }
        }
        return out.toString();
    }

    private void remember(
        final long timeMs, final String kind, final String source, final String destination, final int length,
        final long frameCrc)
    {
        final int slot = (int)(eventCount % RECENT_EVENT_LIMIT);
        recentTimesMs[slot] = timeMs;
        recentKinds[slot] = kind;
        recentSources[slot] = source;
        recentDestinations[slot] = destination;
        recentLengths[slot] = length;
        recentCrcs[slot] = frameCrc;
        eventCount++;
    }

    private void mix(final long value)
    {
        digest = (digest ^ value) * FNV_PRIME;
        digest ^= digest >>> 29;
    }
}
