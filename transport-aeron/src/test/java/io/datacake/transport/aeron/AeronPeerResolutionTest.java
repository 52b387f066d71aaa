package io.datacake.transport.aeron;

import io.aeron.AeronCounters;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.rpc.RpcResponse;
import io.datacake.transport.PeerStatusListener;
import io.datacake.transport.Transport;
import io.datacake.transport.aeron.AeronTransportFactory.Media;
import io.datacake.transport.aeron.TransportTestSupport.Frames;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.datacake.transport.aeron.TransportTestSupport.awaitTrue;
import static io.datacake.transport.aeron.TransportTestSupport.bytes;
import static io.datacake.transport.aeron.TransportTestSupport.pattern;
import static io.datacake.transport.aeron.TransportTestSupport.pollUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resolving a peer never waits for the media driver: the handle comes back at once and reports
 * {@link Transport#NOT_CONNECTED} until the publication exists and is connected, which the
 * {@link PeerStatusListener} then reports. A {@link DriverGate} holds the driver still where a test must show that
 * something happened before the driver acted; nothing here compares durations.
 */
class AeronPeerResolutionTest
{
    private static final int POLLS_WHILE_HELD = 1_000;
    private static final int PEERS = 3;

    @Test
    void resolvingAnUnreachableUdpPeerReturnsBeforeTheDriverActsAndPollingGoesOn()
    {
        final DriverGate gate = new DriverGate();
        try (AeronTransportFactory factory = gatedFactory(Media.UDP, gate))
        {
            final AeronTransport a = factory.createOne();
            final RecordingListener listener = new RecordingListener();
            a.peerStatusListener(listener);
            gate.close();

            // The driver is held: a resolve that waited for the publication (as it used to) could never return.
            final int nobody = a.resolvePeer(factory.unreachableEndpoint());
            assertThat(a.isPublicationPending(nobody)).isTrue();
            assertThat(a.offer(nobody, pattern(8, 0), 0, 8)).isEqualTo(Transport.NOT_CONNECTED);
            assertThat(a.tryClaim(nobody, 8, a.newClaim())).isEqualTo(Transport.NOT_CONNECTED);
            assertThat(a.isConnected(nobody)).isFalse();
            final Frames frames = new Frames();
            for (int i = 0; i < POLLS_WHILE_HELD; i++)
            {
                assertThat(a.poll(frames, 16)).isZero();
            }
            assertThat(a.isPublicationPending(nobody)).as("the driver did nothing meanwhile").isTrue();

            // The driver creates the publication; nobody listens, so it stays not connected while polling goes on.
            gate.open();
            pollUntil(a, frames, () -> !a.isPublicationPending(nobody));
            for (int i = 0; i < POLLS_WHILE_HELD; i++)
            {
                a.poll(frames, 16);
                assertThat(a.offer(nobody, pattern(8, 0), 0, 8)).isEqualTo(Transport.NOT_CONNECTED);
            }
            assertThat(listener.events).isEmpty();
            assertThat(a.peerResolveFailureCount()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Media.class)
    void aPeerThatStartsLaterIsReportedAvailableOnceAndItsFirstFrameIsAccepted(final Media media)
    {
        try (AeronTransportFactory factory = new AeronTransportFactory(media))
        {
            final AeronTransport a = factory.createOne();
            final RecordingListener listener = new RecordingListener();
            a.peerStatusListener(listener);
            final AeronEndpoint later = AeronEndpoint.parse(factory.unreachableEndpoint());
            final int peer = a.resolvePeer(later.toString());
            final Frames atA = new Frames();
            pollUntil(a, atA, () -> !a.isPublicationPending(peer));
            assertThat(a.offer(peer, pattern(8, 0), 0, 8)).isEqualTo(Transport.NOT_CONNECTED);

            final AeronTransport b = factory.createAt(later);
            pollUntil(a, atA, () -> listener.events.contains("up " + peer));
            assertThat(a.offer(peer, pattern(8, 1), 0, 8)).as("first frame once available").isPositive();
            final Frames atB = new Frames();
            pollUntil(b, atB, () -> atB.count() == 1);
            assertThat(atB.get(0)).isEqualTo(bytes(pattern(8, 1), 8));

            for (int i = 0; i < 100; i++)
            {
                a.poll(atA, 16);
            }
            assertThat(listener.events).containsExactly("up " + peer);
        }
    }

    @ParameterizedTest
    @EnumSource(Media.class)
    void anRpcCallToAPeerThatStartsLaterCompletes(final Media media) throws Exception
    {
        final List<Node> nodes = new ArrayList<>();
        try (AeronTransportFactory factory = new AeronTransportFactory(media))
        {
            final AeronTransport aTransport = factory.createOne();
            final Node a = launch(nodes, 1, aTransport);
            final AeronEndpoint later = AeronEndpoint.parse(factory.unreachableEndpoint());
            final byte[] body = "to a node that is not up yet".getBytes(StandardCharsets.US_ASCII);
            final CompletableFuture<RpcResponse> call = a.call(
                later.toString(), AeronRpcTest.ECHO, AeronRpcTest.ECHO_MESSAGE, body, null, 30_000);
            // The call waits for a connection: its sends are NOT_CONNECTED and retried; it has not failed.
            awaitTrue(() -> aTransport.notConnectedCount() > 1);
            assertThat(call).isNotDone();

            final AeronTransport bTransport = factory.createAt(later);
            // B reaches A before its node starts, so this test is about the call, not about how the RPC layer
            // treats a reply to a requester whose publication is still being made. A's request waits in B's image.
            final int aAtB = bTransport.resolvePeer(a.endpoint());
            awaitTrue(() -> bTransport.isConnected(aAtB));
            launch(nodes, 2, bTransport);

            assertThat(call.get(TransportTestSupport.WAIT_LIMIT_MS, TimeUnit.MILLISECONDS).body()).isEqualTo(body);
        }
        finally
        {
            nodes.forEach(Node::close);
        }
    }

    @Test
    void releasingAHandleWhoseAddIsPendingIsSafeAndRemovesThePublication()
    {
        final DriverGate gate = new DriverGate();
        try (AeronTransportFactory factory = gatedFactory(Media.IPC, gate))
        {
            final AeronTransport a = factory.createOne();
            final AeronTransport b = factory.createOne();
            final CountersReader counters = a.driver().aeron().countersReader();
            gate.close();

            final int released = a.resolvePeer(b.localEndpoint());
            final long releasedId = a.publicationRegistrationId(released);
            a.releasePeer(released);
            assertThat(a.offer(released, pattern(8, 0), 0, 8)).isEqualTo(Transport.CLOSED);
            assertThat(a.isConnected(released)).isFalse();
            assertThat(a.isPublicationPending(released)).isFalse();
            final int again = a.resolvePeer(b.localEndpoint());
            assertThat(again).isNotEqualTo(released);
            final long againId = a.publicationRegistrationId(again);
            gate.open();

            awaitTrue(() -> a.isConnected(again));
            assertThat(a.offer(again, pattern(8, 2), 0, 8)).isPositive();
            final Frames atB = new Frames();
            pollUntil(b, atB, () -> atB.count() == 1);
            assertThat(publicationsRegisteredAs(counters, againId)).isEqualTo(1);
            awaitTrue(() -> publicationsRegisteredAs(counters, releasedId) == 0);
        }
    }

    @Test
    void closingWithPendingAddsRemovesTheirPublicationsFromASharedDriver()
    {
        final DriverGate gate = new DriverGate();
        try (AeronTransportFactory factory = gatedFactory(Media.IPC, gate))
        {
            final AeronTransport a = factory.createOne();
            final AeronTransport b = factory.createOne();
            final CountersReader counters = b.driver().aeron().countersReader();
            gate.close();
            final long[] registrationIds = new long[PEERS];
            for (int i = 0; i < PEERS; i++)
            {
                final int peer = a.resolvePeer(i == 0 ? b.localEndpoint() : factory.unreachableEndpoint());
                assertThat(a.isPublicationPending(peer)).isTrue();
                registrationIds[i] = a.publicationRegistrationId(peer);
            }

            a.close();
            gate.open();
            for (final long registrationId : registrationIds)
            {
                awaitTrue(() -> publicationsRegisteredAs(counters, registrationId) == 0);
            }
            awaitTrue(() -> b.imageCount() == 0);
            assertThat(b.driver().isClosed()).as("the shared driver stays up").isFalse();
        }
    }

    @Test
    void closingWithPendingAddsDeletesTheOwnedDriversDirectory()
    {
        final DriverGate gate = new DriverGate();
        try (AeronTransportFactory factory = gatedFactory(Media.UDP, gate))
        {
            final AeronTransport a = factory.createOne();
            final File directory = new File(a.driver().aeronDirectoryName());
            assertThat(directory).isDirectory();
            gate.close();
            final int[] peers = new int[PEERS];
            for (int i = 0; i < PEERS; i++)
            {
                peers[i] = a.resolvePeer(factory.unreachableEndpoint());
            }
            gate.open(); // the driver must run to shut down; the transport has not looked at the adds since

            for (final int peer : peers)
            {
                assertThat(a.isPublicationPending(peer)).isTrue();
            }
            a.close();
            assertThat(a.driver().isClosed()).isTrue();
            assertThat(directory).doesNotExist();
        }
    }

    @Test
    void onePollLooksUpAtMostItsBoundOfPendingAddsAndLaterPollsFinishTheRest()
    {
        final DriverGate gate = new DriverGate();
        try (AeronTransportFactory factory = gatedFactory(Media.IPC, gate))
        {
            final AeronTransport a = factory.createOne();
            final CountersReader counters = a.driver().aeron().countersReader();
            final int peerCount = AeronTransport.PENDING_ADD_LOOKUPS_PER_POLL * 2 + 3;
            final int[] peers = new int[peerCount];
            gate.close();
            for (int i = 0; i < peerCount; i++)
            {
                peers[i] = a.resolvePeer(factory.unreachableEndpoint());
            }
            gate.open();
            for (final int peer : peers)
            {
                final long registrationId = a.publicationRegistrationId(peer);
                awaitTrue(() -> publicationsRegisteredAs(counters, registrationId) == 1);
            }

            final Frames frames = new Frames();
            a.poll(frames, 16);
            assertThat(pendingCount(a, peers))
                .isGreaterThanOrEqualTo(peerCount - AeronTransport.PENDING_ADD_LOOKUPS_PER_POLL);
            pollUntil(a, frames, () -> pendingCount(a, peers) == 0);
            for (final int peer : peers)
            {
                assertThat(a.offer(peer, pattern(8, 0), 0, 8)).isEqualTo(Transport.NOT_CONNECTED);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Media.class)
    void aPublicationTheDriverRejectsIsCountedAndItsSendsReportClosedWithoutThrowingFromPoll(final Media media)
    {
        try (AeronTransportFactory factory = new AeronTransportFactory(media))
        {
            final Transport[] nodes = factory.create(2);
            final AeronTransport a = (AeronTransport)nodes[0];
            final RecordingListener listener = new RecordingListener();
            a.peerStatusListener(listener);

            final int rejected = a.resolvePeer(nodes[1].localEndpoint() + "|mtu=7");
            final Frames frames = new Frames();
            pollUntil(a, frames, () -> a.peerResolveFailureCount() == 1);
            assertThat(a.isPublicationPending(rejected)).isFalse();
            assertThat(a.offer(rejected, pattern(8, 0), 0, 8)).isEqualTo(Transport.CLOSED);
            assertThat(a.tryClaim(rejected, 8, a.newClaim())).isEqualTo(Transport.CLOSED);
            assertThat(a.isConnected(rejected)).isFalse();

            // The transport goes on serving other peers; the rejected one is never reported available.
            final int good = TransportTestSupport.resolveConnected(a, nodes[1].localEndpoint());
            pollUntil(a, frames, () -> listener.events.contains("up " + good));
            assertThat(listener.events).containsExactly("up " + good);
            assertThat(a.peerResolveFailureCount()).isEqualTo(1);

            // Released and resolved again (still invalid), it is retried and fails again, counted again.
            a.releasePeer(rejected);
            final int retried = a.resolvePeer(nodes[1].localEndpoint() + "|mtu=7");
            pollUntil(a, frames, () -> a.peerResolveFailureCount() == 2);
            assertThat(a.offer(retried, pattern(8, 0), 0, 8)).isEqualTo(Transport.CLOSED);
        }
    }

    private static AeronTransportFactory gatedFactory(final Media media, final DriverGate gate)
    {
        return new AeronTransportFactory(media, (settings) -> settings.driverIdleStrategy(() -> gate));
    }

    private static Node launch(final List<Node> nodes, final int nodeId, final Transport transport)
    {
        final Node node = Node.launch(new NodeContext()
            .nodeId(nodeId)
            .transport(transport)
            .ownsTransport(true)
            .connectTimeoutMs(30_000)
            .idleStrategy(new SleepingMillisIdleStrategy(1))
            .addService(AeronRpcTest.echoService()));
        nodes.add(node);
        return node;
    }

    private static int pendingCount(final AeronTransport transport, final int[] peers)
    {
        int pending = 0;
        for (final int peer : peers)
        {
            pending += transport.isPublicationPending(peer) ? 1 : 0;
        }
        return pending;
    }

    /**
     * How many publications the driver holds under a registration id (each has one publisher-limit counter).
     */
    private static int publicationsRegisteredAs(final CountersReader counters, final long registrationId)
    {
        final int[] count = new int[1];
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (AeronCounters.DRIVER_PUBLISHER_LIMIT_TYPE_ID == typeId &&
                counters.getCounterRegistrationId(counterId) == registrationId)
            {
                count[0]++;
            }
        });
        return count[0];
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
