package io.datacake.kv;

import io.datacake.membership.ClusterMember;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.security.FrameProtection;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.datacake.kv.SecureNodes.TOKEN;
import static io.datacake.kv.SecureNodes.await;
import static io.datacake.kv.SecureNodes.bytes;
import static io.datacake.kv.SecureNodes.config;
import static io.datacake.kv.SecureNodes.counter;
import static io.datacake.kv.SecureNodes.send;
import static io.datacake.kv.SecureNodes.write;
import static io.datacake.kv.SecureNodes.writeKeyring;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three in-JVM {@link ReplicatedKvNode}s over Aeron UDP with a keyring: they replicate, a node with the wrong key
 * never joins, and a key rotation through reloads keeps every write succeeding.
 */
final class SecuredKvClusterTest
{
    private static final String KEYSPACE = "docs";
    private static final String AUTH = "Bearer " + TOKEN;

    private final List<ReplicatedKvNode> nodes = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void closeNodes()
    {
        CloseHelper.quietCloseAll(nodes);
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void threeNodesWithAKeyringReplicate(final FrameProtection protection) throws Exception
    {
        final Path keyring = writeKeyring(dir.resolve("keyring"), 1, 1, 1);
        startCluster((i) -> config(i + 1).keyringFile(keyring).frameProtection(protection));

        nodes.get(0).store().putAndWait(KEYSPACE, 1, bytes("one"), ConsistencyLevel.ALL);
        nodes.get(2).store().putAndWait(KEYSPACE, 3, bytes("three"), ConsistencyLevel.ALL);

        for (final ReplicatedKvNode node : nodes)
        {
            assertThat(node.store().get(KEYSPACE, 1).value()).isEqualTo(bytes("one"));
            assertThat(node.store().get(KEYSPACE, 3).value()).isEqualTo(bytes("three"));
        }
    }

    @Test
    void aNodeWithTheWrongKeyNeverJoins() throws Exception
    {
        final Path keyring = writeKeyring(dir.resolve("keyring"), 1, 1, 1);
        startCluster((i) -> config(i + 1).keyringFile(keyring));
        final ReplicatedKvNode first = nodes.get(0);

        final Path wrong = writeKeyring(dir.resolve("wrong"), 1, 1, 9);
        final ReplicatedKvNode intruder = ReplicatedKvNode.start(
            config(9).keyringFile(wrong).addSeed(first.clusterAddress()));
        nodes.add(intruder);
        intruder.store().putAndWait(KEYSPACE, 99, bytes("intruder"), ConsistencyLevel.NONE);

        final long forgedBefore = counter(first, "forged frames dropped");
        await("the seed drops the intruder's gossip", () -> counter(first, "forged frames dropped") >= forgedBefore + 10);
        // Repair rounds among the members keep running meanwhile: a write after the drops reaches everyone.
        nodes.get(1).store().putAndWait(KEYSPACE, 2, bytes("member"), ConsistencyLevel.ALL);

        for (int i = 0; i < 3; i++)
        {
            final ReplicatedKvNode member = nodes.get(i);
            assertThat(member.members()).extracting(ClusterMember::nodeId).containsExactlyInAnyOrder(1, 2, 3);
            final HttpResponse<String> cluster = send(member, "GET", "/cluster", null, null);
            assertThat(cluster.body()).doesNotContain("{\"id\":9,").doesNotContain(intruder.clusterAddress().toString());
            assertThat(member.store().get(KEYSPACE, 99)).isNull();
            assertThat(member.store().get(KEYSPACE, 2).value()).isEqualTo(bytes("member"));
        }
        assertThat(intruder.members()).extracting(ClusterMember::nodeId).containsExactly(9);
        assertThat(intruder.store().get(KEYSPACE, 2)).isNull();
    }

    @Test
    void rotationByReloadAcrossThreeNodesKeepsWritesSucceeding() throws Exception
    {
        final Path token = write(dir.resolve("token"), TOKEN);
        final Path[] keyrings = new Path[3];
        for (int i = 0; i < 3; i++)
        {
            keyrings[i] = writeKeyring(dir.resolve("keyring-" + (i + 1)), 1, 1, 1);
        }
        startCluster((i) -> config(i + 1).keyringFile(keyrings[i]).httpTokenFile(token).requestTimeoutMs(30_000));

        long key = 0;
        final int[][] steps = {
            {1, 1, 1, 2, 2},   // install key 2 everywhere, still sending under key 1
            {2, 1, 1, 2, 2},   // make key 2 primary
            {2, 2, 2}};        // remove key 1
        final String[] expected = {"{\"primary\":1,\"keys\":[1,2]}", "{\"primary\":2,\"keys\":[1,2]}",
            "{\"primary\":2,\"keys\":[2]}"};
        for (int step = 0; step < steps.length; step++)
        {
            for (int i = 0; i < 3; i++)
            {
                final int[] entries = steps[step];
                final int[] idAndFill = new int[entries.length - 1];
                System.arraycopy(entries, 1, idAndFill, 0, idAndFill.length);
                writeKeyring(keyrings[i], entries[0], idAndFill);

                final HttpResponse<String> reload = send(nodes.get(i), "POST", "/admin/keyring/reload", null, AUTH);
                assertThat(reload.statusCode()).as("reload on node %d, step %d", i + 1, step + 1).isEqualTo(200);
                assertThat(reload.body()).isEqualTo(expected[step]);

                key++;
                final HttpResponse<String> put = send(nodes.get((i + 1) % 3), "PUT",
                    "/" + KEYSPACE + "/" + key + "?consistency=all", "v" + key, AUTH);
                assertThat(put.statusCode()).as("write %d after reload on node %d, step %d: %s", key, i + 1,
                    step + 1, put.body()).isEqualTo(200);
            }
        }

        for (final ReplicatedKvNode node : nodes)
        {
            for (long k = 1; k <= key; k++)
            {
                assertThat(node.store().get(KEYSPACE, k).value()).isEqualTo(bytes("v" + k));
            }
            assertThat(counter(node, "unsecured frames dropped")).isZero();
        }
    }

    private void startCluster(final java.util.function.IntFunction<KvNodeConfig> configs) throws Exception
    {
        HostPort seed = null;
        for (int i = 0; i < 3; i++)
        {
            final KvNodeConfig config = configs.apply(i);
            if (null != seed)
            {
                config.addSeed(seed);
            }
            final ReplicatedKvNode node = ReplicatedKvNode.start(config);
            nodes.add(node);
            seed = null == seed ? node.clusterAddress() : seed;
        }
        await("every node sees three live members", () -> nodes.stream().allMatch(
            (node) -> node.members().stream().filter(ClusterMember::live).count() == 3));
    }
}
