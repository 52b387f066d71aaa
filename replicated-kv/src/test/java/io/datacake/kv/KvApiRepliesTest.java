package io.datacake.kv;

import io.datacake.membership.ConsistencyException;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.node.NodeBackPressureException;
import io.datacake.node.NodeClosedException;
import io.datacake.storage.ValueTooLargeException;
import io.datacake.store.ReplicationException;
import io.datacake.store.StoreBackPressureException;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How failures become replies, and the parsing and formatting pieces of the API, without a server.
 */
final class KvApiRepliesTest
{
    @Test
    void backPressureIs503WithRetryAfter()
    {
        final HttpReply store = KvApi.replyFor(new StoreBackPressureException("4096 writes pending"));
        final HttpReply node = KvApi.replyFor(new NodeBackPressureException(1, 4096));

        assertThat(store.status()).isEqualTo(503);
        assertThat(store.retryAfterS()).isEqualTo(KvApi.RETRY_AFTER_S);
        assertThat(store.bodyText()).contains("busy").contains("4096 writes pending");
        assertThat(node.status()).isEqualTo(503);
        assertThat(node.retryAfterS()).isEqualTo(KvApi.RETRY_AFTER_S);
    }

    @Test
    void aReplicationFailureIs503WithRequiredAndAcknowledged()
    {
        final HttpReply reply = KvApi.replyFor(new ReplicationException(1, 3, "replica 2 timed out \"late\""));

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.contentType()).isEqualTo("application/json");
        assertThat(reply.retryAfterS()).isEqualTo(HttpReply.NO_RETRY_AFTER);
        assertThat(reply.bodyText())
            .isEqualTo("{\"error\":\"replica 2 timed out \\\"late\\\"\",\"required\":3,\"acknowledged\":1}");
    }

    @Test
    void tooFewLiveMembersIs503WithRequiredAndAlive()
    {
        final HttpReply reply = KvApi.replyFor(
            new ConsistencyException(ConsistencyLevel.ALL, 2, 1, null, "every member"));

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.bodyText()).endsWith(",\"required\":2,\"acknowledged\":1}");
    }

    @Test
    void otherFailuresMapToTheirStatus()
    {
        assertThat(KvApi.replyFor(new NodeClosedException(1)).status()).isEqualTo(503);
        assertThat(KvApi.replyFor(new ValueTooLargeException("k", 1, 10, 5)).status()).isEqualTo(413);
        assertThat(KvApi.replyFor(new IllegalArgumentException("bad")).status()).isEqualTo(400);
        assertThat(KvApi.replyFor(new IllegalStateException("broken")).status()).isEqualTo(500);
    }

    @Test
    void keysParseAsUnsigned64BitDecimalsOnly()
    {
        assertThat(KvApi.parseKey("0")).isZero();
        assertThat(KvApi.parseKey("18446744073709551615")).isEqualTo(-1L);
        assertThat(KvApi.parseKey("9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        for (final String bad : List.of("", "-1", "+1", " 1", "18446744073709551616", "1_000", "٣"))
        {
            assertThatThrownBy(() -> KvApi.parseKey(bad)).as("'%s'", bad)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsigned 64-bit decimal");
        }
    }

    @Test
    void consistencyComesFromTheQueryWithOneAsDefault()
    {
        assertThat(KvApi.consistency(null)).isEqualTo(ConsistencyLevel.ONE);
        assertThat(KvApi.consistency("")).isEqualTo(ConsistencyLevel.ONE);
        assertThat(KvApi.consistency("consistency=each_quorum")).isEqualTo(ConsistencyLevel.EACH_QUORUM);
        assertThatThrownBy(() -> KvApi.consistency("consistency=")).hasMessageContaining("unknown consistency ''");
        assertThatThrownBy(() -> KvApi.consistency("consistency")).hasMessageContaining("unknown consistency");
        assertThatThrownBy(() -> KvApi.consistency("consistency=all&x=1"))
            .hasMessageContaining("unknown query parameter 'x'");
    }

    @Test
    void pathSegmentsDecodeAsUtf8()
    {
        assertThat(KvApi.decodeSegment("plain+name")).isEqualTo("plain+name");
        assertThat(KvApi.decodeSegment("a%2Fb%20c%e2%82%ac")).isEqualTo("a/b c€");
        assertThatThrownBy(() -> KvApi.decodeSegment("bad%2")).hasMessageContaining("broken percent escape");
        assertThatThrownBy(() -> KvApi.decodeSegment("bad%zz")).hasMessageContaining("broken percent escape");
        assertThatThrownBy(() -> KvApi.decodeSegment("%ff")).hasMessageContaining("not UTF-8");
    }

    @Test
    void metricNamesAreSanitisedAndDuplicatesToldApartByCounterId()
    {
        final CountersManager counters = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(16 * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(16 * CountersReader.COUNTER_LENGTH)));
        counters.newCounter("node 3: replies queued (back-pressured)").setOrdered(5);
        counters.newCounter("store repair: bad \"length\"").setOrdered(1);
        counters.newCounter("store repair: bad length").setOrdered(2);

        final String text = PrometheusText.render(3, counters);

        assertThat(text).isEqualTo(
            "# HELP datacake_replies_queued_back_pressured replies queued (back-pressured)\n" +
            "# TYPE datacake_replies_queued_back_pressured counter\n" +
            "datacake_replies_queued_back_pressured{node_id=\"3\"} 5\n" +
            "# HELP datacake_store_repair_bad_length store repair: bad \"length\"\n" +
            "# TYPE datacake_store_repair_bad_length counter\n" +
            "datacake_store_repair_bad_length{node_id=\"3\",counter_id=\"1\"} 1\n" +
            "datacake_store_repair_bad_length{node_id=\"3\",counter_id=\"2\"} 2\n");
    }

    @Test
    void clusterAddressesComeFromAeronEndpoints()
    {
        assertThat(ClusterJson.address("aeron:udp?endpoint=10.0.0.7:7401|stream-id=1001")).isEqualTo("10.0.0.7:7401");
        assertThat(ClusterJson.address("aeron:udp?stream-id=1001|endpoint=[::1]:7401")).isEqualTo("[::1]:7401");
        assertThat(ClusterJson.address("aeron:ipc?stream-id=5")).isEqualTo("aeron:ipc?stream-id=5");
    }
}
