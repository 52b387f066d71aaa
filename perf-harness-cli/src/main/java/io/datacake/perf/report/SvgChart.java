package io.datacake.perf.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as an inline SVG element: a title, two labelled axes with ticks and grid lines, one polyline per
 * series and a legend under the plot, so that lines never hide behind it. The y axis is linear from zero; the x axis
 * is linear or, for latency by percentile, logarithmic in {@code 1/(1-percentile)} as HdrHistogram's plots are, with
 * ticks at 0%, 90%, 99%, 99.9%, 99.99% and 99.999%.
 */
final class SvgChart
{
    /** How the x values are placed. */
    enum Scale
    {
        /** x values are drawn as they are. */
        LINEAR,
        /** x values are percentiles, 0..100, drawn at {@code log10(1/(1-p))}; above 99.999 they sit at the edge. */
        PERCENTILE
    }

    /** The highest percentile on a percentile axis: 99.999% is five nines. */
    static final int PERCENTILE_NINES = 5;

    /** Most series on one chart: one colour each, and the legend stays readable. */
    static final int MAX_SERIES = 32;

    private static final int WIDTH = 760;
    private static final int PLOT_HEIGHT = 260;
    private static final int LEFT = 80;
    private static final int RIGHT = 24;
    private static final int TOP = 34;
    private static final int AXIS_LABELS = 48;
    private static final int LEGEND_ROW = 18;
    private static final int TARGET_TICKS = 5;

    /**
     * One line.
     *
     * @param label  its name in the legend.
     * @param colour its stroke colour, a CSS colour.
     * @param dashed true to draw it dashed.
     * @param xs     x values, ascending.
     * @param ys     y values, as many as xs.
     */
    record Series(String label, String colour, boolean dashed, double[] xs, double[] ys)
    {
        Series
        {
            if (xs.length != ys.length)
            {
                throw new IllegalArgumentException(
                    label + ": " + xs.length + " x values but " + ys.length + " y values");
            }
        }
    }

    private final String title;
    private final Scale scale;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();

