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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line as users meet it: help, one-line option errors with exit code 2, checks before the run.
 */
class CommandLineTest
{
    @TempDir
    Path tempDir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "--nodes       | 0          | 1..16 nodes",
        "--nodes       | 17         | 1..16 nodes",
        "--nodes       | x          | 1..16 nodes",
        "--concurrency | 0          | 1..4096 writes in flight",
        "--concurrency | 4097       | 1..4096 writes in flight",
        "--value-bytes | -1         | 0..16777216 bytes",
        "--value-bytes | 16777217   | 0..16777216 bytes",
        "--keys        | 0          | 1..50331648 keys",
        "--keys        | 50331649   | 1..50331648 keys",
        "--timeout-ms  | 0          | 1..60000 ms",
        "--timeout-ms  | 60001      | 1..60000 ms",
        "--warmup-s    | -1         | 0..86400 seconds",
        "--warmup-s    | NaN        | 0..86400 seconds",
        "--duration-s  | 0          | above 0 up to 86400 seconds",
        "--duration-s  | Infinity   | above 0 up to 86400 seconds",
        "--duration-s  | 1x         | above 0 up to 86400 seconds",
        "--transport   | PIGEON     | AERON_IPC, AERON_UDP, IN_PROCESS",
        "--seed        | 1.5        | any 64-bit integer" })
    void badValueGivesOneLineNamingTheOptionAndWhatItAcceptsThenUsageAndExitCodeTwo(
        final String option, final String value, final String accepts)
    {
        final int exitCode = execute("run", option, value);

        assertThat(exitCode).isEqualTo(2);
        final String[] lines = err.toString().split("\\R");
        assertThat(lines[0])
            .contains("'" + option + "'")
            .contains(accepts)
            .contains(value);
        assertThat(lines[1]).startsWith("Usage: perf-harness run");
        assertThat(err.toString()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void unknownOptionIsNamedOnTheFirstLine()
    {
        assertThat(execute("run", "--bogus")).isEqualTo(2);
        assertThat(err.toString().split("\\R")[0]).isEqualTo("Unknown option: '--bogus'");
    }

    @Test
    void helpListsEveryOptionWithItsUnitAndDefault()
    {
        assertThat(execute("run", "--help")).isZero();
        final String help = out.toString();
        final CommandLine.Model.CommandSpec run =
            PerfHarness.commandLine().getSubcommands().get("run").getCommandSpec();
        for (final CommandLine.Model.OptionSpec option : run.options())
        {
            assertThat(help).contains(option.longestName());
            if (!option.usageHelp() && !option.versionHelp())
            {
                assertThat(option.description()[0]).as(option.longestName()).contains("(default: ");
            }
        }
        assertThat(help)
            .contains("--nodes=<count>", "(default: 3)")
            .contains("--warmup-s=<seconds>", "(default: 3)")
            .contains("--duration-s=<seconds>", "(default: 10)")
            .contains("--concurrency=<writes>", "(default: 16)")
            .contains("--value-bytes=<bytes>", "(default: 64)")
            .contains("--timeout-ms=<ms>", "(default: 2000)")
            .contains("Exit codes:");
    }

    @Test
    void toolHelpListsTheRunCommand()
    {
        assertThat(execute("--help")).isZero();
        assertThat(out.toString()).contains("Usage: perf-harness").contains("run ");
    }

    @Test
    void writeBuffersOverAQuarterOfTheHeapAreRefusedBeforeTheRun()
    {
        final long heapBytes = Runtime.getRuntime().maxMemory();
        final long valueBytes = Math.min(Replica.MAX_VALUE_BYTES, heapBytes / RunCommand.MAX_CONCURRENCY);
        final int exitCode = execute("run", "--concurrency", String.valueOf(RunCommand.MAX_CONCURRENCY),
            "--value-bytes", String.valueOf(valueBytes));

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString().split("\\R")[0]).contains("'--value-bytes'").contains("--concurrency")
            .contains("heap");
    }

    @Test
    void aeronLogBuffersThatDoNotFitTheDiskAreRefusedNamingTheNodesOption()
    {
        final long neededBytes = EmbeddedCluster.estimatedDirectoryBytes(16, TransportKind.AERON_IPC);

        assertThat(neededBytes).isGreaterThan(16L * 15 * 12 * 1024 * 1024);
        assertThat(RunCommand.diskShortfall(16, TransportKind.AERON_IPC, tempDir, neededBytes)).isNull();
        assertThat(RunCommand.diskShortfall(16, TransportKind.AERON_IPC, tempDir, neededBytes - 1))
            .startsWith("Invalid value for option '--nodes': 16 nodes on AERON_IPC need about")
            .contains(tempDir.toString()).contains("--work-dir");
        assertThat(RunCommand.diskShortfall(16, TransportKind.IN_PROCESS, tempDir, 0)).isNull();
    }

    @Test
    void outputInAMissingDirectoryIsRefusedBeforeTheRun()
    {
        final Path report = tempDir.resolve("missing").resolve("report.md");

        assertThat(execute("run", "--output", report.toString())).isEqualTo(2);
        assertThat(err.toString().split("\\R")[0]).contains("'--output'").contains("existing directory");
        assertThat(err.toString()).doesNotContain("connected");
        assertThat(report.getParent()).doesNotExist();
    }

    @Test
    void outputThatIsADirectoryIsRefusedBeforeTheRun()
    {
        assertThat(execute("run", "--output", tempDir.toString())).isEqualTo(2);
        assertThat(err.toString().split("\\R")[0]).contains("'--output'").contains("not a directory");
        assertThat(err.toString()).doesNotContain("connected");
    }

    @Test
    void workDirThatDoesNotExistIsRefusedBeforeTheRun()
    {
        assertThat(execute("run", "--work-dir", tempDir.resolve("nope").toString())).isEqualTo(2);
        assertThat(err.toString().split("\\R")[0]).contains("'--work-dir'").contains("existing directory");
    }

    @Test
    void oneWriteInFlightWorks() throws IOException
    {
        final Path report = tempDir.resolve("report.md");
        final int exitCode = execute("run", "--transport", "IN_PROCESS", "--concurrency", "1", "--warmup-s", "0",
            "--duration-s", "0.2", "--keys", "100", "--timeout-ms", "60000", "--work-dir", tempDir.toString(),
            "--output", report.toString());

        assertThat(exitCode).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("1 writes in flight").contains("replicas converged: yes");
        assertThat(Files.readString(report)).contains("1 writes in flight");
        try (var files = Files.list(tempDir))
        {
            assertThat(files).containsExactly(report);
        }
    }

    @Test
    void aFailureIsDescribedOnOneLineWithItsCauses()
    {
        final Exception failure = new IllegalStateException("node 1 cannot reach node 2 within 30 s",
            new java.util.concurrent.ExecutionException(new RuntimeException("peer unreachable")));

        assertThat(PerfHarness.describe(failure))
            .isEqualTo("node 1 cannot reach node 2 within 30 s: java.lang.RuntimeException: peer unreachable")
            .doesNotContain("\n");
    }

    @Test
    void aRunThatThrowsSaysWhyOnItsLastLineAndExitsWithOne()
    {
        final CommandLine commandLine = PerfHarness.commandLine();
        commandLine.addSubcommand("explode", new Failing());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));

        assertThat(commandLine.execute("explode")).isEqualTo(1);
        final String[] lines = err.toString().split("\\R");
        assertThat(lines[lines.length - 1]).isEqualTo("explode failed: the cluster did not start: no space left");
        assertThat(err.toString()).doesNotContain("\tat ");
    }

    @CommandLine.Command(name = "explode")
    static final class Failing implements java.util.concurrent.Callable<Integer>
    {
        public Integer call()
        {
            throw new IllegalStateException("the cluster did not start", new IOException("no space left"));
        }
    }

    private int execute(final String... args)
    {
        final CommandLine commandLine = PerfHarness.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
