package io.datacake.store;

import io.datacake.crdt.Orswot;
import io.datacake.membership.ConsistencyException;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.sim.Simulation;
import io.datacake.storage.Document;
import io.datacake.storage.Metadata;
import io.datacake.storage.StorageWriterContext;
import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The replicated store on three simulated nodes in virtual time: consistency levels, acknowledgements after the
 * storage commit, deletes, batches, keyspaces, restarts and concurrent writers. Seeds replay with
 * {@code -D}{@value Simulation#SEED_PROPERTY}.
 */
final class ReplicatedStoreSimTest
{
    private static final String KEYSPACE = "docs";

    private static StoreSimCluster cluster(final long defaultSeed)
    {
        return new StoreSimCluster(SeededTrials.seed("ReplicatedStoreSimTest", defaultSeed), 3);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Throwable failureOf(final CompletableFuture<?> future)
    {
        assertThat(future).isCompletedExceptionally();
        try
        {
            future.join();
            throw new AssertionError("not failed");
        }
        catch (final CompletionException ex)
        {
            return ex.getCause();
        }
    }

    @Test
    void aPutAtAllIsInEveryNodesStorageOnceAcknowledged()
    {
        try (StoreSimCluster cluster = cluster(101))
        {
            final CompletableFuture<Void> put =
                cluster.handle(1).put(KEYSPACE, 7, bytes("seven"), ConsistencyLevel.ALL);
            cluster.await(put);
            assertThat(put).isCompleted().isNotCompletedExceptionally();
            // No further step: every replica committed before it acknowledged.
            for (int id = 1; id <= 3; id++)
            {
                final Document document = cluster.handle(id).get(KEYSPACE, 7);
                assertThat(document).as("node %d", id).isNotNull();
                assertThat(document.value()).isEqualTo(bytes("seven"));
                assertThat(document.nodeId()).as("the coordinator's stamp is kept").isEqualTo(1);
            }
            final long stamp = cluster.get(1, KEYSPACE, 7).stamp();
            assertThat(cluster.get(2, KEYSPACE, 7).stamp()).isEqualTo(stamp);
            assertThat(cluster.get(3, KEYSPACE, 7).stamp()).isEqualTo(stamp);
        }
    }

    @Test
    void aReplicaAcknowledgesOnlyAfterItsStorageCommit()
    {
        try (StoreSimCluster cluster = cluster(111))
        {
            cluster.store(3).holdWriter(true);
            final CompletableFuture<Void> all =
                cluster.handle(1).put(KEYSPACE, 8, bytes("eight"), ConsistencyLevel.ALL);
            cluster.simulation.runFor(StoreSimCluster.REQUEST_TIMEOUT_MS / 2);
            assertThat(all).as("node 3 has not committed").isNotDone();
            assertThat(cluster.get(2, KEYSPACE, 8)).isNotNull();
            assertThat(cluster.get(3, KEYSPACE, 8)).isNull();

            cluster.store(3).holdWriter(false);
            cluster.await(all);
            assertThat(all).isNotCompletedExceptionally();
            assertThat(cluster.get(3, KEYSPACE, 8).value()).isEqualTo(bytes("eight"));
        }
    }

    @Test
    void quorumSucceedsWithOneNodeDeadWhileAllFailsBeforeWritingAnything()
    {
        try (StoreSimCluster cluster = cluster(102))
        {
            cluster.view(1).live(3, false);
            final CompletableFuture<Void> quorum =
                cluster.handle(1).put(KEYSPACE, 1, bytes("q"), ConsistencyLevel.QUORUM);
            cluster.await(quorum);
            assertThat(quorum).isNotCompletedExceptionally();
            assertThat(cluster.get(1, KEYSPACE, 1)).isNotNull();
            assertThat(cluster.get(2, KEYSPACE, 1)).as("the one replica QUORUM selects").isNotNull();

            final CompletableFuture<Void> all = cluster.handle(1).put("never", 2, bytes("a"), ConsistencyLevel.ALL);
            cluster.await(all);
            final Throwable failure = failureOf(all);
            assertThat(failure).isInstanceOf(ConsistencyException.class);
            assertThat(((ConsistencyException)failure).required()).isEqualTo(2);
            assertThat(((ConsistencyException)failure).alive()).isEqualTo(1);
            assertThat(failure).hasMessageContaining("needs 2").hasMessageContaining("1 is alive");

            cluster.simulation.runFor(5_000);
            for (int id = 1; id <= 3; id++)
            {
                assertThat(cluster.handle(id).keyspaces()).as("node %d", id).doesNotContain("never");
                assertThat(cluster.store(id).keyspaceState("never")).isNull();
            }

            // The selector follows the view: once node 3 is live again, ALL selects it and succeeds.
            cluster.view(1).live(3, true);
            final CompletableFuture<Void> again = cluster.handle(1).put("never", 2, bytes("a"), ConsistencyLevel.ALL);
            cluster.await(again);
            assertThat(again).isNotCompletedExceptionally();
            assertThat(cluster.get(3, "never", 2)).isNotNull();
        }
    }

    @Test
    void closingTheCoordinatorFailsTheWritesStillWaitingForReplicas()
    {
        try (StoreSimCluster cluster = cluster(112))
        {
            cluster.simulation.network().partition(List.of("sim-1", "sim-2"), List.of("sim-3"));
            final CompletableFuture<Void> all = cluster.handle(1).put(KEYSPACE, 4, bytes("four"), ConsistencyLevel.ALL);
            cluster.simulation.runFor(StoreSimCluster.REQUEST_TIMEOUT_MS / 2);
            assertThat(all).isNotDone();
            cluster.simulation.closeNode(cluster.simulation.node(1));
            assertThat(failureOf(all)).isInstanceOf(io.datacake.node.NodeClosedException.class);
            cluster.restart(1);
            assertThat(cluster.get(1, KEYSPACE, 4)).as("the local commit was kept").isNotNull();
            assertThat(cluster.store(1).keyspaceState(KEYSPACE).set().get(4)).isNotZero();
        }
    }

    @Test
    void aPartitionedReplicaMakesAllTimeOutNamingTheAcknowledgements()
    {
        try (StoreSimCluster cluster = cluster(103))
        {
            cluster.simulation.network().partition(List.of("sim-1", "sim-2"), List.of("sim-3"));
            final CompletableFuture<Void> all = cluster.handle(1).put(KEYSPACE, 5, bytes("five"), ConsistencyLevel.ALL);
            cluster.await(all);
            final Throwable failure = failureOf(all);
            assertThat(failure).isInstanceOf(ReplicationException.class)
                .hasMessageContaining("acknowledged by 2 of 3").hasMessageContaining("node 3");
            assertThat(((ReplicationException)failure).acknowledged()).isEqualTo(2);
            assertThat(((ReplicationException)failure).required()).isEqualTo(3);
            assertThat(cluster.get(1, KEYSPACE, 5)).as("applied on the coordinator").isNotNull();
            assertThat(cluster.get(2, KEYSPACE, 5)).as("and on the reachable replica").isNotNull();
            assertThat(cluster.get(3, KEYSPACE, 5)).as("not on the partitioned one").isNull();
            assertThat(cluster.store(1).pendingWriteCount()).isZero();
        }
    }

    @Test
    void aFullBoundRefusesTheWriteBeforeWritingAnything()
    {
        final long seed = SeededTrials.seed("ReplicatedStoreSimTest", 113);
        try (StoreSimCluster cluster = new StoreSimCluster(seed, 3, (ctx) -> ctx
            .maxPendingWrites(1)
            .maxBatchEntries(4)
            .writerContext(new StorageWriterContext().useAgentInvoker(true).maxInFlightWrites(4))))
        {
            // A write to the partitioned node stays pending until it times out.
            cluster.simulation.network().partition(List.of("sim-1", "sim-2"), List.of("sim-3"));
            final CompletableFuture<Void> waiting =
                cluster.handle(1).put(KEYSPACE, 1, bytes("a"), ConsistencyLevel.ALL);
            cluster.simulation.runFor(10);
            final CompletableFuture<Void> refused =
                cluster.handle(1).put(KEYSPACE, 2, bytes("b"), ConsistencyLevel.NONE);
            cluster.simulation.runFor(10);
            assertThat(failureOf(refused)).isInstanceOf(StoreBackPressureException.class)
                .hasMessageContaining("maxPendingWrites");
            assertThat(cluster.get(1, KEYSPACE, 2)).isNull();
            cluster.await(waiting);
            assertThat(failureOf(waiting)).isInstanceOf(ReplicationException.class);

            // The writer's in-flight bound: with node 1's commits held, a batch of four fills its writer, so node 1
            // refuses to replicate another write, and changes nothing for it.
            cluster.simulation.network().heal();
            cluster.store(1).holdWriter(true);
            final CompletableFuture<Void> first = cluster.handle(1).putMany(KEYSPACE, new long[]{10, 11, 12, 13},
                new byte[][]{bytes("a"), bytes("b"), bytes("c"), bytes("d")}, ConsistencyLevel.NONE);
            cluster.simulation.runFor(10);
            final CompletableFuture<Void> second = cluster.handle(2).deleteMany(KEYSPACE, new long[]{20, 21},
                ConsistencyLevel.ALL);
            cluster.await(second);
            assertThat(failureOf(second)).isInstanceOf(ReplicationException.class)
                .hasMessageContaining("replica node 1").hasMessageContaining("maxInFlightWrites");
            assertThat(cluster.store(2).statistics().failures(WriteFailureKind.REPLICA_ERROR)).isEqualTo(1);
            assertThat(cluster.store(1).keyspaceState(KEYSPACE).set().getTombstone(20)).isZero();
            cluster.store(1).holdWriter(false);
            cluster.await(first);
            assertThat(first).isNotCompletedExceptionally();
        }
    }

    @Test
    void writesThatSucceedAndWritesThatFailEachGetTheirOwnOutcomeWhileTheirStateIsReused()
    {
        try (StoreSimCluster cluster = cluster(114))
        {
            cluster.simulation.network().partition(List.of("sim-1", "sim-2"), List.of("sim-3"));
            for (int round = 0; round < 20; round++)
            {
                final CompletableFuture<Void> failing =
                    cluster.handle(1).put(KEYSPACE, 2 * round, bytes("f" + round), ConsistencyLevel.ALL);
                final CompletableFuture<Void> succeeding =
                    cluster.handle(1).put(KEYSPACE, 2 * round + 1, bytes("s" + round), ConsistencyLevel.NONE);
                final CompletableFuture<Void> local =
                    cluster.handle(1).delete(KEYSPACE, 2 * round + 1, ConsistencyLevel.NONE);
                cluster.await(failing);
                cluster.await(succeeding);
                cluster.await(local);
                assertThat(failureOf(failing)).as("round %d", round).isInstanceOf(ReplicationException.class)
                    .hasMessageContaining("'" + KEYSPACE + "'");
                assertThat(succeeding).as("round %d", round).isNotCompletedExceptionally();
                assertThat(local).as("round %d", round).isNotCompletedExceptionally();
            }
            assertThat(cluster.store(1).pendingWriteCount()).isZero();
            assertThat(cluster.store(1).pooledWriteCount()).as("state is reused, not allocated per write")
                .isBetween(1, 3);
        }
    }

    @Test
    void aReplicaReusesItsAcknowledgementStateFromRequestToRequest()
    {
        try (StoreSimCluster cluster = cluster(115))
        {
            final int writes = 50;
            for (int key = 0; key < writes; key++)
            {
                final CompletableFuture<Void> write =
                    cluster.handle(1).put(KEYSPACE, key, bytes("v" + key), ConsistencyLevel.ALL);
                cluster.await(write);
                assertThat(write).as("write %d", key).isNotCompletedExceptionally();
            }

            for (int id = 2; id <= 3; id++)
            {
                assertThat(cluster.store(id).replicaAcksCreated()).as("node %d served %d requests", id, writes)
                    .isEqualTo(1);
                assertThat(cluster.handle(id).get(KEYSPACE, writes - 1).value()).isEqualTo(bytes("v" + (writes - 1)));
            }
        }
    }

    @Test
    void aDeleteLeavesNothingToReadOnAnyNode()
    {
        try (StoreSimCluster cluster = cluster(104))
        {
            cluster.await(cluster.handle(1).put(KEYSPACE, 3, bytes("x"), ConsistencyLevel.ALL));
            final CompletableFuture<Void> delete = cluster.handle(2).delete(KEYSPACE, 3, ConsistencyLevel.ALL);
            cluster.await(delete);
            assertThat(delete).isNotCompletedExceptionally();
            for (int id = 1; id <= 3; id++)
            {
                assertThat(cluster.handle(id).get(KEYSPACE, 3)).as("node %d", id).isNull();
                final List<Metadata> metadata = cluster.simulation.storage(id).metadata(KEYSPACE);
                assertThat(metadata).hasSize(1);
                assertThat(metadata.get(0).tombstone()).isTrue();
                assertThat(metadata.get(0).nodeId()).isEqualTo(2);
                assertThat(cluster.store(id).keyspaceState(KEYSPACE).set().getTombstone(3)).isNotZero();
            }
        }
    }

    @Test
    void aCoordinatorReadsItsOwnWriteOnceItCompletesEvenAtLevelNone()
    {
        try (StoreSimCluster cluster = cluster(105))
        {
            final KeyspaceHandle docs = cluster.handle(2).keyspace(KEYSPACE);
            cluster.store(2).holdWriter(true);
            final CompletableFuture<Void> held = docs.put(10, bytes("held"), ConsistencyLevel.NONE);
            cluster.simulation.runFor(100);
            assertThat(held).as("not complete before the local commit").isNotDone();
            assertThat(docs.get(10)).isNull();
            cluster.store(2).holdWriter(false);
            cluster.await(held);
            assertThat(docs.get(10).value()).isEqualTo(bytes("held"));

            for (int i = 0; i < 20; i++)
            {
                final byte[] value = bytes("v" + i);
                final CompletableFuture<Void> put = docs.put(11, value, ConsistencyLevel.NONE);
                cluster.await(put);
                assertThat(put).isNotCompletedExceptionally();
                assertThat(docs.get(11).value()).isEqualTo(value);
            }
            // Level NONE still broadcasts: the others catch up without repair.
            assertThat(cluster.simulation.runUntil(() -> null != cluster.get(1, KEYSPACE, 11) &&
                null != cluster.get(3, KEYSPACE, 11) &&
                List.of("v19").contains(new String(cluster.get(1, KEYSPACE, 11).value(), StandardCharsets.UTF_8)) &&
                List.of("v19").contains(new String(cluster.get(3, KEYSPACE, 11).value(), StandardCharsets.UTF_8)),
                10_000)).isTrue();
        }
    }

    @Test
    void putManyAndDeleteManyReplicateAsBatches()
    {
        try (StoreSimCluster cluster = cluster(106))
        {
            final long[] keys = new long[10];
            final byte[][] values = new byte[10][];
            for (int i = 0; i < keys.length; i++)
            {
                keys[i] = 100 + i;
                values[i] = bytes("value-" + i);
            }
            cluster.await(cluster.handle(3).putMany(KEYSPACE, keys, values, ConsistencyLevel.ALL));
            for (int id = 1; id <= 3; id++)
            {
                assertThat(cluster.handle(id).getMany(KEYSPACE, keys)).as("node %d", id).hasSize(10);
            }
            final long[] deleted = {100, 102, 104, 106, 108};
            final CompletableFuture<Void> deleteMany =
                cluster.handle(1).deleteMany(KEYSPACE, deleted, ConsistencyLevel.ALL);
            cluster.await(deleteMany);
            assertThat(deleteMany).isNotCompletedExceptionally();
            for (int id = 1; id <= 3; id++)
            {
                final List<Document> left = cluster.handle(id).getMany(KEYSPACE, keys);
                assertThat(left).extracting(Document::key).as("node %d", id)
                    .containsExactly(101L, 103L, 105L, 107L, 109L);
                assertThat(left.get(0).value()).isEqualTo(bytes("value-1"));
                final Orswot set = cluster.store(id).keyspaceState(KEYSPACE).set();
                assertThat(set.liveCount()).isEqualTo(5);
                assertThat(set.tombstoneCount()).isEqualTo(5);
            }
        }
    }

    @Test
    void keyspacesAreCreatedOnFirstUseAndListedOnEveryNode()
    {
        try (StoreSimCluster cluster = cluster(107))
        {
            assertThat(cluster.handle(1).keyspaces()).isEmpty();
            cluster.await(cluster.handle(1).put("alpha", 1, bytes("a"), ConsistencyLevel.ALL));
            cluster.await(cluster.handle(2).keyspace("beta").put(1, bytes("b"), ConsistencyLevel.ALL));
            for (int id = 1; id <= 3; id++)
            {
                assertThat(cluster.handle(id).keyspaces()).as("node %d", id).containsExactlyInAnyOrder("alpha", "beta");
                assertThat(cluster.store(id).keyspaceNames()).containsExactlyInAnyOrder("alpha", "beta");
            }
            assertThat(cluster.handle(3).get("alpha", 1).value()).isEqualTo(bytes("a"));
            assertThat(cluster.handle(3).get("beta", 1).value()).isEqualTo(bytes("b"));
            assertThat(cluster.handle(3).get("gamma", 1)).isNull();
            assertThat(cluster.handle(3).keyspaces()).doesNotContain("gamma");
        }
    }

    @Test
    void aRestartedNodeRebuildsItsSetsAndTreesFromStorage()
    {
        try (StoreSimCluster cluster = cluster(108))
        {
            for (int i = 0; i < 40; i++)
            {
                final String keyspace = 0 == i % 2 ? "even" : "odd";
                cluster.await(cluster.handle(1 + i % 3).put(keyspace, i % 13, bytes("v" + i), ConsistencyLevel.ALL));
                if (0 == i % 5)
                {
                    cluster.await(cluster.handle(1 + (i + 1) % 3).delete(keyspace, i % 7, ConsistencyLevel.ALL));
                }
            }
            final long evenRoot = cluster.store(1).keyspaceState("even").tree().root();
            assertThat(evenRoot).isNotZero();

            cluster.simulation.crash(3);
            cluster.restart(3);
            cluster.simulation.runFor(10);
            for (final String keyspace : List.of("even", "odd"))
            {
                final Keyspace rebuilt = cluster.store(3).keyspaceState(keyspace);
                final Keyspace reference = cluster.store(1).keyspaceState(keyspace);
                assertThat(rebuilt).as(keyspace).isNotNull();
                assertThat(rebuilt.set().dataEquals(reference.set())).as(keyspace).isTrue();
                assertThat(rebuilt.tree().root()).as(keyspace).isEqualTo(reference.tree().root());
                for (int branch = 0; branch < rebuilt.tree().branchCount(); branch++)
                {
                    assertThat(rebuilt.tree().branchHash(branch)).isEqualTo(reference.tree().branchHash(branch));
                }
            }

            // The new incarnation takes part in writes at once.
            final CompletableFuture<Void> after =
                cluster.handle(3).put("even", 99, bytes("after"), ConsistencyLevel.ALL);
            cluster.await(after);
            assertThat(after).isNotCompletedExceptionally();
            assertThat(cluster.get(1, "even", 99).value()).isEqualTo(bytes("after"));
            assertThat(cluster.store(3).keyspaceState("even").tree().root())
                .isEqualTo(cluster.store(2).keyspaceState("even").tree().root());
        }
    }

    @Test
    void concurrentWritesToOneKeyFromTwoCoordinatorsConvergeByLastWriteWins()
    {
        try (StoreSimCluster cluster = cluster(109))
        {
            for (int round = 0; round < 10; round++)
            {
                final long key = 500 + round;
                final CompletableFuture<Void> first = cluster.handle(1).put(KEYSPACE, key, bytes("one"),
                    ConsistencyLevel.ONE);
                final CompletableFuture<Void> second = cluster.handle(2).put(KEYSPACE, key, bytes("two"),
                    ConsistencyLevel.ONE);
                cluster.await(first);
                cluster.await(second);
                assertThat(cluster.simulation.runUntil(() -> sameEverywhere(cluster, key), 10_000))
                    .as("round %d converges; %s", round, cluster.simulation.replayHint()).isTrue();
                final Document winner = cluster.get(1, KEYSPACE, key);
                assertThat(winner.nodeId()).isIn(1, 2);
                assertThat(winner.value()).isEqualTo(bytes(1 == winner.nodeId() ? "one" : "two"));
                // The winner is the later of the two writes by (stamp, node id): the loser's stamp is in no set.
                final Orswot set = cluster.store(3).keyspaceState(KEYSPACE).set();
                assertThat(set.get(key)).isEqualTo(winner.stamp());
                assertThat(set.getNodeId(key)).isEqualTo(winner.nodeId());
            }
            final Orswot reference = cluster.store(1).keyspaceState(KEYSPACE).set();
            for (int id = 2; id <= 3; id++)
            {
                assertThat(cluster.store(id).keyspaceState(KEYSPACE).set().dataEquals(reference)).isTrue();
                assertThat(cluster.store(id).keyspaceState(KEYSPACE).tree().root())
                    .isEqualTo(cluster.store(1).keyspaceState(KEYSPACE).tree().root());
            }
        }
    }

    private static boolean sameEverywhere(final StoreSimCluster cluster, final long key)
    {
        final Document first = cluster.get(1, KEYSPACE, key);
        if (null == first)
        {
            return false;
        }
        for (int id = 2; id <= cluster.nodeCount(); id++)
        {
            if (!first.equals(cluster.get(id, KEYSPACE, key)))
            {
                return false;
            }
        }
        return true;
    }

    @Test
    void aWriteToTooManyKeysIsRefusedOnTheCallersThread()
    {
        try (StoreSimCluster cluster = cluster(110))
        {
            assertThatThrownBy(() -> cluster.handle(1).putMany(KEYSPACE, new long[]{1, 2}, new byte[][]{bytes("a")},
                ConsistencyLevel.ONE)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differ");
            assertThatThrownBy(() -> cluster.handle(1).deleteMany(KEYSPACE,
                new long[StoreContext.DEFAULT_MAX_BATCH_ENTRIES + 1], ConsistencyLevel.ONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBatchEntries");
            assertThatThrownBy(() -> cluster.handle(1).put("", 1, bytes("a"), ConsistencyLevel.ONE))
                .isInstanceOf(io.datacake.storage.InvalidKeyspaceNameException.class);
        }
    }
}
