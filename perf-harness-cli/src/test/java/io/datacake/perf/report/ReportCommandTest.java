package io.datacake.perf.report;

import io.datacake.perf.PerfHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code perf-harness report DIR...}: one page with every run overlaid, and one line naming the path for bad input.
 */
class ReportCommandTest
{
    private static final Pattern URL = Pattern.compile("https?://[^\"'\\s<>)]*");

    @TempDir
    Path tempDir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void twoRunDirectoriesDrawTwoSeriesInTwoColoursOnEveryChart() throws Exception
    {
        final Path a = write("run-a", 1);
        final Path b = write("run-b", 3);
        final Path page = tempDir.resolve("compare.html");

        assertThat(execute("report", a.toString(), b.toString(), "--out", page.toString())).isZero();

        assertThat(out.toString()).contains("wrote " + page).contains("2 runs");
        assertThat(err.toString()).isEmpty();
        final String html = Files.readString(page);
        final Document document = RunReportWriterTest.parseXml(html);
        final NodeList svgs = document.getElementsByTagName("svg");
        assertThat(svgs.getLength()).as("put and get, a percentile and a throughput plot each").isEqualTo(4);
        for (int i = 0; i < svgs.getLength(); i++)
        {
            final Element svg = (Element)svgs.item(i);
            final NodeList lines = svg.getElementsByTagName("polyline");
            final Set<String> colours = new LinkedHashSet<>();
            final List<String> legend = new ArrayList<>();
            for (int l = 0; l < lines.getLength(); l++)
            {
                colours.add(((Element)lines.item(l)).getAttribute("stroke"));
            }
            final NodeList texts = svg.getElementsByTagName("text");
            for (int t = 0; t < texts.getLength(); t++)
            {
                if ("legend".equals(((Element)texts.item(t)).getAttribute("class")))
                {
                    legend.add(texts.item(t).getTextContent());
                }
            }
            final boolean percentiles = svg.getAttribute("aria-label").endsWith("latency by percentile");
            assertThat(lines.getLength()).as("series on %s", svg.getAttribute("aria-label"))
                .isEqualTo(percentiles ? 4 : 2);
            assertThat(colours).hasSize(2);
            assertThat(legend).isEqualTo(percentiles ?
                List.of("run-a corrected", "run-a uncorrected", "run-b corrected", "run-b uncorrected") :
                List.of("run-a", "run-b"));
        }
        // The slower run's put median is three times the faster one's, in the side-by-side table.
        final double fast = SampleRuns.run(1).operations().get("put").corrected().getValueAtPercentile(50) / 1000.0;
        final double slow = SampleRuns.run(3).operations().get("put").corrected().getValueAtPercentile(50) / 1000.0;
        assertThat(html).contains("<td>" + Html.number(fast) + "</td>").contains("<td>" + Html.number(slow) + "</td>");
        final Matcher urls = URL.matcher(html);
        while (urls.find())
        {
            assertThat(urls.group()).isEqualTo("http://www.w3.org/2000/svg");
        }
    }

    @Test
    void aMissingDirectoryIsNamedOnOneLineWithExitCodeTwo() throws IOException
    {
        final Path a = write("run-a", 1);
        final Path missing = tempDir.resolve("nope");

        assertThat(execute("report", a.toString(), missing.toString(), "--out", tempDir.resolve("p.html").toString()))
            .isEqualTo(2);

        assertThat(err.toString()).isEqualTo("report: " + missing + ": no such directory" + System.lineSeparator());
        assertThat(tempDir.resolve("p.html")).doesNotExist();
    }

    @Test
    void aDirectoryWithoutASummaryIsNotARunDirectory() throws IOException
    {
        final Path empty = Files.createDirectory(tempDir.resolve("empty"));

        assertThat(execute("report", empty.toString(), "--out", tempDir.resolve("p.html").toString())).isEqualTo(2);

        assertThat(err.toString().lines().toList()).hasSize(1);
        assertThat(err.toString()).contains(empty.toString()).contains("not a run directory").contains("summary.json");
    }

    @Test
    void aFileGivenAsADirectoryIsNamed() throws IOException
    {
        final Path file = Files.writeString(tempDir.resolve("file"), "x");

        assertThat(execute("report", file.toString(), "--out", tempDir.resolve("p.html").toString())).isEqualTo(2);

        assertThat(err.toString()).contains(file + ": not a directory");
    }

    @Test
    void corruptJsonIsNamedWithTheOffset() throws IOException
    {
        final Path a = write("run-a", 1);
        final Path summary = a.resolve("summary.json");
        Files.writeString(summary, Files.readString(summary).substring(0, 200));

        assertThat(execute("report", a.toString(), "--out", tempDir.resolve("p.html").toString())).isEqualTo(2);

        assertThat(err.toString().lines().toList()).hasSize(1);
        assertThat(err.toString()).startsWith("report: " + summary + ": not valid JSON at offset ");
    }

