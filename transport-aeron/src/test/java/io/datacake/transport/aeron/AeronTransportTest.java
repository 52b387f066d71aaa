package io.datacake.transport.aeron;

import io.datacake.transport.FrameHandler;
import io.datacake.transport.PeerStatusListener;
import io.datacake.transport.Transport;
import io.datacake.transport.TransportClaim;
import io.datacake.transport.aeron.AeronTransportFactory.Media;
import io.datacake.transport.aeron.TransportTestSupport.Frames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static io.datacake.transport.aeron.TransportTestSupport.awaitTrue;
import static io.datacake.transport.aeron.TransportTestSupport.bytes;
import static io.datacake.transport.aeron.TransportTestSupport.offerUntilSent;
import static io.datacake.transport.aeron.TransportTestSupport.pattern;
import static io.datacake.transport.aeron.TransportTestSupport.pollUntil;
import static io.datacake.transport.aeron.TransportTestSupport.resolveConnected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AeronTransportTest
{
    @ParameterizedTest
    @EnumSource(Media.class)
    void offeredFramesArriveIntactInBothDirections(final Media media)
    {
        try (AeronTransportFactory factory = new AeronTransportFactory(media))
        {
            final Transport[] nodes = factory.create(2);
            final int bAtA = resolveConnected(nodes[0], nodes[1].localEndpoint());
            final int aAtB = resolveConnected(nodes[1], nodes[0].localEndpoint());
            assertThat(nodes[0].isConnected(bAtA)).isTrue();
            assertThat(nodes[0].peerEndpoint(bAtA)).isEqualTo(nodes[1].localEndpoint());

            final UnsafeBuffer request = pattern(100, 1);
            assertThat(nodes[0].offer(bAtA, request, 0, 100)).isPositive();
            final Frames atB = new Frames();
            pollUntil(nodes[1], atB, () -> atB.count() == 1);
            assertThat(atB.get(0)).isEqualTo(bytes(request, 100));

            final UnsafeBuffer reply = pattern(7, 2);
            assertThat(nodes[1].offer(aAtB, reply, 0, 7)).isPositive();
            final Frames atA = new Frames();
            pollUntil(nodes[0], atA, () -> atA.count() == 1);
            assertThat(atA.get(0)).isEqualTo(bytes(reply, 7));
        }
    }

    @ParameterizedTest
    @EnumSource(Media.class)
    void theFirstFrameAfterAPeerIsReportedConnectedIsAccepted(final Media media)
    {
        // Regression: a publication is connected a driver duty cycle before it has a send window; a peer is reported
        // connected only once it has both, so the first request (or reply) to it is not back-pressured and dropped.
        try (AeronTransportFactory factory = new AeronTransportFactory(media))
        {
            final UnsafeBuffer frame = pattern(16, 0);
            for (int i = 0; i < 10; i++)
            {
                final AeronTransport a = factory.createOne();
                final AeronTransport b = factory.createOne();
                final int peer = resolveConnected(a, b.localEndpoint());
                assertThat(a.offer(peer, frame, 0, frame.capacity())).as("iteration %d", i).isPositive();
                final int back = resolveConnected(b, a.localEndpoint());
                assertThat(b.tryClaim(back, 16, b.newClaim())).as("iteration %d", i).isPositive();
                a.close();
                b.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Media.class)
    void framesUpToMaxMessageLengthAreFragmentedAndReassembled(final Media media)
    {
        try (AeronTransportFactory factory = new AeronTransportFactory(media))
        {
            final Transport[] nodes = factory.create(2);
            final int max = nodes[0].maxMessageLength();
            assertThat(max).isEqualTo(AeronTransportFactory.TEST_TERM_LENGTH / 8);
            final int peer = nodes[0].resolvePeer(nodes[1].localEndpoint());

            final int[] lengths = {1, 1376, 1377, 5000, max};
            for (int i = 0; i < lengths.length; i++)
            {
                offerUntilSent(nodes[0], peer, pattern(lengths[i], i), lengths[i]);
            }
            final Frames received = new Frames();
            pollUntil(nodes[1], received, () -> received.count() == lengths.length);
            for (int i = 0; i < lengths.length; i++)
            {
                assertThat(received.get(i)).isEqualTo(bytes(pattern(lengths[i], i), lengths[i]));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Media.class)
    void claimedFramesAreEncodedInPlaceOrViaScratchWhenTooLongToClaim(final Media media)
    {
        try (AeronTransportFactory factory = new AeronTransportFactory(media))
        {
            final Transport[] nodes = factory.create(2);
            final int peer = resolveConnected(nodes[0], nodes[1].localEndpoint());
            final TransportClaim claim = nodes[0].newClaim();
            final int max = nodes[0].maxMessageLength();

            // One fragment: claimed in the term buffer.
            assertThat(nodes[0].tryClaim(peer, 64, claim)).isPositive();
            assertThat(claim.length()).isEqualTo(64);
            claim.buffer().putBytes(claim.offset(), pattern(64, 5), 0, 64);
            claim.commit();

            // Aborted claims are never delivered.
            assertThat(nodes[0].tryClaim(peer, 16, claim)).isPositive();
            claim.abort();

            // Longer than one fragment: encoded in the claim's scratch buffer, offered on commit.
            assertThat(nodes[0].tryClaim(peer, max, claim)).isPositive();
            assertThat(claim.length()).isEqualTo(max);
            claim.buffer().putBytes(claim.offset(), pattern(max, 6), 0, max);
            claim.commit();

            assertThat(nodes[0].tryClaim(peer, max, claim)).isPositive();
            claim.abort();

            final Frames received = new Frames();
            pollUntil(nodes[1], received, () -> received.count() == 2);
            assertThat(received.get(0)).isEqualTo(bytes(pattern(64, 5), 64));
            assertThat(received.get(1)).isEqualTo(bytes(pattern(max, 6), max));

            // Nothing else arrives: the aborted claims were dropped (a later frame comes right after).
            offerUntilSent(nodes[0], peer, pattern(3, 9), 3);
            pollUntil(nodes[1], received, () -> received.count() == 3);
            assertThat(received.get(2)).isEqualTo(bytes(pattern(3, 9), 3));
            assertThat(((AeronTransport)nodes[0]).deferredCommitsDroppedCount()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Media.class)
    void aHandlerExceptionReachesThePollerAndLosesNoOtherFrame(final Media media)
    {
        try (AeronTransportFactory factory = new AeronTransportFactory(media))
        {
            final Transport[] nodes = factory.create(2);
            final int peer = nodes[0].resolvePeer(nodes[1].localEndpoint());
            for (int i = 0; i < 3; i++)
            {
                offerUntilSent(nodes[0], peer, pattern(4, i), 4);
            }

            // The second frame makes the handler throw: Aeron would swallow that, the transport hands it to the
            // caller of poll once the poll is over. The frame counts as consumed; the others are all delivered.
            final Frames received = new Frames();
            final RuntimeException boom = new IllegalStateException("handler failed");
            final int[] seen = new int[1];
            final FrameHandler failing = (buffer, offset, length) ->
            {
                if (seen[0]++ == 1)
                {
                    throw boom;
                }
                received.onFrame(buffer, offset, length);
            };
            final long deadlineNs = System.nanoTime() + TransportTestSupport.WAIT_LIMIT_MS * 1_000_000L;
            RuntimeException thrown = null;
            while (seen[0] < 3)
            {
                assertThat(System.nanoTime() - deadlineNs).as("frames arrive in time").isNegative();
                try
                {
                    nodes[1].poll(failing, 16);
                }
                catch (final RuntimeException ex)
                {
                    thrown = ex;
                }
            }
            assertThat(thrown).isSameAs(boom);
            assertThat(received.count()).isEqualTo(2);
            assertThat(received.get(0)).isEqualTo(bytes(pattern(4, 0), 4));
            assertThat(received.get(1)).isEqualTo(bytes(pattern(4, 2), 4));
            assertThat(nodes[1].poll(failing, 16)).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Media.class)
    void misuseIsRejectedWithSpecificExceptions(final Media media)
    {
        try (AeronTransportFactory factory = new AeronTransportFactory(media))
        {
            final Transport[] nodes = factory.create(2);
            final Transport a = nodes[0];
            final int peer = resolveConnected(a, nodes[1].localEndpoint());
            final UnsafeBuffer buffer = pattern(a.maxMessageLength() + 1, 0);
            final TransportClaim claim = a.newClaim();

            assertThatThrownBy(() -> a.offer(peer, buffer, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxMessageLength");
            assertThatThrownBy(() -> a.offer(peer, buffer, 0, a.maxMessageLength() + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stream longer messages");
            assertThatThrownBy(() -> a.tryClaim(peer, a.maxMessageLength() + 1, claim))
                .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> a.tryClaim(peer, 8, nodes[1].newClaim()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("newClaim");
            assertThatThrownBy(claim::commit).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(claim::abort).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> a.resolvePeer("tcp://127.0.0.1:80"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Aeron endpoint");
            assertThatThrownBy(() -> a.peerEndpoint(12345)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> a.poll((b, o, l) -> {}, 0)).isInstanceOf(IllegalArgumentException.class);

            assertThat(a.tryClaim(peer, 8, claim)).isPositive();
            assertThatThrownBy(() -> a.offer(peer, buffer, 0, 8))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("outstanding");
            assertThatThrownBy(() -> a.tryClaim(peer, 8, claim)).isInstanceOf(IllegalStateException.class);
            claim.abort();
            assertThat(a.offer(peer, buffer, 0, 8)).isPositive();
        }
    }

    @ParameterizedTest
    @EnumSource(Media.class)
    void handlesAreStableUntilReleasedThenSendsReportClosed(final Media media)
    {
        try (AeronTransportFactory factory = new AeronTransportFactory(media))
        {
            final Transport[] nodes = factory.create(2);
            final String endpoint = nodes[1].localEndpoint();
            final int peer = nodes[0].resolvePeer(endpoint);
            assertThat(nodes[0].resolvePeer(endpoint)).isEqualTo(peer);

            nodes[0].releasePeer(peer);
            nodes[0].releasePeer(peer); // releasing again does nothing
            final UnsafeBuffer buffer = pattern(8, 0);
            assertThat(nodes[0].offer(peer, buffer, 0, 8)).isEqualTo(Transport.CLOSED);
            assertThat(nodes[0].tryClaim(peer, 8, nodes[0].newClaim())).isEqualTo(Transport.CLOSED);
            assertThat(nodes[0].isConnected(peer)).isFalse();

            final int again = resolveConnected(nodes[0], endpoint);
            assertThat(nodes[0].offer(again, buffer, 0, 8)).isPositive();
        }
    }

    @ParameterizedTest
    @EnumSource(Media.class)
    void sendsToAnEndpointNobodyListensOnReportNotConnected(final Media media)
    {
        try (AeronTransportFactory factory = new AeronTransportFactory(media))
        {
            final AeronTransport a = (AeronTransport)factory.create(1)[0];
            final int nobody = a.resolvePeer(factory.unreachableEndpoint());

            assertThat(a.isConnected(nobody)).isFalse();
            assertThat(a.offer(nobody, pattern(8, 0), 0, 8)).isEqualTo(Transport.NOT_CONNECTED);
            assertThat(a.tryClaim(nobody, 8, a.newClaim())).isEqualTo(Transport.NOT_CONNECTED);
            assertThat(a.tryClaim(nobody, a.maxMessageLength(), a.newClaim())).isEqualTo(Transport.NOT_CONNECTED);
            assertThat(a.notConnectedCount()).isEqualTo(3);
        }
    }

    @ParameterizedTest
    @EnumSource(Media.class)
    void closedTransportRefusesWork(final Media media)
    {
        try (AeronTransportFactory factory = new AeronTransportFactory(media))
        {
            final Transport[] nodes = factory.create(2);
            final int peer = nodes[0].resolvePeer(nodes[1].localEndpoint());
            nodes[0].close();
            nodes[0].close();

            assertThat(nodes[0].isClosed()).isTrue();
            assertThat(nodes[0].offer(peer, pattern(8, 0), 0, 8)).isEqualTo(Transport.CLOSED);
            assertThat(nodes[0].poll((b, o, l) -> {}, 10)).isZero();
            assertThat(nodes[0].isConnected(peer)).isFalse();
            assertThatThrownBy(() -> nodes[0].resolvePeer(nodes[1].localEndpoint()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
    }

    @ParameterizedTest
    @EnumSource(Media.class)
    void aReceiverThatDoesNotPollBackPressuresTheSenderWithinTheRetryBound(final Media media)
    {
        try (AeronTransportFactory factory = new AeronTransportFactory(media))
        {
            final Transport[] nodes = factory.create(2);
            final AeronTransport sender = (AeronTransport)nodes[0];
            final int peer = resolveConnected(sender, nodes[1].localEndpoint());
            final UnsafeBuffer frame = pattern(1024, 3);

            // The window is at most half a term: well within this bound of attempts.
            final int attemptLimit = 10_000;
            long result = 1;
            int sent = 0;
            for (int i = 0; i < attemptLimit && result > 0; i++)
            {
                result = sender.offer(peer, frame, 0, frame.capacity());
                if (result > 0)
                {
                    sent++;
                }
                else if (result == Transport.NOT_CONNECTED)
                {
                    throw new AssertionError("lost the connection instead of back-pressure");
                }
            }
            assertThat(result).isEqualTo(Transport.BACK_PRESSURED);
            assertThat(sender.backPressuredCount()).isEqualTo(1);
            assertThat(sender.sendRetryCount()).isGreaterThanOrEqualTo(AeronTransportSettings.DEFAULT_SEND_RETRY_LIMIT);

            // Draining the receiver opens the window again; every accepted frame arrives.
            final Frames received = new Frames();
            final int expected = sent;
            pollUntil(nodes[1], received, () -> received.count() == expected);
            offerUntilSent(sender, peer, frame, frame.capacity());
            pollUntil(nodes[1], received, () -> received.count() == expected + 1);
        }
    }

    @ParameterizedTest
    @EnumSource(Media.class)
    void aPeerThatGoesAwayIsReportedAndReconnectsWhenItReturns(final Media media)
    {
        try (AeronTransportFactory factory = new AeronTransportFactory(media))
        {
            final Transport[] nodes = factory.create(3);
            final Transport a = nodes[0];
            final AeronEndpoint bEndpoint = AeronEndpoint.parse(nodes[1].localEndpoint());
            final RecordingListener listener = new RecordingListener();
            a.peerStatusListener(listener);
            final int b = a.resolvePeer(nodes[1].localEndpoint());
            final int c = a.resolvePeer(nodes[2].localEndpoint());
            final Frames atA = new Frames();
            pollUntil(a, atA, () -> listener.events.contains("up " + b) && listener.events.contains("up " + c));

            nodes[1].close(); // for UDP this closes B's media driver too: the peer process is gone
            pollUntil(a, atA, () -> listener.events.contains("down " + b));
            assertThat(a.isConnected(b)).isFalse();
            assertThat(a.offer(b, pattern(8, 0), 0, 8)).isEqualTo(Transport.NOT_CONNECTED);

            // A keeps serving others.
            assertThat(a.offer(c, pattern(8, 1), 0, 8)).isPositive();
            final Frames atC = new Frames();
            pollUntil(nodes[2], atC, () -> atC.count() == 1);

            // B comes back at the same endpoint: the same handle reconnects.
            final AeronTransport bAgain = factory.createAt(bEndpoint);
            pollUntil(a, atA, () -> listener.events.lastIndexOf("up " + b) > listener.events.indexOf("down " + b));
            offerUntilSent(a, b, pattern(8, 2), 8);
            final Frames atB = new Frames();
            pollUntil(bAgain, atB, () -> atB.count() == 1);
            assertThat(atB.get(0)).isEqualTo(bytes(pattern(8, 2), 8));
        }
    }

    @ParameterizedTest
    @EnumSource(Media.class)
    void imagesOfPeersSendingToANodeAreTracked(final Media media)
    {
        try (AeronTransportFactory factory = new AeronTransportFactory(media))
        {
            final Transport[] nodes = factory.create(2);
            final AeronTransport receiver = (AeronTransport)nodes[1];
            nodes[0].resolvePeer(receiver.localEndpoint());
            awaitTrue(() -> receiver.imageCount() == 1);

            nodes[0].close();
            awaitTrue(() -> receiver.imageCount() == 0);
            awaitTrue(() -> receiver.imagesLostCount() == 1);
            // The lost image's reassembly state is released on the polling thread.
            assertThat(receiver.poll((buffer, offset, length) -> {}, 10)).isZero();
        }
    }

    private static final class RecordingListener implements PeerStatusListener
    {
        final List<String> events = new ArrayList<>();

        public void onPeerAvailable(final int peer)
        {
            events.add("up " + peer);
        }

        public void onPeerUnavailable(final int peer)
        {
            events.add("down " + peer);
        }
    }
}
