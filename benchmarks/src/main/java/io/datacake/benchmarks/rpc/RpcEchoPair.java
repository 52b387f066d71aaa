package io.datacake.benchmarks.rpc;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.rpc.Rpc;
import io.datacake.rpc.RpcError;
import io.datacake.rpc.RpcResponseListener;
import io.datacake.rpc.RpcService;
import io.datacake.transport.InProcessNetwork;
import org.agrona.DirectBuffer;

import java.util.function.UnaryOperator;

/**
 * Two nodes in invoker mode on an in-process network, a client and an echo server, stepped by the benchmark thread:
 * the RPC round trip the round-trip benchmarks measure, through the node-thread API with a reused listener.
 */
final class RpcEchoPair implements AutoCloseable
{
    /** Safety bound on duty cycles per round trip; a healthy round trip takes two. */
    static final int MAX_CYCLES_PER_CALL = 1_000;

    final Node client;
    final Node server;
    private final Rpc clientRpc;
    private final int serverPeer;
    private final int serviceId = RpcService.idOf("echo");
    private final Listener listener = new Listener();

    /**
     * Launch the pair.
     *
     * @param network   where both nodes live.
     * @param configure applied to both nodes' contexts before launch (e.g. a keyring).
     */
    RpcEchoPair(final InProcessNetwork network, final UnaryOperator<NodeContext> configure)
    {
        final RpcService echo = new RpcService("echo")
            .handler(1, (request, reply) -> reply.send(request.body(), request.bodyOffset(), request.bodyLength()));
        server = Node.launch(configure.apply(new NodeContext().nodeId(2).transport(network.newTransport("server"))
            .useAgentInvoker(true).addService(echo)));
        client = Node.launch(configure.apply(new NodeContext().nodeId(1).transport(network.newTransport("client"))
            .useAgentInvoker(true)));
        final Rpc[] captured = new Rpc[1];
        client.submit((services) -> captured[0] = services.rpc());
        client.invoker().invoke();
        clientRpc = captured[0];
        serverPeer = clientRpc.resolvePeer("server");
    }

    /**
     * One request and its response.
     *
     * @return the correlation id plus the response length, so the work is not eliminated.
     * @throws IllegalStateException if the round trip failed or did not complete within the cycle bound.
     */
    long roundTrip(final DirectBuffer body, final int length)
    {
        listener.done = false;
        final long correlationId = clientRpc.call(serverPeer, serviceId, 1, body, 0, length, null, 10_000, listener);
        for (int i = 0; !listener.done && i < MAX_CYCLES_PER_CALL; i++)
        {
            server.invoker().invoke();
            client.invoker().invoke();
        }
        if (!listener.done || listener.failed)
        {
            throw new IllegalStateException("round trip did not complete");
        }
        return correlationId + listener.length;
    }

    public void close()
    {
        client.close();
        server.close();
    }

    static final class Listener implements RpcResponseListener
    {
        boolean done;
        boolean failed;
        int length;

        public void onResponse(final long correlationId, final DirectBuffer body, final int offset, final int length)
        {
            this.length = length;
            done = true;
        }

        public void onError(final long correlationId, final RpcError error, final String message)
        {
            failed = true;
            done = true;
        }
    }
}
