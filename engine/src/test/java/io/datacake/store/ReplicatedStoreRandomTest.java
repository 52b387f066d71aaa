package io.datacake.store;

import io.datacake.testing.SeededTrials;
import io.datacake.membership.ConsistencyException;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.storage.Document;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random writes at random levels from random coordinators on three simulated nodes: every write acknowledged at ALL
 * is in every node's storage the moment it completes, a level that cannot be met writes nothing, every other write
 * succeeds, and the nodes converge. Prints the master seed; replay a trial with {@code -Ddatacake.seed=<seed>}.
 */
final class ReplicatedStoreRandomTest
{
    private static final String KEYSPACE = "random";
    private static final ConsistencyLevel[] LEVELS = {
        ConsistencyLevel.NONE, ConsistencyLevel.ONE, ConsistencyLevel.TWO, ConsistencyLevel.QUORUM,
        ConsistencyLevel.LOCAL_QUORUM, ConsistencyLevel.EACH_QUORUM, ConsistencyLevel.ALL, ConsistencyLevel.THREE};
    private static final int OPERATIONS = 80;
    private static final int CONTENDED_KEYS = 8;
    private static final long FIRST_CHECKED_KEY = 1_000;

    @Test
    void everyWriteAcknowledgedAtAllIsOnEveryNodeAndTheNodesConverge()
    {
        SeededTrials.run("acknowledged ALL writes are everywhere", 8, this::trial);
    }

    private void trial(final SplittableRandom random)
    {
        try (StoreSimCluster cluster = new StoreSimCluster(random.nextLong(), 3))
        {
            final List<String> violations = new ArrayList<>();
            final List<CompletableFuture<Void>> succeeding = new ArrayList<>();
            final List<CompletableFuture<Void>> unmeetable = new ArrayList<>();
            final List<Long> unmeetableKeys = new ArrayList<>();
            long nextCheckedKey = FIRST_CHECKED_KEY;
            for (int op = 0; op < OPERATIONS; op++)
            {
                final StoreHandle handle = cluster.handle(1 + random.nextInt(3));
                final ConsistencyLevel level = LEVELS[random.nextInt(LEVELS.length)];
                final int kind = random.nextInt(4);
                final CompletableFuture<Void> future;
                if (ConsistencyLevel.ALL == level && 0 == kind)
                {
                    // A key of its own, so its value after the write is known exactly.
                    final long key = nextCheckedKey++;
                    final byte[] value = ("all-" + op).getBytes(StandardCharsets.UTF_8);
                    future = handle.put(KEYSPACE, key, value, level);
                    future.thenRun(() ->
                    {
                        for (int id = 1; id <= 3; id++)
                        {
                            final Document document = cluster.get(id, KEYSPACE, key);
                            if (null == document || !Arrays.equals(document.value(), value))
                            {
                                violations.add("ALL put of key " + key + " acknowledged but node " + id + " holds " +
                                    document);
                            }
                        }
                    });
                }
                else if (ConsistencyLevel.THREE == level)
                {
                    final long key = nextCheckedKey++;
                    future = handle.put(KEYSPACE, key, new byte[]{1}, level);
                    unmeetableKeys.add(key);
                }
                else if (0 == kind || 1 == kind)
                {
                    future = handle.put(KEYSPACE, random.nextInt(CONTENDED_KEYS), new byte[random.nextInt(64)], level);
                }
                else if (2 == kind)
                {
                    future = handle.delete(KEYSPACE, random.nextInt(CONTENDED_KEYS), level);
                }
                else
                {
                    final long[] keys = {random.nextInt(CONTENDED_KEYS), random.nextInt(CONTENDED_KEYS)};
                    future = handle.putMany(KEYSPACE, keys, new byte[][]{new byte[3], new byte[5]}, level);
                }
                (ConsistencyLevel.THREE == level ? unmeetable : succeeding).add(future);
                if (random.nextInt(3) == 0)
                {
                    cluster.simulation.runFor(random.nextInt(5));
                }
            }
            for (final CompletableFuture<Void> future : succeeding)
            {
                cluster.await(future);
                assertThat(future).isNotCompletedExceptionally();
            }
            for (final CompletableFuture<Void> future : unmeetable)
            {
                cluster.await(future);
                assertThat(causeOf(future)).isInstanceOf(ConsistencyException.class);
            }
            assertThat(violations).isEmpty();
            cluster.simulation.runFor(1_000);
            for (final long key : unmeetableKeys)
            {
                for (int id = 1; id <= 3; id++)
                {
                    assertThat(cluster.get(id, KEYSPACE, key)).as("unmeetable write of key %d on node %d", key, id)
                        .isNull();
                }
            }
            final Keyspace reference = cluster.store(1).keyspaceState(KEYSPACE);
            for (int id = 2; id <= 3; id++)
            {
                final Keyspace other = cluster.store(id).keyspaceState(KEYSPACE);
                assertThat(other.set().dataEquals(reference.set())).as("node %d converged", id).isTrue();
                assertThat(other.tree().root()).isEqualTo(reference.tree().root());
            }
        }
    }

    private static Throwable causeOf(final CompletableFuture<Void> future)
    {
        try
        {
            future.join();
            return null;
        }
        catch (final CompletionException ex)
        {
            return ex.getCause();
        }
    }
}
