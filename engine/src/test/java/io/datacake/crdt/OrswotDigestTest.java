package io.datacake.crdt;

import io.datacake.testing.SeededTrials;
import io.datacake.clock.HlcTimestamp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Orswot#contentDigest()} and {@link Orswot#dataDigest()} on structured near-misses: two states that differ
 * only by swapping node ids, stamps, keys or the live/tombstone flag between two records, or seen stamps between
 * sources or nodes, must never share a digest. Replay a failure with {@code -Ddatacake.seed=<seed>}.
 */
class OrswotDigestTest
{
    private static final int TRIALS = 5_000;
    private static final long BASE_MS = 1_764_061_731_000L;

    /** One live entry or tombstone. */
    private record Rec(long key, long stamp, int nodeId, boolean tombstone)
    {
    }

    /** One seen stamp. */
    private record Seen(int source, int nodeId, long stamp)
    {
    }

    @Test
    void swappedNodeIdsBetweenEntriesChangeTheDigests()
    {
        final long t = HlcTimestamp.pack(BASE_MS, 0);
        try (Orswot a = build(List.of(new Rec(1, t, 1, false), new Rec(6, t, 2, false)), List.of());
            Orswot b = build(List.of(new Rec(1, t, 2, false), new Rec(6, t, 1, false)), List.of()))
        {
            assertThat(a.contentEquals(b)).isFalse();
            assertThat(a.contentDigest()).isNotEqualTo(b.contentDigest());
            assertThat(a.dataDigest()).isNotEqualTo(b.dataDigest());
        }
    }

    @Test
    void swappedSeenStampsBetweenSourcesChangeTheContentDigest()
    {
        final long t1 = HlcTimestamp.pack(BASE_MS, 1);
        final long t2 = HlcTimestamp.pack(BASE_MS + 1, 0);
        try (Orswot a = build(List.of(), List.of(new Seen(0, 3, t1), new Seen(1, 3, t2)));
            Orswot b = build(List.of(), List.of(new Seen(0, 3, t2), new Seen(1, 3, t1))))
        {
            assertThat(a.contentEquals(b)).isFalse();
            assertThat(a.contentDigest()).isNotEqualTo(b.contentDigest());
            assertThat(a.dataDigest()).isEqualTo(b.dataDigest()).isZero();
        }
    }

    @Test
    void structuredSwapsNeverCollide()
    {
        final int[] compared = { 0 };
        SeededTrials.run("digest collisions", TRIALS, (random) ->
        {
            final List<Rec> records = randomRecords(random);
            final List<Seen> seen = randomSeen(random);
            try (Orswot base = build(records, seen))
            {
                for (final List<Rec> variant : recordVariants(records, random))
                {
                    try (Orswot other = build(variant, seen))
                    {
                        if (!other.dataEquals(base))
                        {
                            compared[0]++;
                            assertThat(other.dataDigest()).as("data digest of %s vs %s", variant, records)
                                .isNotEqualTo(base.dataDigest());
                            assertThat(other.contentDigest()).as("content digest of %s vs %s", variant, records)
                                .isNotEqualTo(base.contentDigest());
                        }
                    }
                }
                for (final List<Seen> variant : seenVariants(seen, random))
                {
                    try (Orswot other = build(records, variant))
                    {
                        if (!other.contentEquals(base))
                        {
                            compared[0]++;
                            assertThat(other.contentDigest()).as("content digest of %s vs %s", variant, seen)
                                .isNotEqualTo(base.contentDigest());
                            assertThat(other.dataDigest()).isEqualTo(base.dataDigest());
                        }
                    }
                }
            }
        });
        assertThat(compared[0]).as("distinct states compared").isGreaterThan(TRIALS);
    }

    @Test
    void entryHashCoversEveryField()
    {
        final long stamp = HlcTimestamp.pack(BASE_MS, 0);
        final long hash = Orswot.entryHash(1, stamp, 1, false);
        assertThat(Orswot.entryHash(2, stamp, 1, false)).isNotEqualTo(hash);
        assertThat(Orswot.entryHash(1, stamp + 1, 1, false)).isNotEqualTo(hash);
        assertThat(Orswot.entryHash(1, stamp, 2, false)).isNotEqualTo(hash);
        assertThat(Orswot.entryHash(1, stamp, 1, true)).isNotEqualTo(hash);
        assertThat(Orswot.entryHash(1, stamp, 1, false)).isEqualTo(hash);
    }

    @Test
    void dataDigestIsTheXorOfEntryHashes()
    {
        final long t = HlcTimestamp.pack(BASE_MS, 0);
        try (Orswot set = build(List.of(new Rec(1, t, 1, false), new Rec(-5, t + 7, 9, true)), List.of()))
        {
            assertThat(set.dataDigest())
                .isEqualTo(Orswot.entryHash(1, t, 1, false) ^ Orswot.entryHash(-5, t + 7, 9, true));
        }
    }

