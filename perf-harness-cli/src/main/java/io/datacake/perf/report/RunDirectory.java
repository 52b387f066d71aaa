package io.datacake.perf.report;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a run back from the directory {@link RunReportWriter} wrote: the figures from {@code summary.json}, each
 * operation's percentile curves from its {@code .hgrm} files or, where one is missing, from its {@code .hlog}
 * interval log with the intervals added up.
 */
final class RunDirectory
{
    /** Largest file read: a summary or distribution is kilobytes; this stops a wrong path from filling the heap. */
    static final long MAX_FILE_BYTES = 64L << 20;

    /** Most intervals read from one interval log: a day of one-second intervals, with room to spare. */
    static final int MAX_INTERVALS = 1_000_000;

    /**
     * A directory that is missing, is not a run's, or holds a file that cannot be read or parsed. The message names
     * the path and what is wrong with it.
     */
    static final class BadRunDirectoryException extends Exception
    {
        private static final long serialVersionUID = 1L;

        BadRunDirectoryException(final String message, final Throwable cause)
        {
            super(message, cause);
        }
    }

    private RunDirectory()
    {
    }

    /**
     * @param dir   a run's directory.
     * @param label the run's name on a page.
     * @return the run.
     * @throws BadRunDirectoryException naming the path, if the directory is missing or not a run's, or a file in it
     *                                  cannot be read or parsed.
     */
    static RunSummary read(final Path dir, final String label) throws BadRunDirectoryException
    {
        if (!Files.exists(dir))
        {
            throw new BadRunDirectoryException(dir + ": no such directory", null);
        }
        if (!Files.isDirectory(dir))
        {
            throw new BadRunDirectoryException(dir + ": not a directory", null);
        }
        final Path summary = dir.resolve(RunReportWriter.SUMMARY_FILE);
        if (!Files.isRegularFile(summary))
        {
            throw new BadRunDirectoryException(dir + ": not a run directory, it has no " +
                RunReportWriter.SUMMARY_FILE + " (perf-harness run writes one with its other files)", null);
        }
        final String text = readText(summary);
        try
        {
            return SummaryJson.read(text, label, (operation, corrected) -> curve(dir, operation, corrected));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadRunDirectoryException(summary + ": " + ex.getMessage(), ex);
        }
        catch (final CurveException ex)
        {
            throw new BadRunDirectoryException(ex.getMessage(), ex.getCause());
        }
        catch (final IOException ex)
        {
            throw new BadRunDirectoryException(dir + ": " + ex, ex);
        }
    }

    private static PercentileDistribution curve(final Path dir, final String operation, final boolean corrected)
        throws CurveException
    {
        final Path hgrm = RunReportWriter.hgrmFile(dir, operation, corrected);
        final Path hlog = dir.resolve(operation + RunReportWriter.HLOG_SUFFIX);
        if (!Files.exists(hgrm) && Files.isRegularFile(hlog))
        {
            return intervalsAddedUp(hlog);
        }
        try
        {
            return PercentileDistribution.parse(readText(hgrm));
        }
        catch (final BadRunDirectoryException ex)
        {
            throw new CurveException(ex.getMessage(), ex);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CurveException(hgrm + ": not a percentile distribution: " + ex.getMessage(), ex);
        }
    }

    private static PercentileDistribution intervalsAddedUp(final Path hlog) throws CurveException
    {
        try
        {
            final HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
            try
            {
                Histogram total = null;
                int intervals = 0;
                for (EncodableHistogram h = reader.nextIntervalHistogram(); null != h;
                    h = reader.nextIntervalHistogram())
                {
                    if (++intervals > MAX_INTERVALS)
                    {
                        throw new CurveException(hlog + ": more than " + MAX_INTERVALS + " intervals", null);
                    }
                    if (!(h instanceof Histogram histogram))
                    {
                        throw new CurveException(hlog + ": holds a histogram of doubles, not of latencies", null);
                    }
                    if (null == total)
                    {
                        total = new Histogram(histogram.getNumberOfSignificantValueDigits());
                    }
                    total.add(histogram);
                }
                return PercentileDistribution.of(null == total ? new Histogram(3) : total);
            }
            finally
            {
                reader.close();
            }
        }
        catch (final FileNotFoundException ex)
        {
            throw new CurveException(hlog + ": cannot be read: " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            // HdrHistogram reports a corrupt log line or payload with unchecked exceptions.
            throw new CurveException(hlog + ": not an HdrHistogram interval log: " + ex, ex);
        }
    }

    private static String readText(final Path file) throws BadRunDirectoryException
    {
        try
        {
            if (!Files.isRegularFile(file))
            {
                throw new BadRunDirectoryException(file + ": missing (perf-harness run writes it)", null);
            }
            final long size = Files.size(file);
            if (size > MAX_FILE_BYTES)
            {
                throw new BadRunDirectoryException(file + ": " + size + " bytes, over the " + MAX_FILE_BYTES +
                    " a run's file can have", null);
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new BadRunDirectoryException(file + ": cannot be read: " + ex, ex);
        }
    }

    /**
     * Carries a curve's failure, with its message naming the file, through {@link SummaryJson.CurveSource}.
     */
    private static final class CurveException extends IOException
    {
        private static final long serialVersionUID = 1L;

        CurveException(final String message, final Throwable cause)
        {
            super(message, cause);
        }
    }
}
