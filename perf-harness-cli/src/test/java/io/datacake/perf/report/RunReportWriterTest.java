package io.datacake.perf.report;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The files a run leaves: each exists and reads back to the figures of the histograms it came from.
 */
class RunReportWriterTest
{
    private static final Pattern URL = Pattern.compile("https?://[^\"'\\s<>)]*");
    private static final String SVG_NAMESPACE = "http://www.w3.org/2000/svg";

    @TempDir
    Path tempDir;

    private final RunData run = SampleRuns.run(1);

    @Test
    void writesEveryFileForEveryOperationCreatingTheDirectory() throws IOException
    {
        final Path dir = tempDir.resolve("a/b/run-1");

        RunReportWriter.write(dir, run);

        for (final String op : List.of("put", "get", "delete"))
        {
            assertThat(dir.resolve(op + ".hgrm")).isNotEmptyFile();
            assertThat(dir.resolve(op + "-uncorrected.hgrm")).isNotEmptyFile();
            assertThat(dir.resolve(op + ".hlog")).isNotEmptyFile();
        }
        assertThat(dir.resolve("summary.json")).isNotEmptyFile();
        assertThat(dir.resolve("report.html")).isNotEmptyFile();
    }

    @Test
    void hgrmFilesHoldEachHistogramsCountAndPercentilesInMicroseconds() throws IOException
    {
        RunReportWriter.write(tempDir, run);

        for (final Map.Entry<String, RunData.Operation> entry : run.operations().entrySet())
        {
            final String op = entry.getKey();
            checkHgrm(tempDir.resolve(op + ".hgrm"), entry.getValue().corrected());
            checkHgrm(tempDir.resolve(op + "-uncorrected.hgrm"), entry.getValue().uncorrected());
        }
        // The put series were recorded with stalls filled in: the corrected file must have more values.
        assertThat(PercentileDistribution.parse(Files.readString(tempDir.resolve("put.hgrm"))).totalCount())
            .isGreaterThan(PercentileDistribution.parse(
                Files.readString(tempDir.resolve("put-uncorrected.hgrm"))).totalCount());
    }

    private static void checkHgrm(final Path file, final Histogram histogram) throws IOException
    {
        final String text = Files.readString(file);
        final Matcher total = Pattern.compile("Total count\\s*=\\s*(\\d+)").matcher(text);
        assertThat(total.find()).as("%s has a total count", file).isTrue();
        assertThat(Long.parseLong(total.group(1))).as(file.toString()).isEqualTo(histogram.getTotalCount());

        final PercentileDistribution distribution = PercentileDistribution.parse(text);
        assertThat(distribution.totalCount()).isEqualTo(histogram.getTotalCount());
        if (histogram.getTotalCount() > 0)
        {
            final int last = distribution.valuesUs().length - 1;
            assertThat(distribution.percentiles()[last]).isEqualTo(100.0);
            // HdrHistogram prints each row's value as the highest value its bucket stands for.
            assertThat(distribution.valuesUs()[last])
                .isCloseTo(histogram.highestEquivalentValue(histogram.getMaxValue()) / 1000.0, within(0.001));
            assertThat(distribution.valuesUs()[0])
                .isCloseTo(histogram.highestEquivalentValue(histogram.getMinValue()) / 1000.0, within(0.001));
        }
    }

