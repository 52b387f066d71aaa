package io.datacake.store;

import io.datacake.crdt.Orswot;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.rpc.RpcException;
import io.datacake.rpc.RpcResponse;
import io.datacake.sim.NetworkFaults;
import io.datacake.sim.Simulation;
import io.datacake.sim.StorageFaults;
import io.datacake.storage.Document;
import io.datacake.storage.ForwardingStorage;
import io.datacake.storage.Storage;
import io.datacake.storage.StorageWriterContext;
import io.datacake.storage.WriteBatch;
import io.datacake.testing.SeededTrials;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Anti-entropy repair on three simulated nodes in virtual time: replicas that missed writes (a partition, a crash
 * that lost non-durable commits) or hold another write under the same stamp converge by repair alone, an in-sync
 * round costs one message pair, k differences move O(k) entries, and malformed repair messages are dropped and
 * counted. Seeds replay with {@code -D}{@value Simulation#SEED_PROPERTY}.
 */
final class ReplicatedStoreRepairTest
{
    private static final String KEYSPACE = "docs";
    private static final long REPAIR_INTERVAL_MS = 100;
    private static final long CONVERGE_BOUND_VIRTUAL_MS = 30_000;
    private static final int KEY_COUNT = 40;

    private static StoreSimCluster cluster(final long defaultSeed)
    {
        return new StoreSimCluster(SeededTrials.seed("ReplicatedStoreRepairTest", defaultSeed), 3,
            (ctx) -> ctx.repairIntervalMs(REPAIR_INTERVAL_MS));
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Every node holds the keyspace with node 1's data and tree root, and the same documents for keys [0, keys).
     */
    private static boolean converged(final StoreSimCluster cluster, final String keyspace, final int keys)
    {
        final Keyspace reference = cluster.store(1).keyspaceState(keyspace);
        for (int id = 2; id <= cluster.nodeCount(); id++)
        {
            final Keyspace state = cluster.store(id).keyspaceState(keyspace);
            if (null == reference || null == state || !state.set().dataEquals(reference.set()) ||
                state.tree().root() != reference.tree().root())
            {
                return false;
            }
        }
        for (long key = 0; key < keys; key++)
        {
            final Document expected = cluster.get(1, keyspace, key);
            for (int id = 2; id <= cluster.nodeCount(); id++)
            {
                if (!sameDocument(expected, cluster.get(id, keyspace, key)))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean sameDocument(final Document a, final Document b)
    {
        if (null == a || null == b)
        {
            return a == b;
        }
        return a.stamp() == b.stamp() && a.nodeId() == b.nodeId() && java.util.Arrays.equals(a.value(), b.value());
    }

    /**
     * Node 1 puts "v" + key for keys [0, keys), in batches of 500 (keys a multiple of 500).
     */
    private static void putValues(final StoreSimCluster cluster, final int keys, final ConsistencyLevel level)
    {
        final int batch = 500;
        for (int first = 0; first < keys; first += batch)
        {
            final long[] batchKeys = new long[batch];
            final byte[][] values = new byte[batch][];
            for (int i = 0; i < batch; i++)
            {
                batchKeys[i] = first + i;
                values[i] = bytes("v" + (first + i));
            }
            cluster.await(cluster.handle(1).putMany(KEYSPACE, batchKeys, values, level));
        }
    }

    private static void awaitConverged(final StoreSimCluster cluster, final String keyspace, final int keys)
    {
        assertThat(cluster.simulation.runUntil(() -> converged(cluster, keyspace, keys), CONVERGE_BOUND_VIRTUAL_MS))
            .as("converged within %d virtual ms; %s", CONVERGE_BOUND_VIRTUAL_MS, cluster.simulation.replayHint())
            .isTrue();
    }

    @Test
    void aNodePartitionedAwayDuringWritesConvergesAfterHealByRepairAlone()
    {
        try (StoreSimCluster cluster = cluster(301))
        {
            cluster.simulation.network().partition(List.of("sim-1", "sim-2"), List.of("sim-3"));
            for (int i = 0; i < KEY_COUNT; i++)
            {
                cluster.await(cluster.handle(1 + i % 2).put(KEYSPACE, i, bytes("v" + i), ConsistencyLevel.NONE));
            }
            for (int i = 0; i < KEY_COUNT; i += 7)
            {
                cluster.await(cluster.handle(2).delete(KEYSPACE, i, ConsistencyLevel.NONE));
            }
            awaitConvergedBetweenOneAndTwo(cluster);
            assertThat(cluster.store(3).keyspaceState(KEYSPACE)).as("node 3 never heard of the keyspace").isNull();

            cluster.simulation.network().heal();
            awaitConverged(cluster, KEYSPACE, KEY_COUNT);
            assertThat(cluster.store(3).keyspaceState(KEYSPACE).set().liveCount()).isEqualTo(KEY_COUNT - 6);
            assertThat(cluster.store(3).keyspaceState(KEYSPACE).set().tombstoneCount()).isEqualTo(6);
            assertThat(cluster.get(3, KEYSPACE, 1).value()).isEqualTo(bytes("v1"));
            assertThat(cluster.handle(3).get(KEYSPACE, 7)).as("deleted").isNull();
            assertThat(cluster.store(3).repairEntriesApplied()).isEqualTo(KEY_COUNT);
        }
    }

    @Test
    void smallPerRoundBoundsSpreadTheRepairOverRoundsAndStillConverge()
    {
        final int maxEntriesPerFetch = 3;
        try (StoreSimCluster cluster = new StoreSimCluster(SeededTrials.seed("ReplicatedStoreRepairTest", 307), 3,
            (ctx) -> ctx.repairIntervalMs(REPAIR_INTERVAL_MS).repairMaxSegmentsPerRound(2)
                .repairMaxEntriesPerFetch(maxEntriesPerFetch)))
        {
            cluster.simulation.network().partition(List.of("sim-1", "sim-2"), List.of("sim-3"));
            for (int i = 0; i < KEY_COUNT; i++)
            {
                cluster.await(cluster.handle(1 + i % 2).put(KEYSPACE, i, bytes("v" + i), ConsistencyLevel.NONE));
            }
            for (int i = 0; i < KEY_COUNT; i += 7)
            {
                cluster.await(cluster.handle(2).delete(KEYSPACE, i, ConsistencyLevel.NONE));
            }
            awaitConvergedBetweenOneAndTwo(cluster);
            final long roundsBefore = cluster.store(3).repairRounds();

            cluster.simulation.network().heal();
            awaitConverged(cluster, KEYSPACE, KEY_COUNT);
            assertThat(cluster.store(3).repairRounds() - roundsBefore).as("at most 2 segments a round")
                .isGreaterThanOrEqualTo(KEY_COUNT / 2);
            assertThat(cluster.store(3).repairEntriesApplied()).isEqualTo(KEY_COUNT);
        }
    }

    private static void awaitConvergedBetweenOneAndTwo(final StoreSimCluster cluster)
    {
        assertThat(cluster.simulation.runUntil(() ->
        {
            final Keyspace one = cluster.store(1).keyspaceState(KEYSPACE);
            final Keyspace two = cluster.store(2).keyspaceState(KEYSPACE);
            return null != one && null != two && one.set().dataEquals(two.set());
        }, CONVERGE_BOUND_VIRTUAL_MS)).isTrue();
    }

    @Test
    void aCrashedNodeWhoseCommitsWereNotDurableConvergesAfterRestart()
    {
        final StorageFaults neverDurable = new StorageFaults()
        {
            public boolean failsCommit(final String storageName, final int operationCount)
            {
                return false;
            }

            public long syncDelayMs(final String storageName, final int operationCount)
            {
                return 10 * CONVERGE_BOUND_VIRTUAL_MS;
            }
        };
        final Simulation simulation =
            new Simulation(SeededTrials.seed("ReplicatedStoreRepairTest", 302), NetworkFaults.NONE, neverDurable);
        try (StoreSimCluster cluster =
            new StoreSimCluster(simulation, 3, (ctx) -> ctx.repairIntervalMs(REPAIR_INTERVAL_MS)))
        {
            for (int i = 0; i < KEY_COUNT; i++)
            {
                cluster.await(cluster.handle(1 + i % 3).put(KEYSPACE, i, bytes("v" + i), ConsistencyLevel.ALL));
            }
            cluster.simulation.crash(3);
            cluster.restart(3);
            cluster.simulation.runFor(1);
            assertThat(cluster.store(3).keyspaceState(KEYSPACE)).as("every commit was lost").isNull();
            assertThat(cluster.get(3, KEYSPACE, 0)).isNull();

            awaitConverged(cluster, KEYSPACE, KEY_COUNT);
            assertThat(cluster.get(3, KEYSPACE, 5).value()).isEqualTo(bytes("v5"));
        }
    }

    @Test
    void replicasWithTheSameStampButAnotherWriteConvergeToTheLastWriteWinner()
    {
        try (StoreSimCluster cluster = cluster(303))
        {
            cluster.await(cluster.handle(1).put(KEYSPACE, 5, bytes("first"), ConsistencyLevel.ALL));
            final long stamp = cluster.get(1, KEYSPACE, 5).stamp();
            final long rootBefore = cluster.store(1).keyspaceState(KEYSPACE).tree().root();

            // Node 2 alone holds another write under the same stamp, from node 2: it wins the tie by node id.
            cluster.simulation.storage(2).put(KEYSPACE, 5, stamp, 2, bytes("tie winner"));
            final Keyspace two = cluster.store(2).keyspaceState(KEYSPACE);
            assertThat(two.willApply(false, Orswot.CONSISTENCY_SOURCE, 5, stamp, 2)).isTrue();
            two.apply(false, Orswot.CONSISTENCY_SOURCE, 5, stamp, 2);
            assertThat(two.tree().root()).isNotEqualTo(rootBefore);

            awaitConverged(cluster, KEYSPACE, 6);
            for (int id = 1; id <= 3; id++)
            {
                final Document document = cluster.get(id, KEYSPACE, 5);
                assertThat(document.stamp()).as("node %d", id).isEqualTo(stamp);
                assertThat(document.nodeId()).as("node %d", id).isEqualTo(2);
                assertThat(document.value()).as("node %d", id).isEqualTo(bytes("tie winner"));
            }
        }
    }

    @Test
    void aNodeBehindCatchesUpInBackToBackRoundsOfSeveralFetchesWithinOneInterval()
    {
        final long intervalMs = 10_000;
        final int keys = 2_000;
        try (StoreSimCluster cluster = new StoreSimCluster(Simulation.seedFromProperty(308), 2,
            (ctx) -> ctx.repairIntervalMs(intervalMs)))
        {
            cluster.isolate(2);
            putValues(cluster, keys, ConsistencyLevel.NONE);
            final long roundsBefore = cluster.store(2).repairRounds();
            final long requestsBefore = cluster.store(2).repairRequestsSent();
            cluster.simulation.network().heal();

            // One fetch of at most 256 entries a round, a round an interval, would need 8 intervals.
            assertThat(cluster.simulation.runUntil(() -> converged(cluster, KEYSPACE, keys), 2 * intervalMs))
                .as("caught up within two intervals; %s", cluster.simulation.replayHint()).isTrue();
            assertThat(cluster.store(2).repairEntriesApplied()).isEqualTo(keys);
            final long rounds = cluster.store(2).repairRounds() - roundsBefore;
            assertThat(cluster.store(2).repairRequestsSent() - requestsBefore)
                .as("several fetches a round: more requests than the rounds' list, descent and one fetch")
                .isGreaterThan(rounds * 3);
        }
    }

    @Test
    void aNodeWhoseWriterIsFullHoldsItsFetchesBackInsteadOfFetchingAndRefusingThem()
    {
        final int keys = 3_000;
        final int maxInFlightWrites = 1_024;
        try (StoreSimCluster cluster = new StoreSimCluster(Simulation.seedFromProperty(309), 2,
            (ctx) -> ctx.repairIntervalMs(REPAIR_INTERVAL_MS).repairMaxFetchesInFlight(4)
                .writerContext(new StorageWriterContext().useAgentInvoker(true).maxInFlightWrites(maxInFlightWrites))))
        {
            cluster.isolate(2);
            putValues(cluster, keys, ConsistencyLevel.NONE);
            // Node 2's writer commits nothing for a while: its in-flight writes fill up with what repair brings.
            cluster.store(2).holdWriter(true);
            cluster.simulation.network().heal();
            cluster.simulation.runFor(50 * REPAIR_INTERVAL_MS);
            final long requests = cluster.store(2).repairRequestsSent();
            cluster.simulation.runFor(50 * REPAIR_INTERVAL_MS);

            assertThat(cluster.store(2).repairFetchesRefused()).as("no fetch answered only to be refused").isZero();
            assertThat(cluster.store(2).repairRequestsSent()).as("nothing sent while the writer has no room")
                .isEqualTo(requests);
            assertThat(cluster.store(2).repairEntriesApplied()).as("at most the writer's room")
                .isPositive().isLessThanOrEqualTo(maxInFlightWrites);

            cluster.store(2).holdWriter(false);
            assertThat(cluster.simulation.runUntil(() -> converged(cluster, KEYSPACE, keys), CONVERGE_BOUND_VIRTUAL_MS))
                .as("caught up once the writer commits; %s", cluster.simulation.replayHint()).isTrue();
            assertThat(cluster.store(2).repairEntriesApplied()).isEqualTo(keys);
            assertThat(cluster.store(2).repairFetchesRefused()).isZero();
        }
    }

    @Test
    void whatRepairAppliesIsCommittedInRefetchableBatchesAndAClientWriteIsNot()
    {
        final int keys = 1_000;
        final int deleted = 50;
        final Map<Storage, List<Boolean>> refetchableByStorage = new IdentityHashMap<>();
        try (StoreSimCluster cluster = new StoreSimCluster(Simulation.seedFromProperty(310), 2, (ctx) ->
        {
            final Storage storage = ctx.storage();
            final List<Boolean> commits = new ArrayList<>();
            refetchableByStorage.put(storage, commits);
            ctx.repairIntervalMs(REPAIR_INTERVAL_MS).storage(new ForwardingStorage(storage)
            {
                public void commit(final WriteBatch batch)
                {
                    commits.add(batch.isRefetchable());
                    super.commit(batch);
                }
            });
        }))
        {
            final List<Boolean> nodeTwoCommits = refetchableByStorage.get(cluster.simulation.storage(2));
            cluster.isolate(2);
            putValues(cluster, keys, ConsistencyLevel.NONE);
            for (int key = 0; key < deleted; key++)
            {
                cluster.await(cluster.handle(1).delete(KEYSPACE, key, ConsistencyLevel.NONE));
            }
            cluster.simulation.network().heal();
            awaitConverged(cluster, KEYSPACE, keys);
            assertThat(cluster.get(2, KEYSPACE, 0)).isNull();
            assertThat(cluster.store(2).repairEntriesApplied()).isEqualTo(keys);
            assertThat(nodeTwoCommits).as("node 2 committed only what repair brought").isNotEmpty().containsOnly(true);

            cluster.await(cluster.handle(2).put(KEYSPACE, keys, bytes("client"), ConsistencyLevel.ALL));
            assertThat(nodeTwoCommits).as("a client write commits with full durability").endsWith(false);
            assertThat(refetchableByStorage.get(cluster.simulation.storage(1))).containsOnly(false);
        }
    }

    @Test
    void anInSyncKeyspaceCostsOneMessagePairPerRound()
    {
        try (StoreSimCluster cluster = cluster(304))
        {
            for (int i = 0; i < KEY_COUNT; i++)
            {
                cluster.await(cluster.handle(1).put(KEYSPACE, i, bytes("v" + i), ConsistencyLevel.ALL));
            }
            cluster.await(cluster.handle(2).put("other", 1, bytes("o"), ConsistencyLevel.ALL));
            awaitConverged(cluster, KEYSPACE, KEY_COUNT);
            cluster.simulation.runFor(5 * REPAIR_INTERVAL_MS);

            for (int id = 1; id <= 3; id++)
            {
                final ReplicatedStore store = cluster.store(id);
                final long rounds = store.repairRounds();
                final long requests = store.repairRequestsSent();
                final long inSync = store.repairRoundsInSync();
                final long fetched = store.repairEntriesFetched();
                cluster.simulation.runFor(20 * REPAIR_INTERVAL_MS);
                final long roundsRun = store.repairRounds() - rounds;
                assertThat(roundsRun).as("node %d", id).isGreaterThanOrEqualTo(10);
                assertThat(store.repairRequestsSent() - requests).as("node %d: one request a round", id)
                    .isEqualTo(roundsRun);
                assertThat(store.repairRoundsInSync() - inSync).as("node %d", id)
                    .isBetween(roundsRun - 1, roundsRun);
                assertThat(store.repairEntriesFetched()).as("node %d", id).isEqualTo(fetched);
                assertThat(store.repairRoundsFailed()).as("node %d", id).isZero();
            }
        }
    }

    @Test
    void repairingKDifferencesMovesOrderKEntriesNotTheKeyspace()
    {
        final int keyspaceSize = 2_000;
        final int newKeys = 10;
        final int updatedKeys = 5;
        try (StoreSimCluster cluster = cluster(305))
        {
            putValues(cluster, keyspaceSize, ConsistencyLevel.ALL);
            awaitConverged(cluster, KEYSPACE, 0);

            cluster.simulation.network().partition(List.of("sim-1", "sim-2"), List.of("sim-3"));
            for (int i = 0; i < newKeys; i++)
            {
                cluster.await(cluster.handle(1).put(KEYSPACE, keyspaceSize + i, bytes("new"), ConsistencyLevel.NONE));
            }
            for (int i = 0; i < updatedKeys; i++)
            {
                cluster.await(cluster.handle(2).put(KEYSPACE, i * 100, bytes("updated"), ConsistencyLevel.NONE));
            }
            awaitConvergedBetweenOneAndTwo(cluster);
            final long[] fetchedBefore = new long[4];
            for (int id = 1; id <= 3; id++)
            {
                fetchedBefore[id] = cluster.store(id).repairEntriesFetched();
            }

            cluster.simulation.network().heal();
            awaitConverged(cluster, KEYSPACE, keyspaceSize + newKeys);
            final int k = newKeys + updatedKeys;
            assertThat(cluster.store(3).repairEntriesApplied()).isEqualTo(k);
            long fetched = 0;
            for (int id = 1; id <= 3; id++)
            {
                fetched += cluster.store(id).repairEntriesFetched() - fetchedBefore[id];
            }
            assertThat(cluster.store(3).repairEntriesFetched() - fetchedBefore[3]).isBetween((long)k, 3L * k);
            assertThat(fetched).as("entries moved by repair, all nodes").isLessThanOrEqualTo(10L * k);
            assertThat(cluster.get(3, KEYSPACE, 100).value()).isEqualTo(bytes("updated"));
        }
    }

    @Test
    void malformedRepairRequestsAreDroppedCountedByReasonAndChangeNothing()
    {
        try (StoreSimCluster cluster = cluster(306))
        {
            cluster.await(cluster.handle(1).put(KEYSPACE, 1, bytes("one"), ConsistencyLevel.ALL));
            final long rootBefore = cluster.store(2).keyspaceState(KEYSPACE).tree().root();

            expectDropped(cluster, ReplicatedStore.REPAIR_KEYSPACES, new byte[3], RepairMessages.TRUNCATED);
            expectDropped(cluster, ReplicatedStore.REPAIR_KEYSPACES, intBytes(-1), RepairMessages.BAD_COUNT);
            expectDropped(cluster, ReplicatedStore.REPAIR_TREE, new byte[1], RepairMessages.TRUNCATED);
            expectDropped(cluster, ReplicatedStore.REPAIR_TREE, named("", new byte[0]), RepairMessages.BAD_KEYSPACE);
            expectDropped(cluster, ReplicatedStore.REPAIR_TREE, named("nowhere", rootRequest(cluster)),
                RepairMessages.UNKNOWN_KEYSPACE);
            expectDropped(cluster, ReplicatedStore.REPAIR_TREE, named(KEYSPACE, new byte[7]),
                RepairMessages.BAD_TREE_MESSAGE);
            expectDropped(cluster, ReplicatedStore.REPAIR_FETCH, named(KEYSPACE, new byte[2]),
                RepairMessages.TRUNCATED);
            expectDropped(cluster, ReplicatedStore.REPAIR_FETCH, named(KEYSPACE, intBytes(-3)),
                RepairMessages.BAD_COUNT);
            // A root where the segment ids belong.
            final byte[] root = rootRequest(cluster);
            final byte[] skipAndRoot = new byte[Integer.BYTES + root.length];
            System.arraycopy(root, 0, skipAndRoot, Integer.BYTES, root.length);
            expectDropped(cluster, ReplicatedStore.REPAIR_FETCH, named(KEYSPACE, skipAndRoot),
                RepairMessages.BAD_TREE_MESSAGE);

            final ReplicatedStore store = cluster.store(2);
            assertThat(store.malformedRepairDropped(RepairMessages.TRUNCATED)).isEqualTo(3);
            assertThat(store.malformedRepairDropped(RepairMessages.BAD_COUNT)).isEqualTo(2);
            assertThat(store.malformedRepairDropped(RepairMessages.BAD_KEYSPACE)).isEqualTo(1);
            assertThat(store.malformedRepairDropped(RepairMessages.UNKNOWN_KEYSPACE)).isEqualTo(1);
            assertThat(store.malformedRepairDropped(RepairMessages.BAD_TREE_MESSAGE)).isEqualTo(2);
            assertThat(store.keyspaceNames()).containsExactly(KEYSPACE);
            assertThat(store.keyspaceState(KEYSPACE).tree().root()).isEqualTo(rootBefore);
            assertThat(store.keyspaceState(KEYSPACE).set().liveCount()).isEqualTo(1);
        }
    }

    private static byte[] rootRequest(final StoreSimCluster cluster)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TictacCodec.ROOT_LENGTH]);
        TictacCodec.encodeRoot(cluster.store(1).keyspaceState(KEYSPACE).tree(), buffer, 0);
        return buffer.byteArray();
    }

    private static byte[] intBytes(final int value)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Integer.BYTES]);
        buffer.putInt(0, value);
        return buffer.byteArray();
    }

    private static byte[] named(final String keyspace, final byte[] rest)
    {
        final byte[] name = bytes(keyspace);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Short.BYTES + name.length + rest.length]);
        buffer.putShort(0, (short)name.length);
        buffer.putBytes(Short.BYTES, name);
        buffer.putBytes(Short.BYTES + name.length, rest);
        return buffer.byteArray();
    }

    private static void expectDropped(
        final StoreSimCluster cluster, final int messageTypeId, final byte[] body, final int reason)
    {
        final CompletableFuture<RpcResponse> call = cluster.simulation.node(1).call(
            "sim-2", ReplicatedStore.SERVICE_NAME, messageTypeId, body, null, 0);
        cluster.await(call);
        try
        {
            call.join();
            throw new AssertionError("accepted a message that should be dropped for: " + RepairMessages.reason(reason));
        }
        catch (final CompletionException ex)
        {
            assertThat(ex.getCause()).isInstanceOf(RpcException.class);
            assertThat(((RpcException)ex.getCause()).detail())
                .isEqualTo("malformed repair message: " + RepairMessages.reason(reason));
        }
    }
}
