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
import javax.crypto.spec.IvParameterSpec;
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
 *     <li>{@link #hmacSha256FromClonedState}: HMAC-SHA256 started from digests that have hashed the key blocks
 *     already, restored by {@code MessageDigest.clone()} (the JDK's only way to restore a digest state): the least
 *     SHA-256 work an HMAC can do, and what restoring costs in allocation;</li>
 *     <li>{@link #aesGmac}: AES-GMAC, {@code AES/GCM/NoPadding} with the bytes as additional data under a new nonce
 *     (a frame counter) each time, which the JDK takes only through a new {@code Cipher.init};</li>
 *     <li>{@link #chaCha20Poly1305}: the same with {@code ChaCha20-Poly1305} (Poly1305 over the additional data);</li>
 *     <li>{@link #aesCbc}: AES-256 in CBC mode over the bytes from a zero IV, the chaining at the heart of AES-CMAC
 *     (CMAC adds a subkey to the last block), re-initialised per frame.</li>
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
    private static final int AES_BLOCK_LENGTH = 16;
    private static final int SHA256_BLOCK_LENGTH = 64;

    @Param({"32", "1024", "8192"})
    int bodyLength;

    private final byte[] out = new byte[64];
    private final byte[] nonce = new byte[NONCE_LENGTH];
    private byte[] bytes;
    private MessageDigest sha256;
    private MessageDigest sha512;
    private Mac hmac;
    private MessageDigest innerKeyed;
    private MessageDigest outerKeyed;
    private Cipher gcm;
    private Cipher chaCha;
    private Cipher cbc;
    private SecretKeySpec aesKey;
    private SecretKeySpec chaChaKey;
    private IvParameterSpec zeroIv;
    private byte[] cbcOut;
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
        chaCha = Cipher.getInstance("ChaCha20-Poly1305");
        chaChaKey = new SecretKeySpec(secret, "ChaCha20");
        cbc = Cipher.getInstance("AES/CBC/NoPadding");
        zeroIv = new IvParameterSpec(new byte[AES_BLOCK_LENGTH]);
        cbcOut = new byte[bytes.length];
        innerKeyed = MessageDigest.getInstance("SHA-256");
        outerKeyed = MessageDigest.getInstance("SHA-256");
        final byte[] pad = new byte[SHA256_BLOCK_LENGTH];
        for (int i = 0; i < SHA256_BLOCK_LENGTH; i++)
        {
            pad[i] = (byte)(secret[i % secret.length] ^ 0x36);
        }
        innerKeyed.update(pad);
        for (int i = 0; i < SHA256_BLOCK_LENGTH; i++)
        {
            pad[i] = (byte)(secret[i % secret.length] ^ 0x5c);
        }
        outerKeyed.update(pad);
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
        nextNonce();
        gcm.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(TAG_BITS, nonce));
        gcm.updateAAD(bytes, 0, bytes.length);
        gcm.doFinal(out, 0);
        return out[0];
    }

    /**
     * HMAC-SHA256 over the bytes from cloned key-block states (the pads here only stand in for a real key's).
     *
     * @return the first byte of the tag.
     * @throws GeneralSecurityException never: the digests can be cloned and the output fits.
     */
    @Benchmark
    public byte hmacSha256FromClonedState() throws GeneralSecurityException
    {
        try
        {
            final MessageDigest inner = (MessageDigest)innerKeyed.clone();
            inner.update(bytes, 0, bytes.length);
            inner.digest(out, 0, 32);
            final MessageDigest outer = (MessageDigest)outerKeyed.clone();
            outer.update(out, 0, 32);
            outer.digest(out, 0, 32);
            return out[0];
        }
        catch (final CloneNotSupportedException ex)
        {
            throw new GeneralSecurityException(ex);
        }
    }

    /**
     * ChaCha20-Poly1305 over the bytes as additional data, under the next nonce.
     *
     * @return the first byte of the tag.
     * @throws GeneralSecurityException never: the key and nonce are valid.
     */
    @Benchmark
    public byte chaCha20Poly1305() throws GeneralSecurityException
    {
        nextNonce();
        chaCha.init(Cipher.ENCRYPT_MODE, chaChaKey, new IvParameterSpec(nonce));
        chaCha.updateAAD(bytes, 0, bytes.length);
        chaCha.doFinal(out, 0);
        return out[0];
    }

    /**
     * AES-256-CBC over the whole blocks of the bytes from a zero IV.
     *
     * @return the first byte of the last ciphertext block.
     * @throws GeneralSecurityException never: the key is valid and the input is whole blocks.
     */
    @Benchmark
    public byte aesCbc() throws GeneralSecurityException
    {
        final int length = bytes.length & -AES_BLOCK_LENGTH;
        cbc.init(Cipher.ENCRYPT_MODE, aesKey, zeroIv);
        cbc.doFinal(bytes, 0, length, cbcOut, 0);
        return cbcOut[length - AES_BLOCK_LENGTH];
    }

    private void nextNonce()
    {
        final long nonceCounter = counter++;
        for (int i = 0; i < Long.BYTES; i++)
        {
            nonce[NONCE_LENGTH - Long.BYTES + i] = (byte)(nonceCounter >>> (Byte.SIZE * i));
        }
    }
}
