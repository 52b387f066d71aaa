package io.datacake.perf.report;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a run's data to a directory: one HdrHistogram interval log per operation and series
 * ({@code put-corrected.hlog}, ...), readable by HdrHistogram's own tools.
 */
public final class RunReportWriter
{
    private RunReportWriter()
    {
    }

    /**
     * Write the run's files, replacing files of the same names.
     *
     * @param outDir an existing directory.
     * @param data   the run.
     * @throws IOException if a file cannot be written.
     */
    public static void write(final Path outDir, final RunData data) throws IOException
    {
        for (final Map.Entry<String, RunData.OperationData> entry : data.operations().entrySet())
        {
            writeLog(outDir.resolve(entry.getKey() + "-corrected.hlog"), data, entry.getValue(), true);
            writeLog(outDir.resolve(entry.getKey() + "-uncorrected.hlog"), data, entry.getValue(), false);
        }
    }

    private static void writeLog(
        final Path file, final RunData data, final RunData.OperationData operation, final boolean corrected)
        throws IOException
    {
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, "UTF-8"))
        {
            final HistogramLogWriter writer = new HistogramLogWriter(out);
            writer.outputLogFormatVersion();
            writer.outputStartTime(data.metadata().startEpochMs());
            writer.setBaseTime(data.metadata().startEpochMs());
            writer.outputLegend();
            for (final RunData.IntervalHistograms interval : operation.intervals())
            {
                final Histogram histogram = corrected ? interval.corrected() : interval.uncorrected();
                writer.outputIntervalHistogram(histogram);
            }
        }
    }
}
