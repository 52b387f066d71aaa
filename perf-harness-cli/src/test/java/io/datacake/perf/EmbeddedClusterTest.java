package io.datacake.perf;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.node.Node;
import io.datacake.rpc.RpcCounters;
import io.datacake.security.Keyring;
import io.datacake.store.StoreHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The embedded cluster on its own: nodes that find each other, a store that replicates through them, and nothing
 * left on disk after close or after a start that failed.
 */
class EmbeddedClusterTest
{
    private static final long DEADLINE_MS = 60_000;

    @TempDir
    Path dataParent;

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void nodesSeeEachOtherReplicateAWriteAndLeaveNoDirectoriesAfterClose(final TransportKind transport)
        throws Exception
    {
        final Path dataDir;
        final Path aeronDir;
        try (EmbeddedCluster cluster = new EmbeddedCluster(settings(transport, StorageKind.MEMORY, 128)))
        {
            dataDir = cluster.dataDirectory();
            aeronDir = cluster.aeronDirectory();
            assertThat(dataDir).isDirectory().hasParent(dataParent);
            assertThat(aeronDir).isDirectory();
            assertThat(cluster.awaitMembership(
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS), () -> false)).isTrue();

            cluster.handles().get(1).put("docs", 7, new byte[]{ 1, 2, 3 }, ConsistencyLevel.ALL)
                .get(DEADLINE_MS, TimeUnit.MILLISECONDS);
            for (final StoreHandle handle : cluster.handles())
            {
                assertThat(handle.get("docs", 7)).as("node %d", handle.nodeId()).isNotNull();
            }
            assertThat(new ConvergenceProbe(cluster.storages(), 1).converged()).isTrue();
        }
        assertThat(dataDir).doesNotExist();
        assertThat(aeronDir).doesNotExist();
        assertThat(dataParent).isEmptyDirectory();
    }

    @ParameterizedTest
    @EnumSource(SecurityMode.class)
    void aSecuredClusterSharesAGeneratedKeyringAndReplicates(final SecurityMode security) throws Exception
    {
        try (EmbeddedCluster cluster = new EmbeddedCluster(
            new ClusterSettings(3, TransportKind.IPC, StorageKind.MEMORY, dataParent, 128, DEADLINE_MS, 10_000,
                security)))
        {
            assertThat(cluster.awaitMembership(
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS), () -> false)).isTrue();
            cluster.handles().get(2).put("docs", 7, new byte[]{ 1, 2, 3 }, ConsistencyLevel.ALL)
                .get(DEADLINE_MS, TimeUnit.MILLISECONDS);
            for (final Node node : cluster.nodes())
            {
                final RpcCounters rpc = node.counters().rpc();
                assertThat(rpc.unsecuredFramesDropped.get() + rpc.forgedFramesDropped.get() +
                    rpc.unknownKeyFramesDropped.get()).as("node %d", node.nodeId()).isZero();
                // Only a node started with a keyring accepts a new one (the last step: it ends the cluster's talk).
                assertThat(node.updateKeyring(Keyring.of(3, new byte[32])).handle((ok, ex) -> null == ex)
                    .get(DEADLINE_MS, TimeUnit.MILLISECONDS)).as("node %d secured", node.nodeId())
                    .isEqualTo(security != SecurityMode.OFF);
            }
        }
        assertThat(dataParent).isEmptyDirectory();
    }

    @Test
    void aStartThatFailsClosesWhatStartedAndDeletesTheRunsDirectories()
    {
        // LMDB refuses a negative value limit when the first node opens its storage, after the driver launched.
        assertThatThrownBy(() -> new EmbeddedCluster(settings(TransportKind.IPC, StorageKind.LMDB, -1)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("maxValueLength");

        assertThat(dataParent).isEmptyDirectory();
    }

    private ClusterSettings settings(final TransportKind transport, final StorageKind storage, final int maxValueBytes)
    {
        return new ClusterSettings(3, transport, storage, dataParent, maxValueBytes, DEADLINE_MS, 10_000);
    }
}