    @Test
    void jsonThatIsNotARunSummaryIsNamed() throws IOException
    {
        final Path a = write("run-a", 1);
        Files.writeString(a.resolve("summary.json"), "{\"format\": \"something else\"}");

        assertThat(execute("report", a.toString(), "--out", tempDir.resolve("p.html").toString())).isEqualTo(2);

        assertThat(err.toString()).contains(a.resolve("summary.json").toString())
            .contains("not a perf-harness run summary");
    }

    @Test
    void aCorruptDistributionIsNamed() throws IOException
    {
        final Path a = write("run-a", 1);
        final Path hgrm = a.resolve("get.hgrm");
        Files.writeString(hgrm, "       Value     Percentile TotalCount 1/(1-Percentile)\n\n  12.0 zero 1 1.0\n");

        assertThat(execute("report", a.toString(), "--out", tempDir.resolve("p.html").toString())).isEqualTo(2);

        assertThat(err.toString()).contains(hgrm + ": not a percentile distribution: line 3");
    }

    @Test
    void aMissingDistributionIsDrawnFromTheIntervalLog() throws Exception
    {
        final RunData run = SampleRuns.run(1);
        final Path a = tempDir.resolve("run-a");
        RunReportWriter.write(a, run);
        Files.delete(a.resolve("put-uncorrected.hgrm"));

        final RunSummary read = RunDirectory.read(a, "run-a");

        final long intervalCounts = run.operations().get("put").intervals().stream()
            .mapToLong((interval) -> interval.histogram().getTotalCount()).sum();
        assertThat(read.operations().get("put").uncorrectedCurve().totalCount()).isEqualTo(intervalCounts);
        assertThat(read.operations().get("put").correctedCurve().totalCount())
            .isEqualTo(run.operations().get("put").corrected().getTotalCount());
    }

    @Test
    void aCorruptIntervalLogStandingInForAMissingDistributionIsNamed() throws IOException
    {
        final Path a = write("run-a", 1);
        Files.delete(a.resolve("get.hgrm"));
        final Path hlog = a.resolve("get.hlog");
        Files.writeString(hlog, "0.000,1.000,1.100,HISTFAAAAGh4not-base64!\n");

        assertThat(execute("report", a.toString(), "--out", tempDir.resolve("p.html").toString())).isEqualTo(2);

        assertThat(err.toString().lines().toList()).hasSize(1);
        assertThat(err.toString()).contains(hlog + ": not an HdrHistogram interval log");
    }

    @Test
    void moreRunsThanColoursIsABadOption() throws IOException
    {
        final Path a = write("run-a", 1);
        final List<String> args = new ArrayList<>(List.of("report"));
        for (int i = 0; i <= ReportPage.MAX_RUNS; i++)
        {
            args.add(a.toString());
        }

        assertThat(execute(args.toArray(String[]::new))).isEqualTo(2);

        assertThat(err.toString().lines().findFirst().orElseThrow())
            .contains("1.." + ReportPage.MAX_RUNS + " run directories").contains(String.valueOf(ReportPage.MAX_RUNS + 1));
        assertThat(ReportPage.RUN_COLOURS).hasSize(ReportPage.MAX_RUNS).doesNotHaveDuplicates();
    }

    @Test
    void anOutputThatIsADirectoryIsABadOption() throws IOException
    {
        final Path a = write("run-a", 1);

        assertThat(execute("report", a.toString(), "--out", tempDir.toString())).isEqualTo(2);

        assertThat(err.toString().lines().findFirst().orElseThrow()).contains("'--out'").contains("not a directory");
    }

    @Test
    void runsWithTheSameDirectoryNameAreToldApartByPath()
    {
        final Path a = tempDir.resolve("x/run");
        final Path b = tempDir.resolve("y/run");
        final Path c = tempDir.resolve("z/other");

        assertThat(ReportCommand.labels(List.of(a, b, c))).containsExactly(a.toString(), b.toString(), "other");
    }

    @Test
    void theCommandIsListedInTheHelp()
    {
        assertThat(execute("--help")).isZero();

        assertThat(out.toString()).contains("report");
        assertThat(execute("report", "--help")).isZero();
        assertThat(out.toString()).contains("--out").contains("DIR");
    }

    private Path write(final String name, final long slowdown) throws IOException
    {
        final Path dir = tempDir.resolve(name);
        RunReportWriter.write(dir, SampleRuns.run(slowdown));
        return dir;
    }

    private int execute(final String... args)
    {
        final CommandLine commandLine = PerfHarness.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
