package io.datacake.benchmarks.security;

import io.datacake.security.FrameOpener;
import io.datacake.security.FrameProtection;
import io.datacake.security.FrameSealer;
import io.datacake.security.Keyring;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * What securing the four frames of one RPC round trip (the request sealed and opened, the response sealed and
 * opened) costs at the least: a {@link FrameSealer} and a {@link FrameOpener} alone, each call timed on its own with
 * the next tag {@code prepare}d beforehand (untimed), as the RPC layer does between frames, over a frame of 40
 * header bytes (as {@link FrameMacBenchmark}) and the body in a direct buffer (as frames sit in Aeron's
 * buffers). The figure is twice the median seal plus twice the median open, so a preempted call lands in the tail and
 * not in the figure; the timer's own cost (two {@code System.nanoTime} calls per timing) is in it too.
 * <p>
 * A round-trip measurement prints it next to the difference it measured between a secured and an unsecured round
 * trip: if the two agree, the difference is the tags' work and nothing else.
 */
public final class FrameTagFloor
{
    private static final int SEALS_PER_ROUND_TRIP = 2;

    private final int frameLength;
    private final FrameSealer sealer;
    private final FrameOpener opener;
    private final UnsafeBuffer frame;

    /**
     * @param protection what the sealer and opener do to every frame.
     * @param bodyLength bytes after the frame's header.
     */
    public FrameTagFloor(final FrameProtection protection, final int bodyLength)
    {
        frameLength = FrameMacBenchmark.HEADER_LENGTH + bodyLength;
        final Keyring keyring = Keyring.of(1, FrameMacBenchmark.secret());
        sealer = new FrameSealer(1, 1, protection, keyring);
        final int capacity = frameLength + FrameSealer.TRAILER_LENGTH;
        opener = new FrameOpener(protection, keyring, capacity, 0);
        frame = new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity, 64));
        frame.setMemory(0, frameLength, (byte)3);
    }

    /**
     * Time {@code timings} prepared seals and as many prepared opens, after as many untimed ones to warm up.
     *
     * @param timings how many calls of each kind to time, at least 1.
     * @return twice the median seal plus twice the median open, in ns.
     * @throws IllegalArgumentException if timings is below 1.
     * @throws IllegalStateException    if a sealed frame does not open (a broken sealer or opener).
     */
    public long roundTripNs(final int timings)
    {
        if (timings < 1)
        {
            throw new IllegalArgumentException("timings must be at least 1: " + timings);
        }
        final long[] seals = new long[timings];
        final long[] opens = new long[timings];
        sample(seals, opens); // warm-up
        sample(seals, opens);
        Arrays.sort(seals);
        Arrays.sort(opens);
        return SEALS_PER_ROUND_TRIP * (seals[timings / 2] + opens[timings / 2]);
    }

    private void sample(final long[] seals, final long[] opens)
    {
        for (int i = 0; i < seals.length; i++)
        {
            sealer.prepare();
            long startNs = System.nanoTime();
            final int sealed = sealer.seal(frame, 0, FrameMacBenchmark.HEADER_LENGTH, frameLength);
            seals[i] = System.nanoTime() - startNs;
            opener.prepare();
            startNs = System.nanoTime();
            final int verdict = opener.open(frame, 0, FrameMacBenchmark.HEADER_LENGTH, sealed, 1, 1);
            opens[i] = System.nanoTime() - startNs;
            if (verdict != FrameOpener.OPENED)
            {
                throw new IllegalStateException("a sealed frame did not open: verdict " + verdict);
            }
        }
    }
}
