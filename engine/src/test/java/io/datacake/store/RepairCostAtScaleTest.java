package io.datacake.store;

import io.datacake.crdt.Orswot;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.sim.Simulation;
import io.datacake.storage.Document;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What anti-entropy costs two replicas of a large keyspace, asserted on the stores' counters, never on time: in sync
 * a round is one small message pair per keyspace, and k differences (missing on one side, a stale stamp on one side,
 * the same stamp from another node on one side; each kind in both directions) move at least k and at most a constant
 * times k entries, with bytes bounded by a line in k. Nodes run in virtual time; seeds replay with
 * {@code -D}{@value Simulation#SEED_PROPERTY}. The default run uses 100,000 keys; the 1,000,000-key run is tagged
 * {@code soak}.
 */
final class RepairCostAtScaleTest
{
    private static final String KEYSPACE = "docs";
    private static final long REPAIR_INTERVAL_MS = 100;
    private static final long CONVERGE_BOUND_VIRTUAL_MS = 600_000;
    private static final int LOAD_BATCH = 1_024;

    /** The tree shape of both replicas: about one key per segment at 1M keys, 2 KiB of segment hashes a branch. */
    private static final int BRANCH_COUNT = 4_096;
    private static final int SEGMENTS_PER_BRANCH = 256;

    /** Bytes both directions of an in-sync round may cost a keyspace: the keyspace list request and its reply. */
    private static final long IN_SYNC_BYTES_PER_ROUND = 256;

    /**
     * Entries moved per difference: its segment's entries (about two at one key a segment), asked for by both nodes
     * (repair pulls, and a hash mismatch does not say which side is behind), over the two or three rounds each node
     * runs until both have pulled.
     */
    private static final long ENTRIES_PER_DIFFERENCE = 16;

    /**
     * Bytes per difference: the segment hashes of its branch (2 KiB) and its segment's entries, for both nodes'
     * rounds; plus a fixed part per repair for the branch-hash levels of the rounds that find them.
     */
    private static final long BYTES_PER_DIFFERENCE = 8 * 1024;
    private static final long BYTES_FIXED = 1024 * 1024;

    @Test
    void repairCostFollowsTheDeltaAtOneHundredThousandKeys()
    {
        repairCostFollowsTheDelta(100_000, 311);
    }

    @Tag("soak")
    @Test
    void repairCostFollowsTheDeltaAtOneMillionKeys()
    {
        repairCostFollowsTheDelta(1_000_000, 312);
    }

    private static void repairCostFollowsTheDelta(final int keyCount, final long defaultSeed)
    {
        try (StoreSimCluster cluster = new StoreSimCluster(Simulation.seedFromProperty(defaultSeed), 2,
            (ctx) -> ctx.repairIntervalMs(REPAIR_INTERVAL_MS).treeShape(BRANCH_COUNT, SEGMENTS_PER_BRANCH)))
        {
            load(cluster, keyCount);
            awaitConverged(cluster);

            inSyncRoundsCostOneSmallMessagePair(cluster);
            long nextKey = keyCount;
            for (final int k : new int[]{10, 1_000})
            {
                nextKey = kDifferencesCostOrderK(cluster, keyCount, nextKey, k);
            }
        }
    }

    private static void load(final StoreSimCluster cluster, final int keyCount)
    {
        for (int first = 0; first < keyCount; first += LOAD_BATCH)
        {
            final int count = Math.min(LOAD_BATCH, keyCount - first);
            final long[] keys = new long[count];
            final byte[][] values = new byte[count][];
            for (int i = 0; i < count; i++)
            {
                keys[i] = first + i;
                values[i] = value(first + i, 0);
            }
            cluster.await(cluster.handle(1).putMany(KEYSPACE, keys, values, ConsistencyLevel.ALL));
        }
    }

    private static void inSyncRoundsCostOneSmallMessagePair(final StoreSimCluster cluster)
    {
        // Rounds begun while the load was still replicating end first: wait for two in-sync rounds on each node.
        final long inSyncOne = cluster.store(1).repairRoundsInSync();
        final long inSyncTwo = cluster.store(2).repairRoundsInSync();
        assertThat(cluster.simulation.runUntil(() -> cluster.store(1).repairRoundsInSync() >= inSyncOne + 2 &&
            cluster.store(2).repairRoundsInSync() >= inSyncTwo + 2, CONVERGE_BOUND_VIRTUAL_MS)).isTrue();
        final long[] before = snapshot(cluster);
        cluster.simulation.runFor(20 * REPAIR_INTERVAL_MS);
        final long[] after = snapshot(cluster);
        final long rounds = after[ROUNDS] - before[ROUNDS];
        final long bytes = after[BYTES] - before[BYTES];
        System.out.printf("in sync: %d rounds, %d bytes (%.1f a round), %d entries%n", rounds, bytes,
            (double)bytes / Math.max(1, rounds), after[ENTRIES] - before[ENTRIES]);
        assertThat(rounds).as("rounds of both nodes").isGreaterThanOrEqualTo(20);
        assertThat(after[ENTRIES] - before[ENTRIES]).as("entries fetched in sync").isZero();
        assertThat(bytes).as("bytes of %d in-sync rounds", rounds).isLessThanOrEqualTo(rounds * IN_SYNC_BYTES_PER_ROUND);
    }

    /**
     * Make k differences between the two nodes, in six kinds (missing, stale, same stamp from another node; on
     * either node), heal, and check what repair moved.
     *
     * @return the next unused key.
     */
    private static long kDifferencesCostOrderK(
        final StoreSimCluster cluster, final int keyCount, final long firstNewKey, final int k)
    {
        cluster.simulation.network().partition(List.of("sim-1"), List.of("sim-2"));
        long nextKey = firstNewKey;
        long existing = (long)k * 7919 % keyCount;
        for (int i = 0; i < k; i++)
        {
            final int kind = i % 6;
            final int onNode = 1 + kind % 2;
            if (kind < 2)
            {
                // Missing on the other node.
                cluster.await(cluster.handle(onNode).put(KEYSPACE, nextKey, value(nextKey, 1), ConsistencyLevel.NONE));
                nextKey++;
                continue;
            }
            existing = (existing + 104_729) % keyCount;
            if (kind < 4)
            {
                // Stale stamp on the other node.
                cluster.await(
                    cluster.handle(onNode).put(KEYSPACE, existing, value(existing, 2), ConsistencyLevel.NONE));
            }
            else
            {
                // The same stamp, written by the other node id, on this node only: it wins the tie or loses it.
                sameStampFromAnotherNode(cluster, onNode, existing);
            }
        }
        final long[] before = snapshot(cluster);
        cluster.simulation.network().heal();
        awaitConverged(cluster);
        final long[] after = snapshot(cluster);

        final long fetched = after[ENTRIES] - before[ENTRIES];
        final long applied = after[APPLIED] - before[APPLIED];
        final long bytes = after[BYTES] - before[BYTES];
        System.out.printf("k=%d: %d rounds, %d entries moved, %d applied, %d bytes (%.0f per difference), " +
            "%d segments fetched%n", k, after[ROUNDS] - before[ROUNDS], fetched, applied, bytes, (double)bytes / k,
            after[SEGMENTS] - before[SEGMENTS]);
        assertThat(applied).as("k=%d: each difference applied once, on the node that lacked it", k).isEqualTo(k);
        assertThat(fetched).as("k=%d: entries moved", k).isBetween((long)k, ENTRIES_PER_DIFFERENCE * k);
        assertThat(bytes).as("k=%d: bytes sent and received", k).isLessThanOrEqualTo(BYTES_FIXED + BYTES_PER_DIFFERENCE * k);
        return nextKey;
    }

    private static void sameStampFromAnotherNode(final StoreSimCluster cluster, final int onNode, final long key)
    {
        final Document current = cluster.get(onNode, KEYSPACE, key);
        final int otherNodeId = current.nodeId() == 7 ? 8 : 7;
        cluster.simulation.storage(onNode).put(KEYSPACE, key, current.stamp(), otherNodeId, value(key, 3));
        final Keyspace keyspace = cluster.store(onNode).keyspaceState(KEYSPACE);
        assertThat(keyspace.willApply(false, Orswot.REPAIR_SOURCE, key, current.stamp(), otherNodeId)).isTrue();
        keyspace.apply(false, Orswot.REPAIR_SOURCE, key, current.stamp(), otherNodeId);
    }

    private static byte[] value(final long key, final int version)
    {
        final byte[] value = new byte[16];
        for (int i = 0; i < Long.BYTES; i++)
        {
            value[i] = (byte)(key >>> (8 * i));
        }
        value[Long.BYTES] = (byte)version;
        return value;
    }

    private static final int ROUNDS = 0;
    private static final int ENTRIES = 1;
    private static final int APPLIED = 2;
    private static final int BYTES = 3;
    private static final int SEGMENTS = 4;

    /**
     * @return rounds, entries fetched, entries applied and bytes (sent and received) of repair, summed over both nodes.
     */
    private static long[] snapshot(final StoreSimCluster cluster)
    {
        final long[] sums = new long[5];
        for (int id = 1; id <= 2; id++)
        {
            final StoreStatistics statistics = cluster.store(id).statistics();
            sums[ROUNDS] += statistics.repairRounds();
            sums[ENTRIES] += statistics.repairEntriesCompared();
            sums[APPLIED] += statistics.documentsFetched();
            sums[BYTES] += statistics.repairBytesSent() + statistics.repairBytesCompared();
            sums[SEGMENTS] += cluster.store(id).repairSegmentsFetched();
        }
        return sums;
    }

    private static void awaitConverged(final StoreSimCluster cluster)
    {
        assertThat(cluster.simulation.runUntil(() ->
        {
            final Keyspace one = cluster.store(1).keyspaceState(KEYSPACE);
            final Keyspace two = cluster.store(2).keyspaceState(KEYSPACE);
            return null != one && null != two && one.tree().root() == two.tree().root() &&
                one.set().dataEquals(two.set());
        }, CONVERGE_BOUND_VIRTUAL_MS)).as("converged; %s", cluster.simulation.replayHint()).isTrue();
    }
}
