package io.datacake.benchmarks.rpc;

import io.datacake.security.FrameOpener;
import io.datacake.security.FrameProtection;
import io.datacake.security.FrameSealer;
import io.datacake.security.Keyring;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The cost of securing one frame: seal it, then open it at a receiver (tag checked, replay window moved), without
 * the RPC layer around it. Frame lengths: a small request (the 32-byte echo of {@link SecuredRoundTripBenchmark},
 * about 110 bytes on the wire) and a 1 KiB body.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
@State(Scope.Thread)
public class FrameSealBenchmark
{
    /** Bytes of the frame headers, left in clear text in encrypt mode. */
    static final int CLEAR_LENGTH = 40;

    @Param({"AUTHENTICATE", "ENCRYPT"})
    FrameProtection protection;

    @Param({"110", "1100"})
    int frameLength;

    private FrameSealer sealer;
    private FrameOpener opener;
    private UnsafeBuffer frame;
    private byte[] plain;

    @Setup(Level.Trial)
    public void setup()
    {
        final byte[] secret = new byte[32];
        Arrays.fill(secret, (byte)7);
        final Keyring keyring = Keyring.of(1, secret);
        sealer = new FrameSealer(1, 1, protection, keyring);
        opener = new FrameOpener(protection, keyring, 4096, 0);
        plain = new byte[frameLength];
        Arrays.fill(plain, (byte)3);
        frame = new UnsafeBuffer(new byte[frameLength + FrameSealer.TRAILER_LENGTH]);
    }

    /**
     * Seal a frame and open it.
     *
     * @return the verdict, so the work is not eliminated.
     */
    @Benchmark
    public int sealAndOpen()
    {
        frame.putBytes(0, plain);
        final int sealed = sealer.seal(frame, 0, CLEAR_LENGTH, frameLength);
        final int verdict = opener.open(frame, 0, CLEAR_LENGTH, sealed, 1, 1);
        if (verdict != FrameOpener.OPENED)
        {
            throw new IllegalStateException("frame did not open: " + verdict);
        }
        return verdict;
    }
}
