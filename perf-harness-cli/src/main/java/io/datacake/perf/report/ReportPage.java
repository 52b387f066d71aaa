package io.datacake.perf.report;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The report page of one or several runs: a self-contained HTML document (inline CSS and SVG, no script, no font or
 * other resource from anywhere) that is also well-formed XML. Per operation it draws latency by percentile
 * (corrected solid, uncorrected dashed) and throughput over time, one colour per run, then tables of the figures:
 * runs, settings, latency, errors, convergence and memory, thresholds.
 */
final class ReportPage
{
    /** Most runs on one page: one colour each. */
    static final int MAX_RUNS = 8;

    /** One colour per run, {@link #MAX_RUNS} of them, told apart also with the common colour vision deficiencies. */
    static final String[] RUN_COLOURS = {
        "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#8c564b" };

    /** Most steps a throughput line draws; more intervals are merged into this many. */
    static final int MAX_THROUGHPUT_STEPS = 1_000;

    private static final String STYLE = """
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; }
        h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
        table { border-collapse: collapse; margin: 8px 0 16px 0; font-size: 0.9em; }
        th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
        th { background: #f3f3f3; } td.text, th.text { text-align: left; } td.run { white-space: nowrap; }
        .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: middle; }
        .fail { color: #b00020; font-weight: bold; } .pass { color: #1b7f3b; }
        .chart { display: block; margin: 8px 0; }
        .chart .plot { fill: #fff; stroke: #999; } .chart .grid { stroke: #e4e4e4; }
        .chart .tick, .chart .legend { font-size: 11px; fill: #444; } .chart .axis { font-size: 12px; fill: #222; }
        .chart .title { font-size: 13px; font-weight: bold; fill: #222; }
        .chart .series { stroke-width: 1.8; } .chart .key { stroke-width: 2.5; }
        .note { color: #555; font-size: 0.9em; }
        """;

    private ReportPage()
    {
    }

    /**
     * @param title the page's title.
     * @param runs  the runs to show, at most {@link #MAX_RUNS}, in legend order.
     * @return the page.
     * @throws IllegalArgumentException if there is no run or more than {@link #MAX_RUNS}.
     */
    static String render(final String title, final List<RunSummary> runs)
    {
        if (runs.isEmpty() || runs.size() > MAX_RUNS)
        {
            throw new IllegalArgumentException("a page shows 1.." + MAX_RUNS + " runs, not " + runs.size());
        }
        final StringBuilder out = new StringBuilder(64 * 1024);
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>")
            .append(Html.escape(title)).append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
        out.append("<h1>").append(Html.escape(title)).append("</h1>\n");
        out.append("<p class=\"note\">Latency in microseconds (recorded in nanoseconds). Corrected latency counts " +
            "from when an operation should have started, so stalls show; uncorrected counts from when it was " +
            "sent. Throughput is operations completed per second. In each run's directory, the .hgrm files hold " +
            "these percentile distributions in microseconds, the .hlog interval logs hold nanoseconds and " +
            "summary.json holds the figures of the tables.</p>\n");

        runsTable(out, runs);
        for (final String operation : operationNames(runs))
        {
            operationSection(out, operation, runs);
        }
        settingsTable(out, runs);
        errorsTable(out, runs);
        resourcesTable(out, runs);
        thresholdsTable(out, runs);
        out.append("</body>\n</html>\n");
        return out.toString();
    }

    private static void runsTable(final StringBuilder out, final List<RunSummary> runs)
    {
        out.append("<h2>Runs</h2>\n<table>\n<tr><th class=\"text\">run</th><th class=\"text\">started (UTC)</th>" +
            "<th>measured s</th><th>ops/s</th><th class=\"text\">machine</th><th class=\"text\">command line</th>" +
            "</tr>\n");
        for (int i = 0; i < runs.size(); i++)
        {
            final RunSummary run = runs.get(i);
            out.append("<tr>");
            runCell(out, runs, i);
            cell(out, Instant.ofEpochMilli(run.startEpochMs()).toString(), true);
            cell(out, Html.number((run.endEpochMs() - run.startEpochMs()) / 1000.0), false);
            cell(out, Html.number(run.throughputPerSecond()), false);
            cell(out, run.machine().cores() + " cores, " + run.machine().jdk() + ", " + run.machine().os(), true);
            cell(out, String.join(" ", run.commandLine()), true);
            out.append("</tr>\n");
        }
        out.append("</table>\n");
    }

