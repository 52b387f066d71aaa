package io.datacake.benchmarks.security;

import io.datacake.security.FrameOpener;
import io.datacake.security.FrameProtection;
import io.datacake.security.FrameSealer;
import io.datacake.security.Keyring;
import org.agrona.BufferUtil;
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
 * What authenticating one frame costs in the engine: {@link FrameSealer#seal} (trailer written, one HMAC-SHA256)
 * and seal plus {@link FrameOpener#open} (two HMACs, the trailer read, the tag compared, a replay window moved), in
 * authenticate mode, on a heap or a direct buffer (frames sealed into an Aeron claim and received from Aeron are
 * direct). The frame is {@value #HEADER_LENGTH} bytes of headers and a body; {@link MacPrimitivesBenchmark} runs the
 * JDK's primitives over the same bytes. Run with {@code -prof gc} for the allocation per operation, or through
 * {@code CpuTimeRun} on a shared machine.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
@State(Scope.Thread)
public class FrameMacBenchmark
{
    /** Bytes of the frame headers, the part left readable in encrypt mode. */
    static final int HEADER_LENGTH = 40;

    /** Bytes after the frame that the tag covers as well: key id, generation, counter. */
    static final int TRAILER_FIELDS_LENGTH = 18;

    private static final int KEY_LENGTH = 32;

    @Param({"32", "1024", "8192"})
    int bodyLength;

    @Param({"HEAP", "DIRECT"})
    String buffer;

    private int frameLength;
    private FrameSealer sealer;
    private FrameOpener opener;
    private UnsafeBuffer frame;

    /**
     * Set up the sealer, the opener and the frame.
     */
    @Setup(Level.Trial)
    public void setup()
    {
        frameLength = HEADER_LENGTH + bodyLength;
        final Keyring keyring = Keyring.of(1, secret());
        sealer = new FrameSealer(1, 1, FrameProtection.AUTHENTICATE, keyring);
        final int capacity = frameLength + FrameSealer.TRAILER_LENGTH;
        opener = new FrameOpener(FrameProtection.AUTHENTICATE, keyring, capacity, 0);
        frame = "DIRECT".equals(buffer) ?
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity, 64)) : new UnsafeBuffer(new byte[capacity]);
        frame.setMemory(0, frameLength, (byte)3);
    }

    /**
     * Nothing to release; here so that {@code CpuTimeRun} can run this benchmark.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
    }

    /**
     * Seal the frame.
     *
     * @return the sealed length.
     */
    @Benchmark
    public int seal()
    {
        return sealer.seal(frame, 0, HEADER_LENGTH, frameLength);
    }

    /**
     * Seal the frame after the sealer has prepared the next tag, as the RPC layer does after each frame it sends:
     * the same work as {@link #seal()}, in two steps.
     *
     * @return the sealed length.
     */
    @Benchmark
    public int prepareAndSeal()
    {
        sealer.prepare();
        return sealer.seal(frame, 0, HEADER_LENGTH, frameLength);
    }

    /**
     * Seal the frame and open it.
     *
     * @return the verdict.
     */
    @Benchmark
    public int sealAndOpen()
    {
        final int sealed = sealer.seal(frame, 0, HEADER_LENGTH, frameLength);
        final int verdict = opener.open(frame, 0, HEADER_LENGTH, sealed, 1, 1);
        if (verdict != FrameOpener.OPENED)
        {
            throw new IllegalStateException("frame did not open: " + verdict);
        }
        return verdict;
    }

    static byte[] secret()
    {
        final byte[] secret = new byte[KEY_LENGTH];
        Arrays.fill(secret, (byte)7);
        return secret;
    }
}
