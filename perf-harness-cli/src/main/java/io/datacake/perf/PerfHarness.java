package io.datacake.perf;

import io.datacake.perf.report.ReportCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.regex.Pattern;

/**
 * The {@code perf-harness} command line. {@code run} starts an embedded cluster of replicated stores, drives a
 * workload of puts, gets and deletes through their handles and reports throughput, latency, errors, convergence and
 * memory.
 */
@Command(
    name = "perf-harness",
    mixinStandardHelpOptions = true,
    version = "datacake-java perf-harness 0.1.0",
    description = "Run datacake-java clusters and workloads, and report latency.",
    usageHelpWidth = 120,
    subcommands = { RunCommand.class, NodeCommand.class, ReportCommand.class, CompareCommand.class })
public final class PerfHarness implements Runnable
{
    private static final Pattern DEFAULT_SUFFIX = Pattern.compile("\\s*\\(default:.*$");
    private static final System.Logger LOGGER = System.getLogger(PerfHarness.class.getName());

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
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line as {@link #main} runs it: a bad option prints one line naming it, then the usage, and exits
     * with 2; a run that throws prints why on its last line and exits with 1 (the stack trace goes to the log at
     * DEBUG level).
     *
     * @return a new command line for {@code perf-harness}.
     */
    public static CommandLine commandLine()
    {
        final CommandLine commandLine = new CommandLine(new PerfHarness());
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) ->
        {
            LOGGER.log(System.Logger.Level.DEBUG, "run failed", ex);
            cmd.getErr().println(cmd.getCommandName() + " failed: " + describe(ex));
            cmd.getErr().flush();
            return cmd.getCommandSpec().exitCodeOnExecutionException();
        });
        commandLine.setParameterExceptionHandler(PerfHarness::handleParameterException);
        return commandLine;
    }

    /**
     * Print one line naming the option and what it accepts, then the usage; exit code 2. Picocli's own conversion
     * messages ("'x' is not an int") gain the option's accepted range from its description.
     */
    private static int handleParameterException(final CommandLine.ParameterException ex, final String[] args)
    {
        final CommandLine cmd = ex.getCommandLine();
        final PrintWriter err = cmd.getErr();
        String line = ex.getMessage().replace('\n', ' ');
        if (ex.getArgSpec() instanceof CommandLine.Model.OptionSpec option && !line.contains("expected") &&
            option.description().length > 0)
        {
            final String accepts = DEFAULT_SUFFIX.matcher(option.description()[0]).replaceFirst("");
            line += "; " + option.longestName() + " takes: " + accepts;
        }
        err.println(line);
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        cmd.usage(err);
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * One line for a failure: each distinct message along the cause chain, the exception's type where there is none.
     */
    static String describe(final Throwable failure)
    {
        final StringBuilder sb = new StringBuilder();
        String previous = null;
        for (Throwable t = failure; null != t; t = t.getCause() == t ? null : t.getCause())
        {
            final String message = null == t.getMessage() ? t.getClass().getSimpleName() : t.getMessage();
            if (null == previous || !previous.contains(message))
            {
                sb.append(sb.length() == 0 ? "" : ": ").append(message.replace('\n', ' '));
            }
            previous = message;
        }
        return sb.toString();
    }
}
