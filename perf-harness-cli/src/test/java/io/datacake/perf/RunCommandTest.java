package io.datacake.perf;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The main job end to end, briefly: an embedded 3-node cluster on each transport, a replicated write workload, a
 * report, and replicas that agree afterwards.
 */
class RunCommandTest
{
    @TempDir
    Path tempDir;

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void runsAThreeNodeClusterAndEveryReplicaEndsWithTheSameData(final TransportKind transport) throws IOException
    {
        final RunCommand command = new RunCommand();
        final Path report = tempDir.resolve("report.md");
        // A generous request timeout: on a loaded machine a slow replica must not fail a write. The run itself ends
        // on conditions (at least one measured write, every write drained), not on timing.
        final int exitCode = new CommandLine(command).execute("--transport", transport.name(), "--warmup-s", "0.2",
            "--duration-s", "0.5", "--concurrency", "8", "--keys", "500", "--timeout-ms", "60000",
            "--output", report.toString());

        assertThat(exitCode).as(command.report).isZero();
        assertThat(command.report)
            .contains("3 nodes on " + transport)
            .contains("replicas converged: yes");
        assertThat(command.completedWrites).isPositive();
        assertThat(Files.readString(report)).isEqualTo(command.report);
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void clusterStopsItsNodesAndDeletesItsDirectory(final TransportKind transport)
    {
        final EmbeddedCluster cluster = new EmbeddedCluster(3, transport, (nodeId) -> java.util.List.of());
        final Path directory = cluster.directory();
        assertThat(cluster.nodes()).hasSize(3);
        assertThat(directory).exists();
        cluster.close();
        assertThat(cluster.nodes()).isEmpty();
        assertThat(directory).doesNotExist();
    }

    @Test
    void rejectsBadOptionsWithAUsageError()
    {
        final CommandLine commandLine = new CommandLine(new PerfHarness());
        commandLine.setErr(new java.io.PrintWriter(java.io.Writer.nullWriter()));
        assertThat(commandLine.execute("run", "--nodes", "0")).isEqualTo(2);
        assertThat(commandLine.execute("run", "--transport", "CARRIER_PIGEON")).isEqualTo(2);
        assertThat(commandLine.execute("run", "--concurrency", "4097")).isEqualTo(2);
    }
}
