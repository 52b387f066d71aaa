package io.datacake.rpc;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.sim.SimClock;
import io.datacake.transport.FrameHandler;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.InProcessTransport;
import io.datacake.transport.PeerStatusListener;
import io.datacake.transport.Transport;
import io.datacake.transport.TransportClaim;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A transport that reports a peer going away (as Aeron does when an image or publication disconnects) fails the
 * calls pending on that peer at once, not at their timeout.
 */
final class PeerStatusTest
{
    private final SimClock clock = new SimClock();
    private final InProcessNetwork network = new InProcessNetwork();

    @Test
    void peerReportedUnavailableFailsItsPendingCallsAtOnce()
    {
        final ReportingTransport clientTransport = new ReportingTransport(network.newTransport("client"));
        try (Node server = Node.launch(new NodeContext().nodeId(2).transport(network.newTransport("server"))
                .epochClock(clock).useAgentInvoker(true).addService(RpcScenarios.echoService()));
            Node client = Node.launch(new NodeContext().nodeId(1).transport(clientTransport)
                .epochClock(clock).useAgentInvoker(true)))
        {
            final CompletableFuture<RpcResponse> pending = client.call(
                "server", RpcScenarios.ECHO, RpcScenarios.NEVER_REPLY, new byte[1], null, 600_000);
            final CompletableFuture<RpcResponse> otherPeer = client.call(
                "elsewhere", RpcScenarios.ECHO, RpcScenarios.ECHO_BODY, new byte[1], null, 600_000);
            for (int i = 0; i < 10; i++)
            {
                client.invoker().invoke();
                server.invoker().invoke();
            }
            assertThat(pending).isNotDone();

            clientTransport.reportUnavailable(clientTransport.resolvePeer("server"));
            client.invoker().invoke();

            assertThat(SimScenarioSupport.errorOf(pending)).isEqualTo(RpcError.PEER_UNREACHABLE);
            assertThat(otherPeer).isNotDone();
        }
    }

    /** Delegates to an in-process transport and reports a peer status change on the next poll. */
    private static final class ReportingTransport implements Transport
    {
        private final InProcessTransport delegate;
        private PeerStatusListener listener;
        private int unavailablePeer = -1;

        ReportingTransport(final InProcessTransport delegate)
        {
            this.delegate = delegate;
        }

        void reportUnavailable(final int peer)
        {
            unavailablePeer = peer;
        }

        public int resolvePeer(final CharSequence endpoint)
        {
            return delegate.resolvePeer(endpoint);
        }

        public void releasePeer(final int peer)
        {
            delegate.releasePeer(peer);
        }

        public boolean isConnected(final int peer)
        {
            return delegate.isConnected(peer);
        }

        public String peerEndpoint(final int peer)
        {
            return delegate.peerEndpoint(peer);
        }

        public long offer(final int peer, final DirectBuffer buffer, final int offset, final int length)
        {
            return delegate.offer(peer, buffer, offset, length);
        }

        public long tryClaim(final int peer, final int length, final TransportClaim claim)
        {
            return delegate.tryClaim(peer, length, claim);
        }

        public TransportClaim newClaim()
        {
            return delegate.newClaim();
        }

        public int poll(final FrameHandler handler, final int fragmentLimit)
        {
            int work = 0;
            if (unavailablePeer >= 0 && null != listener)
            {
                listener.onPeerUnavailable(unavailablePeer);
                unavailablePeer = -1;
                work++;
            }
            return work + delegate.poll(handler, fragmentLimit);
        }

        public void peerStatusListener(final PeerStatusListener listener)
        {
            this.listener = listener;
        }

        public int maxMessageLength()
        {
            return delegate.maxMessageLength();
        }

        public String localEndpoint()
        {
            return delegate.localEndpoint();
        }

        public boolean isClosed()
        {
            return delegate.isClosed();
        }

        public void close()
        {
            delegate.close();
        }
    }
}
