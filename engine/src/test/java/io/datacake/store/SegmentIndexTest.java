package io.datacake.store;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SegmentIndexTest
{
    private static Set<Long> keysOf(final SegmentIndex index, final int segment)
    {
        final Set<Long> keys = new HashSet<>();
        for (int slot = index.firstSlot(segment); slot >= 0; slot = index.nextSlot(slot))
        {
            assertThat(keys.add(index.keyAt(slot))).as("key listed twice").isTrue();
        }
        return keys;
    }

    @Test
    void growsAChunkAtATimeAcrossChunkBoundariesAndKeepsEveryList()
    {
        final int segments = 1_000;
        final int keys = 2 * SegmentIndex.CHUNK_SLOTS + 17;
        try (SegmentIndex index = new SegmentIndex(segments))
        {
            final long heads = index.offHeapBytes();
            assertThat(heads).isEqualTo(segments * Integer.BYTES);
            for (long key = 0; key < keys; key++)
            {
                index.add((int)(key % segments), key * 7);
            }
            assertThat(index.size()).isEqualTo(keys);
            assertThat(index.offHeapBytes() - heads).as("three chunks of 12 bytes a slot, nothing doubled")
                .isEqualTo(3L * SegmentIndex.CHUNK_SLOTS * 12);
            for (int segment = 0; segment < segments; segment += 97)
            {
                final Set<Long> expected = new HashSet<>();
                for (long key = segment; key < keys; key += segments)
                {
                    expected.add(key * 7);
                }
                assertThat(keysOf(index, segment)).isEqualTo(expected);
            }
        }
    }

    @Test
    void removedSlotsAreReusedWithoutAnotherChunk()
    {
        try (SegmentIndex index = new SegmentIndex(4))
        {
            final List<Long> added = new ArrayList<>();
            for (long key = 0; key < SegmentIndex.CHUNK_SLOTS; key++)
            {
                index.add((int)(key & 3), key);
                added.add(key);
            }
            final long full = index.offHeapBytes();
            assertThat(index.remove(1, 5)).isTrue();
            assertThat(index.remove(1, 5)).as("gone").isFalse();
            assertThat(index.remove(2, 5)).as("not in that segment").isFalse();
            assertThat(index.remove(0, 0)).isTrue();
            index.add(3, -1);
            index.add(3, -2);
            assertThat(index.offHeapBytes()).as("two freed slots reused").isEqualTo(full);
            assertThat(index.size()).isEqualTo(SegmentIndex.CHUNK_SLOTS);
            assertThat(keysOf(index, 1)).doesNotContain(5L).hasSize(SegmentIndex.CHUNK_SLOTS / 4 - 1);
            assertThat(keysOf(index, 3)).contains(-1L, -2L).hasSize(SegmentIndex.CHUNK_SLOTS / 4 + 2);
            index.add(0, 1L << 40);
            assertThat(index.offHeapBytes()).as("a third add needs a new chunk").isGreaterThan(full);
        }
    }

    @Test
    void closeFreesEverythingAndIsIdempotent()
    {
        final SegmentIndex index = new SegmentIndex(16);
        index.add(3, 42);
        index.close();
        assertThat(index.size()).isZero();
        assertThat(index.offHeapBytes()).isZero();
        index.close();
    }
}
