package io.datacake.kv;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.transport.aeron.AeronDriverSettings;
import io.datacake.transport.aeron.FreeUdpPorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The node's life in one JVM: durable storage across a restart, one node per data directory, stale driver files
 * cleared, and a close that frees the HTTP port and the directory.
 */
final class ReplicatedKvNodeTest
{
    @ParameterizedTest
    @EnumSource(value = StorageKind.class, names = {"LMDB", "SQLITE"})
    void aRestartedNodeKeepsWhatItStored(final StorageKind storage, @TempDir final Path dir)
    {
        final KvNodeConfig config = config(dir).storage(storage);
        try (ReplicatedKvNode node = ReplicatedKvNode.start(config))
        {
            node.store().putAndWait("docs", 42, bytes("kept"), ConsistencyLevel.ALL);
            node.store().putAndWait("docs", 43, bytes("deleted"), ConsistencyLevel.ALL);
            node.store().deleteAndWait("docs", 43, ConsistencyLevel.ALL);
        }

        try (ReplicatedKvNode node = ReplicatedKvNode.start(config))
        {
            assertThat(node.store().get("docs", 42).value()).isEqualTo(bytes("kept"));
            assertThat(node.store().get("docs", 43)).isNull();
        }
    }

    @Test
    void aSecondNodeOnTheSameDataDirectoryIsRefused(@TempDir final Path dir)
    {
        try (ReplicatedKvNode first = ReplicatedKvNode.start(config(dir)))
        {
            assertThatThrownBy(() -> ReplicatedKvNode.start(config(dir)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("in use by another running node");
            assertThat(first.store().keyspaces()).isEmpty();
        }
        try (ReplicatedKvNode again = ReplicatedKvNode.start(config(dir)))
        {
            assertThat(again.dataDirectory()).isEqualTo(dir);
        }
    }

    @Test
    void driverDirectoriesLeftByAKilledNodeAreDeletedOnStart(@TempDir final Path dir) throws IOException
    {
        final Path stale = dir.resolve(DataDirectory.AERON_DIR)
            .resolve(AeronDriverSettings.EMBEDDED_DIRECTORY_PREFIX + "left-behind");
        Files.createDirectories(stale);
        Files.writeString(stale.resolve("cnc.dat"), "stale");

        try (ReplicatedKvNode node = ReplicatedKvNode.start(config(dir)))
        {
            assertThat(stale).doesNotExist();
        }
        assertThat(dir.resolve(DataDirectory.AERON_DIR)).isEmptyDirectory();
    }

    @Test
    void closeFreesTheHttpPortAndATemporaryDirectoryAndIsIdempotent() throws Exception
    {
        final ReplicatedKvNode node = ReplicatedKvNode.start(config(null));
        final int port = node.httpAddress().getPort();
        final Path directory = node.dataDirectory();

        node.close();
        node.close();

        assertThat(node.awaitClosed(0)).isTrue();
        assertThat(directory).doesNotExist();
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    private static KvNodeConfig config(final Path dir)
    {
        return new KvNodeConfig()
            .nodeId(1)
            .dataDir(dir)
            .storage(StorageKind.MEMORY)
            .clusterListen(new HostPort("127.0.0.1", FreeUdpPorts.loopback()))
            .httpListen(new HostPort("127.0.0.1", 0));
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
