package io.datacake.store;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.node.Node;
import io.datacake.rpc.RpcException;
import io.datacake.rpc.RpcResponse;
import io.datacake.testing.SeededTrials;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica refuses a malformed replicate message as a whole: a request fails with the reason, a one-way message is
 * dropped, each is counted by reason, and neither changes any state.
 */
final class MalformedReplicationTest
{
    private static final String KEYSPACE = "docs";

    @Test
    void malformedMessagesAreRefusedCountedByReasonAndChangeNothing()
    {
        try (StoreSimCluster cluster = new StoreSimCluster(SeededTrials.seed("MalformedReplicationTest", 201), 3))
        {
            cluster.await(cluster.handle(1).put(KEYSPACE, 1, new byte[]{1}, ConsistencyLevel.ALL));
            final long rootBefore = cluster.store(2).keyspaceState(KEYSPACE).tree().root();

            expectRefused(cluster, new byte[5], "truncated");
            expectRefused(cluster, message(2, KEYSPACE, 1, 10, 5, 1, 0, 0), "unknown version");
            expectRefused(cluster, message(1, KEYSPACE, 0, 10, 5, 1, 0, 0), "entry count out of range");
            expectRefused(cluster, message(1, "", 1, 10, 5, 1, 0, 0), "invalid keyspace name");
            final byte[] notUtf8 = message(1, "x", 1, 10, 5, 1, 0, 0);
            notUtf8[ReplicationMessage.HEADER_LENGTH] = (byte)0xFF;
            expectRefused(cluster, notUtf8, "invalid keyspace name");
            expectRefused(cluster, message(1, KEYSPACE, 1, 10, 0, 1, 0, 0), "invalid timestamp");
            expectRefused(cluster, message(1, KEYSPACE, 1, 10, 5, 70_000, 0, 0), "invalid timestamp");
            expectRefused(cluster, message(1, KEYSPACE, 1, 10, 5, 1, -2, 0), "value length out of range");
            expectRefused(cluster, message(1, KEYSPACE, 1, 10, 5, 1, 4, 0), "truncated");
            expectRefused(cluster, message(1, KEYSPACE, 1, 10, 5, 1, 0, 3), "bytes after the last entry");
            // Two entries, the second truncated: the first is not applied either.
            final byte[] first = message(1, KEYSPACE, 2, 10, 5, 1, 0, 0);
            expectRefused(cluster, java.util.Arrays.copyOf(first, first.length - 10), "truncated");

            final Node sender = cluster.simulation.node(1);
            final byte[] oneWay = message(1, "other", 1, 10, 5, 1, -2, 0);
            cluster.await(sender.execute((services) -> services.rpc().send(services.rpc().resolvePeer("sim-2"),
                ReplicatedStore.SERVICE_ID, ReplicatedStore.REPLICATE, new UnsafeBuffer(oneWay), 0, oneWay.length,
                null)));
            assertThat(cluster.simulation.runUntil(() ->
                2 == cluster.counter(2, "store malformed replicate dropped: value length out of range"), 5_000))
                .isTrue();

            assertThat(cluster.counter(2, "store malformed replicate dropped: truncated")).isEqualTo(3);
            assertThat(cluster.counter(2, "store malformed replicate dropped: invalid timestamp")).isEqualTo(2);
            assertThat(cluster.store(2).keyspaceNames()).containsExactly(KEYSPACE);
            assertThat(cluster.store(2).keyspaceState(KEYSPACE).set().liveCount()).isEqualTo(1);
            assertThat(cluster.store(2).keyspaceState(KEYSPACE).tree().root()).isEqualTo(rootBefore);
            assertThat(cluster.handle(2).get(KEYSPACE, 10)).isNull();
            assertThat(cluster.handle(2).keyspaces()).containsExactly(KEYSPACE);
        }
    }

    /**
     * A message of one or more identical entries, with room to break each field.
     */
    private static byte[] message(
        final int version,
        final String keyspace,
        final int count,
        final long key,
        final long stamp,
        final int nodeId,
        final int valueLength,
        final int trailing)
    {
        final byte[] name = keyspace.getBytes(StandardCharsets.UTF_8);
        final int entries = Math.max(1, count);
        final int length = ReplicationMessage.HEADER_LENGTH + name.length +
            entries * (ReplicationMessage.ENTRY_HEADER_LENGTH + Math.max(0, valueLength)) + trailing;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        buffer.putShort(0, (short)version, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(2, (short)name.length, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(4, count, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(8, name);
        int at = 8 + name.length;
        for (int i = 0; i < entries; i++)
        {
            buffer.putLong(at, key + i, ByteOrder.LITTLE_ENDIAN);
            buffer.putLong(at + 8, stamp, ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(at + 16, nodeId, ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(at + 20, valueLength == 4 ? 8 : valueLength, ByteOrder.LITTLE_ENDIAN);
            at += ReplicationMessage.ENTRY_HEADER_LENGTH + Math.max(0, valueLength);
        }
        return buffer.byteArray();
    }

    private static void expectRefused(final StoreSimCluster cluster, final byte[] body, final String reason)
    {
        final CompletableFuture<RpcResponse> call = cluster.simulation.node(1).call(
            "sim-2", ReplicatedStore.SERVICE_NAME, ReplicatedStore.REPLICATE, body, null, 0);
        cluster.await(call);
        try
        {
            call.join();
            throw new AssertionError("accepted a message that should be refused for: " + reason);
        }
        catch (final CompletionException ex)
        {
            assertThat(ex.getCause()).isInstanceOf(RpcException.class);
            assertThat(((RpcException)ex.getCause()).detail()).isEqualTo("malformed replicate message: " + reason);
        }
    }
}
