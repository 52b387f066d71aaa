package io.datacake.store;

import io.datacake.clock.HlcTimestamp;
import io.datacake.crdt.Orswot;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A keyspace keeps its content tree equal to the XOR of its set's entry hashes through every applied change, and
 * moves its change stamp only when a change applied.
 */
final class KeyspaceTest
{
    private static final long T1 = HlcTimestamp.pack(1_764_000_000_000L, 0);
    private static final long T2 = HlcTimestamp.pack(1_764_000_000_001L, 0);
    private static final long T3 = HlcTimestamp.pack(1_764_000_000_002L, 0);
    private static final int SOURCE = Orswot.CONSISTENCY_SOURCE;

    @Test
    void theTreeFollowsInsertsUpdatesAndDeletesOfAKey()
    {
        try (Keyspace keyspace = new Keyspace("k", new Orswot(), TictacTree.small()))
        {
            keyspace.apply(false, SOURCE, 7, T1, 1);
            assertThat(keyspace.tree().root()).isEqualTo(Keyspace.hash(7, T1, 1, false));
            keyspace.apply(false, SOURCE, 7, T2, 2);
            assertThat(keyspace.tree().root()).isEqualTo(Keyspace.hash(7, T2, 2, false));
            keyspace.apply(true, SOURCE, 7, T3, 1);
            assertThat(keyspace.tree().root()).isEqualTo(Keyspace.hash(7, T3, 1, true));
            keyspace.apply(false, SOURCE, 8, T3, 2);
            assertThat(keyspace.tree().root())
                .isEqualTo(Keyspace.hash(7, T3, 1, true) ^ Keyspace.hash(8, T3, 2, false));
            assertThat(keyspace.changeStamp()).isEqualTo(T3);
        }
    }

    @Test
    void aWriteThatLosesChangesNeitherTheTreeNorTheChangeStamp()
    {
        try (Keyspace keyspace = new Keyspace("k", new Orswot(), TictacTree.small()))
        {
            keyspace.apply(false, SOURCE, 7, T2, 1);
            final long root = keyspace.tree().root();
            assertThat(keyspace.willApply(false, SOURCE, 7, T1, 2)).isFalse();
            assertThat(keyspace.willApply(true, SOURCE, 7, T2, 1)).as("equal stamp: the insert wins").isFalse();
            keyspace.apply(false, SOURCE, 7, T1, 2);
            assertThat(keyspace.tree().root()).isEqualTo(root);
            assertThat(keyspace.changeStamp()).isEqualTo(T2);
        }
    }

    @Test
    void aKeyspaceBuiltFromALoadedSetHasTheTreeOfOneBuiltChangeByChange()
    {
        try (Keyspace incremental = new Keyspace("k", new Orswot(), TictacTree.small()))
        {
            final Orswot loaded = new Orswot();
            for (int key = 0; key < 100; key++)
            {
                final boolean tombstone = 0 == key % 3;
                incremental.apply(tombstone, SOURCE, key, T1 + key, key % 4);
                if (tombstone)
                {
                    loaded.delete(SOURCE, key, T1 + key, key % 4);
                }
                else
                {
                    loaded.insert(SOURCE, key, T1 + key, key % 4);
                }
            }
            try (Keyspace rebuilt = new Keyspace("k", loaded, TictacTree.small()))
            {
                assertThat(rebuilt.tree().root()).isEqualTo(incremental.tree().root()).isNotZero();
                assertThat(rebuilt.changeStamp()).as("loading is not a change").isZero();
            }
        }
    }

    @Test
    void anEntryHashOfZeroIsStoredAsAFixedNonZeroValue()
    {
        assertThat(Keyspace.treeHash(0)).isEqualTo(Keyspace.ZERO_HASH_SUBSTITUTE).isNotEqualTo(TictacTree.ABSENT);
        assertThat(Keyspace.treeHash(-1)).isEqualTo(-1);
        assertThat(Keyspace.hash(7, T1, 1, false)).isEqualTo(Orswot.entryHash(7, T1, 1, false));
    }

    @Test
    void aPurgedTombstoneLeavesTheTreeAndOnlyExactlyThatTombstoneGoes()
    {
        try (Keyspace keyspace = new Keyspace("k", new Orswot(), TictacTree.small()))
        {
            keyspace.apply(false, SOURCE, 8, T1, 2);
            keyspace.apply(true, SOURCE, 7, T2, 1);
            assertThat(keyspace.dropPurged(7, T1, 1)).as("not the tombstone held").isFalse();
            assertThat(keyspace.dropPurged(8, T1, 2)).as("a live entry").isFalse();

            assertThat(keyspace.dropPurged(7, T2, 1)).isTrue();
            assertThat(keyspace.tree().root()).isEqualTo(Keyspace.hash(8, T1, 2, false));
            assertThat(keyspace.set().tombstoneCount()).isZero();
        }
    }