    @Test
    void hlogReadsBackTheSameIntervalsWithTheirCountsAndTimes() throws IOException
    {
        RunReportWriter.write(tempDir, run);

        for (final String op : List.of("put", "get", "delete"))
        {
            final List<RunData.Interval> expected = run.operations().get(op).intervals();
            final List<Histogram> read = new ArrayList<>();
            final HistogramLogReader reader = new HistogramLogReader(tempDir.resolve(op + ".hlog").toFile());
            for (EncodableHistogram h = reader.nextIntervalHistogram(); null != h; h = reader.nextIntervalHistogram())
            {
                read.add((Histogram)h);
            }
            reader.close();

            assertThat(read).as(op).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++)
            {
                assertThat(read.get(i).getTotalCount()).isEqualTo(expected.get(i).histogram().getTotalCount());
                assertThat(read.get(i).getMaxValue()).isEqualTo(expected.get(i).histogram().getMaxValue());
                assertThat(read.get(i).getStartTimeStamp()).isEqualTo(expected.get(i).startEpochMs());
                assertThat(read.get(i).getEndTimeStamp()).isEqualTo(expected.get(i).endEpochMs());
            }
        }
    }

    @Test
    void summaryJsonHoldsTheHistogramsFigures() throws IOException
    {
        RunReportWriter.write(tempDir, run);
        final String text = Files.readString(tempDir.resolve("summary.json"));

        final Map<?, ?> root = (Map<?, ?>)JsonParser.parse(text);
        assertThat(root.get("latencyUnit")).isEqualTo("microseconds");
        assertThat(root.get("startEpochMs")).isEqualTo(SampleRuns.START_EPOCH_MS);
        assertThat(root.get("convergenceMs")).isEqualTo(42L);
        assertThat((Map<?, ?>)root.get("settings")).isEqualTo(run.metadata().settings());
        assertThat((List<?>)root.get("commandLine")).isEqualTo(run.metadata().commandLine());
        final Map<?, ?> memory = (Map<?, ?>)root.get("memory");
        assertThat(memory.get("heapUsedBytes")).isEqualTo(123L << 20);
        assertThat(memory.containsKey("directBytes")).isTrue();
        assertThat(memory.get("directBytes")).isNull();
        assertThat((List<?>)root.get("thresholds")).hasSize(2);

        final Map<?, ?> operations = (Map<?, ?>)root.get("operations");
        assertThat(List.copyOf(operations.keySet())).isEqualTo(List.of("put", "get", "delete"));
        for (final Map.Entry<String, RunData.Operation> entry : run.operations().entrySet())
        {
            final Map<?, ?> op = (Map<?, ?>)operations.get(entry.getKey());
            checkStats((Map<?, ?>)op.get("corrected"), entry.getValue().corrected());
            checkStats((Map<?, ?>)op.get("uncorrected"), entry.getValue().uncorrected());
            final List<?> intervals = (List<?>)op.get("intervals");
            assertThat(intervals).hasSameSizeAs(entry.getValue().intervals());
            for (int i = 0; i < intervals.size(); i++)
            {
                final Map<?, ?> interval = (Map<?, ?>)intervals.get(i);
                final Histogram h = entry.getValue().intervals().get(i).histogram();
                assertThat(interval.get("count")).isEqualTo(h.getTotalCount());
                assertThat((Double)interval.get("throughputPerSecond"))
                    .isCloseTo(h.getTotalCount() * 1000.0 / SampleRuns.INTERVAL_MS, within(1e-9));
            }
            final double seconds = SampleRuns.INTERVALS * SampleRuns.INTERVAL_MS / 1000.0;
            assertThat(((Number)op.get("throughputPerSecond")).doubleValue())
                .isCloseTo(entry.getValue().uncorrected().getTotalCount() / seconds, within(1e-9));
        }
        assertThat((Map<?, ?>)((Map<?, ?>)operations.get("put")).get("errors")).isEqualTo(Map.of("timeout", 3L));

        // Independently of the parser: the put median is written as microseconds.
        final double putP50Us = run.operations().get("put").corrected().getValueAtPercentile(50) / 1000.0;
        assertThat(text).contains("\"p50Us\": " + putP50Us);
        assertThat(text).contains("\\\"").contains("\\\\").contains("\\n").contains("\\t").contains("\\u0001")
            .contains("\\u2028");
    }

    private static void checkStats(final Map<?, ?> stats, final Histogram h)
    {
        assertThat(stats.get("count")).isEqualTo(h.getTotalCount());
        if (h.getTotalCount() == 0)
        {
            assertThat(((Number)stats.get("maxUs")).doubleValue()).isZero();
            return;
        }
        assertThat((Double)stats.get("p50Us")).isEqualTo(h.getValueAtPercentile(50) / 1000.0);
        assertThat((Double)stats.get("p90Us")).isEqualTo(h.getValueAtPercentile(90) / 1000.0);
        assertThat((Double)stats.get("p99Us")).isEqualTo(h.getValueAtPercentile(99) / 1000.0);
        assertThat((Double)stats.get("p999Us")).isEqualTo(h.getValueAtPercentile(99.9) / 1000.0);
        assertThat((Double)stats.get("maxUs")).isEqualTo(h.getMaxValue() / 1000.0);
        assertThat((Double)stats.get("meanUs")).isCloseTo(h.getMean() / 1000.0, within(1e-9));
    }

    @Test
    void summaryJsonReadsBackToTheSameFigures() throws IOException
    {
        RunReportWriter.write(tempDir, run);
        final RunSummary written = RunSummary.of("x", run);

        final RunSummary read = SummaryJson.read(Files.readString(tempDir.resolve("summary.json")), "x",
            (op, corrected) -> written.operations().get(op).correctedCurve());

        assertThat(read.settings()).isEqualTo(written.settings());
        assertThat(read.commandLine()).isEqualTo(written.commandLine());
        assertThat(read.machine()).isEqualTo(written.machine());
        assertThat(read.memory()).isEqualTo(written.memory());
        assertThat(read.thresholds()).isEqualTo(written.thresholds());
        assertThat(read.convergenceMs()).isEqualTo(written.convergenceMs());
        assertThat(read.operations().keySet()).containsExactlyElementsOf(written.operations().keySet());
        written.operations().forEach((op, figures) ->
        {
            assertThat(read.operations().get(op).corrected()).isEqualTo(figures.corrected());
            assertThat(read.operations().get(op).uncorrected()).isEqualTo(figures.uncorrected());
            assertThat(read.operations().get(op).intervals()).isEqualTo(figures.intervals());
            assertThat(read.operations().get(op).errorsByKind()).isEqualTo(figures.errorsByKind());
        });
    }

    @Test
    void reportHtmlIsWellFormedSelfContainedAndDrawsTwoPlotsPerOperation() throws Exception
    {
        RunReportWriter.write(tempDir, run);
        final String html = Files.readString(tempDir.resolve("report.html"));

        final Document page = parseXml(html);
        final NodeList svgs = page.getElementsByTagName("svg");
        // put and get each have a percentile plot and a throughput plot; delete recorded nothing and says so.
        assertThat(svgs.getLength()).isEqualTo(4);
        assertThat(html).contains("No delete operation was recorded.");
        for (int i = 0; i < svgs.getLength(); i++)
        {
            assertThat(((Element)svgs.item(i)).getAttribute("xmlns")).isEqualTo(SVG_NAMESPACE);
        }
        // Per operation: corrected and uncorrected curves, then one throughput line.
        assertThat(page.getElementsByTagName("polyline").getLength()).isEqualTo(3 * 2);
        assertThat(html).contains("99.999%").contains("percentile").contains("put: throughput over time");
        assertThat(html).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<link")
            .doesNotContainIgnoringCase("@import").doesNotContainIgnoringCase("@font-face")
            .doesNotContain("url(");
        final Matcher urls = URL.matcher(html);
        while (urls.find())
        {
            assertThat(urls.group()).as("the only URL is the SVG namespace").isEqualTo(SVG_NAMESPACE);
        }
        // The markup-looking setting is shown as text, not markup.
        assertThat(html).contains("&lt;b&gt;&amp;amp;&lt;/b&gt;");
        assertThat(page.getElementsByTagName("b").getLength()).isZero();
    }

    @Test
    void aFileWhereTheDirectoryShouldBeIsNamedInTheError() throws IOException
    {
        final Path file = Files.writeString(tempDir.resolve("taken"), "x");

        assertThatThrownBy(() -> RunReportWriter.write(file, run))
            .isInstanceOf(IOException.class)
            .hasMessageContaining(file.toString())
            .hasMessageContaining("not a directory");
    }

    @Test
    void aDirectoryUnderAFileIsNamedInTheError() throws IOException
    {
        final Path file = Files.writeString(tempDir.resolve("taken"), "x");
        final Path dir = file.resolve("run");

        assertThatThrownBy(() -> RunReportWriter.write(dir, run))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("cannot create the run's report directory " + dir);
    }

    static Document parseXml(final String text) throws Exception
    {
        final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        final DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setErrorHandler(null);
        return builder.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }
}
