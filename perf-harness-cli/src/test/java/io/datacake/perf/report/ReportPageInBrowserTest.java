package io.datacake.perf.report;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The pages as a browser shows them: headless Chromium loads a comparison page from a file and the DOM it builds,
 * and the pixels it paints, hold both runs' plots. Skipped, with a message, where no Chromium is installed.
 */
class ReportPageInBrowserTest
{
    private static final List<String> BROWSERS = List.of("chromium", "chromium-browser", "google-chrome");

    /** Generous: a cold headless start on a loaded machine takes seconds, not minutes. */
    private static final long BROWSER_DEADLINE_S = 180;

    /** Browser window, CSS pixels: wide enough for the charts, tall enough for the first operation's plots. */
    private static final int WINDOW_WIDTH = 900;
    private static final int WINDOW_HEIGHT = 1300;

    /** Screenshot column where the plots' axes begin: page margin plus the chart's left margin, less a little. */
    private static final int LEFT_OF_PLOTS = 100;

    private static Path browser;

    @TempDir
    Path tempDir;

    @BeforeAll
    static void findBrowser()
    {
        browser = findOnPath();
    }

    @Test
    void chromiumBuildsTheDomWithBothRunsSeries() throws Exception
    {
        final Path page = comparisonPage();

        final String dom = runBrowser("--dump-dom", page.toUri().toString());

        assertThat(dom).contains("perf-harness comparison: run-a vs run-b");
        assertThat(count(dom, "<svg")).isEqualTo(4);
        assertThat(count(dom, "<polyline")).as("put and get: 4 percentile curves and 2 throughput lines each")
            .isEqualTo(12);
        assertThat(dom).contains("run-a corrected").contains("run-b uncorrected").contains("99.999%");
    }

    @Test
    void chromiumPaintsBothRunsColoursInThePlots() throws Exception
    {
        final Path page = comparisonPage();
        final Path png = tempDir.resolve("page.png");

        runBrowser("--screenshot=" + png, "--window-size=" + WINDOW_WIDTH + "," + WINDOW_HEIGHT,
            "--hide-scrollbars", page.toUri().toString());

        final BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("a PNG screenshot").isNotNull();
        // Right of the tables' first column, so the colour swatches beside run names are not counted.
        final int runA = pixelsNear(image, 0x0072b2, LEFT_OF_PLOTS);
        final int runB = pixelsNear(image, 0xd55e00, LEFT_OF_PLOTS);
        System.out.println("screenshot " + image.getWidth() + "x" + image.getHeight() + ": run-a pixels " + runA +
            ", run-b pixels " + runB);
        assertThat(runA).as("run-a's colour painted in the plots").isGreaterThan(200);
        assertThat(runB).as("run-b's colour painted in the plots").isGreaterThan(200);
    }

    private Path comparisonPage() throws Exception
    {
        final Path a = tempDir.resolve("run-a");
        final Path b = tempDir.resolve("run-b");
        RunReportWriter.write(a, SampleRuns.run(1));
        RunReportWriter.write(b, SampleRuns.run(3));
        final Path page = tempDir.resolve("comparison.html");
        final String title = "perf-harness comparison: run-a vs run-b";
        final List<RunSummary> runs = List.of(RunDirectory.read(a, "run-a"), RunDirectory.read(b, "run-b"));
        Files.writeString(page, ReportPage.render(title, runs));
        return page;
    }

    private String runBrowser(final String... args) throws Exception
    {
        assumeTrue(null != browser, "no headless Chromium on this machine (looked for " + BROWSERS + " on PATH): " +
            "the browser checks are skipped");
        final List<String> command = new ArrayList<>(List.of(browser.toString(),
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--user-data-dir=" + Files.createDirectories(tempDir.resolve("profile"))));
        command.addAll(List.of(args));
        final Path stdout = tempDir.resolve("browser.out");
        final Path stderr = tempDir.resolve("browser.err");
        final Process process = new ProcessBuilder(command)
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
        if (!process.waitFor(BROWSER_DEADLINE_S, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("Chromium did not finish within " + BROWSER_DEADLINE_S + " s: " +
                Files.readString(stderr));
        }
        assertThat(process.exitValue()).as("Chromium's exit code; its errors: %s", Files.readString(stderr)).isZero();
        return Files.readString(stdout);
    }

    private static Path findOnPath()
    {
        final String path = System.getenv("PATH");
        if (null == path)
        {
            return null;
        }
        for (final String name : BROWSERS)
        {
            for (final String dir : path.split(java.io.File.pathSeparator))
            {
                final Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static int count(final String text, final String what)
    {
        final Matcher matcher = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (matcher.find())
        {
            n++;
        }
        return n;
    }

    /**
     * Pixels right of a column whose colour is within a small distance of the given one (lines are anti-aliased).
     */
    private static int pixelsNear(final BufferedImage image, final int rgb, final int fromColumn)
    {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++)
        {
            for (int x = fromColumn; x < image.getWidth(); x++)
            {
                final int p = image.getRGB(x, y);
                final int dr = ((p >> 16) & 0xff) - ((rgb >> 16) & 0xff);
                final int dg = ((p >> 8) & 0xff) - ((rgb >> 8) & 0xff);
                final int db = (p & 0xff) - (rgb & 0xff);
                if (dr * dr + dg * dg + db * db < 40 * 40)
                {
                    n++;
                }
            }
        }
        return n;
    }
}
