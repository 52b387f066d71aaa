package io.datacake.testing;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Runs a randomized property over seeded trials, the way every randomized test in this project does. The master
 * seed is printed and comes from the system property {@value #SEED_PROPERTY} when set, which then replays exactly
 * one trial with that seed; a failing trial names the seed that replays it.
 */
public final class SeededTrials
{
    /** System property that fixes the seed, to replay a failing trial. */
    public static final String SEED_PROPERTY = "datacake.seed";

    private SeededTrials()
    {
    }

    /**
     * Run the trials.
     *
     * @param property what the trials check, for the messages.
     * @param trials   how many trials when no seed is fixed.
     * @param trial    one trial, given its own seeded random.
     * @throws AssertionError naming the seed of the first failing trial.
     */
    public static void run(final String property, final int trials, final Consumer<SplittableRandom> trial)
    {
        final String fixed = System.getProperty(SEED_PROPERTY);
        final long master = null != fixed ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println(property + ": master seed " + master + (null != fixed ? " (replaying one trial)" : ""));
        final SplittableRandom seeds = new SplittableRandom(master);
        final int count = null != fixed ? 1 : trials;
        for (int i = 0; i < count; i++)
        {
            final long seed = null != fixed ? master : seeds.nextLong();
            try
            {
                trial.accept(new SplittableRandom(seed));
            }
            catch (final AssertionError | RuntimeException ex)
            {
                throw new AssertionError(property + " failed with seed " + seed + "; replay with -D" + SEED_PROPERTY +
                    "=" + seed + " -Dtest=<this test>", ex);
            }
        }
    }

    /**
     * One seed for a single randomized run: the fixed one, or a fresh one, printed with its replay property.
     *
     * @param property what the run checks, for the message.
     * @return the seed.
     */
    public static long seed(final String property)
    {
        final String fixed = System.getProperty(SEED_PROPERTY);
        final long seed = null != fixed ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println(property + ": seed " + seed + " (replay with -D" + SEED_PROPERTY + "=" + seed + ")");
        return seed;
    }
}
