package io.datacake.transport.aeron;

import io.aeron.driver.ThreadingMode;
import io.aeron.exceptions.AeronException;
import io.datacake.transport.PeerStatusListener;
import io.datacake.transport.Transport;
import io.datacake.transport.TransportClaim;
import io.datacake.transport.aeron.AeronTransportFactory.Media;
import io.datacake.transport.aeron.TransportTestSupport.Frames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static io.datacake.transport.aeron.TransportTestSupport.WAIT_LIMIT_MS;
import static io.datacake.transport.aeron.TransportTestSupport.bytes;
import static io.datacake.transport.aeron.TransportTestSupport.pattern;
import static io.datacake.transport.aeron.TransportTestSupport.sleepMs;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A transport whose Aeron client ends underneath it (timed out after a stall, or closed by someone else) must never
 * touch the client's unmapped buffers again: it turns closed, polls deliver nothing and sends return CLOSED.
 */
class AeronTransportClientLossTest
{
    /** Driver timeout of the stalled node: short, so the stall below is several times longer. */
    private static final long STALLED_DRIVER_TIMEOUT_MS = 1_000;

    /** The injected fault: the node thread does not poll for this long. */
    private static final long STALL_MS = 5 * STALLED_DRIVER_TIMEOUT_MS;

    @Test
    void anInvokedTransportLeftUnpolledPastTheDriverTimeoutFailsInsteadOfCrashing()
    {
        final int[] launches = new int[1];
        try (AeronTransportFactory factory = new AeronTransportFactory(Media.UDP, (settings) ->
        {
            // Only the first node invokes its driver; its peer runs driver threads and outlives the stall.
            if (0 == launches[0]++)
            {
                settings.threadingMode(ThreadingMode.INVOKER).driverTimeoutMs(STALLED_DRIVER_TIMEOUT_MS);
            }
        }))
        {
            final AeronTransport a = factory.createOne();
            final AeronTransport b = factory.createOne();
            assertThat(a.driver().isInvoked()).isTrue();
            final Frames atA = new Frames();
            final Frames atB = new Frames();
            final List<Integer> available = new ArrayList<>();
            final List<Integer> unavailable = new ArrayList<>();
            a.peerStatusListener(listener(available, unavailable));
            final int bAtA = connectAndExchange(a, atA, b, atB);
            pollBothUntil(a, atA, b, atB, () -> available.contains(bAtA));

            // The injected fault (not a wait for a condition): the node thread stalls several driver timeouts.
            sleepMs(STALL_MS);

            pollBothUntil(a, atA, b, atB, a::isClientLost);
            assertThat(a.driver().clientFailure()).isInstanceOf(AeronException.class);
            assertThat(((AeronException)a.driver().clientFailure()).category())
                .isEqualTo(AeronException.Category.FATAL);
            assertFailedSafely(a, atA, bAtA, unavailable);
        }
    }

    @Test
    void aTransportWhoseClientWasClosedUnderneathItFailsInsteadOfCrashing()
    {
        try (AeronTransportFactory factory = new AeronTransportFactory(Media.UDP))
        {
            final AeronTransport a = factory.createOne();
            final AeronTransport b = factory.createOne();
            final Frames atA = new Frames();
            final Frames atB = new Frames();
            final List<Integer> available = new ArrayList<>();
            final List<Integer> unavailable = new ArrayList<>();
            a.peerStatusListener(listener(available, unavailable));
            final int bAtA = connectAndExchange(a, atA, b, atB);
            pollBothUntil(a, atA, b, atB, () -> available.contains(bAtA));

            a.driver().aeron().close();

            assertThat(a.isClientLost()).isTrue();
            assertThat(a.driver().isClientClosed()).isTrue();
            assertThat(a.driver().clientFailure()).isNull();
            assertFailedSafely(a, atA, bAtA, unavailable);
        }
    }

    @Test
    void theCountersKeepTheirValuesAfterTheTransportClosedItsDriver()
    {
        try (AeronTransportFactory factory = new AeronTransportFactory(Media.UDP))
        {
            final AeronTransport a = factory.createOne();
            final int nobody = a.resolvePeer(factory.unreachableEndpoint());
            assertThat(a.offer(nobody, pattern(8, 0), 0, 8)).isEqualTo(Transport.NOT_CONNECTED);

            a.close();

            assertThat(a.driver().isClientClosed()).isTrue();
            assertThat(a.isClientLost()).isFalse();
            assertThat(a.notConnectedCount()).isEqualTo(1);
            assertThat(a.sendRetryCount()).isZero();
        }
    }

