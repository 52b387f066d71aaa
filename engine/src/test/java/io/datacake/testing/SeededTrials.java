package io.datacake.testing;

import io.datacake.sim.Simulation;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The seed policy of every randomized test in this project, and a runner of seeded trials.
 * <ul>
 *     <li>By default a test's seed is <em>fixed</em>: derived from the name of what it checks (see
 *     {@link #fixedSeed(String)}), so every build runs the same inputs and a failure in CI reproduces locally.</li>
 *     <li>{@code -D}{@value #SEED_PROPERTY}{@code =N} replays seed N exactly (one trial where there are many);
 *     {@code -D}{@value Simulation#SEED_PROPERTY}{@code =N}, which the simulation's own messages name, does the
 *     same.</li>
 *     <li>{@code -D}{@value #SEEDS_PROPERTY}{@code =}{@value #FRESH} (what the Maven profile {@code explore}
 *     sets) draws fresh seeds from {@link System#nanoTime()}, to explore inputs no build has run yet.</li>
 * </ul>
 * Every seed is printed with the property that replays it.
 */
public final class SeededTrials
{
    /** System property that fixes the seed, to replay a failing trial. */
    public static final String SEED_PROPERTY = "datacake.seed";

    /** System property that chooses where seeds come from: {@value #FIXED} (the default) or {@value #FRESH}. */
    public static final String SEEDS_PROPERTY = "datacake.seeds";

    /** Value of {@value #SEEDS_PROPERTY}: seeds derived from the test's name, the same on every run. */
    public static final String FIXED = "fixed";

    /** Value of {@value #SEEDS_PROPERTY}: seeds drawn from the clock, different on every run. */
    public static final String FRESH = "fresh";

    private static final long FNV_OFFSET_BASIS = 0xCBF29CE484222325L;
    private static final long FNV_PRIME = 0x100000001B3L;

    private SeededTrials()
    {
    }

    /**
     * Run the trials: {@code trials} of them, each with its own seed drawn from a master seed chosen by the
     * policy, or exactly one with the seed of {@value #SEED_PROPERTY} when that is set.
     *
     * @param property what the trials check, for the messages; also what the fixed master seed derives from.
     * @param trials   how many trials when no seed is given.
     * @param trial    one trial, given its own seeded random.
     * @throws AssertionError           naming the seed of the first failing trial.
     * @throws IllegalArgumentException if a seed property holds something other than the values it takes.
     */
    public static void run(final String property, final int trials, final Consumer<SplittableRandom> trial)
    {
        final Long replayed = replayedSeed();
        final long master = null != replayed ? replayed : policySeed(property);
        System.out.println(property + ": master seed " + master + " (" + source(replayed) + ")" +
            (null != replayed ? ", replaying one trial" : ""));
        final SplittableRandom seeds = new SplittableRandom(master);
        final int count = null != replayed ? 1 : trials;
        for (int i = 0; i < count; i++)
        {
            final long seed = null != replayed ? master : seeds.nextLong();
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
     * One seed for a single randomized run, chosen by the policy and printed with its replay property.
     *
     * @param property what the run checks, for the message; also what the fixed seed derives from.
     * @return the seed.
     * @throws IllegalArgumentException if a seed property holds something other than the values it takes.
     */
    public static long seed(final String property)
    {
        final Long replayed = replayedSeed();
        return announce(property, null != replayed ? replayed : policySeed(property), replayed);
    }

    /**
     * One seed for a run whose default seed was picked by hand (a scenario tuned to it): the replayed seed if
     * {@value #SEED_PROPERTY} is set, a fresh one when exploring, else the given default. Printed with its replay
     * property.
     *
     * @param property    what the run checks, for the message.
     * @param defaultSeed the seed of the default run.
     * @return the seed.
     * @throws IllegalArgumentException if a seed property holds something other than the values it takes.
     */
    public static long seed(final String property, final long defaultSeed)
    {
        final Long replayed = replayedSeed();
        final long seed = null != replayed ? replayed : exploring() ? System.nanoTime() : defaultSeed;
        return announce(property, seed, replayed);
    }

    /**
     * @return true when a seed to replay is given.
     * @throws IllegalArgumentException if the seed given is not a number.
     */
    public static boolean replaying()
    {
        return null != replayedSeed();
    }

    /**
     * @return true when {@value #SEEDS_PROPERTY} asks for fresh seeds.
     * @throws IllegalArgumentException if the property holds something other than {@value #FIXED} or
     *                                  {@value #FRESH}.
     */
    public static boolean exploring()
    {
        final String value = System.getProperty(SEEDS_PROPERTY);
        if (null == value || value.isBlank() || FIXED.equals(value.trim()))
        {
            return false;
        }
        if (FRESH.equals(value.trim()))
        {
            return true;
        }
        throw new IllegalArgumentException("-D" + SEEDS_PROPERTY + "=" + value + " is not a seed policy: use " +
            FIXED + " (the default) or " + FRESH + ", or -D" + SEED_PROPERTY + "=N to replay one seed");
    }

    /**
     * The fixed seed of a property: a 64-bit hash of its name (FNV-1a over UTF-8, then mixed), the same on every
     * JVM, so each test has its own stable seed and renaming a test gives it a new one.
     *
     * @param property what a test checks.
     * @return its seed.
     */
    public static long fixedSeed(final String property)
    {
        long hash = FNV_OFFSET_BASIS;
        for (final byte b : property.getBytes(StandardCharsets.UTF_8))
        {
            hash = (hash ^ (b & 0xFF)) * FNV_PRIME;
        }
        // A SplitMix64 finalizer spreads names that differ in one character over the whole seed.
        hash = (hash ^ (hash >>> 30)) * 0xBF58476D1CE4E5B9L;
        hash = (hash ^ (hash >>> 27)) * 0x94D049BB133111EBL;
        return hash ^ (hash >>> 31);
    }

    private static long policySeed(final String property)
    {
        return exploring() ? System.nanoTime() : fixedSeed(property);
    }

    private static Long replayedSeed()
    {
        String value = System.getProperty(SEED_PROPERTY);
        if (null == value || value.isBlank())
        {
            value = System.getProperty(Simulation.SEED_PROPERTY);
        }
        if (null == value || value.isBlank())
        {
            return null;
        }
        try
        {
            return Long.parseLong(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("-D" + SEED_PROPERTY + "=" + value.trim() +
                " is not a seed: give the decimal seed a failing run printed", ex);
        }
    }

    private static String source(final Long replayed)
    {
        return null != replayed ? "replayed" : exploring() ? FRESH : FIXED;
    }

    private static long announce(final String property, final long seed, final Long replayed)
    {
        System.out.println(property + ": seed " + seed + " (" + source(replayed) + "; replay with -D" +
            SEED_PROPERTY + "=" + seed + ")");
        return seed;
    }
}