    private static void operationSection(final StringBuilder out, final String operation, final List<RunSummary> runs)
    {
        out.append("<h2>").append(Html.escape(operation)).append("</h2>\n");
        final SvgChart latency = new SvgChart(operation + ": latency by percentile", SvgChart.Scale.PERCENTILE,
            "percentile", "latency (µs)");
        final SvgChart throughput = new SvgChart(operation + ": throughput over time", SvgChart.Scale.LINEAR,
            "seconds since the start of measurement", "operations per second");
        out.append("<table>\n<tr><th class=\"text\">run</th><th class=\"text\">series</th><th>count</th>" +
            "<th>ops/s</th><th>mean µs</th><th>p50 µs</th><th>p90 µs</th><th>p99 µs</th><th>p99.9 µs</th>" +
            "<th>max µs</th><th>errors</th></tr>\n");
        boolean recorded = false;
        for (int i = 0; i < runs.size(); i++)
        {
            final RunSummary run = runs.get(i);
            final RunSummary.OperationSummary figures = run.operations().get(operation);
            if (null == figures)
            {
                continue;
            }
            final String colour = RUN_COLOURS[i];
            latencyRow(out, runs, i, "corrected", figures.corrected(), figures);
            latencyRow(out, runs, i, "uncorrected", figures.uncorrected(), figures);
            latency.add(curve(run.label() + " corrected", colour, false, figures.correctedCurve()));
            latency.add(curve(run.label() + " uncorrected", colour, true, figures.uncorrectedCurve()));
            throughput.add(throughputSteps(run, colour, figures));
            recorded |= figures.corrected().count() + figures.uncorrected().count() > 0;
        }
        out.append("</table>\n");
        if (!recorded)
        {
            out.append("<p>No ").append(Html.escape(operation)).append(" operation was recorded.</p>\n");
            return;
        }
        latency.render(out);
        throughput.render(out);
    }

    private static void latencyRow(
        final StringBuilder out,
        final List<RunSummary> runs,
        final int runIndex,
        final String series,
        final RunSummary.LatencyStats stats,
        final RunSummary.OperationSummary figures)
    {
        out.append("<tr>");
        runCell(out, runs, runIndex);
        cell(out, series, true);
        cell(out, String.format(Locale.ROOT, "%,d", stats.count()), false);
        cell(out, Html.number(figures.throughputPerSecond()), false);
        for (final double figure :
            new double[]{ stats.meanUs(), stats.p50Us(), stats.p90Us(), stats.p99Us(), stats.p999Us(), stats.maxUs() })
        {
            cell(out, Html.number(figure), false);
        }
        cell(out, String.format(Locale.ROOT, "%,d", figures.errorCount()), false);
        out.append("</tr>\n");
    }

    private static SvgChart.Series curve(
        final String label, final String colour, final boolean dashed, final PercentileDistribution distribution)
    {
        return new SvgChart.Series(label, colour, dashed, distribution.percentiles(), distribution.valuesUs());
    }

    /**
     * Throughput as steps: each interval is a level from its start to its end, seconds from the run's start. Runs
     * with more than {@link #MAX_THROUGHPUT_STEPS} intervals have neighbours merged (their counts added up over their
     * joint span), so that a day-long run still draws a page of modest size.
     */
    private static SvgChart.Series throughputSteps(
        final RunSummary run, final String colour, final RunSummary.OperationSummary figures)
    {
        final List<RunSummary.IntervalSummary> intervals = figures.intervals();
        final int perStep = Math.max(1, (intervals.size() + MAX_THROUGHPUT_STEPS - 1) / MAX_THROUGHPUT_STEPS);
        final int steps = (intervals.size() + perStep - 1) / perStep;
        final double[] xs = new double[steps * 2];
        final double[] ys = new double[xs.length];
        for (int step = 0; step < steps; step++)
        {
            final int first = step * perStep;
            final int last = Math.min(intervals.size(), first + perStep) - 1;
            final long startMs = intervals.get(first).startEpochMs();
            final long endMs = intervals.get(last).endEpochMs();
            double perSecond = intervals.get(first).throughputPerSecond();
            if (last > first)
            {
                long count = 0;
                for (int i = first; i <= last; i++)
                {
                    count += intervals.get(i).count();
                }
                perSecond = endMs > startMs ? count * 1000.0 / (endMs - startMs) : 0;
            }
            xs[2 * step] = (startMs - run.startEpochMs()) / 1000.0;
            xs[2 * step + 1] = (endMs - run.startEpochMs()) / 1000.0;
            ys[2 * step] = perSecond;
            ys[2 * step + 1] = perSecond;
        }
        return new SvgChart.Series(run.label(), colour, false, xs, ys);
    }

