package io.datacake.store;

import io.datacake.testing.SeededTrials;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.storage.Document;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Randomized repair: level-NONE writes and deletes on two keyspaces from random nodes while random nodes are
 * partitioned away, crashed and restarted, under small random repair bounds; once the network heals, repair alone
 * makes every node's sets, trees and stored documents equal. Prints the master seed; replay a trial with
 * {@code -Ddatacake.seed=<seed>}.
 */
final class ReplicatedStoreRepairRandomTest
{
    private static final List<String> KEYSPACES = List.of("alpha", "beta");
    private static final int OPERATIONS = 120;
    private static final int KEYS = 48;
    private static final long REPAIR_INTERVAL_MS = 50;
    private static final long CONVERGE_BOUND_VIRTUAL_MS = 120_000;

    @Test
    void nodesThatMissedWritesConvergeByRepairUnderSmallBounds()
    {
        SeededTrials.run("repair converges", 6, ReplicatedStoreRepairRandomTest::trial);
    }

    private static void trial(final SplittableRandom random)
    {
        final int maxSegments = 1 + random.nextInt(8);
        final int maxEntries = 1 + random.nextInt(8);
        try (StoreSimCluster cluster = new StoreSimCluster(random.nextLong(), 3, (ctx) -> ctx
            .repairIntervalMs(REPAIR_INTERVAL_MS)
            .repairMaxSegmentsPerRound(maxSegments)
            .repairMaxEntriesPerFetch(maxEntries)))
        {
            for (int op = 0; op < OPERATIONS; op++)
            {
                final int roll = random.nextInt(20);
                if (0 == roll)
                {
                    cluster.isolate(1 + random.nextInt(3));
                }
                else if (1 == roll)
                {
                    cluster.simulation.network().heal();
                }
                else if (2 == roll)
                {
                    final int victim = 1 + random.nextInt(3);
                    cluster.simulation.crash(victim);
                    cluster.restart(victim);
                }
                else
                {
                    final StoreHandle handle = cluster.handle(1 + random.nextInt(3));
                    final String keyspace = KEYSPACES.get(random.nextInt(KEYSPACES.size()));
                    final long key = random.nextInt(KEYS);
                    cluster.await(0 == random.nextInt(5) ?
                        handle.delete(keyspace, key, ConsistencyLevel.NONE) :
                        handle.put(keyspace, key, ("v" + op).getBytes(StandardCharsets.UTF_8), ConsistencyLevel.NONE));
                }
                cluster.simulation.runFor(random.nextInt((int)REPAIR_INTERVAL_MS));
            }
            cluster.simulation.network().heal();
            assertThat(cluster.simulation.runUntil(() -> converged(cluster), CONVERGE_BOUND_VIRTUAL_MS))
                .as("converged within %d virtual ms with at most %d segments a round and %d entries a fetch; %s",
                    CONVERGE_BOUND_VIRTUAL_MS, maxSegments, maxEntries, cluster.simulation.replayHint())
                .isTrue();
        }
    }

    private static boolean converged(final StoreSimCluster cluster)
    {
        for (final String name : KEYSPACES)
        {
            final Keyspace reference = cluster.store(1).keyspaceState(name);
            for (int id = 2; id <= 3; id++)
            {
                final Keyspace state = cluster.store(id).keyspaceState(name);
                if ((null == reference) != (null == state))
                {
                    return false;
                }
                if (null != state && (!state.set().dataEquals(reference.set()) ||
                    state.tree().root() != reference.tree().root()))
                {
                    return false;
                }
            }
            for (long key = 0; key < KEYS; key++)
            {
                final Document expected = cluster.get(1, name, key);
                for (int id = 2; id <= 3; id++)
                {
                    final Document actual = cluster.get(id, name, key);
                    if (null == expected ? null != actual : null == actual || expected.stamp() != actual.stamp() ||
                        expected.nodeId() != actual.nodeId() || !Arrays.equals(expected.value(), actual.value()))
                    {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}
