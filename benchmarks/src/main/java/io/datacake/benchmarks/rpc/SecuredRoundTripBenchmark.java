package io.datacake.benchmarks.rpc;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.rpc.Rpc;
import io.datacake.rpc.RpcService;
import io.datacake.security.FrameProtection;
import io.datacake.security.Keyring;
import io.datacake.transport.InProcessNetwork;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * RPC round trip through the in-process transport with frames unsecured ({@code off}), authenticated
 * (HMAC-SHA256/128) or encrypted (AES-GCM): what security adds to the engine's own overhead. Sample mode, so the
 * report has the p50 the goal is stated in. Both nodes run in invoker mode, stepped by the benchmark thread, and the
 * call uses the node-thread API with a reused listener, as in {@link RpcRoundTripBenchmark}; four frames are sealed
 * and opened per round trip counting the request and the response once each way.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
@State(Scope.Thread)
public class SecuredRoundTripBenchmark
{
    /** Unsecured frames: no keyring. */
    static final String OFF = "off";

    @Param({OFF, "AUTHENTICATE", "ENCRYPT"})
    String protection;

    @Param({"32", "1024"})
    int bodyLength;

    private Node client;
    private Node server;
    private Rpc clientRpc;
    private int serverPeer;
    private int serviceId;
    private UnsafeBuffer body;
    private final RpcRoundTripBenchmark.Listener listener = new RpcRoundTripBenchmark.Listener();

    @Setup(Level.Trial)
    public void setup()
    {
        final InProcessNetwork network = new InProcessNetwork();
        final RpcService echo = new RpcService("echo")
            .handler(1, (request, reply) -> reply.send(request.body(), request.bodyOffset(), request.bodyLength()));
        server = Node.launch(secure(new NodeContext().nodeId(2).transport(network.newTransport("server"))
            .useAgentInvoker(true).addService(echo)));
        client = Node.launch(secure(new NodeContext().nodeId(1).transport(network.newTransport("client"))
            .useAgentInvoker(true)));
        final Rpc[] captured = new Rpc[1];
        client.submit((services) -> captured[0] = services.rpc());
        client.invoker().invoke();
        clientRpc = captured[0];
        serverPeer = clientRpc.resolvePeer("server");
        serviceId = RpcService.idOf("echo");
        body = new UnsafeBuffer(new byte[bodyLength]);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        final long dropped = client.counters().rpc().forgedFramesDropped.get() +
            server.counters().rpc().forgedFramesDropped.get();
        client.close();
        server.close();
        if (dropped != 0)
        {
            throw new IllegalStateException(dropped + " frames failed authentication");
        }
    }

    /**
     * One request and its response through the RPC engine.
     *
     * @return the correlation id, so the work is not eliminated.
     */
    @Benchmark
    public long roundTrip()
    {
        listener.done = false;
        final long correlationId = clientRpc.call(
            serverPeer, serviceId, 1, body, 0, bodyLength, null, 10_000, listener);
        for (int i = 0; !listener.done && i < RpcRoundTripBenchmark.MAX_CYCLES_PER_CALL; i++)
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

    private NodeContext secure(final NodeContext ctx)
    {
        if (OFF.equals(protection))
        {
            return ctx;
        }
        final byte[] secret = new byte[32];
        Arrays.fill(secret, (byte)7);
        return ctx.keyring(Keyring.of(1, secret)).frameProtection(FrameProtection.valueOf(protection));
    }
}
