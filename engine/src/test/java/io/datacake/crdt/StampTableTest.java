package io.datacake.crdt;

import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StampTableTest
{
    @Test
    void matchesAHashMapUnderRandomInsertsOverwritesAndRemovals()
    {
        SeededTrials.run("stamp table model", 20, random ->
        {
            try (StampTable table = new StampTable(random.nextInt(64)))
            {
                final Map<Long, long[]> model = new HashMap<>();
                final int keySpace = 1 + random.nextInt(5_000);
                for (int i = 0; i < 20_000; i++)
                {
                    // Small key spaces and keys that collide in the low bits exercise probing and back-shifts.
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
                }
                assertThat(table.size()).isEqualTo(model.size());
                model.forEach((key, value) ->
                {
                    final int index = table.indexOf(key);
                    assertThat(index).isNotNegative();
                    assertThat(table.stampAt(index)).isEqualTo(value[0]);
                    assertThat(table.nodeAt(index)).isEqualTo((int)value[1]);
                });
                final int[] visited = { 0 };
                table.forEach((key, stamp, node) ->
                {
                    assertThat(model.get(key)).containsExactly(stamp, node);
                    visited[0]++;
                });
                assertThat(visited[0]).isEqualTo(model.size());
            }
        });
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
    void eighteenBytesPerSlotAndBoundedLoad()
    {
        try (StampTable table = new StampTable(0))
        {
            for (int i = 0; i < 100_000; i++)
            {
                table.put(i, 1, 0);
                assertThat(table.size()).isLessThanOrEqualTo((int)(table.capacity() * StampTable.LOAD_FACTOR));
            }
            assertThat(table.allocatedBytes()).isEqualTo((long)table.capacity() * 18);
            table.clear();
            assertThat(table.size()).isZero();
            assertThat(table.indexOf(5)).isEqualTo(-1);
        }
    }

    @Test
    void rejectsSizesBeyondTheLimit()
    {
        assertThatThrownBy(() -> new StampTable(StampTable.MAX_SIZE + 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
