package io.datacake.benchmarks.aeron;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.transport.aeron.AeronDriver;
import io.datacake.transport.aeron.AeronEndpoint;
import io.datacake.transport.aeron.AeronTransport;
import io.datacake.transport.aeron.AeronTransportSettings;

/**
 * RPC from an application thread: {@link Node#call} and wait on its future. On top of {@link RpcPingPong} this adds
 * the command-queue hop to the calling node's thread and the future's completion back, so it has three threads in
 * the loop (application, caller node, echo node) where the raw ping-pong has two, and allocates per call.
 */
public final class NodeCallPingPong implements PingPong
{
    private final Node caller;
    private final Node echoer;
    private final byte[] body;

    /**
     * Start both nodes on their own threads.
     *
     * @param driver        a launched driver.
     * @param endpoints     {@code [caller, echoer]} endpoints.
     * @param messageLength body bytes per call.
     */
    public NodeCallPingPong(final AeronDriver driver, final AeronEndpoint[] endpoints, final int messageLength)
    {
        body = new byte[messageLength];
        echoer = Node.launch(new NodeContext()
            .nodeId(2)
            .transport(AeronTransport.create(driver, endpoints[1], new AeronTransportSettings()))
            .ownsTransport(true)
            .idleStrategy(BenchMedia.newApplicationIdleStrategy())
            .addService(RpcPingPong.echoService()));
        caller = Node.launch(new NodeContext()
            .nodeId(1)
            .transport(AeronTransport.create(driver, endpoints[0], new AeronTransportSettings()))
            .ownsTransport(true)
            .idleStrategy(BenchMedia.newApplicationIdleStrategy()));
    }

    /**
     * {@inheritDoc}
     */
    public void roundTrip()
    {
        caller.call(echoer.endpoint(), RpcPingPong.SERVICE, RpcPingPong.ECHO, body, null, RpcPingPong.CALL_TIMEOUT_MS)
            .join();
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        caller.close();
        echoer.close();
    }
}
