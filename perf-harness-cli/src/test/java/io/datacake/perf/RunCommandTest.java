package io.datacake.perf;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The main job end to end, briefly: an embedded 3-node cluster of replicated stores, a workload of a fixed number of
 * operations, and what the report and the exit code say. Runs end on counts and conditions, never on timing; the
 * request timeout is generous so that a slow replica on a loaded machine does not fail a write.
 */
class RunCommandTest
{
    private static final String GENEROUS_TIMEOUT_MS = "60000";

    @TempDir
    Path tempDir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private RunCommand command;

    @ParameterizedTest
    @EnumSource(StorageKind.class)
    void everyMeasuredOperationIsCountedOnceWithoutErrorsAndTheReplicasConverge(final StorageKind storage)
        throws IOException
    {
        final Path output = tempDir.resolve("report.md");
        final Path dataDir = Files.createDirectory(tempDir.resolve("data"));
        final int exitCode = run("--storage", storage.toString(), "--ops", "300", "--warmup-ops", "30",
            "--mix", "put=60,get=30,delete=10", "--consistency", "all", "--keys", "200", "--threads", "2",
            "--in-flight", "4", "--data-dir", dataDir.toString(), "--output", output.toString());

        assertThat(exitCode).as(out + "\n" + err).isZero();
        final RunResult result = command.result;
        assertThat(result.succeeded(Operation.PUT) + result.succeeded(Operation.GET) +
            result.succeeded(Operation.DELETE)).isEqualTo(300);
        assertThat(result.succeeded(Operation.PUT)).isPositive();
        assertThat(result.succeeded(Operation.GET)).isPositive();
        assertThat(result.succeeded(Operation.DELETE)).isPositive();
        assertThat(result.failed()).isZero();
        assertThat(result.stillInFlight()).isZero();
        assertThat(result.convergenceMs()).isNotNegative();
        assertThat(result.entriesPerNode()).hasSize(3).allMatch((entries) -> entries > 0)
            .containsOnly(result.entriesPerNode().get(0));
        assertThat(command.report).contains("3 nodes on ipc, " + storage + " storage; consistency all")
            .contains("replicas converged: yes")
            .contains("errors: consistency 0, timeout 0, back-pressure 0, other 0");
        assertThat(Files.readString(output)).isEqualTo(command.report);
        assertThat(dataDir).isEmptyDirectory();
    }

    @ParameterizedTest
    @EnumSource(SecurityMode.class)
    void everySecurityModeRunsTheWorkloadAndSaysWhichInTheReport(final SecurityMode security)
    {
        final int exitCode = run("--security", security.toString(), "--ops", "200", "--warmup-ops", "20",
            "--keys", "100", "--consistency", "all");

        assertThat(exitCode).as(out + "\n" + err).isZero();
        assertThat(command.result.failed()).isZero();
        assertThat(command.result.convergenceMs()).isNotNegative();
        assertThat(command.report).contains("; security " + security + "; ");
    }

