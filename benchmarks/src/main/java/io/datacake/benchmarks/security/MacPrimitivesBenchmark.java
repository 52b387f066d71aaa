package io.datacake.benchmarks.security;

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

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * What the JDK's primitives cost over the bytes one frame tag covers (the frame, headers included, and the
 * {@value FrameMacBenchmark#TRAILER_FIELDS_LENGTH} trailer bytes), in a heap array, to set against
 * {@link FrameMacBenchmark}:
 * <ul>
 *     <li>{@link #sha256Digest}: one plain SHA-256, the floor any HMAC-SHA256 sits on;</li>
 *     <li>{@link #sha512Digest}: one plain SHA-512, the hash of the other standard HMAC of this strength;</li>
 *     <li>{@link #jdkHmacSha256}: {@code javax.crypto.Mac} "HmacSHA256";</li>
 *     <li>{@link #aesGmac}: AES-GMAC, {@code AES/GCM/NoPadding} with the bytes as additional data under a new nonce
 *     (a frame counter) each time, which the JDK takes only through a new {@code Cipher.init}.</li>
 * </ul>
 * Run with {@code -prof gc} for the allocation per operation, or through {@code CpuTimeRun} on a shared machine.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
@State(Scope.Thread)
public class MacPrimitivesBenchmark
{
    private static final int TAG_BITS = 128;
    private static final int NONCE_LENGTH = 12;

    @Param({"32", "1024", "8192"})
    int bodyLength;

    private final byte[] out = new byte[64];
    private final byte[] nonce = new byte[NONCE_LENGTH];
    private byte[] bytes;
    private MessageDigest sha256;
    private MessageDigest sha512;
    private Mac hmac;
    private Cipher gcm;
    private SecretKeySpec aesKey;
    private long counter;

    /**
     * Fill the bytes and set up the primitives.
     *
     * @throws GeneralSecurityException if the JDK lacks one of them.
     */
    @Setup(Level.Trial)
    public void setup() throws GeneralSecurityException
    {
        bytes = new byte[FrameMacBenchmark.HEADER_LENGTH + bodyLength + FrameMacBenchmark.TRAILER_FIELDS_LENGTH];
        Arrays.fill(bytes, (byte)3);
        final byte[] secret = FrameMacBenchmark.secret();
        sha256 = MessageDigest.getInstance("SHA-256");
        sha512 = MessageDigest.getInstance("SHA-512");
        hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(secret, "HmacSHA256"));
        gcm = Cipher.getInstance("AES/GCM/NoPadding");
        aesKey = new SecretKeySpec(secret, "AES");
    }

    /**
     * Nothing to release; here so that {@code CpuTimeRun} can run this benchmark.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
    }

    /**
     * One SHA-256 over the bytes.
     *
     * @return the first byte of the digest.
     * @throws GeneralSecurityException never: the output fits.
     */
    @Benchmark
    public byte sha256Digest() throws GeneralSecurityException
    {
        sha256.update(bytes, 0, bytes.length);
        sha256.digest(out, 0, 32);
        return out[0];
    }

    /**
     * One SHA-512 over the bytes.
     *
     * @return the first byte of the digest.
     * @throws GeneralSecurityException never: the output fits.
     */
    @Benchmark
    public byte sha512Digest() throws GeneralSecurityException
    {
        sha512.update(bytes, 0, bytes.length);
        sha512.digest(out, 0, 64);
        return out[0];
    }

    /**
     * The JDK's HMAC-SHA256 over the bytes.
     *
     * @return the first byte of the tag.
     * @throws GeneralSecurityException never: the output fits.
     */
    @Benchmark
    public byte jdkHmacSha256() throws GeneralSecurityException
    {
        hmac.update(bytes, 0, bytes.length);
        hmac.doFinal(out, 0);
        return out[0];
    }

    /**
     * AES-GMAC over the bytes under the next nonce.
     *
     * @return the first byte of the tag.
     * @throws GeneralSecurityException never: the key and nonce are valid.
     */
    @Benchmark
    public byte aesGmac() throws GeneralSecurityException
    {
        final long nonceCounter = counter++;
        for (int i = 0; i < Long.BYTES; i++)
        {
            nonce[NONCE_LENGTH - Long.BYTES + i] = (byte)(nonceCounter >>> (Byte.SIZE * i));
        }
        gcm.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(TAG_BITS, nonce));
        gcm.updateAAD(bytes, 0, bytes.length);
        gcm.doFinal(out, 0);
        return out[0];
    }
}
