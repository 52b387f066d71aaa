package io.datacake.transport.aeron;

import io.aeron.driver.ThreadingMode;
import io.aeron.exceptions.DriverTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AeronDriverTest
{
    @TempDir
    Path baseDir;

    @Test
    void embeddedDriverGetsItsOwnUniqueDirectoryUnderTheBase()
    {
        final AeronDriverSettings settings = new AeronDriverSettings().embeddedBaseDirectory(baseDir);
        try (AeronDriver first = AeronDriver.launch(settings); AeronDriver second = AeronDriver.launch(settings))
        {
            assertThat(first.isEmbedded()).isTrue();
            assertThat(Path.of(first.aeronDirectoryName()).getParent()).isEqualTo(baseDir);
            assertThat(Path.of(first.aeronDirectoryName()).getFileName().toString())
                .startsWith(AeronDriverSettings.EMBEDDED_DIRECTORY_PREFIX);
            assertThat(first.aeronDirectoryName()).isNotEqualTo(second.aeronDirectoryName());
            assertThat(Path.of(first.aeronDirectoryName())).isDirectory();
            assertThat(Path.of(second.aeronDirectoryName())).isDirectory();
        }
    }

    @Test
    void closeLeavesNoDirectoryThreadMappingOrFileHandle() throws Exception
    {
        final Set<Thread> threadsBefore = new HashSet<>(Thread.getAllStackTraces().keySet());
        final AeronDriver driver = AeronDriver.launch(new AeronDriverSettings().embeddedBaseDirectory(baseDir));
        final String dir = driver.aeronDirectoryName();
        // A publication maps a log file in the driver directory: that must be unmapped on close too.
        driver.aeron().addExclusivePublication("aeron:ipc", 7);
        assertThat(newLiveThreads(threadsBefore)).isNotEmpty();
        assertThat(linesMentioning(Path.of("/proc/self/maps"), dir)).isNotEmpty();

        driver.close();

        assertThat(driver.isClosed()).isTrue();
        assertThat(Path.of(dir)).doesNotExist();
        try (Stream<Path> entries = Files.list(baseDir))
        {
            assertThat(entries).isEmpty();
        }
        assertThat(newLiveThreads(threadsBefore)).isEmpty();
        assertThat(linesMentioning(Path.of("/proc/self/maps"), dir)).isEmpty();
        assertThat(openFilesUnder(dir)).isEmpty();

        driver.close(); // idempotent
    }

    @Test
    void attachesToAnExternalDriverAndLeavesItRunningOnClose()
    {
        try (AeronDriver external = AeronDriver.launch(new AeronDriverSettings().embeddedBaseDirectory(baseDir)))
        {
            final AeronDriver attached = AeronDriver.launch(
                new AeronDriverSettings().externalDriver(external.aeronDirectoryName()));
            assertThat(attached.isEmbedded()).isFalse();
            assertThat(attached.aeronDirectoryName()).isEqualTo(external.aeronDirectoryName());

            // Both clients really share the driver: IPC between them works.
            try (var subscription = external.aeron().addSubscription("aeron:ipc", 11);
                var publication = attached.aeron().addExclusivePublication("aeron:ipc", 11))
            {
                awaitTrue(publication::isConnected);
            }

            attached.close();
            assertThat(Path.of(external.aeronDirectoryName())).isDirectory();
            assertThat(external.aeron().isClosed()).isFalse();
        }
    }

    @Test
    void attachingWhereNoDriverRunsFailsWithDriverTimeout()
    {
        final AeronDriverSettings settings = new AeronDriverSettings()
            .externalDriver(baseDir.resolve("no-driver-here").toString())
            .driverTimeoutMs(200);

        assertThatThrownBy(() -> AeronDriver.launch(settings)).isInstanceOf(DriverTimeoutException.class);
    }

    @Test
    void aDriverTimeoutOfASecondOrLessShortensTheKeepAliveAndTimerIntervalsAeronRequiresBelowIt()
    {
        // Aeron refuses a client liveness timeout at or below its 1 s timer interval, or its 500 ms keep-alives.
        try (AeronDriver driver = AeronDriver.launch(
            new AeronDriverSettings().embeddedBaseDirectory(baseDir).driverTimeoutMs(200)))
        {
            assertThat(driver.driverTimeoutMs()).isEqualTo(200);
            assertThat(driver.aeron().context().keepAliveIntervalNs()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
            assertThat(driver.isClientClosed()).isFalse();
            assertThat(driver.clientFailure()).isNull();
        }
    }

    @Test
    void theDefaultDriverTimeoutKeepsAeronsKeepAliveInterval()
    {
        try (AeronDriver driver = AeronDriver.launch(new AeronDriverSettings().embeddedBaseDirectory(baseDir)))
        {
            assertThat(driver.driverTimeoutMs()).isEqualTo(AeronDriverSettings.DEFAULT_DRIVER_TIMEOUT_MS);
            assertThat(driver.aeron().context().keepAliveIntervalNs())
                .isEqualTo(TimeUnit.MILLISECONDS.toNanos(AeronDriver.MAX_CLIENT_KEEP_ALIVE_INTERVAL_MS));
        }
    }

    @Test
    void launchFailsClearlyWhenTheBaseDirectoryIsMissing()
    {
        final AeronDriverSettings settings =
            new AeronDriverSettings().embeddedBaseDirectory(baseDir.resolve("missing"));

        assertThatThrownBy(() -> AeronDriver.launch(settings))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("base directory does not exist");
    }

    @Test
    void dedicatedThreadingModeAlsoClosesCleanly()
    {
        final Set<Thread> threadsBefore = new HashSet<>(Thread.getAllStackTraces().keySet());
        final AeronDriver driver = AeronDriver.launch(new AeronDriverSettings()
            .embeddedBaseDirectory(baseDir)
            .threadingMode(ThreadingMode.DEDICATED));
        final String dir = driver.aeronDirectoryName();
        driver.close();

        assertThat(Path.of(dir)).doesNotExist();
        assertThat(newLiveThreads(threadsBefore)).isEmpty();
    }

    @Test
    void settingsRejectOutOfRangeValues()
    {
        final AeronDriverSettings settings = new AeronDriverSettings();
        assertThatThrownBy(() -> settings.termBufferLength(1000)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("power of two");
        assertThatThrownBy(() -> settings.termBufferLength(32 * 1024)).isInstanceOf(IllegalArgumentException.class);
        final AeronTransportSettings transportSettings = new AeronTransportSettings();
        assertThatThrownBy(() -> transportSettings.termBufferLength(3 << 20)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("power of two");
        assertThat(transportSettings.termBufferLength(64 * 1024).termBufferLength()).isEqualTo(64 * 1024);
        assertThatThrownBy(() -> settings.mtuLength(1000)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("multiple of 32");
        assertThatThrownBy(() -> settings.driverTimeoutMs(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> settings.imageLivenessTimeoutMs(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> settings.externalDriver(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThat(settings.termBufferLength(64 * 1024).termBufferLength()).isEqualTo(64 * 1024);
        assertThat(settings.isEmbedded()).isTrue();
        assertThat(settings.hasLossInjection()).isFalse();
        assertThat(settings.receiveLoss(new SwitchableLossGenerator(1), null).hasLossInjection()).isTrue();
    }

    static List<Thread> newLiveThreads(final Set<Thread> before)
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter((thread) -> !before.contains(thread) && thread.isAlive())
            // JUnit's own timeout/cleanup threads are not ours.
            .filter((thread) -> !thread.getName().startsWith("junit"))
            .collect(Collectors.toList());
    }

    static List<String> linesMentioning(final Path file, final String text) throws IOException
    {
        try (Stream<String> lines = Files.lines(file))
        {
            return lines.filter((line) -> line.contains(text)).collect(Collectors.toList());
        }
    }

    static List<Path> openFilesUnder(final String dir) throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.map(AeronDriverTest::target).filter((target) -> target.startsWith(dir))
                .map(Path::of).collect(Collectors.toList());
        }
    }

    private static String target(final Path fd)
    {
        try
        {
            return Files.readSymbolicLink(fd).toString();
        }
        catch (final IOException ex)
        {
            return ""; // closed between list and read
        }
    }

    static void awaitTrue(final java.util.function.BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.onSpinWait();
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }
    }
}
