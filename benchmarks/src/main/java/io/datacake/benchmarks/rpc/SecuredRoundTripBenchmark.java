package io.datacake.benchmarks.rpc;

import io.datacake.node.NodeContext;
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
 * (HMAC-SHA256/128) or encrypted (AES-CTR, then the same HMAC over the ciphertext): what security adds to the
 * engine's own overhead. Sample mode, so the report has the p50 the goal is stated in. Both nodes run in invoker
 * mode, stepped by the benchmark thread, and the call uses the node-thread API with a reused listener ({@link RpcEchoPair}), as in {@link RpcRoundTripBenchmark}:
 * per round trip two frames are sealed and two opened.
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

    private RpcEchoPair pair;
    private UnsafeBuffer body;

    @Setup(Level.Trial)
    public void setup()
    {
        pair = new RpcEchoPair(new InProcessNetwork(), this::secure);
        body = new UnsafeBuffer(new byte[bodyLength]);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        final long dropped = pair.client.counters().rpc().forgedFramesDropped.get() +
            pair.server.counters().rpc().forgedFramesDropped.get();
        pair.close();
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
        return pair.roundTrip(body, bodyLength);
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
