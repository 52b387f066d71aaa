package io.datacake.perf.report;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The page's bounds: how many runs it shows and how many steps a long run's throughput line draws.
 */
class ReportPageTest
{
    private static final int INTERVALS = 2_500;
    private static final int PER_INTERVAL = 10;

    @Test
    void aLongRunsThroughputIsMergedIntoBoundedStepsWithTheSameRate() throws Exception
    {
        final RunSummary run = RunSummary.of("long", steadyRun());

        final Document page = RunReportWriterTest.parseXml(ReportPage.render("t", List.of(run)));

        final Element throughput = chart(page, "put: throughput over time");
        final String[] points = ((Element)throughput.getElementsByTagName("polyline").item(0))
            .getAttribute("points").split(" ");
        assertThat(points.length).isLessThanOrEqualTo(2 * ReportPage.MAX_THROUGHPUT_STEPS).isGreaterThan(2);
        final Set<String> heights = new HashSet<>();
        for (final String point : points)
        {
            heights.add(point.split(",")[1]);
        }
        assertThat(heights).as("a steady %s per second stays one level after merging", PER_INTERVAL).hasSize(1);
        final List<String> ticks = texts(throughput, "tick");
        assertThat(ticks).contains(Html.number(PER_INTERVAL), Html.number(INTERVALS));
    }

    @Test
    void aPageShowsOneToMaxRuns()
    {
        final RunSummary run = RunSummary.of("r", SampleRuns.run(1));
        final List<RunSummary> tooMany = new ArrayList<>();
        for (int i = 0; i <= ReportPage.MAX_RUNS; i++)
        {
            tooMany.add(run);
        }

        assertThatThrownBy(() -> ReportPage.render("t", List.of())).hasMessageContaining("1.." + ReportPage.MAX_RUNS);
        assertThatThrownBy(() -> ReportPage.render("t", tooMany)).hasMessageContaining("1.." + ReportPage.MAX_RUNS);
    }

    @Test
    void failedThresholdsStandOut() throws Exception
    {
        final RunData sample = SampleRuns.run(1);
        final RunData run = new RunData(sample.metadata(), sample.operations(), OptionalLong.empty(),
            RunData.Memory.UNKNOWN, List.of(new RunData.Threshold("put.p99<1us", 14_197, false)));

        final String html = ReportPage.render("t", List.of(RunSummary.of("r", run)));

        assertThat(html).contains("<td class=\"text\">put.p99&lt;1us</td><td>14,197</td><td class=\"fail\">FAIL</td>");
        assertThat(html).contains("not measured");
    }

    private static RunData steadyRun()
    {
        final long startMs = SampleRuns.START_EPOCH_MS;
        final Histogram total = new Histogram(1_000_000, 1);
        final List<RunData.Interval> intervals = new ArrayList<>();
        for (int i = 0; i < INTERVALS; i++)
        {
            final Histogram interval = new Histogram(1_000_000, 1);
            interval.recordValueWithCount(5_000, PER_INTERVAL);
            total.add(interval);
            intervals.add(new RunData.Interval(startMs + i * 1_000L, startMs + (i + 1) * 1_000L, interval));
        }
        return new RunData(
            new RunData.Metadata(List.of("run"), startMs, startMs + INTERVALS * 1_000L, Map.of(),
                RunData.Machine.current()),
            Map.of("put", new RunData.Operation(total, total, intervals, Map.of())),
            OptionalLong.empty(), RunData.Memory.UNKNOWN, List.of());
    }

    private static Element chart(final Document page, final String title)
    {
        final NodeList svgs = page.getElementsByTagName("svg");
        for (int i = 0; i < svgs.getLength(); i++)
        {
            if (title.equals(((Element)svgs.item(i)).getAttribute("aria-label")))
            {
                return (Element)svgs.item(i);
            }
        }
        throw new AssertionError("no chart titled " + title);
    }

    private static List<String> texts(final Element svg, final String cssClass)
    {
        final List<String> texts = new ArrayList<>();
        final NodeList nodes = svg.getElementsByTagName("text");
        for (int i = 0; i < nodes.getLength(); i++)
        {
            if (cssClass.equals(((Element)nodes.item(i)).getAttribute("class")))
            {
                texts.add(nodes.item(i).getTextContent());
            }
        }
        return texts;
    }
}
