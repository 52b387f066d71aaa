package io.datacake.perf;

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
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code perf-harness compare} end to end, briefly: bad options are refused before any cluster starts, and a run of
 * a few hundred puts completes on every target, counts every put and sees every target converge. Runs end on counts
 * and conditions, never on timing; the timeouts are generous for a loaded machine.
 */
class CompareCommandTest
{
    @TempDir
    Path tempDir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private CompareCommand command;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--targets nosuch                 | '--targets': expected datacake, hazelcast, pekko-local or pekko-all",
        "--targets datacake,datacake      | '--targets': expected each target at most once",
        "--value-size 7                   | '--value-size': expected 8..1048576 bytes but was '7'",
        "--keys 0                         | '--keys': expected 1..10000000 keys but was '0'",
        "--keys 4 --threads 5             | '--threads': expected at most --keys threads",
        "--threads 257                    | '--threads': expected 1..256 threads",
        "--in-flight 0                    | '--in-flight': expected 1..1024 puts per thread",
        "--nodes 17                       | '--nodes': expected 1..16 members",
        "--ops 10 --duration 1s           | '--duration': expected no --duration together with --ops",
        "--duration 0                     | '--duration': expected a time above 0",
        "--rate 0                         | '--rate': expected above 0",
        "--timeout-ms 0                   | '--timeout-ms': expected 1..60000 ms",
        "--consistency most               | --consistency",
    })
    void badOptionsAreRefusedWithExitCode2NamingTheOption(final String args, final String message)
    {
        final int exitCode = execute(args.trim().split("\\s+"));

        assertThat(exitCode).as(err.toString()).isEqualTo(2);
        assertThat(err.toString().lines().findFirst().orElseThrow()).contains(message);
        assertThat(err.toString()).doesNotContain("starting");
    }

    @Test
    void outMustBeADirectory() throws IOException
    {
        final Path file = Files.writeString(tempDir.resolve("file"), "x");

        final int exitCode = execute("--out", file.toString());

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString()).contains("'--out': expected a writable directory");
    }

    @Test
    void everyTargetRunsAFewHundredPutsCountsThemAllAndConverges() throws IOException
    {
        final Path outDir = tempDir.resolve("out");

        final int exitCode = execute("--ops", "300", "--warmup-ops", "30", "--keys", "200", "--threads", "2",
            "--in-flight", "2", "--timeout-ms", "60000", "--converge-timeout", "120s", "--out", outDir.toString());

        assertThat(exitCode).as(out + "\n" + err).isZero();
        assertThat(command.results).extracting(CompareResult::target).containsExactly("datacake-java-quorum",
            "hazelcast-replicatedmap", "pekko-ddata-write-local", "pekko-ddata-write-all");
        for (final CompareResult result : command.results)
        {
            assertThat(result.succeeded()).as(result.target()).isEqualTo(300);
            assertThat(result.latency().getTotalCount()).as(result.target()).isEqualTo(300);
            assertThat(result.failed()).as(result.target()).isZero();
            assertThat(result.stillInFlight()).as(result.target()).isZero();
            assertThat(result.converged()).as(result.target()).isTrue();
            assertThat(result.staleKeys()).as(result.target()).isZero();
            assertThat(result.keysWritten()).as(result.target()).isBetween(1L, 200L);
            assertThat(result.members()).as(result.target()).isEqualTo(3);
        }
        final String table = Files.readString(outDir.resolve("compare.md"));
        assertThat(out.toString()).startsWith(table);
        assertThat(table).contains("| target | puts ok |").contains("| hazelcast-replicatedmap | 300 | 0 |")
            .contains("throughput vs datacake-java-quorum").contains("1.00x");
        assertThat(Files.readString(outDir.resolve("compare.json")))
            .contains("\"target\": \"pekko-ddata-write-all\"").contains("\"putsSucceeded\": 300")
            .contains("\"--keys\": \"200\"").doesNotContain("\"converged\": false");
    }

    @Test
    void aSingleTargetCanRunAloneAndIsItsOwnReference()
    {
        final int exitCode = execute("--targets", "datacake", "--nodes", "2", "--consistency", "all", "--ops", "50",
            "--warmup-ops", "0", "--keys", "20", "--timeout-ms", "60000", "--converge-timeout", "120s");

        assertThat(exitCode).as(out + "\n" + err).isZero();
        assertThat(command.results).singleElement().satisfies((result) ->
        {
            assertThat(result.target()).isEqualTo("datacake-java-all");
            assertThat(result.members()).isEqualTo(2);
            assertThat(result.succeeded()).isEqualTo(50);
            assertThat(result.converged()).isTrue();
        });
        assertThat(out.toString()).contains("2 members per target").contains("throughput vs datacake-java-all");
    }

    private int execute(final String... args)
    {
        final CommandLine commandLine = PerfHarness.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final List<String> all = new ArrayList<>(List.of("compare"));
        all.addAll(List.of(args));
        final int exitCode = commandLine.execute(all.toArray(String[]::new));
        command = commandLine.getSubcommands().get("compare").getCommand();
        return exitCode;
    }
}
