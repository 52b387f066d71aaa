package io.datacake.crdt;

import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StampTableTest
{
    @Test
    void aBoundedSweepVisitsEveryEntryOnceAcrossSegments()
    {
        try (StampTable table = new StampTable(0, 16))
        {
            for (long key = 1; key <= 5_000; key++)
            {
                table.put(key * 7919, key, (int)(key & 0xFFFF));
            }
            assertThat(table.segmentCount()).isGreaterThan(100);

            for (final int step : new int[]{ 1, 7, 16, 100, 100_000 })
            {
                final Map<Long, Long> seen = new HashMap<>();
                int cursor = 0;
                int steps = 0;
                do
                {
                    cursor = table.forEachFrom(cursor, step, (key, stamp, nodeId) ->
                        assertThat(seen.put(key, stamp)).as("visited twice: %d", key).isNull());
                    steps++;
                }
                while (0 != cursor && steps < 10_000_000);
                assertThat(seen).hasSize(5_000);
                seen.forEach((key, stamp) -> assertThat(key).isEqualTo(stamp * 7919));
            }
        }
    }

    @Test
    void matchesAHashMapAcrossManyGrowthStepsAndSplits()
    {
        SeededTrials.run("stamp table model", 8, random ->
        {
            // Small segments make a few thousand keys cross many resizes, splits and directory doublings.
            final int maxSegmentSlots = 1 << (4 + random.nextInt(4));
            try (StampTable table = new StampTable(random.nextInt(64), maxSegmentSlots))
            {
                final Map<Long, long[]> model = new HashMap<>();
                final int keySpace = 1 + random.nextInt(5_000);
                for (int i = 0; i < 20_000; i++)
                {
                    // Small key spaces and keys that differ only in high bits exercise probing and back-shifts.
                    final long key = random.nextBoolean() ? random.nextInt(keySpace) : (long)random.nextInt(64) << 40;
                    if (random.nextInt(3) == 0)
                    {
                        assertThat(table.remove(key)).isEqualTo(model.remove(key) != null);
                    }
                    else
                    {
                        final long stamp = 1 + random.nextLong(Long.MAX_VALUE - 1);
                        final int node = random.nextInt(65_536);
                        assertThat(table.put(key, stamp, node)).isEqualTo(model.put(key, new long[]{ stamp, node }) == null);
                    }
                    if (random.nextInt(2_000) == 0)
                    {
                        assertSameContent(table, model);
                    }
                }
                assertSameContent(table, model);
            }
        });
    }

    @Test
    void lookupsFollowEachGrowthStepAndAClosedTableFindsNothing()
    {
        final StampTable table = new StampTable(0, 16);
        for (long key = 1; key <= 3_000; key++)
        {
            table.put(key, key + 1, 1);
            // Every key so far, right after this insert's growth or split, through both lookup paths.
            for (long earlier = Math.max(1, key - 40); earlier <= key; earlier++)
            {
                assertThat(table.stampOf(earlier)).as("stamp of %d after %d inserts", earlier, key)
                    .isEqualTo(earlier + 1);
                assertThat(table.keyAt(table.indexOf(earlier))).isEqualTo(earlier);
            }
        }
        table.ensureCapacity(50_000);
        assertThat(table.stampOf(1_234)).isEqualTo(1_235);

        table.close();
        // Lookups read slot memory directly, so after close they must not reach the freed segments.
        assertThat(table.stampOf(1_234)).isZero();
        assertThat(table.indexOf(1_234)).isEqualTo(-1);
    }

    @Test
    void anyKeyValueIsUsableIncludingZeroAndNegative()
    {
        try (StampTable table = new StampTable(4))
        {
            table.put(0, 5, 1);
            table.put(-1, 6, 2);
            table.put(Long.MIN_VALUE, 7, 65_535);
            assertThat(table.stampAt(table.indexOf(0))).isEqualTo(5);
            assertThat(table.stampAt(table.indexOf(-1))).isEqualTo(6);
            assertThat(table.nodeAt(table.indexOf(Long.MIN_VALUE))).isEqualTo(65_535);
            assertThat(table.indexOf(1)).isEqualTo(-1);
        }
    }

    @Test
    void probeRunsWrapAroundTheEndOfASegmentAndBackShiftAcrossIt()
    {
        try (StampTable table = new StampTable(0, StampTable.MIN_SEGMENT_SLOTS))
        {
            // Six keys whose probe starts at the last line (slots 12-15) of the single 16-slot segment: two wrap to
            // slots 0 and 1.
            final int lastLine = StampTable.MIN_SEGMENT_SLOTS - StampSegment.LINE_SLOTS;
            final long[] keys = keysWithIdealSlot(lastLine, 6);
            for (final long key : keys)
            {
                table.put(key, key, 1);
            }
            assertThat(table.segmentCount()).isEqualTo(1);
            for (int i = 0; i < keys.length; i++)
            {
                assertThat(table.indexOf(keys[i])).isEqualTo((lastLine + i) % StampTable.MIN_SEGMENT_SLOTS);
                assertThat(table.stampOf(keys[i])).isEqualTo(keys[i]);
            }

            assertThat(table.remove(keys[0])).isTrue();
            for (int i = 1; i < keys.length; i++)
            {
                assertThat(table.indexOf(keys[i])).isEqualTo((lastLine + i - 1) % StampTable.MIN_SEGMENT_SLOTS);
                assertThat(table.stampOf(keys[i])).isEqualTo(keys[i]);
            }
            assertThat(table.stampAt(table.indexOf(keys[5]))).isEqualTo(keys[5]);
            assertThat(table.indexOf(keys[0])).isEqualTo(-1);
            assertThat(table.stampOf(keys[0])).isZero();
        }
    }

    @Test
    void keysSharingAProbeLineSpillIntoTheNextLinesAndStayFindable()
    {
        try (StampTable table = new StampTable(0, StampTable.MIN_SEGMENT_SLOTS))
        {
            // Nine keys whose probe starts at line 0 fill lines 0 and 1 and one slot of line 2 (9 of 16 slots: no
            // growth), so a get must read past two full lines; a tenth such key is absent.
            final long[] keys = keysWithIdealSlot(0, 10);
            for (int i = 0; i < 9; i++)
            {
                table.put(keys[i], 100 + i, i);
            }
            assertThat(table.capacity()).isEqualTo(StampTable.MIN_SEGMENT_SLOTS);
            for (int i = 0; i < 9; i++)
            {
                assertThat(table.indexOf(keys[i])).isEqualTo(i);
                assertThat(table.stampOf(keys[i])).isEqualTo(100 + i);
            }
            assertThat(table.stampOf(keys[9])).isZero();
            assertThat(table.indexOf(keys[9])).isEqualTo(-1);

            // A key whose probe starts at line 1 lands after the spill-over and is found from its own line.
            final long lineOneKey = keysWithIdealSlot(StampSegment.LINE_SLOTS, 1)[0];
            table.put(lineOneKey, 7, 7);
            assertThat(table.indexOf(lineOneKey)).isEqualTo(9);
            assertThat(table.stampOf(lineOneKey)).isEqualTo(7);

            // Removing from the full first line shifts the spill-over back; every key is still found, the removed not.
            assertThat(table.remove(keys[1])).isTrue();
            assertThat(table.stampOf(keys[1])).isZero();
            for (int i = 0; i < 9; i++)
            {
                if (i != 1)
                {
                    assertThat(table.stampOf(keys[i])).as("key %d", i).isEqualTo(100 + i);
                    assertThat(table.indexOf(keys[i])).isEqualTo(i < 1 ? i : i - 1);
                }
            }
            assertThat(table.stampOf(lineOneKey)).isEqualTo(7);
        }
    }

    @Test
    void keysCollidingInFewLinesMatchAHashMap()
    {
        SeededTrials.run("stamp table colliding lines", 8, random ->
        {
            // 40 keys whose probes start in line 0 or the last line of one 64-slot segment, which never grows at 40
            // entries: long probe runs that wrap, full lines, removals from their middle, lookups of absent keys.
            final int capacity = 64;
            try (StampTable table = new StampTable(40, capacity))
            {
                assertThat(table.capacity()).isEqualTo(capacity);
                final long[] pool = new long[40];
                int found = 0;
                for (long key = 1; found < pool.length; key++)
                {
                    final int slot = StampSegment.idealSlot(StampTable.hash(key), capacity);
                    if (slot == 0 || slot == capacity - StampSegment.LINE_SLOTS)
                    {
                        pool[found++] = key;
                    }
                }
                final Map<Long, long[]> model = new HashMap<>();
                for (int i = 0; i < 5_000; i++)
                {
                    final long key = pool[random.nextInt(pool.length)];
                    if (random.nextInt(3) == 0)
                    {
                        assertThat(table.remove(key)).isEqualTo(model.remove(key) != null);
                    }
                    else
                    {
                        final long stamp = 1 + random.nextLong(Long.MAX_VALUE - 1);
                        final int node = random.nextInt(65_536);
                        assertThat(table.put(key, stamp, node))
                            .isEqualTo(model.put(key, new long[]{ stamp, node }) == null);
                    }
                    for (final long probe : pool)
                    {
                        final long[] expected = model.get(probe);
                        assertThat(table.stampOf(probe)).isEqualTo(null == expected ? 0 : expected[0]);
                    }
                }
                assertThat(table.capacity()).isEqualTo(capacity);
                assertSameContent(table, model);
            }
        });
    }

    @Test
    void segmentsHoldWholeCacheLines()
    {
        assertThatThrownBy(() -> new StampSegment(0, 0, 18, StampTable.MAX_LOAD))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("multiple of " + StampSegment.LINE_SLOTS);
        assertThat(StampSegment.idealSlot(-1L, 20) % StampSegment.LINE_SLOTS).isZero();
        assertThat(StampSegment.idealSlot(-1L, 20)).isEqualTo(20 - StampSegment.LINE_SLOTS);
        assertThat(StampSegment.idealSlot(0L, 20)).isZero();
    }

    @Test
    void batchedLookupsMatchSingleLookupsAcrossSegments()
    {
        try (StampTable table = new StampTable(0, 64))
        {
            for (int key = 0; key < 10_000; key += 2)
            {
                table.put(key, key + 1, 1);
            }
            assertThat(table.segmentCount()).isGreaterThan(50);
            final long[] keys = new long[10_003];
            for (int i = 0; i < keys.length; i++)
            {
                keys[i] = i - 3;
            }
            final long[] stamps = new long[keys.length + 1];
            table.stampsOf(keys, 1, keys.length - 1, stamps, 2);
            assertThat(stamps[0]).isZero();
            assertThat(stamps[1]).isZero();
            for (int i = 1; i < keys.length; i++)
            {
                assertThat(stamps[i + 1]).as("key %d", keys[i]).isEqualTo(table.stampOf(keys[i]))
                    .isEqualTo(keys[i] >= 0 && keys[i] < 10_000 && (keys[i] & 1) == 0 ? keys[i] + 1 : 0);
            }
        }
    }

    @Test
    void batchedLookupsMatchAModelWhileTheTableChanges()
    {
        SeededTrials.run("stamp table batched lookups", 8, random ->
        {
            try (StampTable table = new StampTable(0, 1 << (4 + random.nextInt(6))))
            {
                final Map<Long, Long> model = new HashMap<>();
                final long[] keys = new long[3 * StampTable.LOOKUP_BATCH + 5];
                final long[] stamps = new long[keys.length + 2];
                for (int round = 0; round < 400; round++)
                {
                    for (int i = 0; i < 50; i++)
                    {
                        // Key 0 (the key of an empty slot) and keys differing only in high bits are included.
                        final long key = random.nextBoolean() ? random.nextInt(2_000) : (long)random.nextInt(64) << 50;
                        if (random.nextInt(4) == 0)
                        {
                            table.remove(key);
                            model.remove(key);
                        }
                        else
                        {
                            final long stamp = 1 + random.nextInt(1_000_000);
                            table.put(key, stamp, 1);
                            model.put(key, stamp);
                        }
                    }
                    final int count = random.nextInt(keys.length);
                    final int keysOffset = random.nextInt(keys.length - count + 1);
                    final int stampsOffset = random.nextInt(stamps.length - count + 1);
                    for (int i = 0; i < count; i++)
                    {
                        keys[keysOffset + i] =
                            random.nextBoolean() ? random.nextInt(2_000) : (long)random.nextInt(64) << 50;
                    }
                    table.stampsOf(keys, keysOffset, count, stamps, stampsOffset);
                    for (int i = 0; i < count; i++)
                    {
                        final long key = keys[keysOffset + i];
                        assertThat(stamps[stampsOffset + i]).as("key %d", key)
                            .isEqualTo(model.getOrDefault(key, 0L))
                            .isEqualTo(table.stampOf(key));
                    }
                }
            }
        });
    }

    @Test
    void hashSpreadsKeyFamiliesOverDirectoryEntriesAndLines()
    {
        // The directory takes the hash's top bits and the line its low 32 bits: both must spread keys that differ
        // only in low bits, only in high bits, or in a stride, and the two must not be tied to each other.
        final int keyCount = 1 << 18;
        final int lines = 4_096;
        final SplittableRandom random = new SplittableRandom(42);
        final Map<String, LongUnaryOperator> families = new LinkedHashMap<>();
        families.put("sequential", i -> i);
        families.put("stride 1024", i -> i << 10);
        families.put("high 32 bits only", i -> i << 32);
        families.put("top 18 bits only", i -> i << 46);
        families.put("negative sequential", i -> -i);
        families.put("random", i -> random.nextLong());
        families.forEach((name, family) ->
        {
            final int[] directory = new int[256];
            final int[] line = new int[lines];
            final int[] joint = new int[16 * 1_024];
            for (long i = 0; i < keyCount; i++)
            {
                final long hash = StampTable.hash(family.applyAsLong(i));
                directory[(int)(hash >>> 56)]++;
                line[StampSegment.idealSlot(hash, lines * StampSegment.LINE_SLOTS) / StampSegment.LINE_SLOTS]++;
                joint[(int)(hash >>> 60) * 1_024 +
                    StampSegment.idealSlot(hash, 1_024 * StampSegment.LINE_SLOTS) / StampSegment.LINE_SLOTS]++;
            }
            final double directorySpread = chiSquarePerDegree(directory, keyCount);
            final double lineSpread = chiSquarePerDegree(line, keyCount);
            final double jointSpread = chiSquarePerDegree(joint, keyCount);
            System.out.printf("hash spread, %s keys: chi-square per degree of freedom: directory %.2f, lines %.2f, " +
                "directory x lines %.2f (1 is uniform at random)%n", name, directorySpread, lineSpread, jointSpread);
            assertThat(directorySpread).as("%s: directory", name).isLessThan(1.5);
            assertThat(lineSpread).as("%s: lines", name).isLessThan(1.5);
            assertThat(jointSpread).as("%s: directory x lines", name).isLessThan(1.5);
        });
    }

    @Test
    void indexesAddressEntriesInEverySegment()
    {
        try (StampTable table = new StampTable(0, 64))
        {
            for (int key = 0; key < 10_000; key++)
            {
                table.put(key, key + 1, key & 0xFFFF);
            }
            assertThat(table.segmentCount()).isGreaterThan(100);
            for (int key = 0; key < 10_000; key++)
            {
                final int index = table.indexOf(key);
                assertThat(table.keyAt(index)).isEqualTo(key);
                assertThat(table.stampAt(index)).isEqualTo(key + 1);
                assertThat(table.nodeAt(index)).isEqualTo(key & 0xFFFF);
                table.setAt(index, key + 2, 7);
            }
            for (int key = 0; key < 10_000; key += 2)
            {
                table.removeAt(table.indexOf(key));
            }
            assertThat(table.size()).isEqualTo(5_000);
            for (int key = 0; key < 10_000; key++)
            {
                assertThat(table.stampOf(key)).isEqualTo((key & 1) == 0 ? 0 : key + 2);
            }
        }
    }

    @Test
    void growsOneSegmentAtATimeWithinTheMemoryBudget()
    {
        final int maxSegmentSlots = 1_024;
        try (StampTable table = new StampTable(0, maxSegmentSlots))
        {
            long capacity = table.capacity();
            int segments = table.segmentCount();
            for (int key = 0; key < 400_000; key++)
            {
                table.put(key, 1, 0);
                final long newCapacity = table.capacity();
                // At most one segment is rehashed or split per insert: no whole-table rehash.
                assertThat(newCapacity - capacity).isLessThanOrEqualTo(maxSegmentSlots);
                assertThat(newCapacity % StampSegment.LINE_SLOTS).isZero();
                assertThat(table.segmentCount() - segments).isBetween(0, 1);
                assertThat((long)table.size()).isLessThanOrEqualTo((long)(newCapacity * StampTable.MAX_LOAD));
                if (key >= 10_000 && key % 101 == 0)
                {
                    assertThat(table.allocatedBytes() / (double)table.size()).as("bytes per key at %d", key)
                        .isLessThanOrEqualTo(32.0);
                }
                capacity = newCapacity;
                segments = table.segmentCount();
            }
            table.clear();
            assertThat(table.size()).isZero();
            assertThat(table.indexOf(5)).isEqualTo(-1);
        }
    }

    @Test
    void ensureCapacityKeepsEntriesAndSplitsAhead()
    {
        try (StampTable table = new StampTable(0, 256))
        {
            for (int key = 0; key < 100; key++)
            {
                table.put(key, key + 1, 3);
            }
            table.ensureCapacity(50_000);
            final int segments = table.segmentCount();
            assertThat(segments).isGreaterThanOrEqualTo(256);
            for (int key = 0; key < 100; key++)
            {
                assertThat(table.stampOf(key)).isEqualTo(key + 1);
            }
            for (int key = 100; key < 50_000; key++)
            {
                table.put(key, key + 1, 3);
            }
            assertThat(table.size()).isEqualTo(50_000);
        }
    }

    @Test
    void rejectsSizesBeyondTheLimitAndBadSegmentSizes()
    {
        assertThatThrownBy(() -> new StampTable(StampTable.MAX_SIZE + 1))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(String.valueOf(StampTable.MAX_SIZE));
        assertThatThrownBy(() -> new StampTable(0, 100))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("maxSegmentSlots");
    }

    private static void assertSameContent(final StampTable table, final Map<Long, long[]> model)
    {
        assertThat(table.size()).isEqualTo(model.size());
        model.forEach((key, value) ->
        {
            final int index = table.indexOf(key);
            assertThat(index).isNotNegative();
            assertThat(table.stampAt(index)).isEqualTo(value[0]);
            assertThat(table.nodeAt(index)).isEqualTo((int)value[1]);
            assertThat(table.stampOf(key)).isEqualTo(value[0]);
        });
        final int[] visited = { 0 };
        table.forEach((key, stamp, node) ->
        {
            assertThat(model.get(key)).containsExactly(stamp, node);
            visited[0]++;
        });
        assertThat(visited[0]).isEqualTo(model.size());
    }

    private static double chiSquarePerDegree(final int[] counts, final int total)
    {
        final double expected = total / (double)counts.length;
        double chiSquare = 0;
        for (final int count : counts)
        {
            chiSquare += (count - expected) * (count - expected) / expected;
        }
        return chiSquare / (counts.length - 1);
    }

    private static long[] keysWithIdealSlot(final int slot, final int count)
    {
        final long[] keys = new long[count];
        int found = 0;
        for (long key = 1; found < count; key++)
        {
            if (StampSegment.idealSlot(StampTable.hash(key), StampTable.MIN_SEGMENT_SLOTS) == slot)
            {
                keys[found++] = key;
            }
        }
        return keys;
    }
}
