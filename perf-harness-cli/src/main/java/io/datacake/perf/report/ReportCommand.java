package io.datacake.perf.report;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code perf-harness report DIR...}: one page comparing runs, to compare revisions or settings. It reads each run
 * directory's {@code summary.json} and {@code .hgrm} files (a missing {@code .hgrm} is drawn from the {@code .hlog}
 * interval log added up) and draws their percentile curves and throughput overlaid, one colour per run with a
 * legend, above tables of their figures side by side.
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
    description = {
        "Draw one self-contained HTML page comparing runs: latency percentile curves and throughput overlaid, one " +
        "colour per run, and their figures side by side.",
        "Each DIR is a directory perf-harness run wrote its report files into (summary.json, <op>.hgrm, <op>.hlog)." },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the page was written",
        "1:the page could not be written (the last line says why)",
        "2:bad option, or a DIR that is missing, not a run's or corrupt (the first line names it)" })
public final class ReportCommand implements Callable<Integer>
{
    /** Exit code for bad input: an option or a run directory. */
    static final int EXIT_BAD_INPUT = 2;

    @Parameters(arity = "1..*", paramLabel = "DIR",
        description = "Run directories, 1.." + ReportPage.MAX_RUNS + " (one colour each); each run is named on the " +
        "page by its directory's name.")
    List<Path> runDirs;

    @Option(names = "--out", paramLabel = "<file>", defaultValue = "comparison.html",
        description = "The page to write, replacing it, in an existing directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Spec
    CommandSpec spec;

    /**
     * Read every run, then write the page.
     *
     * @return 0 when the page was written, 2 when a run directory is bad (the error output names it).
     * @throws ParameterException if there are too many runs or {@code --out} cannot be a file (exit code 2).
     * @throws IOException        if the page cannot be written (exit code 1).
     */
    public Integer call() throws IOException
    {
        validate();
        final PrintWriter err = spec.commandLine().getErr();
        final List<String> labels = labels(runDirs);
        final List<RunSummary> runs = new ArrayList<>();
        for (int i = 0; i < runDirs.size(); i++)
        {
            try
            {
                runs.add(RunDirectory.read(runDirs.get(i), labels.get(i)));
            }
            catch (final RunDirectory.BadRunDirectoryException ex)
            {
                err.println("report: " + ex.getMessage().replace('\n', ' '));
                err.flush();
                return EXIT_BAD_INPUT;
            }
        }
        final String title = "perf-harness comparison: " + String.join(" vs ", labels);
        try
        {
            Files.writeString(out, ReportPage.render(title, runs), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot write " + out + ": " + ex, ex);
        }
        spec.commandLine().getOut().println("report: wrote " + out + " comparing " + runs.size() + " run" +
            (runs.size() == 1 ? "" : "s"));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * Each run's name: its directory's name, or the path as given where two directories share a name.
     */
    static List<String> labels(final List<Path> dirs)
    {
        final Set<String> seen = new HashSet<>();
        final Set<String> repeated = new HashSet<>();
        for (final Path dir : dirs)
        {
            if (!seen.add(RunReportWriter.label(dir)))
            {
                repeated.add(RunReportWriter.label(dir));
            }
        }
        final List<String> labels = new ArrayList<>();
        for (final Path dir : dirs)
        {
            final String name = RunReportWriter.label(dir);
            labels.add(repeated.contains(name) ? dir.toString() : name);
        }
        return labels;
    }

    private void validate()
    {
        if (runDirs.size() > ReportPage.MAX_RUNS)
        {
            throw new ParameterException(spec.commandLine(), "Invalid value for DIR: expected 1.." +
                ReportPage.MAX_RUNS + " run directories (one colour each) but got " + runDirs.size());
        }
        final Path file = out.toAbsolutePath();
        if (Files.isDirectory(file))
        {
            throw new ParameterException(spec.commandLine(),
                "Invalid value for option '--out': expected a file path, not a directory, but was '" + out + "'");
        }
        if (null == file.getParent() || !Files.isDirectory(file.getParent()))
        {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--out': expected a file " +
                "in an existing directory (" + file.getParent() + " does not exist) but was '" + out + "'");
        }
    }
}
