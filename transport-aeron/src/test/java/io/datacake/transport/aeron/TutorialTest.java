package io.datacake.transport.aeron;

import io.aeron.driver.ThreadingMode;
import io.datacake.transport.FrameHandler;
import io.datacake.transport.PeerStatusListener;
import io.datacake.transport.Transport;
import io.datacake.transport.TransportClaim;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.datacake.transport.aeron.TransportTestSupport.pollUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A walk through the Aeron transport, from launching a media driver to sending frames between two nodes. Read it
 * top to bottom; every step runs.
 */
class TutorialTest
{
    @TempDir
    Path tempDir;

    @Test
    void twoNodesTalkOverAeron()
    {
        // 1. A media driver moves the bytes. By default each AeronDriver launches an embedded one in its own unique
        //    directory (under java.io.tmpdir unless told otherwise), with one driver thread that backs off when
        //    idle: right for small machines. To share a driver that runs elsewhere, use externalDriver(dir).
        final AeronDriverSettings driverSettings = new AeronDriverSettings()
            .embeddedBaseDirectory(tempDir)
            .threadingMode(ThreadingMode.SHARED)
            .termBufferLength(64 * 1024); // small logs: a few hundred KiB per peer

        try (AeronDriver driver = AeronDriver.launch(driverSettings))
        {
            // 2. Each node listens at an endpoint: a channel plus a stream id. Nodes that share a driver can use
            //    IPC (here); nodes on other hosts use UDP, e.g. AeronEndpoint.udp("10.0.0.7", 40123, 1001).
            final AeronTransportSettings settings = new AeronTransportSettings().termBufferLength(64 * 1024);
            try (AeronTransport alice = AeronTransport.create(driver, AeronEndpoint.ipc(1), settings);
                AeronTransport bob = AeronTransport.create(driver, AeronEndpoint.ipc(2), settings))
            {
                // 3. A peer status listener hears, from within poll, when a resolved peer connects or goes away.
                final List<String> events = new ArrayList<>();
                alice.peerStatusListener(new PeerStatusListener()
                {
                    public void onPeerAvailable(final int peer)
                    {
                        events.add("available " + alice.peerEndpoint(peer));
                    }

                    public void onPeerUnavailable(final int peer)
                    {
                        events.add("unavailable " + alice.peerEndpoint(peer));
                    }
                });

                // 4. Resolve a peer once, from its endpoint string (it travels in the engine's frames), into an int
                //    handle. This asks the media driver for an exclusive publication to the peer and returns at once:
                //    it never waits, so the node thread keeps its rhythm even when the peer is down. Sends return
                //    NOT_CONNECTED until the publication is connected; the listener then hears "available".
                final int bobAtAlice = alice.resolvePeer(bob.localEndpoint());
                final FrameHandler ignore = (buffer, offset, length) -> {};
                pollUntil(alice, ignore, () -> events.contains("available " + bob.localEndpoint()));
                assertThat(alice.isConnected(bobAtAlice)).isTrue();

                // 5. Send by copying from your buffer ...
                final UnsafeBuffer hello = new UnsafeBuffer("hello bob".getBytes(StandardCharsets.US_ASCII));
                final long result = alice.offer(bobAtAlice, hello, 0, hello.capacity());
                // ... a positive result is the stream position; a negative one is a Transport code to act on:
                // BACK_PRESSURED (retry later), NOT_CONNECTED (peer unreachable), CLOSED, MAX_POSITION_EXCEEDED.
                assertThat(result).isPositive();

                // 6. ... or encode in place: claim space in the publication's own buffer, write, commit. Create the
                //    claim once and reuse it; nothing is allocated per send.
                final TransportClaim claim = alice.newClaim();
                final byte[] text = "and again, in place".getBytes(StandardCharsets.US_ASCII);
                if (alice.tryClaim(bobAtAlice, text.length, claim) > 0)
                {
                    claim.buffer().putBytes(claim.offset(), text);
                    claim.commit();
                }

                // 7. The receiving node polls from its own thread, with a bound on the work per call. The frame is
                //    a view of Aeron's buffer: decode in place, copy only what must outlive the callback.
                final List<String> received = new ArrayList<>();
                final FrameHandler handler = (buffer, offset, length) ->
                    received.add(buffer.getStringWithoutLengthAscii(offset, length));
                pollUntil(bob, handler, () -> received.size() == 2);
                assertThat(received).containsExactly("hello bob", "and again, in place");

                // 8. Frames up to maxMessageLength() (termBufferLength / 8) go in one piece; Aeron fragments and
                //    the transport reassembles. Longer messages are the RPC layer's job (it streams them).
                assertThat(alice.maxMessageLength()).isEqualTo(8 * 1024);

                // 9. When the peer goes away the listener hears it, and sends report NOT_CONNECTED again.
                bob.close();
                pollUntil(alice, ignore, () -> events.contains("unavailable " + bob.localEndpoint()));
                assertThat(alice.offer(bobAtAlice, hello, 0, hello.capacity())).isEqualTo(Transport.NOT_CONNECTED);
            }
            // 10. Closing a transport closes its publications and subscription; closing the driver joins its threads
            //    and deletes its directory.
        }
    }
}
