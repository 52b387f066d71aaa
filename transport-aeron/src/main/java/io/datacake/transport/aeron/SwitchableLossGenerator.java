package io.datacake.transport.aeron;

import io.aeron.driver.ext.LossGenerator;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A seeded {@link LossGenerator} whose drop rate can be changed while the driver runs: set it to 0.2 to drop a fifth
 * of the frames, to 1.0 to cut the link, back to 0.0 to heal it.
 * <p>
 * {@link #shouldDropFrame} is called only by the driver's sender or receiver thread; {@link #dropRate(double)} may be
 * called from any thread (the rate is a volatile read per frame). With the same seed and rate sequence, the same
 * frames in order are dropped.
 */
public final class SwitchableLossGenerator implements LossGenerator
{
    private final SplittableRandom random;
    private final AtomicLong droppedFrames = new AtomicLong();
    private volatile double dropRate;

    /**
     * A generator that drops nothing until {@link #dropRate(double)} is raised.
     *
     * @param seed seed of the per-frame random decision.
     */
    public SwitchableLossGenerator(final long seed)
    {
        this.random = new SplittableRandom(seed);
    }

    /**
     * Set the share of frames to drop from now on.
     *
     * @param dropRate between 0.0 (drop nothing) and 1.0 (drop everything).
     * @throws IllegalArgumentException if outside [0, 1].
     */
    public void dropRate(final double dropRate)
    {
        if (!(dropRate >= 0.0 && dropRate <= 1.0))
        {
            throw new IllegalArgumentException("dropRate must be between 0.0 and 1.0: " + dropRate);
        }
        this.dropRate = dropRate;
    }

    /**
     * The current share of frames dropped.
     *
     * @return the drop rate.
     */
    public double dropRate()
    {
        return dropRate;
    }

    /**
     * How many frames this generator has dropped so far.
     *
     * @return the dropped frame count.
     */
    public long droppedFrames()
    {
        return droppedFrames.get();
    }

    /**
     * Decide whether to drop one frame.
     *
     * @param address the frame's source or destination.
     * @param buffer  the frame.
     * @param length  the frame's length in bytes.
     * @return true to drop it.
     */
    public boolean shouldDropFrame(final InetSocketAddress address, final UnsafeBuffer buffer, final int length)
    {
        final double rate = dropRate;
        final boolean drop = rate > 0.0 && (rate >= 1.0 || random.nextDouble() < rate);
        if (drop)
        {
            droppedFrames.incrementAndGet();
        }
        return drop;
    }
}
