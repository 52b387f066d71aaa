package io.datacake.crdt;

import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A set big enough that its live table splits into several full-size segments: every operation still sees every
 * entry, and merging and comparing work across segments.
 */
class OrswotSegmentedGrowthTest
{
    private static final int KEYS = 300_000;
    private static final long BASE_STAMP = 1L << 30;

    @Test
    void insertsDeletesMergeAndDigestAcrossSegments()
    {
        final SplittableRandom random = new SplittableRandom(SeededTrials.seed("orswot across segments"));
        final long[] keys = new long[KEYS];
        try (Orswot set = new Orswot(); Orswot copy = new Orswot())
        {
            long stamp = BASE_STAMP;
            for (int i = 0; i < KEYS; i++)
            {
                keys[i] = random.nextLong();
                assertThat(set.insert(keys[i], ++stamp, 1 + (i & 7))).isTrue();
            }
            // One full-size segment holds at most 52,428 keys, so these live in several segments.
            assertThat(set.offHeapBytes()).isGreaterThan(2L * StampTable.DEFAULT_MAX_SEGMENT_SLOTS * 18);
            for (int i = 0; i < KEYS; i += 3)
            {
                assertThat(set.delete(keys[i], ++stamp, 9)).isTrue();
            }

            assertThat(set.liveCount()).isEqualTo(KEYS - (KEYS + 2) / 3);
            assertThat(set.tombstoneCount()).isEqualTo((KEYS + 2) / 3);
            for (int i = 0; i < KEYS; i++)
            {
                if (i % 3 == 0)
                {
                    assertThat(set.get(keys[i])).isZero();
                    assertThat(set.getTombstoneNodeId(keys[i])).isEqualTo(9);
                }
                else
                {
                    assertThat(set.get(keys[i])).isEqualTo(BASE_STAMP + 1 + i);
                    assertThat(set.getNodeId(keys[i])).isEqualTo(1 + (i & 7));
                }
            }

            final long[] visited = { 0 };
            set.forEachLive((key, entryStamp, nodeId) -> visited[0]++);
            assertThat(visited[0]).isEqualTo(set.liveCount());

            copy.merge(set);
            assertThat(copy.dataEquals(set)).isTrue();
            assertThat(copy.dataDigest()).isEqualTo(set.dataDigest());
        }
    }
}
