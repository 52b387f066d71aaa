package io.datacake.perf.report;

import org.HdrHistogram.HistogramLogWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Writes what a run measured into a directory, one file per view:
 * <ul>
 *     <li>{@code <op>.hgrm} and {@code <op>-uncorrected.hgrm}: the corrected and uncorrected latency percentile
 *     distributions as HdrHistogram prints them, values in <b>microseconds</b> (the histograms hold nanoseconds);</li>
 *     <li>{@code <op>.hlog}: the interval histograms as an HdrHistogram interval log (values in nanoseconds,
 *     timestamps in seconds from the start of measurement, which the log's base time gives), readable by
 *     {@code HistogramLogReader} and HdrHistogram's log tools;</li>
 *     <li>{@code summary.json}: settings, throughput, latency figures in microseconds, errors, convergence, memory
 *     and thresholds; {@code perf-harness report} reads it back;</li>
 *     <li>{@code report.html}: a self-contained page with a percentile plot and a throughput plot per operation
 *     and tables of the figures.</li>
 * </ul>
 * Files already there with these names are replaced; other files are left alone.
 */
public final class RunReportWriter
{
    /** The run's figures. */
    public static final String SUMMARY_FILE = "summary.json";

    /** The run's page. */
    public static final String REPORT_FILE = "report.html";

    /** Suffix of percentile distribution files. */
    static final String HGRM_SUFFIX = ".hgrm";

    /** Suffix of interval log files. */
    static final String HLOG_SUFFIX = ".hlog";

    /** What follows the operation's name in the uncorrected distribution's file name. */
    static final String UNCORRECTED = "-uncorrected";

    /** The interval log's max column is in milliseconds, as HdrHistogram's tools expect. */
    private static final double NANOS_PER_MILLI = 1_000_000.0;

    private RunReportWriter()
    {
    }

    /**
     * Write a run's files into a directory, creating it and its parents if needed.
     *
     * @param outDir where the files go.
     * @param run    what the run measured.
     * @throws IOException naming the directory or file, if the directory cannot be created or written, or a file
     *                     cannot be written.
     */
    public static void write(final Path outDir, final RunData run) throws IOException
    {
        prepare(outDir);
        for (final Map.Entry<String, RunData.Operation> entry : run.operations().entrySet())
        {
            final String name = entry.getKey();
            final RunData.Operation operation = entry.getValue();
            writeText(hgrmFile(outDir, name, true), PercentileDistribution.format(operation.corrected()));
            writeText(hgrmFile(outDir, name, false), PercentileDistribution.format(operation.uncorrected()));
            writeIntervalLog(outDir.resolve(name + HLOG_SUFFIX), name, run.metadata().startEpochMs(),
                operation.intervals());
        }
        final RunSummary summary = RunSummary.of(label(outDir), run);
        writeText(outDir.resolve(SUMMARY_FILE), SummaryJson.write(summary));
        writeText(outDir.resolve(REPORT_FILE), ReportPage.render("perf-harness run " + summary.label(), List.of(summary)));
    }

    /**
     * @param dir       a run's directory.
     * @param operation operation name.
     * @param corrected true for the corrected series.
     * @return the file of that series' percentile distribution.
     */
    static Path hgrmFile(final Path dir, final String operation, final boolean corrected)
    {
        return dir.resolve(operation + (corrected ? "" : UNCORRECTED) + HGRM_SUFFIX);
    }

    /**
     * @param dir a run's directory.
     * @return the run's name on a page: the directory's name.
     */
    static String label(final Path dir)
    {
        final Path name = dir.toAbsolutePath().normalize().getFileName();
        return null == name ? dir.toString() : name.toString();
    }

    private static void prepare(final Path outDir) throws IOException
    {
        if (Files.exists(outDir) && !Files.isDirectory(outDir))
        {
            throw new IOException("cannot write the run's report into " + outDir + ": it is a file, not a directory");
        }
        try
        {
            Files.createDirectories(outDir);
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot create the run's report directory " + outDir + ": " + ex, ex);
        }
        if (!Files.isWritable(outDir))
        {
            throw new IOException("cannot write the run's report into " + outDir + ": this user may not write there");
        }
    }

    private static void writeText(final Path file, final String text) throws IOException
    {
        try
        {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot write " + file + ": " + ex, ex);
        }
    }

    private static void writeIntervalLog(
        final Path file, final String operation, final long startEpochMs, final List<RunData.Interval> intervals)
        throws IOException
    {
        final OutputStream stream;
        try
        {
            stream = Files.newOutputStream(file);
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot write " + file + ": " + ex, ex);
        }
        try (PrintStream out = new PrintStream(stream, false, StandardCharsets.UTF_8))
        {
            final HistogramLogWriter log = new HistogramLogWriter(out);
            log.outputComment("datacake-java perf-harness: " + operation + " latency per interval, values in " +
                "nanoseconds, interval max in milliseconds, timestamps in seconds since " +
                Instant.ofEpochMilli(startEpochMs));
            log.outputLogFormatVersion();
            log.outputStartTime(startEpochMs);
            log.setBaseTime(startEpochMs);
            log.outputBaseTime(startEpochMs);
            log.outputLegend();
            for (final RunData.Interval interval : intervals)
            {
                log.outputIntervalHistogram(
                    (interval.startEpochMs() - startEpochMs) / 1000.0,
                    (interval.endEpochMs() - startEpochMs) / 1000.0,
                    interval.histogram(),
                    NANOS_PER_MILLI);
            }
            out.flush();
            // PrintStream keeps write errors to itself: ask for them.
            if (out.checkError())
            {
                throw new IOException("cannot write " + file + ": the interval log could not be written in full");
            }
        }
    }
}
