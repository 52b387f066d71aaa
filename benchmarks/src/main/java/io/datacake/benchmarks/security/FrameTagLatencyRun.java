package io.datacake.benchmarks.security;

import io.datacake.security.FrameOpener;
import io.datacake.security.FrameProtection;
import io.datacake.security.FrameSealer;
import io.datacake.security.Keyring;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The time a frame waits for its tag: each {@link FrameSealer#seal} and {@link FrameOpener#open} (authenticate mode)
 * timed on its own, with and without the next tag {@code prepare}d beforehand (untimed), as the RPC layer does after
 * each frame it sends or handles, next to one plain SHA-256 over the same bytes in a heap array and that digest
 * followed by a SHA-256 of its 32-byte output (one block: the least any HMAC over SHA-256 can do once its key blocks
 * are hashed, since the outer hash can only start when the inner one is done). Per operation the
 * median of many single timings is reported: a preempted operation lands in the tail, not in the median, so the
 * figures stay readable on a loaded machine. The timer's own cost (two {@code System.nanoTime} calls) is in every
 * figure alike.
 * <pre>
 * java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *   io.datacake.benchmarks.security.FrameTagLatencyRun [timingsPerCell=200000]
 * </pre>
 */
public final class FrameTagLatencyRun
{
    private static final int[] BODY_LENGTHS = {32, 1024, 8192};
    private static final int DIGEST_LENGTH = 32;

    private FrameTagLatencyRun()
    {
    }

    /**
     * Entry point.
     *
     * @param args optionally the timings per table cell.
     * @throws NoSuchAlgorithmException if the JDK has no SHA-256.
     * @throws DigestException          never: the output fits.
     */
    public static void main(final String[] args) throws NoSuchAlgorithmException, DigestException
    {
        final int timings = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        System.out.println("| body bytes | buffer | SHA-256 ns | SHA-256 + 1 block ns | seal ns | seal prepared ns | " +
            "open ns | open prepared ns | seal prepared / SHA-256 |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (final int bodyLength : BODY_LENGTHS)
        {
            for (final boolean direct : new boolean[]{false, true})
            {
                final Cell cell = new Cell(bodyLength, direct);
                cell.measure(timings); // warm-up
                final long[] medians = cell.measure(timings);
                System.out.printf("| %d | %s | %d | %d | %d | %d | %d | %d | %.2f |%n", bodyLength,
                    direct ? "direct" : "heap", medians[0], medians[5], medians[1], medians[2], medians[3], medians[4],
                    medians[2] / (double)medians[0]);
            }
        }
    }

    private static final class Cell
    {
        private final int frameLength;
        private final FrameSealer sealer;
        private final FrameOpener opener;
        private final UnsafeBuffer frame;
        private final byte[] bytes;
        private final byte[] digestOut = new byte[DIGEST_LENGTH];
        private final MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        private final MessageDigest outerSha256 = MessageDigest.getInstance("SHA-256");

        Cell(final int bodyLength, final boolean direct) throws NoSuchAlgorithmException
        {
            frameLength = FrameMacBenchmark.HEADER_LENGTH + bodyLength;
            final Keyring keyring = Keyring.of(1, FrameMacBenchmark.secret());
            sealer = new FrameSealer(1, 1, FrameProtection.AUTHENTICATE, keyring);
            final int capacity = frameLength + FrameSealer.TRAILER_LENGTH;
            opener = new FrameOpener(FrameProtection.AUTHENTICATE, keyring, capacity, 0);
            frame = direct ?
                new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity, 64)) : new UnsafeBuffer(new byte[capacity]);
            frame.setMemory(0, frameLength, (byte)3);
            bytes = new byte[frameLength + FrameMacBenchmark.TRAILER_FIELDS_LENGTH];
        }

        /**
         * Medians of: SHA-256, seal, prepared seal, open, prepared open, SHA-256 and one more block.
         */
        long[] measure(final int timings) throws DigestException
        {
            final long[][] samples = new long[6][timings];
            for (int i = 0; i < timings; i++)
            {
                long start = System.nanoTime();
                sha256.update(bytes, 0, bytes.length);
                sha256.digest(digestOut, 0, DIGEST_LENGTH);
                samples[0][i] = System.nanoTime() - start;

                start = System.nanoTime();
                sha256.update(bytes, 0, bytes.length);
                sha256.digest(digestOut, 0, DIGEST_LENGTH);
                outerSha256.update(digestOut);
                outerSha256.digest(digestOut, 0, DIGEST_LENGTH);
                samples[5][i] = System.nanoTime() - start;

                // Unprepared: the previous tag left nothing primed.
                start = System.nanoTime();
                int sealed = sealer.seal(frame, 0, FrameMacBenchmark.HEADER_LENGTH, frameLength);
                samples[1][i] = System.nanoTime() - start;
                start = System.nanoTime();
                check(opener.open(frame, 0, FrameMacBenchmark.HEADER_LENGTH, sealed, 1, 1));
                samples[3][i] = System.nanoTime() - start;

                sealer.prepare();
                start = System.nanoTime();
                sealed = sealer.seal(frame, 0, FrameMacBenchmark.HEADER_LENGTH, frameLength);
                samples[2][i] = System.nanoTime() - start;
                opener.prepare();
                start = System.nanoTime();
                check(opener.open(frame, 0, FrameMacBenchmark.HEADER_LENGTH, sealed, 1, 1));
                samples[4][i] = System.nanoTime() - start;
            }
            final long[] medians = new long[samples.length];
            for (int s = 0; s < samples.length; s++)
            {
                Arrays.sort(samples[s]);
                medians[s] = samples[s][timings / 2];
            }
            return medians;
        }

        private static void check(final int verdict)
        {
            if (verdict != FrameOpener.OPENED)
            {
                throw new IllegalStateException("frame did not open: " + verdict);
            }
        }
    }
}