    SvgChart(final String title, final Scale scale, final String xLabel, final String yLabel)
    {
        this.title = title;
        this.scale = scale;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /**
     * @param line a series to draw.
     * @return this chart.
     * @throws IllegalStateException if the chart already has {@link #MAX_SERIES} series.
     */
    SvgChart add(final Series line)
    {
        if (series.size() == MAX_SERIES)
        {
            throw new IllegalStateException("a chart draws at most " + MAX_SERIES + " series");
        }
        series.add(line);
        return this;
    }

    /**
     * Append the chart's {@code <svg>} element.
     *
     * @param out where the markup goes.
     */
    void render(final StringBuilder out)
    {
        final double[] xRange = xRange();
        final double xMin = scale == Scale.PERCENTILE ? 0 : xRange[0];
        final double xMax = scale == Scale.PERCENTILE ? PERCENTILE_NINES : Math.max(xRange[1], xMin + 1);
        final double yStep = niceStep(maxY() / TARGET_TICKS);
        final double yMax = Math.max(yStep, Math.ceil(maxY() / yStep) * yStep);
        final int plotWidth = WIDTH - LEFT - RIGHT;
        final int height = TOP + PLOT_HEIGHT + AXIS_LABELS + LEGEND_ROW * series.size() + 8;
        final Frame frame = new Frame(xMin, xMax, yMax, plotWidth);

        out.append(String.format(Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"%d\" height=\"%d\" " +
            "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">%n",
            WIDTH, height, WIDTH, height, Html.escape(title)));
        out.append(String.format(Locale.ROOT, "<text class=\"title\" x=\"%d\" y=\"20\">%s</text>%n",
            LEFT, Html.escape(title)));
        out.append(String.format(Locale.ROOT,
            "<rect class=\"plot\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>%n",
            LEFT, TOP, plotWidth, PLOT_HEIGHT));

        for (double y = 0; y <= yMax + yStep / 2; y += yStep)
        {
            final double py = frame.y(y);
            out.append(String.format(Locale.ROOT,
                "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>" +
                "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                LEFT, py, LEFT + plotWidth, py, LEFT - 6, py + 4, Html.number(y)));
        }
        if (scale == Scale.PERCENTILE)
        {
            for (int nines = 0; nines <= PERCENTILE_NINES; nines++)
            {
                xTick(out, frame, nines, percentileLabel(nines));
            }
        }
        else
        {
            final double xStep = niceStep((xMax - xMin) / TARGET_TICKS);
            for (double x = Math.ceil(xMin / xStep) * xStep; x <= xMax + xStep / 1000; x += xStep)
            {
                xTick(out, frame, x, Html.number(x));
            }
        }
        out.append(String.format(Locale.ROOT,
            "<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
            LEFT + plotWidth / 2, TOP + PLOT_HEIGHT + 38, Html.escape(xLabel)));
        out.append(String.format(Locale.ROOT,
            "<text class=\"axis\" transform=\"translate(16,%d) rotate(-90)\" text-anchor=\"middle\">%s</text>%n",
            TOP + PLOT_HEIGHT / 2, Html.escape(yLabel)));

        for (int i = 0; i < series.size(); i++)
        {
            final Series line = series.get(i);
            out.append("<polyline class=\"series\" fill=\"none\" stroke=\"").append(Html.escape(line.colour()))
                .append('"');
            if (line.dashed())
            {
                out.append(" stroke-dasharray=\"6 4\"");
            }
            out.append(" points=\"");
            for (int p = 0; p < line.xs().length; p++)
            {
                out.append(String.format(Locale.ROOT, "%s%.1f,%.1f",
                    p == 0 ? "" : " ", frame.x(place(line.xs()[p])), frame.y(line.ys()[p])));
            }
            out.append("\"/>\n");

            final int ly = TOP + PLOT_HEIGHT + AXIS_LABELS + LEGEND_ROW * i + 4;
            out.append(String.format(Locale.ROOT,
                "<line class=\"key\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"%s/>" +
                "<text class=\"legend\" x=\"%d\" y=\"%d\">%s</text>%n",
                LEFT, ly, LEFT + 28, ly, Html.escape(line.colour()), line.dashed() ? " stroke-dasharray=\"6 4\"" : "",
                LEFT + 36, ly + 4, Html.escape(line.label())));
        }
        out.append("</svg>\n");
    }

    /**
     * @param nines 0 for 0%, 1 for 90%, 2 for 99% ...
     * @return the percentile's label.
     */
    static String percentileLabel(final int nines)
    {
        if (nines == 0)
        {
            return "0%";
        }
        if (nines == 1)
        {
            return "90%";
        }
        return nines == 2 ? "99%" : "99." + "9".repeat(nines - 2) + "%";
    }

    /**
     * @param rough a step that would give the wanted number of ticks.
     * @return the next step at or above it of 1, 2 or 5 times a power of ten.
     */
    static double niceStep(final double rough)
    {
        if (!(rough > 0) || !Double.isFinite(rough))
        {
            return 1;
        }
        final double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        final double fraction = rough / magnitude;
        final double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    private void xTick(final StringBuilder out, final Frame frame, final double x, final String label)
    {
        final double px = frame.x(x);
        out.append(String.format(Locale.ROOT,
            "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>" +
            "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
            px, TOP, px, TOP + PLOT_HEIGHT, px, TOP + PLOT_HEIGHT + 16, Html.escape(label)));
    }

    /**
     * Where an x value sits on the axis: itself, or for a percentile the number of nines it has.
     */
    private double place(final double x)
    {
        if (scale == Scale.LINEAR)
        {
            return x;
        }
        final double remaining = Math.max(100.0 - Math.min(x, 100.0), 100.0 * Math.pow(10, -PERCENTILE_NINES));
        return Math.min(PERCENTILE_NINES, Math.log10(100.0 / remaining));
    }

    /**
     * @return the smallest and largest x of all series, {0, 0} when there is none.
     */
    private double[] xRange()
    {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (final Series line : series)
        {
            for (final double x : line.xs())
            {
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
        }
        return Double.isFinite(min) ? new double[]{ min, max } : new double[]{ 0, 0 };
    }

    private double maxY()
    {
        double max = 0;
        for (final Series line : series)
        {
            for (final double y : line.ys())
            {
                if (Double.isFinite(y))
                {
                    max = Math.max(max, y);
                }
            }
        }
        return max;
    }

    /**
     * Maps data to pixels inside the plot area.
     */
    private record Frame(double xMin, double xMax, double yMax, int plotWidth)
    {
        double x(final double value)
        {
            return LEFT + (value - xMin) / (xMax - xMin) * plotWidth;
        }

        double y(final double value)
        {
            final double clamped = Double.isFinite(value) ? Math.max(0, Math.min(value, yMax)) : 0;
            return TOP + PLOT_HEIGHT - clamped / yMax * PLOT_HEIGHT;
        }
    }
}
