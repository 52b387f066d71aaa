package io.datacake.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM (what Ctrl-C's SIGINT also triggers) during a target's turn in a child JVM: the turn ends, its cluster is
 * closed and its files deleted, the later targets never start, the partial table is printed, the exit is non-zero.
 */
@DisabledOnOs(OS.WINDOWS)
class CompareStopOnSignalTest
{
    /** The JVM exits with 128 + the signal's number after its shutdown hooks: 15 is SIGTERM. */
    private static final int EXIT_ON_SIGTERM = 128 + 15;

    @TempDir
    Path workDir;

    @Test
    void sigtermEndsTheRunningTurnClosesItsClusterAndStartsNoOtherTarget() throws Exception
    {
        // The child's temporary directory is the test's, so the datacake-java cluster's storage files show there.
        final Path tmp = Files.createDirectory(workDir.resolve("tmp"));
        try (ChildJvm child = new ChildJvm(ChildJvm.perfHarness("compare", "--targets", "datacake,hazelcast",
            "--storage", "lmdb", "--warmup", "0", "--duration", "24h", "--timeout-ms", "60000"), workDir,
            Map.of("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp)))
        {
            assertThat(child.awaitLine("perf-harness compare: datacake-java-quorum ready"))
                .as("%s", child.output()).isTrue();
            try (Stream<Path> files = Files.list(tmp))
            {
                assertThat(files).as("the cluster's data directory while running")
                    .anyMatch((dir) -> dir.getFileName().toString().startsWith(EmbeddedCluster.DIRECTORY_PREFIX));
            }

            // SIGTERM through the process handle: Process.destroy() would also close the pipe we read the table from.
            assertThat(child.process().toHandle().destroy()).isTrue();
            final List<String> output = child.awaitExit();

            assertThat(child.process().exitValue()).as("%s", output).isEqualTo(EXIT_ON_SIGTERM);
            assertThat(output).anyMatch((line) -> line.startsWith("| datacake-java-quorum |"));
            assertThat(output).anyMatch((line) -> line.equals("**Partial**: datacake-java-quorum was stopped by a " +
                "signal."));
            assertThat(output).noneMatch((line) -> line.contains("starting hazelcast"));
            assertThat(output.get(output.size() - 1))
                .isEqualTo("compare stopped by a signal before its end: the figures above are partial");
            try (Stream<Path> files = Files.list(tmp))
            {
                assertThat(files).as("data directories after the signal")
                    .noneMatch((dir) -> dir.getFileName().toString().startsWith(EmbeddedCluster.DIRECTORY_PREFIX));
            }
        }
    }
}
