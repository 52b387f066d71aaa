package io.datacake.perf;

import io.datacake.kv.KvNodeConfig;
import io.datacake.kv.StorageKind;
import io.datacake.security.FrameProtection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code perf-harness node} as users meet it: help with durability and exit codes, one-line errors naming the option
 * with exit code 2, and a config file the command line overrides.
 */
class NodeCommandTest
{
    @TempDir
    Path tempDir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "--node-id        | 65536     | '--node-id': expected 0..65535",
        "--node-id        | x         | '--node-id': expected 0..65535",
        "--storage        | rocks     | '--storage': expected lmdb, sqlite or memory",
        "--http-listen    | 8080      | '--http-listen': expected HOST:PORT",
        "--cluster-listen | h:0       | '--cluster-listen': expected HOST:PORT with a port 1..65535",
        "--seed           | h         | '--seed': expected HOST:PORT",
        "--gossip-interval-ms | 0     | '--gossip-interval-ms': expected 1..3600000" })
    void aBadValueIsOneLineNamingTheOptionAndExitCodeTwo(final String option, final String value, final String text)
    {
        final String[] args = "--node-id".equals(option) ?
            new String[]{"node", option, value} : new String[]{"node", "--node-id", "1", option, value};

        assertThat(execute(args)).isEqualTo(2);

        final String firstLine = err.toString().lines().findFirst().orElseThrow();
        assertThat(firstLine).contains(text).contains("but was '" + value + "'");
        assertThat(err.toString()).contains("Usage: perf-harness node");
    }

    @Test
    void aMissingNodeIdIsExitCodeTwo()
    {
        assertThat(execute("node", "--storage", "memory")).isEqualTo(2);
        assertThat(err.toString().lines().findFirst().orElseThrow()).startsWith("Missing option '--node-id'");
    }

    @Test
    void helpDescribesDurabilityAndExitCodes()
    {
        assertThat(execute("node", "--help")).isZero();

        assertThat(out.toString())
            .contains("Usage: perf-harness node")
            .contains("--seed=<host:port>").contains("--config=<file>")
            .contains("LMDB commits with SYNC").contains("synchronous=FULL")
            .contains("143").contains("Exit codes:");
    }

    @Test
    void theCommandLineWinsOverTheConfigFile() throws IOException
    {
        final Path file = tempDir.resolve("node.properties");
        Files.writeString(file, "node-id=3\nstorage=sqlite\ndc=file-dc\nseed=10.0.0.1:7401,10.0.0.2:7401\n");
        final NodeCommand command = parse("--config", file.toString(), "--dc", "cli-dc", "--seed", "10.0.0.9:7401");

        final KvNodeConfig config = command.settings();

        assertThat(config.nodeId()).isEqualTo(3);
        assertThat(config.storage()).isEqualTo(StorageKind.SQLITE);
        assertThat(config.dataCentre()).isEqualTo("cli-dc");
        assertThat(config.seeds()).extracting(Object::toString).containsExactly("10.0.0.9:7401");
    }

    @Test
    void anUnknownKeyInTheConfigFileIsExitCodeTwo() throws IOException
    {
        final Path file = tempDir.resolve("node.properties");
        Files.writeString(file, "node-id=3\ncolour=blue\n");

        assertThat(execute("node", "--config", file.toString())).isEqualTo(2);
        assertThat(err.toString().lines().findFirst().orElseThrow()).contains("Unknown option '--colour'");
    }

    @Test
    void securityOptionsReachTheSettingsAndNoOptionTakesAKey() throws IOException
    {
        final Path keyring = tempDir.resolve("keyring");
        final Path token = tempDir.resolve("token");
        final NodeCommand command = parse("--node-id", "1", "--keyring-file", keyring.toString(),
            "--frame-protection", "encrypt", "--insecure", "--http-token-file", token.toString());

        final KvNodeConfig config = command.settings();

        assertThat(config.keyringFile()).isEqualTo(keyring);
        assertThat(config.frameProtection()).isEqualTo(FrameProtection.ENCRYPT);
        assertThat(config.insecure()).isTrue();
        assertThat(config.httpTokenFile()).isEqualTo(token);
        assertThat(new CommandLine(new NodeCommand()).getCommandSpec().options())
            .flatExtracting((option) -> List.of(option.names()))
            .contains("--keyring-file", "--keyring-env", "--frame-protection", "--insecure", "--http-token-file",
                "--http-token-env")
            .doesNotContain("--keyring", "--key", "--secret", "--http-token");
    }

    @Test
    void aNonLoopbackClusterAddressWithoutAKeyringIsExitCodeTwo()
    {
        assertThat(execute("node", "--node-id", "1", "--storage", "memory", "--cluster-listen", "0.0.0.0:7999"))
            .isEqualTo(2);
        assertThat(err.toString().lines().findFirst().orElseThrow())
            .startsWith("Refusing option '--cluster-listen' 0.0.0.0:7999").contains("'--insecure'");
    }

    @Test
    void aBadKeyringFileIsExitCodeTwoAndItsSecretIsNeverPrinted() throws IOException
    {
        final String shortSecret = "WlpaWlpaWlpaWg==";
        final Path keyring = tempDir.resolve("keyring");
        Files.writeString(keyring, "primary = 1\nkey.1 = " + shortSecret + "\n");

        assertThat(execute("node", "--node-id", "1", "--storage", "memory", "--keyring-file", keyring.toString()))
            .isEqualTo(2);
        assertThat(err.toString().lines().findFirst().orElseThrow())
            .startsWith("Invalid value for option '--keyring-file'").contains("16, 24 or 32 bytes");
        assertThat(out.toString() + err.toString()).doesNotContain(shortSecret);
    }

    private static NodeCommand parse(final String... args)
    {
        final NodeCommand command = new NodeCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    private int execute(final String... args)
    {
        final CommandLine commandLine = PerfHarness.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
