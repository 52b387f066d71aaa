package io.datacake.storage;

import io.datacake.clock.HlcTimestamp;
import io.datacake.crdt.Orswot;
import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyspaceStateLoaderTest
{
    private static final long T0 = 1_764_000_000_000L;

    @Test
    void replaysInTimestampOrderWhateverOrderStorageIteratesIn()
    {
        // Node 1 wrote key 2 first and key 1 later: iterated in key order, the later write comes first, and a set
        // fed in that order would reject key 2's older stamp as stale.
        final List<Metadata> entries = List.of(
            new Metadata(1, HlcTimestamp.pack(T0, 2), 1, false),
            new Metadata(2, HlcTimestamp.pack(T0, 1), 1, false),
            new Metadata(3, HlcTimestamp.pack(T0, 3), 1, true));

        try (Orswot set = new Orswot())
        {
            final int loaded = new KeyspaceStateLoader().loadInto(new FixedOrderTransaction(entries), "ks", set, 0);
            assertThat(loaded).isEqualTo(3);
            assertThat(set.get(1)).isEqualTo(HlcTimestamp.pack(T0, 2));
            assertThat(set.get(2)).isEqualTo(HlcTimestamp.pack(T0, 1));
            assertThat(set.getTombstone(3)).isEqualTo(HlcTimestamp.pack(T0, 3));
            assertThat(set.liveCount()).isEqualTo(2);
            assertThat(set.tombstoneCount()).isEqualTo(1);
        }
    }

    @Test
    void loadedSetHoldsExactlyTheStoredEntries()
    {
        final long seed = SeededTrials.seed("KeyspaceStateLoaderTest loaded set");
        final SplittableRandom random = new SplittableRandom(seed);
        try (MemoryStorage storage = new MemoryStorage(); Orswot direct = new Orswot())
        {
            // 5,000 writes spread over 3 nodes, each node's stamps increasing, applied to storage and to a set
            final long[] nodeClock = new long[3];
            final WriteBatch batch = storage.newWriteBatch();
            final org.agrona.concurrent.UnsafeBuffer value = new org.agrona.concurrent.UnsafeBuffer(new byte[4]);
            for (int i = 0; i < 5000; i++)
            {
                final int nodeId = random.nextInt(3);
                nodeClock[nodeId] += 1 + random.nextInt(3);
                final long stamp = HlcTimestamp.pack(T0 + nodeClock[nodeId] / 1000, (int)(nodeClock[nodeId] % 1000));
                final long key = random.nextInt(3000);
                if (random.nextInt(4) == 0)
                {
                    batch.tombstone("ks", key, stamp, nodeId);
                    direct.delete(key, stamp, nodeId);
                }
                else
                {
                    batch.put("ks", key, stamp, nodeId, value, 0, 4);
                    direct.insert(key, stamp, nodeId);
                }
                if (batch.remainingOperations() == 0)
                {
                    storage.commit(batch);
                }
            }
            storage.commit(batch);

            try (Orswot loaded = new KeyspaceStateLoader().load(storage, "ks"))
            {
                assertThat(entries(loaded, true)).as("seed %d", seed).isEqualTo(entries(direct, true));
                assertThat(entries(loaded, false)).as("seed %d", seed).isEqualTo(entries(direct, false));
            }
        }
    }

    @Test
    void unknownKeyspaceGivesAnEmptySetAndBadSourceIsRejected()
    {
        try (MemoryStorage storage = new MemoryStorage())
        {
            try (Orswot set = new KeyspaceStateLoader().load(storage, "nothing-here"))
            {
                assertThat(set.liveCount()).isZero();
                assertThat(set.tombstoneCount()).isZero();
            }
            try (Orswot set = new Orswot(); ReadTransaction txn = storage.beginRead())
            {
                assertThatThrownBy(() -> new KeyspaceStateLoader().loadInto(txn, "ks", set, 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("source");
            }
        }
    }

    @Test
    void sortsByEveryByteOfStampAndNodeIdWithTiesBrokenByNodeId()
    {
        final long seed = Long.getLong("datacake.seed", System.nanoTime());
        System.out.println("loader radix sort: seed " + seed + " (replay with -Ddatacake.seed=" + seed + ")");
        final SplittableRandom random = new SplittableRandom(seed);
        // Node ids that differ in either byte and stamps that differ in every byte, so no radix pass is skipped; a
        // few writes share a stamp with an earlier one from another node, so node ids decide ties.
        final int[] nodeIds = { 0, 1, 255, 256, 4_097, 65_535 };
        final List<Metadata> written = new ArrayList<>();
        for (int key = 0; key < 4_000; key++)
        {
            final long stamp = !written.isEmpty() && random.nextInt(8) == 0 ?
                written.get(random.nextInt(written.size())).stamp() : random.nextLong(1, Long.MAX_VALUE);
            written.add(new Metadata(key, stamp, nodeIds[random.nextInt(nodeIds.length)], random.nextInt(5) == 0));
        }
        final List<Metadata> storageOrder = new ArrayList<>(written);
        for (int i = storageOrder.size() - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            storageOrder.set(i, storageOrder.set(j, storageOrder.get(i)));
        }

        // One source: no repair source to stream through, so the loader sorts.
        try (Orswot loaded = new Orswot(1, Orswot.DEFAULT_FORGIVENESS_MS, 64))
        {
            new KeyspaceStateLoader().loadInto(new FixedOrderTransaction(storageOrder), "ks", loaded, 0);
            // Each key was written once: a write replayed out of its node's stamp order would be rejected as stale.
            for (final Metadata entry : written)
            {
                assertThat(entry.tombstone() ? loaded.getTombstone(entry.key()) : loaded.get(entry.key()))
                    .as("seed %d, %s", seed, entry).isEqualTo(entry.stamp());
            }
            assertThat(loaded.liveCount() + loaded.tombstoneCount()).as("seed %d", seed).isEqualTo(written.size());
        }
    }

    @Test
    void streamedLoadEqualsAReplayInTimestampOrderSeenStampsIncluded()
    {
        final long seed = SeededTrials.seed("KeyspaceStateLoaderTest streamed load");
        final SplittableRandom random = new SplittableRandom(seed);
        final int[] nodeIds = { 1, 2, 300, 65_535 };
        final List<Metadata> written = new ArrayList<>();
        for (int key = 0; key < 5_000; key++)
        {
            written.add(new Metadata(random.nextLong(), random.nextLong(1, Long.MAX_VALUE),
                nodeIds[random.nextInt(nodeIds.length)], random.nextInt(5) == 0));
        }
        final List<Metadata> replayOrder = new ArrayList<>(written);
        replayOrder.sort(Comparator.comparingLong(Metadata::stamp).thenComparingInt(Metadata::nodeId));

        for (final int source : new int[]{ Orswot.CONSISTENCY_SOURCE, Orswot.REPAIR_SOURCE })
        {
            try (Orswot streamed = new Orswot(); Orswot replayed = new Orswot(); Orswot sorted = new Orswot())
            {
                final KeyspaceStateLoader loader = new KeyspaceStateLoader();
                assertThat(loader.loadInto(new FixedOrderTransaction(written), "ks", streamed, source))
                    .isEqualTo(written.size());
                for (final Metadata entry : replayOrder)
                {
                    if (entry.tombstone())
                    {
                        replayed.delete(source, entry.key(), entry.stamp(), entry.nodeId());
                    }
                    else
                    {
                        replayed.insert(source, entry.key(), entry.stamp(), entry.nodeId());
                    }
                }
                // A set that already saw a stamp takes the sorting path: the same outcome.
                sorted.addSeenStamp(source, nodeIds[0], 1);
                loader.loadInto(new FixedOrderTransaction(written), "ks", sorted, source);

                assertThat(streamed.contentEquals(replayed)).as("seed %d, source %d", seed, source).isTrue();
                assertThat(sorted.contentEquals(replayed)).as("seed %d, source %d", seed, source).isTrue();
                for (final int nodeId : nodeIds)
                {
                    assertThat(streamed.seenStamp(source, nodeId)).isEqualTo(replayed.seenStamp(source, nodeId))
                        .isNotEqualTo(HlcTimestamp.NULL_STAMP);
                }
            }
        }
    }

    static List<Metadata> entries(final Orswot set, final boolean live)
    {
        final List<Metadata> result = new ArrayList<>();
        if (live)
        {
            set.forEachLive((key, stamp, nodeId) -> result.add(new Metadata(key, stamp, nodeId, false)));
        }
        else
        {
            set.forEachTombstone((key, stamp, nodeId) -> result.add(new Metadata(key, stamp, nodeId, true)));
        }
        result.sort(Comparator.comparingLong(Metadata::key));
        return result;
    }

    /** A read transaction that yields fixed metadata in a fixed order; nothing else is used by the loader. */
    private static final class FixedOrderTransaction implements ReadTransaction
    {
        private final List<Metadata> entries;

        FixedOrderTransaction(final List<Metadata> entries)
        {
            this.entries = entries;
        }

        public boolean get(final String keyspace, final long key, final DocumentHandler handler)
        {
            throw new UnsupportedOperationException();
        }

        public int getMany(
            final String keyspace, final long[] keys, final int offset, final int count, final DocumentHandler handler)
        {
            throw new UnsupportedOperationException();
        }

        public int forEachMetadata(final String keyspace, final MetadataHandler handler)
        {
            entries.forEach(e -> handler.onMetadata(e.key(), e.stamp(), e.nodeId(), e.tombstone()));
            return entries.size();
        }

        public void close()
        {
        }
    }
}