    @Test
    void aListOfSecurityModesRunsTheWorkloadOncePerModeAndEndsWithARowPerModeAndItsRatioToOff() throws IOException
    {
        final Path output = tempDir.resolve("security.md");
        final Path outDir = tempDir.resolve("out");
        final int exitCode = run("--security", "off,authenticate,encrypt", "--ops", "200", "--warmup-ops", "20",
            "--keys", "100", "--consistency", "all", "--mix", "put=100", "--output", output.toString(),
            "--out", outDir.toString());

        assertThat(exitCode).as(out + "\n" + err).isZero();
        for (final SecurityMode mode : SecurityMode.values())
        {
            assertThat(command.report).containsOnlyOnce("; security " + mode + "; ");
            assertThat(countIn(outDir.resolve(mode.toString()).resolve("put.hlog"))).isEqualTo(200);
        }
        final List<String> table = command.report.lines()
            .dropWhile((line) -> !line.equals("## Security modes, ratio to off"))
            .filter((line) -> line.startsWith("|"))
            .toList();
        assertThat(table).hasSize(5);
        assertThat(table.get(0)).isEqualTo(
            "| security | ops/s | ops/s ratio | put p50 µs | put p50 ratio | put p99 µs | put p99 ratio |");
        final List<String[]> rows = table.subList(2, 5).stream()
            .map((line) -> line.substring(2, line.length() - 2).split(" \\| "))
            .toList();
        assertThat(rows).extracting((cells) -> cells[0]).containsExactly("off", "authenticate", "encrypt");
        final double[] off = numbers(rows.get(0));
        for (final String[] row : rows)
        {
            final double[] values = numbers(row);
            for (int column = 0; column < values.length; column += 2)
            {
                // Each ratio is the row's figure over off's, computed before the figures were rounded for printing.
                assertThat(values[column + 1]).as(String.join(" | ", row))
                    .isCloseTo(values[column] / off[column], Offset.offset(0.011 +
                    0.02 * values[column] / off[column]));
            }
        }
        assertThat(rows.get(0)).containsExactly("off", rows.get(0)[1], "1.00", rows.get(0)[3], "1.00",
            rows.get(0)[5], "1.00");
        assertThat(Files.readString(output)).isEqualTo(command.report);
    }

