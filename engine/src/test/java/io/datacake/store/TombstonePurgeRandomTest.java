package io.datacake.store;

import io.datacake.clock.HlcTimestamp;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Randomized purge: puts and deletes at random levels from random nodes on two keyspaces while random nodes are
 * partitioned away (every view still counts every node live), with a short tombstone grace. Every record any node's
 * set ever held is watched after every simulation step; once the network heals, every tombstone is purged
 * everywhere and each key ends as its last write: a key whose last write was a delete is on no node, one whose last
 * write was a put holds that put on every node. Prints the master seed; replay a trial with
 * {@code -Ddatacake.seed=<seed>}.
 */
final class TombstonePurgeRandomTest
{
    private static final List<String> KEYSPACES = List.of("alpha", "beta");
    private static final ConsistencyLevel[] LEVELS =
        {ConsistencyLevel.NONE, ConsistencyLevel.ONE, ConsistencyLevel.QUORUM, ConsistencyLevel.ALL};
    private static final int OPERATIONS = 150;
    private static final int KEYS = 32;
    private static final long REPAIR_INTERVAL_MS = 50;
    private static final long SETTLE_BOUND_VIRTUAL_MS = 120_000;

    @Test
    void purgingNeverBringsADeletedKeyBackAndEndsWithNoTombstones()
    {
        SeededTrials.run("purge never resurrects", 4, TombstonePurgeRandomTest::trial);
    }

    private static void trial(final SplittableRandom random)
    {
        try (StoreSimCluster cluster = new StoreSimCluster(random.nextLong(), 3, (ctx) -> ctx
            .repairIntervalMs(REPAIR_INTERVAL_MS)
            .purgeIntervalMs(10 + random.nextInt(40))
            .purgeMaxEntriesPerStep(1 + random.nextInt(8))
            .tombstoneGraceMs(random.nextInt(300))))
        {
            final LastRecords last = new LastRecords();
            for (int op = 0; op < OPERATIONS; op++)
            {
                final int roll = random.nextInt(15);
                if (0 == roll)
                {
                    cluster.isolate(1 + random.nextInt(3));
                }
                else if (1 == roll)
                {
                    cluster.simulation.network().heal();
                }
                else
                {
                    final StoreHandle handle = cluster.handle(1 + random.nextInt(3));
                    final String keyspace = KEYSPACES.get(random.nextInt(KEYSPACES.size()));
                    final long key = random.nextInt(KEYS);
                    final ConsistencyLevel level = LEVELS[random.nextInt(LEVELS.length)];
                    // A write that cannot meet its level may still land somewhere: the watch sees whatever does.
                    handle.put(keyspace, key, ("v" + op).getBytes(StandardCharsets.UTF_8), level);
                    if (0 == random.nextInt(3))
                    {
                        handle.delete(keyspace, key, level);
                    }
                }
                final long until = cluster.simulation.clock().time() + random.nextInt((int)REPAIR_INTERVAL_MS);
                cluster.simulation.runUntil(() -> last.watch(cluster) && cluster.simulation.clock().time() >= until,
                    REPAIR_INTERVAL_MS);
            }
            cluster.simulation.network().heal();
            assertThat(cluster.simulation.runUntil(() -> last.watch(cluster) && settled(cluster, last),
                SETTLE_BOUND_VIRTUAL_MS))
                .as("every tombstone purged and every key at its last write; %s", cluster.simulation.replayHint())
                .isTrue();
        }
    }

    /**
     * @return true once no node holds a tombstone and every key is on every node as its last write.
     */
    private static boolean settled(final StoreSimCluster cluster, final LastRecords last)
    {
        for (int k = 0; k < KEYSPACES.size(); k++)
        {
            for (int id = 1; id <= 3; id++)
            {
                final Keyspace state = cluster.store(id).keyspaceState(KEYSPACES.get(k));
                if (null == state)
                {
                    continue;
                }
                if (state.set().tombstoneCount() > 0)
                {
                    return false;
                }
                for (int key = 0; key < KEYS; key++)
                {
                    if (!last.holdsLast(k, key, state))
                    {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * The greatest record by (stamp, node id) any node's set has held for each key, and whether it was a delete.
     */
    private static final class LastRecords
    {
        private final long[] stamps = new long[KEYSPACES.size() * KEYS];
        private final int[] nodeIds = new int[KEYSPACES.size() * KEYS];
        private final boolean[] tombstones = new boolean[KEYSPACES.size() * KEYS];

        /**
         * Record what every node's sets hold now.
         *
         * @return true, so it can lead a run condition.
         */
        boolean watch(final StoreSimCluster cluster)
        {
            for (int k = 0; k < KEYSPACES.size(); k++)
            {
                for (int id = 1; id <= 3; id++)
                {
                    final Keyspace state = cluster.store(id).keyspaceState(KEYSPACES.get(k));
                    if (null == state)
                    {
                        continue;
                    }
                    for (int key = 0; key < KEYS; key++)
                    {
                        final long live = state.set().get(key);
                        if (HlcTimestamp.NULL_STAMP != live)
                        {
                            offer(k * KEYS + key, live, state.set().getNodeId(key), false);
                        }
                        final long dead = state.set().getTombstone(key);
                        if (HlcTimestamp.NULL_STAMP != dead)
                        {
                            offer(k * KEYS + key, dead, state.set().getTombstoneNodeId(key), true);
                        }
                    }
                }
            }
            return true;
        }

        private void offer(final int index, final long stamp, final int nodeId, final boolean tombstone)
        {
            if (HlcTimestamp.compare(stamp, nodeId, stamps[index], nodeIds[index]) > 0 ||
                (stamp == stamps[index] && nodeId == nodeIds[index] && !tombstone && tombstones[index]))
            {
                stamps[index] = stamp;
                nodeIds[index] = nodeId;
                tombstones[index] = tombstone;
            }
        }

        /**
         * @return true if the set holds the key as its last write: nothing after a delete (or if never written),
         * exactly the last put otherwise.
         */
        boolean holdsLast(final int keyspaceIndex, final long key, final Keyspace state)
        {
            final int index = keyspaceIndex * KEYS + (int)key;
            final long live = state.set().get(key);
            if (HlcTimestamp.NULL_STAMP == stamps[index] || tombstones[index])
            {
                return HlcTimestamp.NULL_STAMP == live;
            }
            return live == stamps[index] && state.set().getNodeId(key) == nodeIds[index];
        }
    }
}
