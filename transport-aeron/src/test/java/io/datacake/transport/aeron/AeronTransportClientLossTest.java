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

import static io.datacake.transport.aeron.TransportTestSupport.bytes;
import static io.datacake.transport.aeron.TransportTestSupport.pattern;
import static io.datacake.transport.aeron.TransportTestSupport.pollBothUntil;
import static io.datacake.transport.aeron.TransportTestSupport.sleepMs;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A transport whose Aeron client ends underneath it (timed out after a stall, or closed by someone else) must never
 * touch the client's unmapped buffers again (before the fix the JVM died with SIGSEGV reading the transport's own
 * counters): it turns closed, reports its peers unavailable, polls deliver nothing and sends return CLOSED.
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
            final ConnectedPair pair = new ConnectedPair(factory.createOne(), factory.createOne());
            assertThat(pair.a.driver().isInvoked()).isTrue();

            // The injected fault (not a wait for a condition): the node thread stalls several driver timeouts.
            sleepMs(STALL_MS);

            pair.pollUntil(pair.a::isClientLost);
            final Throwable failure = pair.a.driver().clientFailure();
            assertThat(failure).isInstanceOf(AeronException.class);
            assertThat(((AeronException)failure).category()).isEqualTo(AeronException.Category.FATAL);
            pair.assertAFailedSafely();
        }
    }

    @Test
    void aTransportWhoseClientWasClosedUnderneathItFailsInsteadOfCrashing()
    {
        try (AeronTransportFactory factory = new AeronTransportFactory(Media.UDP))
        {
            final ConnectedPair pair = new ConnectedPair(factory.createOne(), factory.createOne());

            pair.a.driver().aeron().close();

            assertThat(pair.a.isClientLost()).isTrue();
            assertThat(pair.a.driver().isClientClosed()).isTrue();
            assertThat(pair.a.driver().clientFailure()).isNull();
            pair.assertAFailedSafely();
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

    /**
     * Two transports that exchanged a frame each way, so A has a publication to B and an image from B, and A's
     * listener heard B become available.
     */
    private static final class ConnectedPair implements PeerStatusListener
    {
        final AeronTransport a;
        final AeronTransport b;
        final Frames atA = new Frames();
        final Frames atB = new Frames();
        final List<Integer> available = new ArrayList<>();
        final List<Integer> unavailable = new ArrayList<>();
        final int bAtA;

        ConnectedPair(final AeronTransport a, final AeronTransport b)
        {
            this.a = a;
            this.b = b;
            a.peerStatusListener(this);
            bAtA = a.resolvePeer(b.localEndpoint());
            final int aAtB = b.resolvePeer(a.localEndpoint());
            pollUntil(() -> a.isConnected(bAtA) && b.isConnected(aAtB));
            assertThat(a.offer(bAtA, pattern(300, 1), 0, 300)).isPositive();
            pollUntil(() -> atB.count() == 1);
            final UnsafeBuffer reply = pattern(300, 2);
            assertThat(b.offer(aAtB, reply, 0, 300)).isPositive();
            pollUntil(() -> atA.count() == 1 && available.contains(bAtA));
            assertThat(atA.get(0)).isEqualTo(bytes(reply, 300));
            assertThat(a.imageCount()).isEqualTo(1);
        }

        public void onPeerAvailable(final int peer)
        {
            available.add(peer);
        }

        public void onPeerUnavailable(final int peer)
        {
            unavailable.add(peer);
        }

        void pollUntil(final BooleanSupplier condition)
        {
            pollBothUntil(a, atA, b, atB, condition);
        }

        void assertAFailedSafely()
        {
            final long notConnected = a.notConnectedCount();
            final long sendRetries = a.sendRetryCount();
            final UnsafeBuffer frame = pattern(300, 3);
            assertThat(a.isClosed()).isTrue();
            // The first poll after the loss reports the peer unavailable, once; then polls deliver nothing.
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
            // Every counter getter still answers (the counters' memory went with the client), with the counts kept.
            assertThat(a.notConnectedCount()).isEqualTo(notConnected);
            assertThat(a.sendRetryCount()).isEqualTo(sendRetries);
            assertThat(a.backPressuredCount()).isNotNegative();
            assertThat(a.imagesLostCount()).isNotNegative();
            assertThat(a.deferredCommitsDroppedCount()).isNotNegative();
            assertThat(a.peerResolveFailureCount()).isNotNegative();
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
    }
}