    @Test
    void unknownKeysOlderThanTheRefusalFloorAreRefusedAndTheFloorNeverFalls()
    {
        final long floorMs = HlcTimestamp.millis(T2);
        try (Keyspace keyspace = new Keyspace("k", new Orswot(), TictacTree.small()))
        {
            keyspace.apply(false, SOURCE, 8, T1, 2);
            keyspace.raisePurgeFloor(floorMs);
            keyspace.refuseBelow(Keyspace.NEVER);
            assertThat(keyspace.willApply(false, SOURCE, 7, T1, 1))
                .as("a node that never synced refuses nothing").isTrue();

            keyspace.refuseBelow(floorMs + 1_000);
            assertThat(keyspace.willApply(false, SOURCE, 7, T1, 1)).as("stale put of an unknown key").isFalse();
            assertThat(keyspace.willApply(true, Orswot.REPAIR_SOURCE, 7, T1, 1)).as("stale tombstone").isFalse();
            assertThat(keyspace.willApply(false, SOURCE, 8, T3, 1)).as("a key it holds follows the set").isTrue();
            assertThat(keyspace.willApply(false, SOURCE, 7, T3, 1)).as("a write at the floor").isTrue();

            keyspace.refuseBelow(Keyspace.NEVER);
            assertThat(keyspace.willApply(false, SOURCE, 7, T1, 1)).as("the floor did not fall").isFalse();
        }
    }

    @Test
    void theClusterSyncedTimeIsTheEarliestOverLivePeersAndNeverWithoutThem()
    {
        try (Keyspace keyspace = new Keyspace("k", new Orswot(), TictacTree.small()))
        {
            final int[] peers = { 2, 3 };
            assertThat(keyspace.syncedMs(peers, 0)).as("alone").isEqualTo(Keyspace.NEVER);
            keyspace.syncedWith(2, 500);
            assertThat(keyspace.syncedMs(peers, 2)).as("peer 3 never synced").isEqualTo(Keyspace.NEVER);
            keyspace.syncedWith(3, 400);
            keyspace.syncedWith(3, 300);
            assertThat(keyspace.syncedMs(peers, 2)).isEqualTo(400);
            assertThat(keyspace.syncedMs(peers, 1)).as("only peer 2 live").isEqualTo(500);

            keyspace.peerReported(2, 350, Keyspace.NEVER, Long.MAX_VALUE);
            assertThat(keyspace.clusterSyncedMs(peers, 2)).as("peer 3 never reported").isEqualTo(Keyspace.NEVER);
            keyspace.peerReported(3, 450, Keyspace.NEVER, Long.MAX_VALUE);
            assertThat(keyspace.clusterSyncedMs(peers, 2)).isEqualTo(350);

            keyspace.peerReported(2, 350, 10_000, 200);
            assertThat(keyspace.purgeFloorMs()).as("a peer's floor, capped").isEqualTo(200);
        }
    }

    @Test
    void aSegmentVisitFindsExactlyThatSegmentsEntriesThroughInsertsDeletesAndPurges()
    {
        try (Keyspace keyspace = new Keyspace("k", new Orswot(), TictacTree.small()))
        {
            final int keys = 5_000;
            for (long key = 0; key < keys; key++)
            {
                keyspace.apply(false, SOURCE, key * 7_919, T1, 1);
            }
            for (long key = 0; key < keys; key += 3)
            {
                keyspace.apply(true, SOURCE, key * 7_919, T2, 1);
            }
            for (long key = 0; key < keys; key += 6)
            {
                assertThat(keyspace.dropPurged(key * 7_919, T2, 1)).isTrue();
            }
            assertThat(keyspace.indexedKeyCount())
                .isEqualTo(keyspace.set().liveCount() + keyspace.set().tombstoneCount());

            final TictacTree tree = keyspace.tree();
            for (final int segment : new int[]{0, tree.segmentOf(7_919), tree.segmentOf(3 * 7_919),
                tree.segmentOf(6 * 7_919), tree.segmentCount() - 1})
            {
                final Map<Long, String> expected = new HashMap<>();
                keyspace.set().forEachLive((key, stamp, nodeId) ->
                {
                    if (tree.segmentOf(key) == segment)
                    {
                        expected.put(key, "live " + stamp + " " + nodeId);
                    }
                });
                keyspace.set().forEachTombstone((key, stamp, nodeId) ->
                {
                    if (tree.segmentOf(key) == segment)
                    {
                        expected.put(key, "dead " + stamp + " " + nodeId);
                    }
                });
                final Map<Long, String> visited = new HashMap<>();
                keyspace.forEachInSegment(segment,
                    (key, stamp, nodeId) -> assertThat(visited.put(key, "live " + stamp + " " + nodeId)).isNull(),
                    (key, stamp, nodeId) -> assertThat(visited.put(key, "dead " + stamp + " " + nodeId)).isNull());
                assertThat(visited).as("segment %d", segment).isEqualTo(expected);
            }
        }
    }

    @Test
    void aKeyspaceLoadedFromAFullSetIndexesEveryKey()
    {
        final Orswot loaded = new Orswot();
        loaded.insert(1, T1, 1);
        loaded.delete(2, T2, 1);
        try (Keyspace keyspace = new Keyspace("k", loaded, TictacTree.small()))
        {
            assertThat(keyspace.indexedKeyCount()).isEqualTo(2);
            final int[] visits = { 0 };
            keyspace.forEachInSegment(keyspace.tree().segmentOf(2), (key, stamp, nodeId) -> visits[0]++,
                (key, stamp, nodeId) -> assertThat(key).isEqualTo(2));
            assertThat(visits[0]).isEqualTo(keyspace.tree().segmentOf(1) == keyspace.tree().segmentOf(2) ? 1 : 0);
        }
    }
}
