package io.datacake.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM (what Ctrl-C's SIGINT also triggers) stops a run in a child JVM: partial report, non-zero exit, no files
 * left behind (storage and Aeron directories).
 */
@DisabledOnOs(OS.WINDOWS)
class StopOnSignalTest
{
    /** The JVM exits with 128 + the signal's number after its shutdown hooks: 15 is SIGTERM. */
    private static final int EXIT_ON_SIGTERM = 128 + 15;

    @TempDir
    Path workDir;

    @Test
    void sigtermStopsTheRunReportsWhatWasMeasuredAndDeletesTheClusterFiles() throws Exception
    {
        // A run far longer than the test: only the signal can end it. LMDB, so the storage has files to delete.
        try (ChildJvm child = new ChildJvm(ChildJvm.perfHarness("run", "--storage", "lmdb", "--warmup", "0",
            "--duration", "24h", "--timeout-ms", "60000", "--data-dir", workDir.toString(), "--progress",
            "--interval", "100ms"), workDir))
        {
            assertThat(child.awaitLine("connected, data in " + workDir)).as("%s", child.output()).isTrue();
            final String connected = child.output().get(child.output().size() - 1);
            // The first status line: the measurement has begun, so the partial report has figures to show.
            assertThat(child.awaitLine("[   1] ops")).as("%s", child.output()).isTrue();
            final Path aeronDir = Path.of(connected.replaceAll(".*Aeron in ([^;]+);.*", "$1"));
            assertThat(aeronDir).isDirectory();
            try (Stream<Path> files = Files.list(workDir))
            {
                assertThat(files).as("the run's data directory while running").hasSize(1);
            }

            // SIGTERM through the process handle: Process.destroy() would also close the pipe we read the report from.
            assertThat(child.process().toHandle().destroy()).isTrue();
            final List<String> output = child.awaitExit();

            assertThat(child.process().exitValue()).as("%s", output).isEqualTo(EXIT_ON_SIGTERM);
            assertThat(output).anyMatch((line) -> line.startsWith("**Partial**: stopped by a signal after"));
            assertThat(output).anyMatch((line) -> line.startsWith("| all | start |"));
            assertThat(output).anyMatch((line) -> line.startsWith("replicas converged: yes"));
            assertThat(output.get(output.size() - 1))
                .isEqualTo("run stopped by a signal before its end: the figures above are partial");
            try (Stream<Path> files = Files.list(workDir))
            {
                assertThat(files).as("data directories after the signal").isEmpty();
            }
            assertThat(aeronDir).doesNotExist();
        }
    }
}
