package io.datacake.store;

import io.datacake.clock.HlcTimestamp;
import io.datacake.clock.HybridLogicalClock;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.rpc.RpcException;
import io.datacake.rpc.RpcResponse;
import io.datacake.testing.SeededTrials;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An entry from a peer stamped further ahead of this node's wall clock than the clock's maximum drift would win every
 * last-write-wins comparison of its key for as long as its stamp stays ahead: replication, broadcast and repair drop
 * it, count it by path, and apply the entries within the drift as before.
 */
final class StampsAheadTest
{
    private static final String KEYSPACE = "ahead";
    private static final long MAX_DRIFT_MS = HybridLogicalClock.DEFAULT_MAX_DRIFT_MS;
    private static final long MARGIN_MS = 60_000;
    private static final long WAIT_MS = 10_000;
    private static final int SENDER = 1;
    private static final int RECEIVER = 2;

    @Test
    void aReplicatedEntryStampedBeyondTheDriftIsRefusedCountedAndNotApplied()
    {
        try (StoreSimCluster cluster = new StoreSimCluster(SeededTrials.seed("StampsAheadTest.replicate", 301), 2))
        {
            cluster.await(cluster.handle(SENDER).put(KEYSPACE, 1, value(), ConsistencyLevel.ALL));
            final long rootBefore = cluster.store(RECEIVER).keyspaceState(KEYSPACE).tree().root();

            final CompletableFuture<RpcResponse> ahead = call(cluster, message(10, stampAhead(cluster, MARGIN_MS)));
            cluster.await(ahead);
            assertThat(ahead).isCompletedExceptionally();
            try
            {
                ahead.join();
            }
            catch (final CompletionException ex)
            {
                assertThat(ex.getCause()).isInstanceOf(RpcException.class);
                assertThat(((RpcException)ex.getCause()).detail()).contains("maximum drift");
            }
            assertThat(statistics(cluster).entriesStampedAhead(EntryPath.REPLICATE)).isEqualTo(1);
            assertThat(cluster.get(RECEIVER, KEYSPACE, 10)).isNull();
            assertThat(cluster.store(RECEIVER).keyspaceState(KEYSPACE).tree().root()).isEqualTo(rootBefore);

            final CompletableFuture<RpcResponse> within = call(cluster, message(11, stampAhead(cluster, -MARGIN_MS)));
            cluster.await(within).join();
            assertThat(cluster.get(RECEIVER, KEYSPACE, 11)).isNotNull();
            assertThat(statistics(cluster).entriesStampedAhead(EntryPath.REPLICATE)).isEqualTo(1);
        }
    }

    @Test
    void aBroadcastEntryStampedBeyondTheDriftIsDroppedCountedAndNotApplied()
    {
        try (StoreSimCluster cluster = new StoreSimCluster(SeededTrials.seed("StampsAheadTest.broadcast", 302), 2))
        {
            send(cluster, message(20, stampAhead(cluster, MARGIN_MS)));
            send(cluster, message(21, stampAhead(cluster, -MARGIN_MS)));
            assertThat(cluster.simulation.runUntil(() -> null != cluster.get(RECEIVER, KEYSPACE, 21), WAIT_MS))
                .as("the entry within the drift is applied").isTrue();
            assertThat(statistics(cluster).entriesStampedAhead(EntryPath.BROADCAST)).isEqualTo(1);
            assertThat(cluster.get(RECEIVER, KEYSPACE, 20)).isNull();
            assertThat(cluster.store(RECEIVER).keyspaceState(KEYSPACE).set().liveCount()).isEqualTo(1);
        }
    }

    @Test
    void aRepairedEntryStampedBeyondTheDriftIsDroppedCountedAndNotApplied()
    {
        try (StoreSimCluster cluster = new StoreSimCluster(SeededTrials.seed("StampsAheadTest.repair", 303), 2,
            (ctx) -> ctx.repairIntervalMs(50)))
        {
            // Written at NONE while cut off, so only repair can carry them: one at the sender's true time, one after
            // its clock was set beyond the drift.
            cluster.isolate(SENDER);
            cluster.await(cluster.handle(SENDER).put(KEYSPACE, 30, value(), ConsistencyLevel.NONE));
            cluster.simulation.nodeClock(SENDER).offsetMs(MAX_DRIFT_MS + MARGIN_MS);
            cluster.await(cluster.handle(SENDER).put(KEYSPACE, 31, value(), ConsistencyLevel.NONE));
            cluster.simulation.network().heal();

            assertThat(cluster.simulation.runUntil(() -> null != cluster.get(RECEIVER, KEYSPACE, 30) &&
                statistics(cluster).entriesStampedAhead(EntryPath.REPAIR) > 0, WAIT_MS))
                .as("repair applied the entry within the drift and dropped the other").isTrue();
            assertThat(cluster.get(RECEIVER, KEYSPACE, 31)).isNull();
            assertThat(cluster.store(RECEIVER).keyspaceState(KEYSPACE).set().liveCount()).isEqualTo(1);
            assertThat(statistics(cluster).entriesStampedAhead(EntryPath.BROADCAST)).isZero();
        }
    }

    private static StoreStatistics statistics(final StoreSimCluster cluster)
    {
        return cluster.store(RECEIVER).statistics();
    }

    /**
     * A stamp this far beyond the receiver's maximum drift (negative: within it).
     */
    private static long stampAhead(final StoreSimCluster cluster, final long beyondDriftMs)
    {
        return HlcTimestamp.pack(cluster.simulation.nodeClock(RECEIVER).time() + MAX_DRIFT_MS + beyondDriftMs, 0);
    }

    private static byte[] message(final long key, final long stamp)
    {
        final ReplicationMessage message = new ReplicationMessage();
        message.beginEncode(KEYSPACE.getBytes(StandardCharsets.UTF_8));
        message.encodePut(key, stamp, SENDER, value());
        final byte[] bytes = new byte[message.encodedLength()];
        message.encoded().getBytes(0, bytes);
        return bytes;
    }

    private static CompletableFuture<RpcResponse> call(final StoreSimCluster cluster, final byte[] body)
    {
        return cluster.simulation.node(SENDER).call(
            StoreSimCluster.endpoint(RECEIVER), ReplicatedStore.SERVICE_NAME, ReplicatedStore.REPLICATE, body, null, 0);
    }

    private static void send(final StoreSimCluster cluster, final byte[] body)
    {
        cluster.await(cluster.simulation.node(SENDER).execute((services) -> services.rpc().send(
            services.rpc().resolvePeer(StoreSimCluster.endpoint(RECEIVER)), ReplicatedStore.SERVICE_ID,
            ReplicatedStore.REPLICATE, new UnsafeBuffer(body), 0, body.length, null)));
    }

    private static byte[] value()
    {
        return "v".getBytes(StandardCharsets.UTF_8);
    }
}
