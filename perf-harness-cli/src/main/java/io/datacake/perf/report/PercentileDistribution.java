package io.datacake.perf.report;

import org.HdrHistogram.Histogram;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A latency percentile distribution as HdrHistogram prints it ({@code .hgrm}): rows of value (microseconds),
 * percentile, count at or below it and {@code 1/(1-percentile)}, then a footer with mean, max and total count.
 * The same rows are the points of the report's percentile plot, so a page drawn from a file shows what the writer
 * drew from the histogram.
 *
 * @param percentiles percentile of each row, 0..100, ascending.
 * @param valuesUs    latency at each row's percentile, microseconds.
 * @param totalCount  values in the histogram, from the footer.
 */
record PercentileDistribution(double[] percentiles, double[] valuesUs, long totalCount)
{
    /** Rows per halving of the distance to 100%, as HdrHistogram's own plots use. */
    static final int TICKS_PER_HALF_DISTANCE = 5;

    /** Histograms are recorded in nanoseconds; the files and pages show microseconds. */
    static final double NANOS_PER_MICRO = 1_000.0;

    /** Most rows read from a file: far above the ~300 a 64-bit range gives at five ticks per half distance. */
    static final int MAX_ROWS = 100_000;

    private static final String TOTAL_COUNT = "Total count";

    /**
     * @param histogram latency in nanoseconds.
     * @return its percentile distribution in microseconds, as written to {@code .hgrm} files.
     */
    static String format(final Histogram histogram)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, false, StandardCharsets.UTF_8))
        {
            histogram.outputPercentileDistribution(out, TICKS_PER_HALF_DISTANCE, NANOS_PER_MICRO);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * @param histogram latency in nanoseconds.
     * @return its distribution, the rows {@link #format} writes.
     */
    static PercentileDistribution of(final Histogram histogram)
    {
        return parse(format(histogram));
    }

    /**
     * Read the rows and total count of a {@code .hgrm} text.
     *
     * @param text the file's contents.
     * @return its distribution.
     * @throws IllegalArgumentException naming the line, if a row is not numbers, percentiles go down, there are
     *                                  more than {@link #MAX_ROWS} rows or the footer has no total count.
     */
    static PercentileDistribution parse(final String text)
    {
        double[] percentiles = new double[64];
        double[] values = new double[64];
        int rows = 0;
        long totalCount = -1;
        final String[] lines = text.split("\\R");
        for (int lineNumber = 1; lineNumber <= lines.length; lineNumber++)
        {
            final String line = lines[lineNumber - 1].trim();
            if (line.isEmpty() || line.startsWith("Value"))
            {
                continue;
            }
            if (line.startsWith("#"))
            {
                final int at = line.indexOf(TOTAL_COUNT);
                if (at >= 0)
                {
                    totalCount = parseLong(line.substring(line.indexOf('=', at) + 1).replace("]", "").trim(),
                        lineNumber);
                }
                continue;
            }
            final String[] columns = line.split("\\s+");
            if (columns.length < 3 || columns.length > 4)
            {
                throw new IllegalArgumentException("line " + lineNumber + ": expected value, percentile, " +
                    "total count and 1/(1-percentile) but was '" + line + "'");
            }
            if (rows == MAX_ROWS)
            {
                throw new IllegalArgumentException("line " + lineNumber + ": more than " + MAX_ROWS + " rows");
            }
            if (rows == percentiles.length)
            {
                percentiles = Arrays.copyOf(percentiles, rows * 2);
                values = Arrays.copyOf(values, rows * 2);
            }
            values[rows] = parseDouble(columns[0], lineNumber);
            percentiles[rows] = parseDouble(columns[1], lineNumber) * 100.0;
            if (!(percentiles[rows] >= 0 && percentiles[rows] <= 100) ||
                (rows > 0 && percentiles[rows] < percentiles[rows - 1]))
            {
                throw new IllegalArgumentException("line " + lineNumber + ": percentile " + columns[1] +
                    " is outside 0..1 or below the previous row's");
            }
            rows++;
        }
        if (totalCount < 0)
        {
            throw new IllegalArgumentException("no '#[Max = ..., " + TOTAL_COUNT + " = N]' footer line");
        }
        return new PercentileDistribution(Arrays.copyOf(percentiles, rows), Arrays.copyOf(values, rows), totalCount);
    }

    private static double parseDouble(final String text, final int lineNumber)
    {
        try
        {
            final double value = Double.parseDouble(text);
            if (Double.isFinite(value))
            {
                return value;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // Reported below with the line.
        }
        throw new IllegalArgumentException("line " + lineNumber + ": '" + text + "' is not a finite number");
    }

    private static long parseLong(final String text, final int lineNumber)
    {
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("line " + lineNumber + ": total count '" + text + "' is not an integer");
        }
    }
}
