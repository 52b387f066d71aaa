package io.datacake.store;

import io.datacake.clock.HlcTimestamp;
import io.datacake.crdt.Orswot;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.sim.NetworkFaults;
import io.datacake.sim.Simulation;
import io.datacake.storage.ReadTransaction;
import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tombstone purge on three simulated nodes in virtual time: a delete is purged only once every live node holds it
 * and the grace has passed, an unreachable live node holds the purge back, one marked dead does not (and its stale
 * copy does not come back to the others), stale records of a purged key are refused through replication and
 * repair, and a storage failure during a purge leaves set and storage agreeing until the retry succeeds. Seeds replay
 * with {@code -D}{@value Simulation#SEED_PROPERTY}.
 */
final class TombstonePurgeTest
{
    private static final String KEYSPACE = "docs";
    private static final long KEY = 7;
    private static final long REPAIR_INTERVAL_MS = 100;
    private static final long PURGE_INTERVAL_MS = 50;
    private static final long GRACE_MS = 300;
    private static final long PURGE_BOUND_VIRTUAL_MS = 30_000;
    private static final long HOLD_BACK_VIRTUAL_MS = 100 * GRACE_MS;

    private static void configure(final StoreContext ctx)
    {
        ctx.repairIntervalMs(REPAIR_INTERVAL_MS).purgeIntervalMs(PURGE_INTERVAL_MS).tombstoneGraceMs(GRACE_MS);
    }

    private static StoreSimCluster cluster(final long defaultSeed)
    {
        return new StoreSimCluster(
            SeededTrials.seed("TombstonePurgeTest", defaultSeed), 3, TombstonePurgeTest::configure);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean holdsTombstone(final StoreSimCluster cluster, final int nodeId)
    {
        return HlcTimestamp.NULL_STAMP != cluster.store(nodeId).keyspaceState(KEYSPACE).set().getTombstone(KEY);
    }

    private static boolean holdsLive(final StoreSimCluster cluster, final int nodeId)
    {
        return HlcTimestamp.NULL_STAMP != cluster.store(nodeId).keyspaceState(KEYSPACE).set().get(KEY);
    }

    /**
     * @return true if the node's set and storage hold nothing for the key: the tombstone is purged.
     */
    private static boolean purged(final StoreSimCluster cluster, final int nodeId)
    {
        return !holdsTombstone(cluster, nodeId) && !holdsLive(cluster, nodeId) && !storageHoldsAnything(cluster, nodeId);
    }

    private static boolean storageHoldsAnything(final StoreSimCluster cluster, final int nodeId)
    {
        return storageHolds(cluster, nodeId, false);
    }

    private static boolean storageHoldsTombstone(final StoreSimCluster cluster, final int nodeId)
    {
        return storageHolds(cluster, nodeId, true);
    }

    private static boolean storageHolds(final StoreSimCluster cluster, final int nodeId, final boolean onlyTombstone)
    {
        final boolean[] found = { false };
        try (ReadTransaction txn = cluster.simulation.storage(nodeId).beginRead())
        {
            txn.forEachMetadata(KEYSPACE,
                (key, stamp, node, tombstone) -> found[0] |= KEY == key && (tombstone || !onlyTombstone));
        }
        return found[0];
    }

    @Test
    void aDeleteIsPurgedOnEveryNodeOnlyAfterEveryLiveNodeHoldsIt()
    {
        try (StoreSimCluster cluster = cluster(501))
        {
            cluster.await(cluster.handle(1).put(KEYSPACE, KEY, bytes("v"), ConsistencyLevel.ALL));
            cluster.isolate(3);
            cluster.await(cluster.handle(1).delete(KEYSPACE, KEY, ConsistencyLevel.QUORUM));
            assertThat(holdsTombstone(cluster, 1) && holdsTombstone(cluster, 2) && holdsLive(cluster, 3)).isTrue();

            // Node 3 is unreachable but every view still counts it live: no node purges what it has not seen.
            cluster.simulation.runFor(HOLD_BACK_VIRTUAL_MS);
            assertThat(holdsTombstone(cluster, 1)).as("node 1 holds the tombstone back").isTrue();
            assertThat(holdsTombstone(cluster, 2)).as("node 2 holds the tombstone back").isTrue();
            assertThat(cluster.store(1).tombstonesPurged() + cluster.store(2).tombstonesPurged()).isZero();

            cluster.simulation.network().heal();
            final boolean[] purgedBeforeNode3HeldIt = { false };
            final boolean allPurged = cluster.simulation.runUntil(() ->
            {
                final boolean node3Stale = holdsLive(cluster, 3);
                for (int id = 1; id <= 3; id++)
                {
                    purgedBeforeNode3HeldIt[0] |= node3Stale && purged(cluster, id);
                }
                return purged(cluster, 1) && purged(cluster, 2) && purged(cluster, 3);
            }, PURGE_BOUND_VIRTUAL_MS);

            assertThat(allPurged).as("purged everywhere; %s", cluster.simulation.replayHint()).isTrue();
            assertThat(purgedBeforeNode3HeldIt[0]).as("a node purged while node 3 still held the old put").isFalse();
            for (int id = 1; id <= 3; id++)
            {
                assertThat(cluster.store(id).tombstonesPurged()).as("node %d counted its purge", id).isEqualTo(1);
            }

            // Nothing brings the key back: repair rounds keep running, all in sync.
            cluster.simulation.runFor(20 * REPAIR_INTERVAL_MS);
            for (int id = 1; id <= 3; id++)
            {
                assertThat(purged(cluster, id)).as("node %d", id).isTrue();
                assertThat(cluster.get(id, KEYSPACE, KEY)).isNull();
            }
        }
    }

    @Test
    void aNodeMarkedDeadNoLongerHoldsThePurgeBackAndItsStalePutDoesNotComeBack()
    {
        try (StoreSimCluster cluster = cluster(502))
        {
            cluster.await(cluster.handle(1).put(KEYSPACE, KEY, bytes("v"), ConsistencyLevel.ALL));
            cluster.isolate(3);
            cluster.await(cluster.handle(1).delete(KEYSPACE, KEY, ConsistencyLevel.QUORUM));
            cluster.view(1).live(3, false);
            cluster.view(2).live(3, false);

            assertThat(cluster.simulation.runUntil(() -> purged(cluster, 1) && purged(cluster, 2),
                PURGE_BOUND_VIRTUAL_MS)).as("purged without node 3; %s", cluster.simulation.replayHint()).isTrue();

            // Node 3 comes back with the put it never saw deleted: repair must not carry it to the others.
            cluster.simulation.network().heal();
            cluster.view(1).live(3, true);
            cluster.view(2).live(3, true);
            cluster.simulation.runFor(50 * REPAIR_INTERVAL_MS);

            for (int id = 1; id <= 2; id++)
            {
                assertThat(holdsLive(cluster, id)).as("node %d took the stale put back", id).isFalse();
                assertThat(cluster.get(id, KEYSPACE, KEY)).as("node %d's storage", id).isNull();
            }
            // What the grace documents: a node away while the others purged keeps its stale copy until it is wiped.
            assertThat(holdsLive(cluster, 3)).isTrue();
        }
    }

    @Test
    void staleRecordsOfAPurgedKeyAreRefusedThroughReplicationAndRepair()
    {
        try (StoreSimCluster cluster = cluster(503))
        {
            cluster.await(cluster.handle(1).put(KEYSPACE, KEY, bytes("v"), ConsistencyLevel.ALL));
            final long putStamp = cluster.store(1).keyspaceState(KEYSPACE).set().get(KEY);
            cluster.await(cluster.handle(1).delete(KEYSPACE, KEY, ConsistencyLevel.ALL));
            assertThat(cluster.simulation.runUntil(
                () -> purged(cluster, 1) && purged(cluster, 2) && purged(cluster, 3), PURGE_BOUND_VIRTUAL_MS))
                .as("purged everywhere; %s", cluster.simulation.replayHint()).isTrue();

            for (int id = 1; id <= 3; id++)
            {
                final Keyspace keyspace = cluster.store(id).keyspaceState(KEYSPACE);
                assertThat(keyspace.willApply(false, Orswot.CONSISTENCY_SOURCE, KEY, putStamp, 3))
                    .as("node %d: the old put through a replicate or broadcast message", id).isFalse();
                assertThat(keyspace.willApply(false, Orswot.REPAIR_SOURCE, KEY, putStamp, 3))
                    .as("node %d: the old put through repair", id).isFalse();
                assertThat(keyspace.willApply(true, Orswot.REPAIR_SOURCE, KEY, putStamp + 1, 3))
                    .as("node %d: the old tombstone through repair", id).isFalse();
            }

            // An old put of the key stamped by a node this one has not heard from since (a broadcast delayed past
            // the purge, or a copy a returning member kept), as a one-way replicate message, is refused.
            final ReplicationMessage stale = new ReplicationMessage();
            stale.beginEncode(KEYSPACE.getBytes(StandardCharsets.UTF_8));
            stale.encodePut(KEY, putStamp, 3, bytes("v"));
            final String applied = "store replicate messages applied";
            final long appliedBefore = cluster.counter(1, applied);
            cluster.await(cluster.simulation.node(3).execute((services) -> services.rpc().send(
                services.rpc().resolvePeer(StoreSimCluster.endpoint(1)), ReplicatedStore.SERVICE_ID,
                ReplicatedStore.REPLICATE, stale.encoded(), 0, stale.encodedLength(), null)));
            assertThat(cluster.simulation.runUntil(() -> cluster.counter(1, applied) > appliedBefore,
                PURGE_BOUND_VIRTUAL_MS)).as("node 1 handled the stale message").isTrue();
            assertThat(purged(cluster, 1)).as("the stale put did not bring the key back").isTrue();

            // A new write of the key is a new write: it lands everywhere.
            cluster.await(cluster.handle(2).put(KEYSPACE, KEY, bytes("again"), ConsistencyLevel.ALL));
            for (int id = 1; id <= 3; id++)
            {
                assertThat(cluster.get(id, KEYSPACE, KEY).value()).isEqualTo(bytes("again"));
            }
        }
    }

    @Test
    void aStorageFailureDuringThePurgeLeavesSetAndStorageAgreeingAndThePurgeIsRetried()
    {
        final SwitchableStorageFaults faults = new SwitchableStorageFaults(StoreSimCluster.endpoint(1));
        final Simulation simulation =
            new Simulation(SeededTrials.seed("TombstonePurgeTest", 504), NetworkFaults.NONE, faults);
        try (StoreSimCluster cluster = new StoreSimCluster(simulation, 3, TombstonePurgeTest::configure))
        {
            cluster.await(cluster.handle(1).put(KEYSPACE, KEY, bytes("v"), ConsistencyLevel.ALL));
            cluster.await(cluster.handle(1).delete(KEYSPACE, KEY, ConsistencyLevel.ALL));
            faults.failing(true);

            final ReplicatedStore store1 = cluster.store(1);
            assertThat(simulation.runUntil(() -> store1.purgeFailures() >= 3, PURGE_BOUND_VIRTUAL_MS))
                .as("node 1's purge attempts failed; %s", simulation.replayHint()).isTrue();
            assertThat(holdsTombstone(cluster, 1)).as("the set keeps what storage kept").isTrue();
            assertThat(storageHoldsTombstone(cluster, 1)).as("storage keeps the tombstone").isTrue();
            assertThat(store1.tombstonesPurged()).isZero();

            faults.failing(false);
            assertThat(simulation.runUntil(() -> purged(cluster, 1), PURGE_BOUND_VIRTUAL_MS))
                .as("the retry purged it; %s", simulation.replayHint()).isTrue();
            assertThat(store1.tombstonesPurged()).isEqualTo(1);
            assertThat(purged(cluster, 2) && purged(cluster, 3)).isTrue();
        }
    }
}
