package io.datacake.kv;

import io.datacake.transport.aeron.FreeUdpPorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link NodeProcess#main}'s arguments and exit codes for the cases that end without serving: a bad setting is 2
 * with one line naming it, a node that cannot start is 1 with one line saying why.
 */
final class NodeProcessTest
{
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void aBadSettingIsExitCodeTwoWithOneLineNamingIt()
    {
        assertThat(run("node-id=1", "storage=tape")).isEqualTo(NodeProcess.EXIT_BAD_OPTION);
        assertThat(errorText()).isEqualTo(
            "Invalid value for option '--storage': expected lmdb, sqlite or memory but was 'tape'");
    }

    @Test
    void anArgumentThatIsNotKeyValueIsExitCodeTwo()
    {
        assertThat(run("--node-id")).isEqualTo(NodeProcess.EXIT_BAD_OPTION);
        assertThat(errorText()).startsWith("Invalid argument '--node-id': expected key=value");
    }

    @Test
    void argumentsWinOverTheConfigFile(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("node.properties");
        Files.writeString(file, "node-id=1\nstorage=memory\ngossip-interval-ms=oops\n");

        assertThat(run("config=" + file, "gossip-interval-ms=0")).isEqualTo(NodeProcess.EXIT_BAD_OPTION);
        assertThat(errorText()).contains("'--gossip-interval-ms'").contains("but was '0'");
    }

    @Test
    void aNodeThatCannotStartIsExitCodeOne(@TempDir final Path dir)
    {
        try (ReplicatedKvNode holder = ReplicatedKvNode.start(new KvNodeConfig()
            .nodeId(1)
            .dataDir(dir)
            .storage(StorageKind.MEMORY)
            .clusterListen(new HostPort("127.0.0.1", FreeUdpPorts.loopback()))
            .httpListen(new HostPort("127.0.0.1", 0))))
        {
            assertThat(run("node-id=2", "data-dir=" + dir, "storage=memory", "http-listen=127.0.0.1:0",
                "cluster-listen=127.0.0.1:" + FreeUdpPorts.loopback())).isEqualTo(NodeProcess.EXIT_FAILED);
            assertThat(errorText()).startsWith("datacake-kv node failed: ").contains("in use by another running node");
            assertThat(holder.store().keyspaces()).isEmpty();
        }
    }

    private int run(final String... args)
    {
        return NodeProcess.runMain(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String errorText()
    {
        final String text = err.toString(StandardCharsets.UTF_8).trim();
        assertThat(text).as("one line").doesNotContain("\n");
        return text;
    }
}
