package io.datacake.crdt;

import io.datacake.clock.HlcTimestamp;
import org.agrona.collections.Long2LongHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.datacake.clock.HlcTimestamp.NULL_STAMP;
import static io.datacake.crdt.SetOperation.DELETE;
import static io.datacake.crdt.SetOperation.INSERT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OrswotTest
{
    private static final long BASE_MS = 1_764_061_731_000L;
    private final List<Orswot> sets = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        sets.forEach(Orswot::close);
    }

    private Orswot newSet()
    {
        return newSet(Orswot.DEFAULT_SOURCE_COUNT);
    }

    private Orswot newSet(final int sources)
    {
        final Orswot set = new Orswot(sources, 0, 16);
        sets.add(set);
        return set;
    }

    private static long ts(final long ms)
    {
        return HlcTimestamp.pack(BASE_MS + ms, 0);
    }

    @Test
    void getManyAnswersEachKeyAsGetDoesAndChecksItsRanges()
    {
        final Orswot set = newSet();
        for (int key = 0; key < 1_000; key++)
        {
            set.insert(Orswot.CONSISTENCY_SOURCE, key, ts(1 + key), 1);
        }
        set.delete(Orswot.CONSISTENCY_SOURCE, 68, ts(5_000), 1);

        // 37 keys (more than two batches, not a whole number of them) from offset 3, some absent or deleted.
        final long[] keys = new long[40];
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = i % 5 == 0 ? 2_000 + i : i * 17L;
        }
        final long[] stamps = new long[45];
        set.getMany(keys, 3, 37, stamps, 5);
        for (int i = 0; i < 37; i++)
        {
            assertThat(stamps[5 + i]).as("key %d", keys[3 + i]).isEqualTo(set.get(keys[3 + i]));
        }
        assertThat(stamps[5 + 1]).as("deleted key 68").isEqualTo(NULL_STAMP);
        assertThat(stamps[5]).isEqualTo(ts(1 + 51));
        assertThat(stamps[5 + 2]).as("absent key").isEqualTo(NULL_STAMP);
        assertThat(stamps).startsWith(0, 0, 0, 0, 0);

        assertThatThrownBy(() -> set.getMany(keys, 10, 31, stamps, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> set.getMany(keys, 0, 40, stamps, 6)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> set.getMany(keys, 0, -1, stamps, 0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void prefetchChangesNothingWhateverTheKey()
    {
        final Orswot set = newSet();
        for (int key = -500; key < 3_000; key++)
        {
            set.insert(Orswot.CONSISTENCY_SOURCE, key, ts(10_000 + key), 1 + (key & 7));
        }
        for (int key = 0; key < 3_000; key += 3)
        {
            set.delete(Orswot.CONSISTENCY_SOURCE, key, ts(20_000 + key), 2);
        }
        final long contentBefore = set.contentDigest();
        final long dataBefore = set.dataDigest();
        final int liveBefore = set.liveCount();
        final int deadBefore = set.tombstoneCount();

        for (long key = -1_000; key < 5_000; key++)
        {
            set.prefetch(key);
        }
        set.prefetch(Long.MIN_VALUE);
        set.prefetch(Long.MAX_VALUE);
        set.prefetch(1L << 50);

        assertThat(set.contentDigest()).isEqualTo(contentBefore);
        assertThat(set.dataDigest()).isEqualTo(dataBefore);
        assertThat(set.liveCount()).isEqualTo(liveBefore);
        assertThat(set.tombstoneCount()).isEqualTo(deadBefore);
        assertThat(set.get(1)).isEqualTo(ts(10_001));
        assertThat(set.getTombstone(3)).isEqualTo(ts(20_003));
        assertThat(set.get(3)).isEqualTo(NULL_STAMP);
        set.close();
        set.prefetch(1);
        assertThat(set.get(1)).isEqualTo(NULL_STAMP);
    }

    @Test
    void repairAppliesRecordsOutOfStampOrderByLastWriteWins()
    {
        final Orswot set = newSet();
        assertThat(set.insert(Orswot.REPAIR_SOURCE, 1, ts(5), 7)).isTrue();
        assertThat(set.willApply(INSERT, Orswot.REPAIR_SOURCE, 2, ts(3), 7)).as("stale in its source").isFalse();

        assertThat(set.willRepair(false, 2, ts(3), 7)).isTrue();
        assertThat(set.repair(false, 2, ts(3), 7)).isTrue();
        assertThat(set.get(2)).isEqualTo(ts(3));
        assertThat(set.willRepair(false, 2, ts(2), 7)).isFalse();
        assertThat(set.repair(false, 2, ts(2), 7)).isFalse();
        assertThat(set.repair(true, 2, ts(4), 7)).isTrue();
        assertThat(set.getTombstone(2)).isEqualTo(ts(4));
        assertThat(set.repair(false, 2, ts(4), 7)).as("an insert beats an equal tombstone").isTrue();
        assertThat(set.get(2)).isEqualTo(ts(4));
        assertThat(set.repair(false, 2, ts(4), 7)).as("already held").isFalse();
        assertThat(set.seenStamp(Orswot.REPAIR_SOURCE, 7)).isEqualTo(ts(5));
    }

    @Test
    void aRecordMissedForLongerThanTheForgivenessIsStillRepairedAfterNewerOnesOfItsNode()
    {
        // No forgiveness, so any seen stamp above a record would make it look purged.
        final Orswot set = new Orswot(2, 0, 16);
        set.insert(Orswot.CONSISTENCY_SOURCE, 1, ts(20), 7);
        // Repair brings the node's newer record first (key-space order), then the old one this replica missed.
        assertThat(set.repair(false, 2, ts(15), 7)).isTrue();
        assertThat(set.seenStamp(Orswot.REPAIR_SOURCE, 7)).as("repair moves no safe stamp").isEqualTo(NULL_STAMP);
        assertThat(set.willRepair(false, 3, ts(5), 7)).isTrue();
        assertThat(set.repair(false, 3, ts(5), 7)).isTrue();
        assertThat(set.get(3)).isEqualTo(ts(5));
    }

    @Test
    void repairRefusesARecordOfAnAbsentKeyTheSetAlreadyObserved()
    {
        final Orswot set = newSet();
        set.insert(Orswot.CONSISTENCY_SOURCE, 1, ts(10), 7);
        set.insert(Orswot.REPAIR_SOURCE, 1, ts(10), 7);
        assertThat(set.willRepair(false, 3, ts(5), 7)).as("removed here and purged").isFalse();
        assertThat(set.repair(false, 3, ts(5), 7)).isFalse();
        assertThat(set.get(3)).isEqualTo(NULL_STAMP);
        assertThat(set.repair(false, 1, ts(11), 7)).isTrue();
        assertThat(set.get(1)).isEqualTo(ts(11));
    }

    @Test
    void laterOperationOnAKeyWins()
    {
        final Orswot set = newSet();
        assertThat(set.insert(1, ts(1), 0)).isTrue();
        assertThat(set.get(1)).isEqualTo(ts(1));
        assertThat(set.delete(1, ts(2), 0)).isTrue();
        assertThat(set.get(1)).isEqualTo(NULL_STAMP);
        assertThat(set.getTombstone(1)).isEqualTo(ts(2));
        assertThat(set.insert(1, ts(3), 0)).isTrue();
        assertThat(set.get(1)).isEqualTo(ts(3));
        assertThat(set.getTombstone(1)).isEqualTo(NULL_STAMP);
        assertThat(set.liveCount()).isEqualTo(1);
        assertThat(set.tombstoneCount()).isZero();
    }

    @Test
    void deleteOlderThanTheLiveEntryFromAnotherNodeLoses()
    {
        final Orswot set = newSet();
        set.insert(1, ts(5), 0);
        assertThat(set.delete(1, ts(4), 1)).isFalse();
        assertThat(set.get(1)).isEqualTo(ts(5));
        assertThat(set.tombstoneCount()).isZero();
    }

    @Test
    void insertOlderThanTheTombstoneFromAnotherNodeLoses()
    {
        final Orswot set = newSet();
        set.delete(1, ts(5), 0);
        assertThat(set.insert(1, ts(4), 1)).isFalse();
        assertThat(set.get(1)).isEqualTo(NULL_STAMP);
        assertThat(set.getTombstone(1)).isEqualTo(ts(5));
    }

    @Test
    void deletingAnUnknownKeyLeavesATombstone()
    {
        final Orswot set = newSet();
        assertThat(set.delete(42, ts(1), 3)).isTrue();
        assertThat(set.getTombstone(42)).isEqualTo(ts(1));
        assertThat(set.getTombstoneNodeId(42)).isEqualTo(3);
    }

    @Test
    void staleOperationFromTheSameNodeAndSourceIsRejected()
    {
        final Orswot set = newSet();
        set.insert(1, ts(10), 0);
        assertThat(set.insert(2, ts(5), 0)).isFalse();
        assertThat(set.get(2)).isEqualTo(NULL_STAMP);
        assertThat(set.delete(1, ts(5), 0)).isFalse();
        assertThat(set.get(1)).isEqualTo(ts(10));

        // The same stamp again (a duplicate delivery) is allowed, and a no-op.
        assertThat(set.insert(1, ts(10), 0)).isFalse();
        // Another source keeps its own order.
        assertThat(set.insert(Orswot.REPAIR_SOURCE, 2, ts(5), 0)).isTrue();
        assertThat(set.seenStamp(Orswot.CONSISTENCY_SOURCE, 0)).isEqualTo(ts(10));
        assertThat(set.seenStamp(Orswot.REPAIR_SOURCE, 0)).isEqualTo(ts(5));
    }

    @Test
    void conflictingWritesConvergeOnTheLatestTimestamp()
    {
        final Orswot a = newSet();
        final Orswot b = newSet();
        a.insert(1, ts(1), 0);
        b.insert(1, ts(2), 1);
        a.insert(2, ts(3), 0);

        a.merge(b);
        b.merge(a);
        assertThat(a.get(1)).isEqualTo(ts(2));
        assertThat(a.getNodeId(1)).isEqualTo(1);
        assertThat(b.get(2)).isEqualTo(ts(3));
        assertThat(a.contentEquals(b)).isTrue();
        assertThat(a.contentDigest()).isEqualTo(b.contentDigest());
    }

    @Test
    void equalPhysicalTimeAndCounterLargestNodeIdWins()
    {
        final Orswot a = newSet();
        final Orswot b = newSet();
        a.insert(1, ts(1), 4);
        b.insert(1, ts(1), 9);
        a.merge(b);
        b.merge(a);
        assertThat(a.getNodeId(1)).isEqualTo(9);
        assertThat(b.getNodeId(1)).isEqualTo(9);
    }

    @Test
    void tieBreakersBetweenInsertAndDeleteUseTheNodeId()
    {
        // Insert by node 0 and delete by node 1 at the same time: node 1 is larger, the delete wins.
        final Orswot a = newSet();
        a.insert(1, ts(1), 0);
        assertThat(a.delete(1, ts(1), 1)).isTrue();
        assertThat(a.get(1)).isEqualTo(NULL_STAMP);

        final Orswot b = newSet();
        b.delete(1, ts(1), 1);
        assertThat(b.insert(1, ts(1), 0)).isFalse();
        assertThat(b.getTombstone(1)).isEqualTo(ts(1));

        // The reverse: the insert by node 1 beats the delete by node 0.
        final Orswot c = newSet();
        c.insert(1, ts(1), 1);
        assertThat(c.delete(1, ts(1), 0)).isFalse();
        assertThat(c.get(1)).isEqualTo(ts(1));

        final Orswot d = newSet();
        d.delete(1, ts(1), 0);
        assertThat(d.insert(1, ts(1), 1)).isTrue();
        assertThat(d.get(1)).isEqualTo(ts(1));
    }

    @Test
    void insertBeatsDeleteOnAnExactlyEqualTimestamp()
    {
        final Orswot set = newSet(1);
        set.delete(1, ts(1), 2);
        assertThat(set.insert(1, ts(1), 2)).isTrue();
        assertThat(set.get(1)).isEqualTo(ts(1));
        assertThat(set.getTombstone(1)).isEqualTo(NULL_STAMP);
        assertThat(set.delete(1, ts(1), 2)).isFalse();
        assertThat(set.get(1)).isEqualTo(ts(1));

        // The same holds when the two records meet in a merge.
        final Orswot a = newSet(1);
        final Orswot b = newSet(1);
        a.insert(7, ts(3), 5);
        b.delete(7, ts(3), 5);
        a.merge(b);
        b.merge(a);
        assertThat(a.get(7)).isEqualTo(ts(3));
        assertThat(b.get(7)).isEqualTo(ts(3));
    }

    @Test
    void deleteRacingAnInsertConvergesWhicheverArrivesFirst()
    {
        final Orswot insertFirst = newSet();
        final Orswot deleteFirst = newSet();
        insertFirst.insert(1, ts(1), 0);
        insertFirst.delete(1, ts(2), 1);
        deleteFirst.delete(1, ts(2), 1);
        deleteFirst.insert(1, ts(1), 0);
        assertThat(insertFirst.contentEquals(deleteFirst)).isTrue();
        assertThat(deleteFirst.get(1)).isEqualTo(NULL_STAMP);
        assertThat(deleteFirst.getTombstone(1)).isEqualTo(ts(2));
    }

    @Test
    void deleteThenMergeRemovesEverywhere()
    {
        final Orswot a = newSet();
        final Orswot b = newSet();
        a.insert(1, ts(1), 0);
        a.insert(2, ts(2), 0);
        b.merge(a);
        assertThat(b.get(1)).isEqualTo(ts(1));

        b.delete(1, ts(3), 1);
        a.merge(b);
        assertThat(a.get(1)).isEqualTo(NULL_STAMP);
        assertThat(a.getTombstone(1)).isEqualTo(ts(3));
        assertThat(a.get(2)).isEqualTo(ts(2));
    }

    @Test
    void purgeWaitsUntilEverySourceObservedALaterOperation()
    {
        final Orswot set = newSet();
        set.delete(Orswot.CONSISTENCY_SOURCE, 3, ts(1), 1);
        assertThat(set.purgeOldDeletes((k, s, n) -> { })).isZero();

        // A later operation from node 1 through source 0 only: source 1 has not seen node 1 yet.
        set.insert(Orswot.CONSISTENCY_SOURCE, 4, ts(2), 1);
        assertThat(set.purgeOldDeletes((k, s, n) -> { })).isZero();
        assertThat(set.seenStamp(Orswot.REPAIR_SOURCE, 1)).isEqualTo(NULL_STAMP);

        // Source 1 sees a later operation too: the tombstone is now safe to purge.
        set.insert(Orswot.REPAIR_SOURCE, 5, ts(3), 1);
        final Long2LongHashMap purged = new Long2LongHashMap(NULL_STAMP);
        assertThat(set.purgeOldDeletes((k, s, n) -> purged.put(k, s))).isEqualTo(1);
        assertThat(purged.get(3)).isEqualTo(ts(1));
        assertThat(set.tombstoneCount()).isZero();
        assertThat(set.liveCount()).isEqualTo(2);
    }

    @Test
    void purgeAfterMergeAndPartialPurge()
    {
        final Orswot a = newSet(1);
        final Orswot b = newSet(1);
        a.insert(1, ts(1), 0);
        a.insert(2, ts(2), 0);
        a.insert(3, ts(3), 0);
        b.merge(a);

        b.delete(2, ts(4), 1);
        b.delete(3, ts(5), 1);
        a.merge(b);
        assertThat(a.tombstoneCount()).isEqualTo(2);

        // Node 1's latest observed stamp is ts(5): only the tombstone of key 2 is strictly before it.
        final Long2LongHashMap purged = new Long2LongHashMap(NULL_STAMP);
        assertThat(a.purgeOldDeletes((k, s, n) -> purged.put(k, s))).isEqualTo(1);
        assertThat(purged.get(2)).isEqualTo(ts(4));
        assertThat(b.purgeOldDeletes((k, s, n) -> { })).isEqualTo(1);
        assertThat(a.getTombstone(3)).isEqualTo(ts(5));
        assertThat(b.getTombstone(3)).isEqualTo(ts(5));

        // A later operation by node 1 makes key 3's tombstone purgeable too.
        b.insert(10, ts(6), 1);
        a.merge(b);
        assertThat(a.purgeOldDeletes((k, s, n) -> { })).isEqualTo(1);
        assertThat(b.purgeOldDeletes((k, s, n) -> { })).isEqualTo(1);
        assertThat(a.contentEquals(b)).isTrue();

        // A purged key is not resurrected by merging a replica that still has the old insert, once the inserting
        // node's later operations were observed (an insert that is its node's latest operation would come back:
        // datacake's rule, which the forgiveness period guards in production).
        a.insert(9, ts(7), 0);
        final Orswot stale = newSet(1);
        stale.insert(2, ts(2), 0);
        stale.insert(3, ts(3), 0);
        a.merge(stale);
        assertThat(a.get(2)).isEqualTo(NULL_STAMP);
        assertThat(a.get(3)).isEqualTo(NULL_STAMP);
        stale.merge(a);
        assertThat(stale.get(2)).isEqualTo(NULL_STAMP);
        assertThat(stale.get(3)).isEqualTo(NULL_STAMP);
    }

    @Test
    void forgivenessDelaysPurge()
    {
        final Orswot set = new Orswot(1, 1_000, 16);
        sets.add(set);
        set.delete(1, ts(0), 1);
        set.insert(2, ts(999), 1);
        assertThat(set.purgeOldDeletes((k, s, n) -> { })).isZero();
        set.insert(3, ts(1_001), 1);
        assertThat(set.purgeOldDeletes((k, s, n) -> { })).isEqualTo(1);
    }

    @Test
    void addRawTombstoneRestoresAFailedPurge()
    {
        final Orswot set = newSet(1);
        set.delete(1, ts(1), 1);
        set.insert(2, ts(2), 1);
        final long[] purged = new long[3];
        set.purgeOldDeletes((k, s, n) ->
        {
            purged[0] = k;
            purged[1] = s;
            purged[2] = n;
        });
        assertThat(set.tombstoneCount()).isZero();
        set.addRawTombstone(purged[0], purged[1], (int)purged[2]);
        assertThat(set.getTombstone(1)).isEqualTo(ts(1));
    }

    @Test
    void willApply()
    {
        final Orswot set = newSet(1);
        assertThat(set.willApply(INSERT, 1, ts(1), 0)).isTrue();
        set.insert(1, ts(2), 0);
        assertThat(set.willApply(INSERT, 1, ts(1), 1)).isFalse();
        assertThat(set.willApply(INSERT, 1, ts(2), 0)).isFalse();
        assertThat(set.willApply(INSERT, 1, ts(2), 1)).isTrue();
        assertThat(set.willApply(INSERT, 1, ts(3), 0)).isTrue();
        assertThat(set.willApply(DELETE, 1, ts(2), 1)).isTrue();
        assertThat(set.willApply(DELETE, 1, ts(2), 0)).as("a live entry at least as new wins").isFalse();
        set.delete(4, ts(5), 0);
        assertThat(set.willApply(INSERT, 4, ts(4), 1)).isFalse();
        assertThat(set.willApply(INSERT, 4, ts(6), 1)).isTrue();

        // Node 0 was seen at ts(5) in the only source: its earlier stamps are stale, whatever the key.
        assertThat(set.willApply(INSERT, 99, ts(3), 0)).isFalse();
        assertThat(set.willApply(INSERT, 99, ts(3), 1)).isTrue();
    }

    @Test
    void willApplyAgreesWithInsertOnAnExactTieWithATombstone()
    {
        final Orswot set = newSet();
        set.delete(7, ts(1), 3);
        assertThat(set.willApply(INSERT, 7, ts(1), 3)).isTrue();
        assertThat(set.willApply(DELETE, 7, ts(1), 3)).isFalse();
        assertThat(set.insert(7, ts(1), 3)).isTrue();
        assertThat(set.get(7)).isEqualTo(ts(1));
        assertThat(set.getTombstone(7)).isEqualTo(NULL_STAMP);
    }

    @Test
    void willApplyAppliesThePerSourceOrderGate()
    {
        final Orswot set = newSet();
        set.insert(Orswot.CONSISTENCY_SOURCE, 1, ts(5), 0);

        // Key 2 is unknown, but ts(3) from node 0 is older than what the consistency source saw from node 0.
        assertThat(set.willApply(INSERT, Orswot.CONSISTENCY_SOURCE, 2, ts(3), 0)).isFalse();
        assertThat(set.insert(Orswot.CONSISTENCY_SOURCE, 2, ts(3), 0)).isFalse();
        assertThat(set.willApply(DELETE, Orswot.CONSISTENCY_SOURCE, 2, ts(3), 0)).isFalse();
        assertThat(set.delete(Orswot.CONSISTENCY_SOURCE, 2, ts(3), 0)).isFalse();

        // The repair source has not seen node 0 yet.
        assertThat(set.willApply(INSERT, Orswot.REPAIR_SOURCE, 2, ts(3), 0)).isTrue();
        assertThat(set.insert(Orswot.REPAIR_SOURCE, 2, ts(3), 0)).isTrue();
    }

    @Test
    void willApplyChangesNothingNotEvenTheSeenStamps()
    {
        final Orswot set = newSet();
        set.insert(1, ts(2), 0);
        final long digest = set.contentDigest();
        assertThat(set.willApply(INSERT, Orswot.REPAIR_SOURCE, 5, ts(9), 4)).isTrue();
        assertThat(set.willApply(DELETE, Orswot.CONSISTENCY_SOURCE, 1, ts(9), 0)).isTrue();
        assertThat(set.seenStamp(Orswot.REPAIR_SOURCE, 4)).isEqualTo(NULL_STAMP);
        assertThat(set.seenStamp(Orswot.CONSISTENCY_SOURCE, 0)).isEqualTo(ts(2));
        assertThat(set.contentDigest()).isEqualTo(digest);
        assertThatThrownBy(() -> set.willApply(null, 1, ts(9), 0)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> set.willApply(INSERT, 2, 1, ts(9), 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("source");
    }

    @Test
    void dataEqualityIgnoresSeenStamps()
    {
        // Replica a skipped node 2's older write to key 1 without recording it; replica b saw it, then node 1's.
        final Orswot a = newSet();
        final Orswot b = newSet();
        a.insert(1, ts(5), 1);
        b.insert(1, ts(3), 2);
        b.insert(1, ts(5), 1);

        assertThat(a.dataEquals(b)).isTrue();
        assertThat(b.dataEquals(a)).isTrue();
        assertThat(a.dataDigest()).isEqualTo(b.dataDigest());
        assertThat(a.contentEquals(b)).isFalse();
        assertThat(a.contentDigest()).isNotEqualTo(b.contentDigest());

        b.delete(1, ts(6), 2);
        assertThat(a.dataEquals(b)).isFalse();
        assertThat(a.dataDigest()).isNotEqualTo(b.dataDigest());
    }

    @Test
    void dataEqualityTellsALiveEntryFromATombstoneWithTheSameTimestamp()
    {
        final Orswot a = newSet();
        final Orswot b = newSet();
        a.insert(1, ts(5), 1);
        b.delete(1, ts(5), 1);
        assertThat(a.dataEquals(b)).isFalse();
        assertThat(a.dataDigest()).isNotEqualTo(b.dataDigest());
    }

    @Test
    void diffReportsWhatThisSideMustFetchAndDelete()
    {
        final Orswot a = newSet();
        final Orswot b = newSet();
        a.insert(1, ts(1), 0);
        a.insert(2, ts(2), 0);
        b.insert(1, ts(1), 0);
        b.insert(3, ts(3), 1);
        b.delete(2, ts(4), 1);
        b.delete(5, ts(5), 1);

        final Long2LongHashMap changes = new Long2LongHashMap(NULL_STAMP);
        final Long2LongHashMap removals = new Long2LongHashMap(NULL_STAMP);
        a.diff(b, (k, s, n) -> changes.put(k, s), (k, s, n) -> removals.put(k, s));
        assertThat(changes.size()).isEqualTo(1);
        assertThat(changes.get(3)).isEqualTo(ts(3));
        assertThat(removals.size()).isEqualTo(2);
        assertThat(removals.get(2)).isEqualTo(ts(4));
        assertThat(removals.get(5)).isEqualTo(ts(5));

        // Nothing flows the other way for keys where b is ahead.
        final Long2LongHashMap reverse = new Long2LongHashMap(NULL_STAMP);
        b.diff(a, (k, s, n) -> reverse.put(k, s), (k, s, n) -> reverse.put(k, s));
        assertThat(reverse.size()).isZero();
    }

    @Test
    void diffWithConflictsPicksTheNewerSide()
    {
        final Orswot a = newSet();
        final Orswot b = newSet();
        a.delete(2, ts(1), 0);
        a.insert(1, ts(5), 0);
        b.insert(2, ts(2), 1);
        b.insert(1, ts(4), 1);

        final Long2LongHashMap changes = new Long2LongHashMap(NULL_STAMP);
        a.diff(b, (k, s, n) -> changes.put(k, s), (k, s, n) -> changes.put(-k, s));
        assertThat(changes.size()).isEqualTo(1);
        assertThat(changes.get(2)).isEqualTo(ts(2));
    }

    @Test
    void mergeRejectsDifferentSourceCounts()
    {
        final Orswot a = newSet(1);
        final Orswot b = newSet(2);
        assertThatThrownBy(() -> a.merge(b)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("sources");
    }

    @Test
    void badArgumentsAreRejectedWithoutChangingState()
    {
        final Orswot set = newSet();
        assertThatThrownBy(() -> set.insert(1, 0, 0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("positive");
        assertThatThrownBy(() -> set.insert(2, 1, ts(1), 70_000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> set.delete(5, 1, ts(1), 0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("source");
        assertThatThrownBy(() -> new Orswot(0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Orswot(1, -1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(set.liveCount()).isZero();
        assertThat(set.tombstoneCount()).isZero();
        assertThat(set.seenStamp(0, 0)).isEqualTo(NULL_STAMP);
    }

    @Test
    void growsAndShrinksAcrossManyKeys()
    {
        final Orswot set = newSet(1);
        final int keys = 100_000;
        for (int i = 0; i < keys; i++)
        {
            set.insert(i * 7919L, ts(i + 1), 0);
        }
        assertThat(set.liveCount()).isEqualTo(keys);
        for (int i = 0; i < keys; i++)
        {
            assertThat(set.get(i * 7919L)).isEqualTo(ts(i + 1));
        }
        for (int i = 0; i < keys; i += 2)
        {
            set.delete(i * 7919L, ts(keys + i + 1), 0);
        }
        assertThat(set.liveCount()).isEqualTo(keys / 2);
        assertThat(set.tombstoneCount()).isEqualTo(keys / 2);
        for (int i = 0; i < keys; i++)
        {
            assertThat(set.get(i * 7919L)).isEqualTo(i % 2 == 0 ? NULL_STAMP : ts(i + 1));
        }
    }

    @Test
    void removeTombstoneRemovesOnlyTheExactRecord()
    {
        final Orswot set = newSet();
        set.delete(1, ts(5), 2);
        set.insert(2, ts(5), 2);

        assertThat(set.removeTombstone(1, ts(4), 2)).as("older stamp").isFalse();
        assertThat(set.removeTombstone(1, ts(5), 3)).as("other node").isFalse();
        assertThat(set.removeTombstone(2, ts(5), 2)).as("a live entry").isFalse();
        assertThat(set.removeTombstone(9, ts(5), 2)).as("a missing key").isFalse();
        assertThat(set.getTombstone(1)).isEqualTo(ts(5));
        assertThat(set.get(2)).isEqualTo(ts(5));

        assertThat(set.removeTombstone(1, ts(5), 2)).isTrue();
        assertThat(set.getTombstone(1)).isEqualTo(NULL_STAMP);
        assertThat(set.tombstoneCount()).isZero();
    }

    @Test
    void boundedTombstoneSweepVisitsEveryTombstoneOnceAcrossSteps()
    {
        final Orswot set = newSet();
        final int tombstones = 100;
        for (int i = 0; i < tombstones; i++)
        {
            set.delete(i * 31L, ts(i + 1), 1);
        }
        final Long2LongHashMap seen = new Long2LongHashMap(NULL_STAMP);
        int cursor = 0;
        int steps = 0;
        do
        {
            cursor = set.forEachTombstoneFrom(cursor, 16, (key, stamp, nodeId) ->
                assertThat(seen.put(key, stamp)).as("visited once").isEqualTo(NULL_STAMP));
            steps++;
        }
        while (0 != cursor);

        assertThat(seen.size()).isEqualTo(tombstones);
        assertThat(steps).as("bounded steps over the whole table").isGreaterThan(1);
        assertThatThrownBy(() -> set.forEachTombstoneFrom(0, 0, (key, stamp, nodeId) -> { }))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
