package io.datacake.transport.aeron;

import io.aeron.driver.ThreadingMode;
import io.datacake.transport.aeron.AeronTransportFactory.Media;
import io.datacake.transport.aeron.TransportTestSupport.Frames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static io.datacake.transport.aeron.TransportTestSupport.bytes;
import static io.datacake.transport.aeron.TransportTestSupport.pattern;
import static io.datacake.transport.aeron.TransportTestSupport.pollBothUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Media drivers launched with {@link ThreadingMode#INVOKER}: no driver or client conductor thread, the one transport
 * on the driver runs both duty cycles from its polls.
 */
class InvokedDriverTest
{
    @TempDir
    Path baseDir;

    @Test
    void anInvokedDriverRunsNoThreadOfItsOwnAndClosesCleanly()
    {
        final Set<Thread> threadsBefore = new HashSet<>(Thread.getAllStackTraces().keySet());
        final AeronDriver driver = AeronDriver.launch(
            new AeronDriverSettings().embeddedBaseDirectory(baseDir).threadingMode(ThreadingMode.INVOKER));
        final String dir = driver.aeronDirectoryName();

        assertThat(driver.isInvoked()).isTrue();
        // Aeron's asynchronous task executor is the only thread left: it never touches a message.
        assertThat(AeronDriverTest.newLiveThreads(threadsBefore)).extracting(Thread::getName)
            .allMatch((name) -> !name.contains("sender") && !name.contains("receiver") &&
                !name.contains("conductor"), "no sender, receiver or conductor thread");

        driver.close();

        assertThat(Path.of(dir)).doesNotExist();
        assertThat(AeronDriverTest.newLiveThreads(threadsBefore)).isEmpty();
    }

    @Test
    void aDriverWithItsOwnThreadsIsNotInvokedAndHasNoDutyCycleToClaim()
    {
        try (AeronDriver driver = AeronDriver.launch(new AeronDriverSettings().embeddedBaseDirectory(baseDir)))
        {
            assertThat(driver.isInvoked()).isFalse();
            assertThatThrownBy(() -> driver.claimInvoker("a test"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("threading mode is not INVOKER");
        }
    }

    @Test
    void aSecondTransportOnAnInvokedDriverIsRefusedAndTheFirstStaysOpen()
    {
        final int[] ports = FreeUdpPorts.allocate(InetAddress.getLoopbackAddress(), 2);
        try (AeronDriver driver = AeronDriver.launch(
            AeronTransportFactory.testDriverSettings(baseDir).threadingMode(ThreadingMode.INVOKER));
            AeronTransport first = AeronTransport.create(
                driver, AeronEndpoint.udp("127.0.0.1", ports[0], 3001), AeronTransportFactory.transportSettings()))
        {
            final AeronEndpoint second = AeronEndpoint.udp("127.0.0.1", ports[1], 3002);

            assertThatThrownBy(() -> AeronTransport.create(driver, second, AeronTransportFactory.transportSettings()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("INVOKER and already serves a transport")
                .hasMessageContaining(second.toString());
            assertThat(first.isClosed()).isFalse();
        }
    }

    @Test
    void framesFlowBothWaysBetweenTransportsThatInvokeTheirDrivers()
    {
        try (AeronTransportFactory factory =
            new AeronTransportFactory(Media.UDP, (settings) -> settings.threadingMode(ThreadingMode.INVOKER)))
        {
            final AeronTransport a = factory.createOne();
            final AeronTransport b = factory.createOne();
            assertThat(a.driver().isInvoked()).isTrue();
            assertThat(b.driver().isInvoked()).isTrue();
            final Frames atA = new Frames();
            final Frames atB = new Frames();

            // Nothing moves unless both sides poll: each poll is its driver's only duty cycle.
            final int bAtA = a.resolvePeer(b.localEndpoint());
            final int aAtB = b.resolvePeer(a.localEndpoint());
            pollBothUntil(a, atA, b, atB, () -> a.isConnected(bAtA) && b.isConnected(aAtB));

            final UnsafeBuffer request = pattern(300, 1);
            assertThat(a.offer(bAtA, request, 0, 300)).isPositive();
            pollBothUntil(a, atA, b, atB, () -> atB.count() == 1);
            assertThat(atB.get(0)).isEqualTo(bytes(request, 300));

            final UnsafeBuffer reply = pattern(5000, 2);
            assertThat(b.offer(aAtB, reply, 0, 5000)).isPositive();
            pollBothUntil(a, atA, b, atB, () -> atA.count() == 1);
            assertThat(atA.get(0)).isEqualTo(bytes(reply, 5000));
        }
    }
}
