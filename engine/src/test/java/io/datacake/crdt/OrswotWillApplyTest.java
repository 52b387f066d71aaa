package io.datacake.crdt;

import io.datacake.testing.SeededTrials;
import io.datacake.clock.HlcTimestamp;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded randomized check that {@link Orswot#willApply(SetOperation, int, long, long, int)} is exactly the apply
 * without the side effect: for random states and random operations, the check answers what insert or delete then
 * returns, which is whether the live entries and tombstones changed, and the check itself changes nothing. Replay a
 * failure with {@code -Ddatacake.seed=<seed>}.
 */
class OrswotWillApplyTest
{
    private static final int TRIALS = 300;
    private static final int OPERATIONS_PER_TRIAL = 300;
    private static final int KEYS = 8;
    private static final int NODES = 3;
    private static final int MILLIS = 12;

    @Test
    void willApplyIsTheApplyWithoutTheSideEffect()
    {
        SeededTrials.run("willApply == apply", TRIALS, (random) ->
        {
            final int sources = 1 + random.nextInt(3);
            try (Orswot set = new Orswot(sources, random.nextInt(3), 16))
            {
                // A random state to start from (sometimes with another replica merged in, which brings seen stamps
                // and records the set never saw as operations), then checked operations on top of it.
                for (int i = 0, n = random.nextInt(40); i < n; i++)
                {
                    apply(set, random, sources);
                }
                if (random.nextBoolean())
                {
                    try (Orswot other = new Orswot(sources, set.forgivenessMs(), 16))
                    {
                        for (int i = 0, n = random.nextInt(40); i < n; i++)
                        {
                            apply(other, random, sources);
                        }
                        set.merge(other);
                    }
                }
                for (int i = 0; i < OPERATIONS_PER_TRIAL; i++)
                {
                    checkOne(set, random, sources);
                }
            }
        });
    }

    private static void checkOne(final Orswot set, final SplittableRandom random, final int sources)
    {
        final SetOperation operation = random.nextBoolean() ? SetOperation.INSERT : SetOperation.DELETE;
        final int source = random.nextInt(sources);
        final long key = random.nextInt(KEYS);
        final long stamp = stamp(random);
        final int nodeId = random.nextInt(NODES);

        try (Orswot before = copyOf(set))
        {
            final boolean predicted = set.willApply(operation, source, key, stamp, nodeId);
            assertThat(set.contentEquals(before)).as("willApply changed the set").isTrue();

            final boolean applied = SetOperation.INSERT == operation ?
                set.insert(source, key, stamp, nodeId) : set.delete(source, key, stamp, nodeId);
            final boolean changed = !set.dataEquals(before);
            assertThat(predicted)
                .as("%s source %d key %d stamp %s node %d", operation, source, key,
                    HlcTimestamp.toString(stamp, nodeId), nodeId)
                .isEqualTo(applied)
                .isEqualTo(changed);
        }
    }

    private static void apply(final Orswot set, final SplittableRandom random, final int sources)
    {
        final int source = random.nextInt(sources);
        final long key = random.nextInt(KEYS);
        final long stamp = stamp(random);
        final int nodeId = random.nextInt(NODES);
        if (random.nextBoolean())
        {
            set.insert(source, key, stamp, nodeId);
        }
        else
        {
            set.delete(source, key, stamp, nodeId);
        }
    }

    /** Few distinct timestamps, so ties, stale stamps and equal stamps from other nodes are common. */
    private static long stamp(final SplittableRandom random)
    {
        return HlcTimestamp.pack(OperationHistory.BASE_MS + random.nextInt(MILLIS), random.nextInt(2));
    }

    private static Orswot copyOf(final Orswot set)
    {
        final Orswot copy = new Orswot(set.sourceCount(), set.forgivenessMs(), 16);
        copy.merge(set);
        assertThat(copy.contentEquals(set)).as("copy").isTrue();
        return copy;
    }
}
