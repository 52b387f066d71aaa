package io.datacake.storage;

import io.datacake.clock.HlcTimestamp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Memory-storage specifics; the whole contract is checked by the conformance kit in {@code storage-tck}.
 */
class MemoryStorageTest
{
    private static final long STAMP = HlcTimestamp.pack(1_764_000_000_000L, 1);

    @Test
    void committingWhileHoldingAReadTransactionFailsInsteadOfDeadlocking()
    {
        try (MemoryStorage storage = new MemoryStorage())
        {
            try (ReadTransaction ignored = storage.beginRead())
            {
                assertThatThrownBy(() -> storage.markTombstone("ks", 1, STAMP, 1))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("read transaction");
            }
            storage.markTombstone("ks", 1, STAMP, 1);
            assertThat(storage.metadata("ks")).hasSize(1);
        }
    }

    @Test
    void overwritingWithASmallerValueReusesAndTrimsTheValue()
    {
        try (MemoryStorage storage = new MemoryStorage())
        {
            storage.put("ks", 1, STAMP, 1, new byte[]{1, 2, 3, 4, 5});
            storage.put("ks", 1, STAMP + 1, 1, new byte[]{9});
            assertThat(storage.get("ks", 1).value()).containsExactly(9);
            storage.markTombstone("ks", 1, STAMP + 2, 1);
            storage.put("ks", 1, STAMP + 3, 1, new byte[]{7, 7});
            assertThat(storage.get("ks", 1).value()).containsExactly(7, 7);
        }
    }

    @Test
    void metadataScansNestedInOneTransactionEachVisitUnsignedKeyOrder()
    {
        try (MemoryStorage storage = new MemoryStorage())
        {
            final long[] keys = { -1, 5, Long.MIN_VALUE, 0, Long.MAX_VALUE };
            for (final long key : keys)
            {
                storage.put("ks", key, STAMP, 1, new byte[]{1});
            }
            final long[] unsigned = { 0, 5, Long.MAX_VALUE, Long.MIN_VALUE, -1 };

            final List<Long> outer = new ArrayList<>();
            final List<Long> inner = new ArrayList<>();
            try (ReadTransaction txn = storage.beginRead())
            {
                txn.forEachMetadata("ks", (key, stamp, nodeId, tombstone) ->
                {
                    outer.add(key);
                    if (key == 5)
                    {
                        txn.forEachMetadata("ks", (k, s, n, t) -> inner.add(k));
                    }
                });
            }
            assertThat(outer).containsExactly(box(unsigned));
            assertThat(inner).containsExactly(box(unsigned));
        }
    }

    private static Long[] box(final long[] values)
    {
        return java.util.Arrays.stream(values).boxed().toArray(Long[]::new);
    }

    @Test
    void rejectsAnOutOfRangeMaximum()
    {
        assertThatThrownBy(() -> new MemoryStorage(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MemoryStorage((1 << 30) + 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
