package io.datacake.store;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Runs a randomized property over many seeded trials. The master seed is printed; set the system property
 * {@value #SEED_PROPERTY} to a trial's seed to replay just that trial.
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
}
