package io.datacake.perf.report;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Where the chart puts things: percentiles on a log axis of nines, nice ticks, escaped text, bounded series.
 */
class SvgChartTest
{
    @Test
    void percentilesSitAtTheirNumberOfNinesAndTheTailStopsAtTheEdge() throws Exception
    {
        final SvgChart chart = new SvgChart("t", SvgChart.Scale.PERCENTILE, "percentile", "µs")
            .add(new SvgChart.Series("s", "#000000", false,
                new double[]{ 0, 90, 99, 99.9, 99.99, 99.999, 100 }, new double[]{ 1, 2, 3, 4, 5, 6, 7 }));
        final StringBuilder sb = new StringBuilder();
        chart.render(sb);

        final Document svg = RunReportWriterTest.parseXml(sb.toString());
        final List<double[]> points = points((Element)svg.getElementsByTagName("polyline").item(0));
        final double left = points.get(0)[0];
        final double nine = points.get(1)[0] - left;
        for (int nines = 1; nines <= SvgChart.PERCENTILE_NINES; nines++)
        {
            assertThat(points.get(nines)[0] - left).as("x of %s nines", nines).isCloseTo(nine * nines, within(0.11));
        }
        assertThat(points.get(6)[0]).as("100%% is drawn at the 99.999%% edge").isEqualTo(points.get(5)[0]);
        assertThat(points.get(6)[1]).as("higher latency is higher up").isLessThan(points.get(0)[1]);

        final List<String> ticks = new ArrayList<>();
        final NodeList texts = svg.getElementsByTagName("text");
        for (int i = 0; i < texts.getLength(); i++)
        {
            ticks.add(texts.item(i).getTextContent());
        }
        assertThat(ticks).contains("0%", "90%", "99%", "99.9%", "99.99%", "99.999%");
    }

    @Test
    void ticksAreOneTwoOrFiveTimesAPowerOfTen()
    {
        assertThat(SvgChart.niceStep(0.13)).isEqualTo(0.2);
        assertThat(SvgChart.niceStep(3)).isEqualTo(5);
        assertThat(SvgChart.niceStep(7)).isEqualTo(10);
        assertThat(SvgChart.niceStep(2000)).isEqualTo(2000);
        assertThat(SvgChart.niceStep(0)).isEqualTo(1);
        assertThat(SvgChart.niceStep(Double.NaN)).isEqualTo(1);
    }

    @Test
    void labelsAreEscapedAndAnEmptyChartStillRenders() throws Exception
    {
        final StringBuilder sb = new StringBuilder();
        new SvgChart("a <b> & \"c\"", SvgChart.Scale.LINEAR, "x", "y")
            .add(new SvgChart.Series("</svg><script>", "red", true, new double[0], new double[0]))
            .render(sb);

        final Document svg = RunReportWriterTest.parseXml(sb.toString());
        assertThat(svg.getElementsByTagName("script").getLength()).isZero();
        assertThat(sb.toString()).contains("a &lt;b&gt; &amp; &quot;c&quot;").contains("&lt;/svg&gt;&lt;script&gt;");
    }

    @Test
    void seriesAreBounded()
    {
        final SvgChart chart = new SvgChart("t", SvgChart.Scale.LINEAR, "x", "y");
        for (int i = 0; i < SvgChart.MAX_SERIES; i++)
        {
            chart.add(new SvgChart.Series("s" + i, "red", false, new double[]{ 1 }, new double[]{ 1 }));
        }

        assertThatThrownBy(() -> chart.add(new SvgChart.Series("one more", "red", false, new double[0], new double[0])))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(String.valueOf(SvgChart.MAX_SERIES));
        assertThatThrownBy(() -> new SvgChart.Series("s", "red", false, new double[2], new double[1]))
            .hasMessageContaining("2 x values but 1 y values");
    }

    @Test
    void numbersKeepAboutFourDigits()
    {
        assertThat(Html.number(1234567.8)).isEqualTo("1,234,568");
        assertThat(Html.number(500)).isEqualTo("500");
        assertThat(Html.number(12.345)).isEqualTo("12.3");
        assertThat(Html.number(0.1234)).isEqualTo("0.123");
        assertThat(Html.number(0)).isEqualTo("0");
        assertThat(Html.number(Double.NaN)).isEqualTo("n/a");
        assertThat(Html.mebibytes(RunData.NOT_MEASURED)).isEqualTo("not measured");
        assertThat(Html.mebibytes(3L << 20)).isEqualTo("3.0 MiB");
    }

    private static List<double[]> points(final Element polyline)
    {
        final List<double[]> points = new ArrayList<>();
        for (final String point : polyline.getAttribute("points").split(" "))
        {
            final String[] xy = point.split(",");
            points.add(new double[]{ Double.parseDouble(xy[0]), Double.parseDouble(xy[1]) });
        }
        return points;
    }
}
