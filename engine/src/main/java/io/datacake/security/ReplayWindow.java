package io.datacake.security;

import java.util.Arrays;

/**
 * A sliding window over one sender's frame counters: accepts each counter at most once and refuses counters that
 * fell behind the window. A bitmap of {@value #BITMAP_BITS} bits in a ring of 64-bit words (the scheme of RFC 6479,
 * the size WireGuard uses): a counter ahead of the highest seen slides the window, clearing the words it passes; a
 * counter within {@value #WINDOW_SIZE} of the highest is checked against its bit. Frames may arrive out of order
 * within the window.
 * <p>
 * {@link #isFresh(long)} only reads, so a frame is checked before its tag and {@link #accept(long)}ed after: a
 * forged frame cannot move the window. Not thread-safe; allocation-free.
 */
public final class ReplayWindow
{
    /** Bits in the bitmap. */
    public static final int BITMAP_BITS = 8192;

    /**
     * Counters this far or further behind the highest seen are refused as too old: the bitmap less the word the
     * highest counter is in, so that sliding never clears a bit still inside the window.
     */
    public static final int WINDOW_SIZE = BITMAP_BITS - Long.SIZE;

    private static final int WORDS = BITMAP_BITS / Long.SIZE;
    private static final int WORD_MASK = WORDS - 1;

    private final long[] words = new long[WORDS];
    private long highest = -1;

    /**
     * Whether a counter is new: ahead of the highest seen, or inside the window and not seen.
     *
     * @param counter a frame counter, not negative.
     * @return true if a frame with it may be accepted.
     */
    public boolean isFresh(final long counter)
    {
        if (counter < 0)
        {
            return false;
        }
        if (counter > highest)
        {
            return true;
        }
        if (highest - counter >= WINDOW_SIZE)
        {
            return false;
        }
        return (words[(int)(counter >>> 6) & WORD_MASK] & (1L << counter)) == 0;
    }

    /**
     * Record a counter that {@link #isFresh(long)} accepted and whose frame authenticated.
     *
     * @param counter the frame counter.
     */
    public void accept(final long counter)
    {
        if (counter > highest)
        {
            final long newWord = counter >>> 6;
            if (highest < 0)
            {
                Arrays.fill(words, 0L);
            }
            else
            {
                final long oldWord = highest >>> 6;
                final long clear = Math.min(newWord - oldWord, WORDS);
                for (long i = 1; i <= clear; i++)
                {
                    words[(int)(oldWord + i) & WORD_MASK] = 0L;
                }
            }
            highest = counter;
        }
        words[(int)(counter >>> 6) & WORD_MASK] |= 1L << counter;
    }

    /**
     * The highest counter accepted.
     *
     * @return the counter, -1 if none yet.
     */
    public long highest()
    {
        return highest;
    }

    /**
     * Forget every counter (the sender started a new generation).
     */
    public void reset()
    {
        highest = -1;
        Arrays.fill(words, 0L);
    }
}