    private static List<Rec> randomRecords(final SplittableRandom random)
    {
        final List<Rec> records = new ArrayList<>();
        final int count = 2 + random.nextInt(5);
        final long firstKey = random.nextBoolean() ? random.nextInt(10) : random.nextLong();
        for (int i = 0; i < count; i++)
        {
            final long key = firstKey + i * (1 + random.nextInt(5));
            records.add(new Rec(key, stamp(random), random.nextInt(4), random.nextInt(3) == 0));
        }
        return records;
    }

    private static List<Seen> randomSeen(final SplittableRandom random)
    {
        final List<Seen> seen = new ArrayList<>();
        for (int nodeId = 0, nodes = 1 + random.nextInt(3); nodeId < nodes; nodeId++)
        {
            for (int source = 0; source < Orswot.DEFAULT_SOURCE_COUNT; source++)
            {
                seen.add(new Seen(source, nodeId, stamp(random)));
            }
        }
        return seen;
    }

    /** Small, structured timestamps: neighbouring milliseconds and counters. */
    private static long stamp(final SplittableRandom random)
    {
        return HlcTimestamp.pack(BASE_MS + random.nextInt(4), random.nextInt(3));
    }

    private static List<List<Rec>> recordVariants(final List<Rec> records, final SplittableRandom random)
    {
        final List<List<Rec>> variants = new ArrayList<>();
        final int i = random.nextInt(records.size());
        final int j = (i + 1 + random.nextInt(records.size() - 1)) % records.size();
        final Rec a = records.get(i);
        final Rec b = records.get(j);
        variants.add(replace(records, i, new Rec(a.key, a.stamp, b.nodeId, a.tombstone), j,
            new Rec(b.key, b.stamp, a.nodeId, b.tombstone)));
        variants.add(replace(records, i, new Rec(a.key, b.stamp, a.nodeId, a.tombstone), j,
            new Rec(b.key, a.stamp, b.nodeId, b.tombstone)));
        variants.add(replace(records, i, new Rec(b.key, a.stamp, a.nodeId, a.tombstone), j,
            new Rec(a.key, b.stamp, b.nodeId, b.tombstone)));
        variants.add(replace(records, i, new Rec(a.key, a.stamp, a.nodeId, b.tombstone), j,
            new Rec(b.key, b.stamp, b.nodeId, a.tombstone)));
        variants.add(replace(records, i, new Rec(a.key, a.stamp, a.nodeId, !a.tombstone), j, b));
        variants.add(replace(records, i, new Rec(a.key, a.stamp, a.nodeId + 1, a.tombstone), j, b));
        return variants;
    }

    private static List<List<Seen>> seenVariants(final List<Seen> seen, final SplittableRandom random)
    {
        final List<List<Seen>> variants = new ArrayList<>();
        // the two sources of one node swap their stamps
        final int node = seen.get(random.nextInt(seen.size())).nodeId;
        final List<Seen> sourceSwap = new ArrayList<>();
        for (final Seen s : seen)
        {
            sourceSwap.add(s.nodeId != node ? s : new Seen(1 - s.source, s.nodeId, s.stamp));
        }
        variants.add(sourceSwap);
        // two seen stamps swap their values
        final int i = random.nextInt(seen.size());
        final int j = random.nextInt(seen.size());
        final Seen a = seen.get(i);
        final Seen b = seen.get(j);
        final List<Seen> nodeSwap = new ArrayList<>(seen);
        nodeSwap.set(i, new Seen(a.source, a.nodeId, b.stamp));
        nodeSwap.set(j, new Seen(b.source, b.nodeId, a.stamp));
        variants.add(nodeSwap);
        return variants;
    }

    private static List<Rec> replace(final List<Rec> records, final int i, final Rec a, final int j, final Rec b)
    {
        final List<Rec> copy = new ArrayList<>(records);
        copy.set(i, a);
        copy.set(j, b);
        return copy;
    }

    private static Orswot build(final List<Rec> records, final List<Seen> seen)
    {
        final Orswot set = new Orswot(Orswot.DEFAULT_SOURCE_COUNT, 0, 16);
        for (final Rec r : records)
        {
            if (r.tombstone)
            {
                set.addRawTombstone(r.key, r.stamp, r.nodeId);
            }
            else
            {
                set.putLiveUnchecked(r.key, r.stamp, r.nodeId);
            }
        }
        for (final Seen s : seen)
        {
            set.addSeenStamp(s.source, s.nodeId, s.stamp);
        }
        return set;
    }
}
