package io.datacake.storage.lmdb;

import io.datacake.clock.HlcTimestamp;
import io.datacake.storage.Document;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.WriteBatch;
import io.datacake.testing.SeededTrials;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class KeyOrderTest
{
    private static final long T0 = 1_764_000_000_000L;

    @TempDir
    Path directory;

    @Test
    void ordersByUnsignedKeyKeepingBatchOrderAmongEqualKeys()
    {
        final long seed = SeededTrials.seed("KeyOrderTest order");
        final SplittableRandom random = new SplittableRandom(seed);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[1]);
        final long[] someKeys = { 0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 42, 1L << 40 };
        final WriteBatch batch = new WriteBatch(16);
        for (int i = 0; i < 1_000; i++)
        {
            final long key = random.nextInt(4) == 0 ? someKeys[random.nextInt(someKeys.length)] : random.nextLong();
            batch.put("ks", key, HlcTimestamp.pack(T0, i + 1), 1, value, 0, 1);
        }
        final KeyOrder order = new KeyOrder();
        for (int trial = 0; trial < 2; trial++)
        {
            final int[] sorted = order.sort(batch);
            for (int i = 1; i < batch.size(); i++)
            {
                final int compare = Long.compareUnsigned(batch.key(sorted[i - 1]), batch.key(sorted[i]));
                assertThat(compare).as("seed %d, at %d", seed, i).isLessThanOrEqualTo(0);
                if (0 == compare)
                {
                    assertThat(sorted[i - 1]).as("seed %d: equal keys keep batch order", seed).isLessThan(sorted[i]);
                }
            }
        }
    }

    @Test
    void aCommitStillAppliesOperationsOnOneKeyInBatchOrder()
    {
        final UnsafeBuffer value = new UnsafeBuffer(new byte[]{ 7 });
        try (LmdbStorage storage = LmdbStorage.open(directory))
        {
            // Key 10: tombstone, then its removal (gone). Key 20: removal first (nothing to remove), then tombstone
            // (kept). Other keys in descending order around them, so the sort moves everything.
            final WriteBatch batch = storage.newWriteBatch();
            for (long key = 1_000; key > 500; key--)
            {
                batch.put("ks", key, HlcTimestamp.pack(T0, 1), 1, value, 0, 1);
            }
            batch.tombstone("ks", 10, HlcTimestamp.pack(T0, 2), 1);
            batch.removeTombstone("ks", 20);
            for (long key = 499; key > 30; key--)
            {
                batch.put("ks", key, HlcTimestamp.pack(T0, 1), 1, value, 0, 1);
            }
            batch.removeTombstone("ks", 10);
            batch.tombstone("ks", 20, HlcTimestamp.pack(T0, 3), 1);
            storage.commit(batch);

            final List<Long> tombstones = new ArrayList<>();
            final int[] live = new int[1];
            try (ReadTransaction txn = storage.beginRead())
            {
                txn.forEachMetadata("ks", (key, stamp, nodeId, tombstone) ->
                {
                    if (tombstone)
                    {
                        tombstones.add(key);
                    }
                    else
                    {
                        live[0]++;
                    }
                });
            }
            assertThat(tombstones).containsExactly(20L);
            assertThat(live[0]).isEqualTo((1_000 - 500) + (499 - 30));
            final Document document = storage.get("ks", 777);
            assertThat(document.value()).containsExactly(7);
        }
    }
}