    private static int connectAndExchange(
        final AeronTransport a, final Frames atA, final AeronTransport b, final Frames atB)
    {
        final int bAtA = a.resolvePeer(b.localEndpoint());
        final int aAtB = b.resolvePeer(a.localEndpoint());
        pollBothUntil(a, atA, b, atB, () -> a.isConnected(bAtA) && b.isConnected(aAtB));
        final UnsafeBuffer request = pattern(300, 1);
        assertThat(a.offer(bAtA, request, 0, 300)).isPositive();
        pollBothUntil(a, atA, b, atB, () -> atB.count() == 1);
        final UnsafeBuffer reply = pattern(300, 2);
        assertThat(b.offer(aAtB, reply, 0, 300)).isPositive();
        pollBothUntil(a, atA, b, atB, () -> atA.count() == 1);
        assertThat(atA.get(0)).isEqualTo(bytes(reply, 300));
        assertThat(a.imageCount()).isEqualTo(1);
        return bAtA;
    }

    private static void assertFailedSafely(
        final AeronTransport a, final Frames atA, final int bAtA, final List<Integer> unavailable)
    {
        final long notConnected = a.notConnectedCount();
        final long sendRetries = a.sendRetryCount();
        final UnsafeBuffer frame = pattern(300, 3);
        assertThat(a.isClosed()).isTrue();
        // The first poll reports the peer unavailable, once; then polls deliver nothing.
        a.poll(atA, 16);
        assertThat(unavailable).containsExactly(bAtA);
        for (int i = 0; i < 10; i++)
        {
            assertThat(a.poll(atA, 16)).isZero();
            assertThat(a.offer(bAtA, frame, 0, 300)).isEqualTo(Transport.CLOSED);
        }
        assertThat(unavailable).containsExactly(bAtA);
        assertThat(atA.count()).isEqualTo(1);
        final TransportClaim claim = a.newClaim();
        assertThat(a.tryClaim(bAtA, 300, claim)).isEqualTo(Transport.CLOSED);
        assertThat(a.tryClaim(bAtA, 5_000, claim)).isEqualTo(Transport.CLOSED);
        assertThat(a.isConnected(bAtA)).isFalse();
        assertThat(a.imageCount()).isZero();
        // Every counter getter still answers (the counters' memory went with the client).
        assertThat(a.sendRetryCount()).isNotNegative();
        assertThat(a.notConnectedCount()).isNotNegative();
        assertThat(a.backPressuredCount()).isNotNegative();
        assertThat(a.imagesLostCount()).isNotNegative();
        assertThat(a.deferredCommitsDroppedCount()).isNotNegative();
        assertThat(a.peerResolveFailureCount()).isNotNegative();
        // Counts are kept as they were: the failed sends above touched no counter.
        assertThat(a.notConnectedCount()).isEqualTo(notConnected);
        assertThat(a.sendRetryCount()).isEqualTo(sendRetries);
        // The node's duty cycle carries on: a new peer gets a handle that cannot send.
        final int other = a.resolvePeer(AeronEndpoint.udp("127.0.0.1", 9, 4001).toString());
        assertThat(a.offer(other, frame, 0, 300)).isEqualTo(Transport.CLOSED);
        assertThat(a.isConnected(other)).isFalse();
        a.releasePeer(bAtA);
        final String directory = a.driver().aeronDirectoryName();
        a.close();
        assertThat(a.isClosed()).isTrue();
        assertThat(Path.of(directory)).doesNotExist();
    }

    private static PeerStatusListener listener(final List<Integer> available, final List<Integer> unavailable)
    {
        return new PeerStatusListener()
        {
            public void onPeerAvailable(final int peer)
            {
                available.add(peer);
            }

            public void onPeerUnavailable(final int peer)
            {
                unavailable.add(peer);
            }
        };
    }

    private static void pollBothUntil(
        final Transport a, final Frames atA, final Transport b, final Frames atB, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + WAIT_LIMIT_MS * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("condition not met within " + WAIT_LIMIT_MS + " ms");
            }
            a.poll(atA, 16);
            b.poll(atB, 16);
            Thread.yield();
        }
    }
}
