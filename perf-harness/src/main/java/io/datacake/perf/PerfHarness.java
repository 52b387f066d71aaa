package io.datacake.perf;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code perf-harness} command line. {@code run} starts an embedded cluster, drives a write workload through it
 * and reports latency; later commands (a real node process with an HTTP API, side-by-side comparisons) join here.
 */
@Command(
    name = "perf-harness",
    mixinStandardHelpOptions = true,
    version = "datacake-java perf-harness 0.1.0",
    description = "Run datacake-java clusters and workloads, and report latency.",
    subcommands = { RunCommand.class })
public final class PerfHarness implements Runnable
{
    /**
     * Print usage when no subcommand is given.
     */
    public void run()
    {
        CommandLine.usage(this, System.out);
    }

    /**
     * Entry point.
     *
     * @param args command line arguments.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new PerfHarness()).execute(args));
    }
}
