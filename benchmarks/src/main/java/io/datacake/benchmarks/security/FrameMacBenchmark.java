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
import org.openjdk.jmh.annotations.Warmup;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * What authenticating one frame costs, against what the JDK's primitives cost over the same bytes: the frame plus
 * the {@value #TRAILER_FIELDS_LENGTH} trailer bytes the tag covers.
 * <ul>
 *     <li>{@code sha256Digest}: one plain SHA-256 over the bytes in a heap array, the floor any HMAC-SHA256 sits on;</li>
 *     <li>{@code sha512Digest}: the same with SHA-512, the hash of the other standard HMAC of the same strength;</li>
 *     <li>{@code jdkHmacSha256}: {@code javax.crypto.Mac} "HmacSHA256" over the heap array;</li>
 *     <li>{@code aesGmac}: AES-GMAC, {@code AES/GCM/NoPadding} with the bytes as additional data and a fresh nonce per
 *     frame (a new {@code Cipher.init}, which the JDK requires for every nonce);</li>
 *     <li>{@code seal}, {@code sealAndOpen}: the engine's {@link FrameSealer} and {@link FrameOpener} in authenticate
 *     mode, on a heap or a direct buffer (a received Aeron frame is direct).</li>
 * </ul>
 * Run with {@code -prof gc} to see the allocation per operation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class FrameMacBenchmark
{
    /** Bytes after the frame that the tag covers besides the frame: key id, generation, counter. */
    static final int TRAILER_FIELDS_LENGTH = 18;

    /** Bytes of the frame headers, as {@code FrameSealBenchmark} takes them. */
    static final int CLEAR_LENGTH = 40;

    private static final int TAG_BITS = 128;

    /**
     * The bytes one tag covers, in a heap array, and the JDK primitives over them.
     */
    @State(Scope.Thread)
    public static class Primitives
    {
        @Param({"32", "1024", "8192"})
        int frameLength;

        byte[] bytes;
        final byte[] out = new byte[64];
        MessageDigest sha256;
        MessageDigest sha512;
        Mac hmac;
        Cipher gcm;
        SecretKeySpec aesKey;
        final byte[] nonce = new byte[12];
        long counter;

        /**
         * Fill the bytes and set up the primitives.
         *
         * @throws GeneralSecurityException if the JDK lacks one of them.
         */
        @Setup(Level.Trial)
        public void setup() throws GeneralSecurityException
        {
            bytes = new byte[frameLength + TRAILER_FIELDS_LENGTH];
            Arrays.fill(bytes, (byte)3);
            final byte[] secret = new byte[32];
            Arrays.fill(secret, (byte)7);
            sha256 = MessageDigest.getInstance("SHA-256");
            sha512 = MessageDigest.getInstance("SHA-512");
            hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(secret, "HmacSHA256"));
            gcm = Cipher.getInstance("AES/GCM/NoPadding");
            aesKey = new SecretKeySpec(secret, "AES");
        }
    }

    /**
     * A frame in a heap or direct buffer and the engine's sealer and opener in authenticate mode.
     */
    @State(Scope.Thread)
    public static class Sealed
    {
        @Param({"32", "1024", "8192"})
        int frameLength;

        @Param({"HEAP", "DIRECT"})
        String buffer;

        FrameSealer sealer;
        FrameOpener opener;
        UnsafeBuffer frame;

        /**
         * Set up the sealer, the opener and the frame.
         */
        @Setup(Level.Trial)
        public void setup()
        {
            final byte[] secret = new byte[32];
            Arrays.fill(secret, (byte)7);
            final Keyring keyring = Keyring.of(1, secret);
            sealer = new FrameSealer(1, 1, FrameProtection.AUTHENTICATE, keyring);
            opener = new FrameOpener(FrameProtection.AUTHENTICATE, keyring, frameLength + FrameSealer.TRAILER_LENGTH, 0);
            final int capacity = frameLength + FrameSealer.TRAILER_LENGTH;
            frame = "DIRECT".equals(buffer) ?
                new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity, 64)) : new UnsafeBuffer(new byte[capacity]);
            frame.setMemory(0, frameLength, (byte)3);
        }
    }

    /**
     * One SHA-256 over the bytes.
     *
     * @param state the bytes.
     * @return the first byte of the digest.
     * @throws GeneralSecurityException never: the output fits.
     */
    @Benchmark
    public byte sha256Digest(final Primitives state) throws GeneralSecurityException
    {
        state.sha256.update(state.bytes, 0, state.bytes.length);
        state.sha256.digest(state.out, 0, 32);
        return state.out[0];
    }

    /**
     * One SHA-512 over the bytes.
     *
     * @param state the bytes.
     * @return the first byte of the digest.
     * @throws GeneralSecurityException never: the output fits.
     */
    @Benchmark
    public byte sha512Digest(final Primitives state) throws GeneralSecurityException
    {
        state.sha512.update(state.bytes, 0, state.bytes.length);
        state.sha512.digest(state.out, 0, 64);
        return state.out[0];
    }

    /**
     * The JDK's HMAC-SHA256 over the bytes.
     *
     * @param state the bytes.
     * @return the first byte of the tag.
     * @throws GeneralSecurityException never: the output fits.
     */
    @Benchmark
    public byte jdkHmacSha256(final Primitives state) throws GeneralSecurityException
    {
        state.hmac.update(state.bytes, 0, state.bytes.length);
        state.hmac.doFinal(state.out, 0);
        return state.out[0];
    }

    /**
     * AES-GMAC over the bytes, under a new nonce (a frame counter) each time.
     *
     * @param state the bytes.
     * @return the first byte of the tag.
     * @throws GeneralSecurityException never: the key and nonce are valid.
     */
    @Benchmark
    public byte aesGmac(final Primitives state) throws GeneralSecurityException
    {
        final long counter = state.counter++;
        for (int i = 0; i < 8; i++)
        {
            state.nonce[4 + i] = (byte)(counter >>> (8 * i));
        }
        state.gcm.init(Cipher.ENCRYPT_MODE, state.aesKey, new GCMParameterSpec(TAG_BITS, state.nonce));
        state.gcm.updateAAD(state.bytes, 0, state.bytes.length);
        state.gcm.doFinal(state.out, 0);
        return state.out[0];
    }

    /**
     * Seal the frame: write its trailer and tag.
     *
     * @param state the frame and the sealer.
     * @return the sealed length.
     */
    @Benchmark
    public int seal(final Sealed state)
    {
        return state.sealer.seal(state.frame, 0, CLEAR_LENGTH, state.frameLength);
    }

    /**
     * Seal the frame and open it: two tags, a trailer parsed and a replay window moved.
     *
     * @param state the frame, the sealer and the opener.
     * @return the verdict.
     */
    @Benchmark
    public int sealAndOpen(final Sealed state)
    {
        final int sealed = state.sealer.seal(state.frame, 0, CLEAR_LENGTH, state.frameLength);
        final int verdict = state.opener.open(state.frame, 0, CLEAR_LENGTH, sealed, 1, 1);
        if (verdict != FrameOpener.OPENED)
        {
            throw new IllegalStateException("frame did not open: " + verdict);
        }
        return verdict;
    }
}
