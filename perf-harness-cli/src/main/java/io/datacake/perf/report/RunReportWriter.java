package io.datacake.perf.report;

import org.HdrHistogram.HistogramLogWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes what a run measured into a directory: per operation, {@code <op>.hlog}, its interval histograms as an
 * HdrHistogram interval log (nanoseconds), readable by {@code HistogramLogReader} and HdrHistogram's log tools.
 */
public final class RunReportWriter
{
    private RunReportWriter()
    {
    }

    /**
     * Write the run's files, replacing files of the same names; the directory is created if missing.
     *
     * @param outDir where the files go.
     * @param run    what the run measured.
     * @throws IOException if the directory cannot be created or a file cannot be written.
     */
    public static void write(final Path outDir, final RunData run) throws IOException
    {
        Files.createDirectories(outDir);
        for (final Map.Entry<String, RunData.Operation> entry : run.operations().entrySet())
        {
            try (PrintStream out = new PrintStream(
                Files.newOutputStream(outDir.resolve(entry.getKey() + ".hlog")), false, "UTF-8"))
            {
                final HistogramLogWriter writer = new HistogramLogWriter(out);
                writer.outputLogFormatVersion();
                writer.outputStartTime(run.metadata().startEpochMs());
                writer.setBaseTime(run.metadata().startEpochMs());
                writer.outputLegend();
                for (final RunData.Interval interval : entry.getValue().intervals())
                {
                    writer.outputIntervalHistogram(interval.histogram());
                }
            }
        }
    }
}
