package io.datacake.crdt;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Runs a randomized property over many trials. The master seed comes from the system property
 * {@code datacake.seed} when set (to replay a failure), otherwise from the clock; a failing trial reports the seed
 * that replays it.
 */
final class SeededRandom
{
    static final String SEED_PROPERTY = "datacake.seed";

    private SeededRandom()
    {
    }

    static void forTrials(final String property, final int trials, final Consumer<SplittableRandom> trial)
    {
        final String fixed = System.getProperty(SEED_PROPERTY);
        final long master = null != fixed ? Long.parseLong(fixed) : System.nanoTime();
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
