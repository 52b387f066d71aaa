package io.datacake.rpc;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.sim.SimClock;
import io.datacake.transport.InProcessNetwork;
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
        final BackPressuringTransport clientTransport = new BackPressuringTransport(network.newTransport("client"));
        try (Node server = Node.launch(new NodeContext().nodeId(2).transport(network.newTransport("server"))
                .epochClock(clock).nanoClock(clock).useAgentInvoker(true).addService(RpcScenarios.echoService()));
            Node client = Node.launch(new NodeContext().nodeId(1).transport(clientTransport)
                .epochClock(clock).nanoClock(clock).useAgentInvoker(true)))
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
}
