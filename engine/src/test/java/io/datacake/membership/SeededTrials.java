package io.datacake.membership;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Runs a randomized check over seeded trials. The master seed is printed and comes from {@code datacake.seed} when
 * set, which replays exactly one trial with that seed; a failing trial names the seed that replays it.
 */
final class SeededTrials
{
    static final String SEED_PROPERTY = "datacake.seed";

    private SeededTrials()
    {
    }

    static void run(final String property, final int trials, final Consumer<SplittableRandom> trial)
    {
        final String fixed = System.getProperty(SEED_PROPERTY);
        final long master = null != fixed ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println(property + ": master seed " + master);
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
                    "=" + seed, ex);
            }
        }
    }

    static long seed(final String property)
    {
        final String fixed = System.getProperty(SEED_PROPERTY);
        final long seed = null != fixed ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println(property + ": seed " + seed + " (replay with -D" + SEED_PROPERTY + "=" + seed + ")");
        return seed;
    }
}
