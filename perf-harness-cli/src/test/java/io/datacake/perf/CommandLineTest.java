package io.datacake.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
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
        "--nodes            | 0              | 1..16 nodes",
        "--nodes            | 17             | 1..16 nodes",
        "--nodes            | x              | 1..16 nodes",
        "--transport        | pigeon         | ipc",
        "--storage          | floppy         | memory",
        "--security         | on             | off",
        "--keyspaces        | 0              | 1..1024 keyspaces",
        "--keyspaces        | 1025           | 1..1024 keyspaces",
        "--keys             | 0              | 1..268435456 keys",
        "--keys             | 268435457      | 1..268435456 keys",
        "--value-size       | -1             | 0..1048576 bytes",
        "--value-size       | 1048577        | 0..1048576 bytes",
        "--ops              | 0              | 1..",
        "--ops              | many           | Operations to measure",
        "--duration         | 0              | a time above 0",
        "--duration         | 1x             | is not a time",
        "--warmup           | soon           | is not a time",
        "--warmup-ops       | -1             | 0..",
        "--mix              | put=x          | the weight of put",
        "--mix              | write=5        | is not an operation",
        "--mix              | put=0          | the weights add up to 0",
        "--mix              | put=1,put=2    | put is given twice",
        "--consistency      | some           | quorum",
        "--threads          | 0              | 1..256 threads",
        "--threads          | 257            | 1..256 threads",
        "--in-flight        | 0              | 1..4096 operations per thread",
        "--in-flight        | 4097           | 1..4096 operations per thread",
        "--rate             | 0              | above 0 up to 10000000 ops/s",
        "--rate             | -5             | above 0 up to 10000000 ops/s",
        "--rate             | fast           | Operations per second",
        "--timeout-ms       | 0              | 1..60000 ms",
        "--timeout-ms       | 60001          | 1..60000 ms",
        "--repair-interval  | 0              | at least 1ms",
        "--interval         | 50ms           | at least 100ms",
        "--threshold        | put.p99        | is not <operation>.<statistic>",
        "--threshold        | write.p99<2ms  | is not put, get, delete or all",
        "--threshold        | put.p42<2ms    | is not p50, p90, p99, p999, max or throughput",
        "--threshold        | put.p99<2kg    | latency is in us, ms or s",
        "--threshold        | all.throughput>5ms | throughput is in ops/s",
        "--seed             | 1.5            | any 64-bit integer" })
    void badValueGivesOneLineNamingTheOptionThenUsageAndExitCodeTwo(
        final String option, final String value, final String accepts)
    {
        final int exitCode = execute("run", option, value);

        assertThat(exitCode).as(err.toString()).isEqualTo(2);
        final String[] lines = err.toString().split("\\R");
        assertThat(lines[0])
            .contains("'" + option + "'")
            .contains(accepts)
            .contains(value);
        assertThat(lines[1]).startsWith("Usage: perf-harness run");
        assertThat(err.toString()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("connected");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void moreOperationsInFlightThanTheCommandQueuesHoldAreRefusedNamingBothOptions()
    {
        assertThat(execute("run", "--threads", "8", "--in-flight", "1024")).isEqualTo(2);
        assertThat(err.toString().split("\\R")[0]).contains("'--in-flight'").contains("--threads").contains("4,096");
    }

    @Test
    void opsAndDurationTogetherAreRefused()
    {
        assertThat(execute("run", "--ops", "10", "--duration", "5s")).isEqualTo(2);
        assertThat(err.toString().split("\\R")[0]).contains("'--duration'").contains("--ops");
    }

    @Test
    void unknownOptionIsNamedOnTheFirstLine()
    {
        assertThat(execute("run", "--bogus")).isEqualTo(2);
        assertThat(err.toString().split("\\R")[0]).isEqualTo("Unknown option: '--bogus'");
    }

    @Test
    void helpListsEveryOptionWithItsDefaultAndTheExitCodes()
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
                assertThat(String.join(" ", option.description())).as(option.longestName()).contains("(default: ");
            }
        }
        assertThat(help)
            .contains("--nodes=<count>", "(default: 3)")
            .contains("--transport=<kind>", "ipc, udp")
            .contains("--storage=<kind>", "memory, lmdb, sqlite")
            .contains("--security=<mode>", "off, authenticate, encrypt", "(default: off)")
            .contains("--consistency=<level>", "none, one, two, three, quorum, local_quorum, each_quorum, all")
            .contains("--warmup=<time>", "(default: 3s)")
            .contains("--duration=<time>", "(default: 10s)")
            .contains("--value-size=<bytes>", "(default: 128)")
            .contains("Exit codes:")
            .contains("3   a --threshold did not hold");
    }

    @Test
    void toolHelpListsTheRunCommand()
    {
        assertThat(execute("--help")).isZero();
        assertThat(out.toString()).contains("Usage: perf-harness").contains("run ");
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
    }

    @Test
    void outDirectoryWhoseParentIsMissingIsRefusedBeforeTheRun()
    {
        assertThat(execute("run", "--out", tempDir.resolve("a").resolve("b").toString())).isEqualTo(2);
        assertThat(err.toString().split("\\R")[0]).contains("'--out'");
        assertThat(tempDir.resolve("a")).doesNotExist();
    }

    @Test
    void dataDirThatDoesNotExistIsRefusedBeforeTheRun()
    {
        assertThat(execute("run", "--data-dir", tempDir.resolve("nope").toString())).isEqualTo(2);
        assertThat(err.toString().split("\\R")[0]).contains("'--data-dir'").contains("existing directory");
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