    private static void settingsTable(final StringBuilder out, final List<RunSummary> runs)
    {
        final Set<String> names = new LinkedHashSet<>();
        runs.forEach((run) -> names.addAll(run.settings().keySet()));
        out.append("<h2>Settings</h2>\n");
        if (names.isEmpty())
        {
            out.append("<p>No settings recorded.</p>\n");
            return;
        }
        out.append("<table>\n<tr><th class=\"text\">setting</th>");
        for (int i = 0; i < runs.size(); i++)
        {
            out.append("<th class=\"text\">").append(swatch(i)).append(Html.escape(runs.get(i).label()))
                .append("</th>");
        }
        out.append("</tr>\n");
        for (final String name : names)
        {
            out.append("<tr>");
            cell(out, name, true);
            for (final RunSummary run : runs)
            {
                cell(out, run.settings().getOrDefault(name, "–"), true);
            }
            out.append("</tr>\n");
        }
        out.append("</table>\n");
    }

    private static void errorsTable(final StringBuilder out, final List<RunSummary> runs)
    {
        out.append("<h2>Errors</h2>\n");
        final StringBuilder rows = new StringBuilder();
        for (int i = 0; i < runs.size(); i++)
        {
            for (final Map.Entry<String, RunSummary.OperationSummary> operation : runs.get(i).operations().entrySet())
            {
                for (final Map.Entry<String, Long> error : operation.getValue().errorsByKind().entrySet())
                {
                    rows.append("<tr>");
                    runCell(rows, runs, i);
                    cell(rows, operation.getKey(), true);
                    cell(rows, error.getKey(), true);
                    cell(rows, String.format(Locale.ROOT, "%,d", error.getValue()), false);
                    rows.append("</tr>\n");
                }
            }
        }
        if (rows.length() == 0)
        {
            out.append("<p>No errors.</p>\n");
            return;
        }
        out.append("<table>\n<tr><th class=\"text\">run</th><th class=\"text\">operation</th>" +
            "<th class=\"text\">kind</th><th>count</th></tr>\n").append(rows).append("</table>\n");
    }

    private static void resourcesTable(final StringBuilder out, final List<RunSummary> runs)
    {
        out.append("<h2>Convergence and memory</h2>\n<table>\n<tr><th class=\"text\">run</th>" +
            "<th>convergence ms</th><th>heap used</th><th>direct / off-heap</th><th>Aeron files</th></tr>\n");
        for (int i = 0; i < runs.size(); i++)
        {
            final RunSummary run = runs.get(i);
            out.append("<tr>");
            runCell(out, runs, i);
            cell(out, run.convergenceMs().isPresent() ?
                String.format(Locale.ROOT, "%,d", run.convergenceMs().getAsLong()) : "not measured", false);
            cell(out, Html.mebibytes(run.memory().heapUsedBytes()), false);
            cell(out, Html.mebibytes(run.memory().directBytes()), false);
            cell(out, Html.mebibytes(run.memory().aeronFilesBytes()), false);
            out.append("</tr>\n");
        }
        out.append("</table>\n");
    }

    private static void thresholdsTable(final StringBuilder out, final List<RunSummary> runs)
    {
        out.append("<h2>Thresholds</h2>\n");
        final StringBuilder rows = new StringBuilder();
        for (int i = 0; i < runs.size(); i++)
        {
            for (final RunData.Threshold threshold : runs.get(i).thresholds())
            {
                rows.append("<tr>");
                runCell(rows, runs, i);
                cell(rows, threshold.expression(), true);
                cell(rows, Html.number(threshold.actual()), false);
                rows.append(threshold.pass() ? "<td class=\"pass\">pass</td>" : "<td class=\"fail\">FAIL</td>")
                    .append("</tr>\n");
            }
        }
        if (rows.length() == 0)
        {
            out.append("<p>No thresholds checked.</p>\n");
            return;
        }
        out.append("<table>\n<tr><th class=\"text\">run</th><th class=\"text\">threshold</th><th>actual</th>" +
            "<th>result</th></tr>\n").append(rows).append("</table>\n");
    }

    private static Set<String> operationNames(final List<RunSummary> runs)
    {
        final Set<String> names = new LinkedHashSet<>();
        runs.forEach((run) -> names.addAll(run.operations().keySet()));
        return names;
    }

    private static void runCell(final StringBuilder out, final List<RunSummary> runs, final int index)
    {
        out.append("<td class=\"text run\">").append(swatch(index)).append(Html.escape(runs.get(index).label()))
            .append("</td>");
    }

    private static String swatch(final int index)
    {
        return "<span class=\"swatch\" style=\"background:" + RUN_COLOURS[index] + "\"></span>";
    }

    private static void cell(final StringBuilder out, final String text, final boolean isText)
    {
        out.append(isText ? "<td class=\"text\">" : "<td>").append(Html.escape(text)).append("</td>");
    }
}
