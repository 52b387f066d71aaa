package io.datacake.benchmarks.crdt;

import io.datacake.clock.HlcTimestamp;
import io.datacake.crdt.Orswot;

import java.util.SplittableRandom;

/**
 * Shared data for the ORSWOT benchmarks: random 64-bit keys and increasing stamps, loaded identically into the
 * off-heap set and the on-heap baseline.
 */
final class OrswotFixture
{
    static final int KEY_COUNT = 1 << 20;
    static final int KEY_MASK = KEY_COUNT - 1;
    static final long BASE_STAMP = HlcTimestamp.pack(1_764_061_731_000L, 0);

    private OrswotFixture()
    {
    }

    static long[] randomKeys(final long seed, final int count)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] keys = new long[count];
        for (int i = 0; i < count; i++)
        {
            keys[i] = random.nextLong();
        }
        return keys;
    }

    static long[] shuffled(final long[] keys, final long seed)
    {
        final long[] copy = keys.clone();
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = copy.length - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final long t = copy[i];
            copy[i] = copy[j];
            copy[j] = t;
        }
        return copy;
    }

    static void load(final Orswot set, final long[] keys, final int from, final int to, final int nodeId)
    {
        for (int i = from; i < to; i++)
        {
            set.insert(Orswot.CONSISTENCY_SOURCE, keys[i], BASE_STAMP + i, nodeId);
        }
    }

    static void load(final HeapOrswot set, final long[] keys, final int from, final int to, final int nodeId)
    {
        for (int i = from; i < to; i++)
        {
            set.insert(Orswot.CONSISTENCY_SOURCE, keys[i], BASE_STAMP + i, nodeId);
        }
    }
}