    @Test
    void aSecurityModeListedTwiceIsRefusedBeforeAnythingRuns()
    {
        final int exitCode = run("--security", "authenticate,off,authenticate", "--ops", "10");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString()).contains(
            "Invalid value for option '--security': expected each mode at most once but was " +
            "'authenticate,off,authenticate'");
        assertThat(command.report).isNull();
    }

    /**
     * The figures of a comparison row after its mode: ops/s, ratio, p50, ratio, p99, ratio.
     */
    private static double[] numbers(final String[] row)
    {
        final double[] values = new double[row.length - 1];
        for (int i = 1; i < row.length; i++)
        {
            values[i - 1] = Double.parseDouble(row[i].replace(",", ""));
        }
        return values;
    }

    @Test
    void udpClusterRunsTheWorkloadAndDeletesItsAeronDirectories() throws IOException
    {
        final int exitCode = run("--transport", "udp", "--ops", "100", "--warmup", "0", "--consistency", "quorum");

        assertThat(exitCode).as(out + "\n" + err).isZero();
        assertThat(command.result.latency(null, true).getTotalCount()).isEqualTo(100);
        assertThat(command.report).contains("3 nodes on udp");
        final String connected = err.toString().lines().filter((line) -> line.contains("connected")).findFirst()
            .orElseThrow();
        final Path aeronDir = Path.of(connected.replaceAll(".*Aeron in ([^;]+);.*", "$1"));
        assertThat(aeronDir).doesNotExist();
    }

    @Test
    void aRateLimitedRunRecordsEveryOperationInBothSeriesAndCorrectedLatencyIsNeverBelowUncorrected()
    {
        final int exitCode = run("--rate", "2000", "--ops", "400", "--warmup-ops", "20", "--threads", "2",
            "--mix", "put=50,get=50");

        assertThat(exitCode).as(out + "\n" + err).isZero();
        final RunResult result = command.result;
        for (final Operation operation : List.of(Operation.PUT, Operation.GET))
        {
            final Histogram corrected = result.latency(operation, true);
            final Histogram uncorrected = result.latency(operation, false);
            assertThat(corrected.getTotalCount()).isEqualTo(uncorrected.getTotalCount()).isPositive();
            // Each operation's intended start is at or before its actual start.
            assertThat(corrected.getMean()).isGreaterThanOrEqualTo(uncorrected.getMean() * 0.999);
        }
        assertThat(result.latency(null, true).getTotalCount()).isEqualTo(400);
        assertThat(command.report).contains("| put | intended start |").contains("| put | actual start |");
    }

    @Test
    void writesAtALevelTheClusterCannotMeetAreCountedAsConsistencyErrorsAndExitWithOne()
    {
        final int exitCode = run("--consistency", "three", "--mix", "put=1", "--ops", "50");

        assertThat(exitCode).isEqualTo(1);
        assertThat(command.result.errors().get(ErrorKind.CONSISTENCY)).isEqualTo(50);
        assertThat(command.result.failed()).isEqualTo(50);
        assertThat(command.report).contains("errors: consistency 50, timeout 0, back-pressure 0, other 0");
        assertThat(out.toString()).contains("run failed: 50 operations failed");
    }

    @Test
    void thresholdsThatHoldExitWithZeroAndAreListedFirst()
    {
        final int exitCode = run("--ops", "100", "--threshold", "put.p50>=0us", "--threshold",
            "all.throughput>0ops/s");

        assertThat(exitCode).as(out + "\n" + err).isZero();
        final List<String> lines = command.report.lines().toList();
        assertThat(lines.get(2)).isEqualTo("| threshold | measured | result |");
        assertThat(lines.get(4)).startsWith("| put.p50>=0us |").endsWith("| pass |");
        assertThat(lines.get(5)).startsWith("| all.throughput>0ops/s |").endsWith("| pass |");
    }

    @Test
    void aThresholdThatDoesNotHoldExitsWithThree()
    {
        // No latency is below zero: this threshold cannot hold, whatever the machine.
        final int exitCode = run("--ops", "100", "--threshold", "put.p99<0us", "--threshold", "get.max>=0ms");

        assertThat(exitCode).isEqualTo(RunCommand.EXIT_THRESHOLD_FAILED);
        assertThat(command.report).contains("| put.p99<0us |").contains("| FAIL |").contains("| get.max>=0ms |");
        assertThat(out.toString()).contains("run failed: a threshold did not hold");
    }

    @Test
    void outDirectoryGetsTheIntervalLogOfEveryOperationTheMixIssuesAddingUpToTheMeasuredOperations()
        throws IOException
    {
        final Path outDir = tempDir.resolve("out");
        final int exitCode = run("--ops", "200", "--mix", "put=3,delete=1", "--out", outDir.toString());

        assertThat(exitCode).as(out + "\n" + err).isZero();
        try (Stream<Path> files = Files.list(outDir))
        {
            assertThat(files.map((file) -> file.getFileName().toString()))
                .contains("put.hlog", "delete.hlog").doesNotContain("get.hlog");
        }
        assertThat(countIn(outDir.resolve("put.hlog")) + countIn(outDir.resolve("delete.hlog"))).isEqualTo(200);
    }

    @Test
    void statusLinesGoToStandardErrorOnlyWithProgressWhenItIsNotATerminal()
    {
        assertThat(run("--ops", "50")).isZero();
        assertThat(err.toString().lines()).noneMatch((line) -> line.matches("\\[ *\\d+\\] ops .*"));

        err.getBuffer().setLength(0);
        assertThat(run("--ops", "50", "--progress")).isZero();
        assertThat(err.toString().lines())
            .anyMatch((line) -> line.matches("\\[ *1\\] ops [0-9,]+  ops/s .* p99 .*"));
    }

    private static long countIn(final Path log) throws IOException
    {
        final HistogramLogReader reader = new HistogramLogReader(log.toFile());
        long count = 0;
        final List<Histogram> histograms = new ArrayList<>();
        while (reader.hasNext())
        {
            histograms.add((Histogram)reader.nextIntervalHistogram());
        }
        for (final Histogram histogram : histograms)
        {
            count += histogram.getTotalCount();
        }
        return count;
    }

    private int run(final String... args)
    {
        command = new RunCommand();
        final CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--timeout-ms", GENEROUS_TIMEOUT_MS, "--converge-timeout", "120s"));
        if (!all.contains("--warmup-ops") && !all.contains("--warmup"))
        {
            all.addAll(List.of("--warmup", "0"));
        }
        return commandLine.execute(all.toArray(String[]::new));
    }
}
