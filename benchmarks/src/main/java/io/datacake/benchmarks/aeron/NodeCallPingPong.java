package io.datacake.benchmarks.aeron;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.rpc.RpcError;
import io.datacake.rpc.RpcException;
import io.datacake.transport.aeron.AeronDriver;
import io.datacake.transport.aeron.AeronEndpoint;
import io.datacake.transport.aeron.AeronTransport;

import java.util.concurrent.CompletionException;

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
    private long timeouts;
    private long backPressuredCalls;

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
            .transport(AeronTransport.create(driver, endpoints[1], BenchMedia.transportSettings()))
            .ownsTransport(true)
            .idleStrategy(BenchMedia.newApplicationIdleStrategy())
            .addService(RpcPingPong.echoService()));
        caller = Node.launch(new NodeContext()
            .nodeId(1)
            .transport(AeronTransport.create(driver, endpoints[0], BenchMedia.transportSettings()))
            .ownsTransport(true)
            .idleStrategy(BenchMedia.newApplicationIdleStrategy()));
    }

    /**
     * {@inheritDoc}
     * <p>
     * Retries a call that timed out or was back-pressured, as {@link RpcPingPong#roundTrip()} does.
     *
     * @throws IllegalStateException if calls keep failing.
     */
    public void roundTrip()
    {
        for (int attempt = 0; attempt < RpcPingPong.MAX_ATTEMPTS; attempt++)
        {
            try
            {
                caller.call(echoer.endpoint(), RpcPingPong.SERVICE, RpcPingPong.ECHO, body, null,
                    RpcPingPong.CALL_TIMEOUT_MS).join();
                return;
            }
            catch (final CompletionException ex)
            {
                final RpcError error = ex.getCause() instanceof RpcException ?
                    ((RpcException)ex.getCause()).error() : null;
                if (RpcError.TIMEOUT == error)
                {
                    timeouts++;
                }
                else if (RpcError.BACK_PRESSURED == error)
                {
                    backPressuredCalls++;
                }
                else
                {
                    throw ex;
                }
            }
        }
        throw new IllegalStateException("benchmark call failed " + RpcPingPong.MAX_ATTEMPTS + " times in a row");
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        System.out.println("node-call ping-pong: retried after timeout " + timeouts + ", after back-pressure " +
            backPressuredCalls);
        caller.close();
        echoer.close();
    }
}
