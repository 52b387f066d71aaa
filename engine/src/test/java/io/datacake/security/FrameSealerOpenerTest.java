package io.datacake.security;

import io.datacake.testing.TestKeyrings;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

final class FrameSealerOpenerTest
{
    private static final int MAX_FRAME = 4096;
    private static final int CLEAR = 40;
    private static final int FRAME = 120;
    private static final int SENDER = 7;
    private static final long START_MS = 1_000;
    private static final long SENT_MS = 2_000;

    private final Keyring keyring = TestKeyrings.clusterKeyring();

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void aSealedFrameOpensToTheSameBytes(final FrameProtection protection)
    {
        final FrameSealer sealer = sealer(protection, 1, keyring);
        final UnsafeBuffer frame = frame(FRAME + FrameSealer.TRAILER_LENGTH);
        final byte[] original = bytes(frame, 0, FRAME);
        assertThat(sealer.seal(frame, 0, CLEAR, FRAME)).isEqualTo(FRAME + FrameSealer.TRAILER_LENGTH);
        if (protection == FrameProtection.ENCRYPT)
        {
            assertThat(bytes(frame, CLEAR, FRAME - CLEAR)).as("body encrypted")
                .isNotEqualTo(bytes(new UnsafeBuffer(original), CLEAR, FRAME - CLEAR));
        }
        assertThat(bytes(frame, 0, CLEAR)).as("headers stay readable").isEqualTo(bytes(new UnsafeBuffer(original),
            0, CLEAR));

        final FrameOpener opener = opener(protection, keyring);
        assertThat(opener.open(frame, 0, CLEAR, FRAME + FrameSealer.TRAILER_LENGTH, SENDER, SENT_MS))
            .isEqualTo(FrameOpener.OPENED);
        assertThat(opener.length()).isEqualTo(FRAME);
        assertThat(bytes(opener.buffer(), opener.offset(), opener.length())).isEqualTo(original);
        assertThat(sealer.framesSealed()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void everySingleBitFlipAnywhereInTheSealedFrameIsRefused(final FrameProtection protection)
    {
        final UnsafeBuffer sealed = frame(FRAME + FrameSealer.TRAILER_LENGTH);
        sealer(protection, 1, keyring).seal(sealed, 0, CLEAR, FRAME);
        for (int bit = 0; bit < sealed.capacity() * 8; bit++)
        {
            final UnsafeBuffer copy = new UnsafeBuffer(bytes(sealed, 0, sealed.capacity()));
            copy.putByte(bit / 8, (byte)(copy.getByte(bit / 8) ^ (1 << (bit % 8))));
            final int verdict = opener(protection, keyring).open(copy, 0, CLEAR, copy.capacity(), SENDER, SENT_MS);
            assertThat(verdict).as("bit %d", bit).isNotEqualTo(FrameOpener.OPENED);
        }
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void replaysOlderGenerationsAndFramesFromBeforeTheReceiverStartedAreRefused(final FrameProtection protection)
    {
        final FrameOpener opener = opener(protection, keyring);
        final FrameSealer first = sealer(protection, 1, keyring);
        final UnsafeBuffer a = sealed(first);
        final UnsafeBuffer b = sealed(first);
        assertThat(open(opener, b)).isEqualTo(FrameOpener.OPENED);
        assertThat(open(opener, b)).as("replay").isEqualTo(FrameOpener.REPLAYED);
        assertThat(open(opener, a)).as("out of order, inside the window").isEqualTo(FrameOpener.OPENED);

        final FrameSealer restarted = sealer(protection, 2, keyring);
        final UnsafeBuffer c = sealed(restarted);
        final UnsafeBuffer oldGeneration = sealed(first);
        assertThat(open(opener, c)).as("a new generation starts at counter 0").isEqualTo(FrameOpener.OPENED);
        assertThat(open(opener, oldGeneration)).isEqualTo(FrameOpener.STALE);

        final FrameOpener restartedReceiver = opener(protection, keyring);
        assertThat(restartedReceiver.open(sealed(restarted), 0, CLEAR, FRAME + FrameSealer.TRAILER_LENGTH, SENDER,
            START_MS - 1)).as("sent before the receiver started").isEqualTo(FrameOpener.STALE);
        assertThat(restartedReceiver.open(sealed(restarted), 0, CLEAR, FRAME + FrameSealer.TRAILER_LENGTH, SENDER,
            START_MS)).isEqualTo(FrameOpener.OPENED);
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void unknownKeyIdsAndOtherSecretsAreRefusedAndRotationKeepsFramesFlowing(final FrameProtection protection)
    {
        final Keyring other = Keyring.of(1, TestKeyrings.secret(9));
        assertThat(open(opener(protection, other), sealed(sealer(protection, 1, keyring))))
            .isEqualTo(FrameOpener.FORGED);
        assertThat(open(opener(protection, Keyring.of(2, TestKeyrings.secret(1))),
            sealed(sealer(protection, 1, keyring)))).isEqualTo(FrameOpener.UNKNOWN_KEY);

        final Keyring both = keyring.withKey(2, TestKeyrings.secret(2));
        final FrameSealer sealer = sealer(protection, 1, keyring);
        final FrameOpener opener = opener(protection, keyring);
        assertThat(open(opener, sealed(sealer))).isEqualTo(FrameOpener.OPENED);
        opener.keyring(both);
        assertThat(open(opener, sealed(sealer))).as("old key still accepted").isEqualTo(FrameOpener.OPENED);
        sealer.keyring(both.withPrimary(2));
        assertThat(open(opener, sealed(sealer))).as("new primary accepted").isEqualTo(FrameOpener.OPENED);
        opener.keyring(both.withPrimary(2).withoutKey(1));
        assertThat(open(opener, sealed(sealer))).isEqualTo(FrameOpener.OPENED);
        sealer.keyring(keyring);
        assertThat(open(opener, sealed(sealer))).as("retired key").isEqualTo(FrameOpener.UNKNOWN_KEY);
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void preparingTheNextTagChangesNoSealedByteAndNoVerdictAcrossRotationAndForgeries(
        final FrameProtection protection)
    {
        final FrameSealer prepared = sealer(protection, 1, keyring);
        final FrameSealer plain = sealer(protection, 1, keyring);
        final FrameOpener opener = opener(protection, keyring);
        for (int i = 0; i < 5; i++)
        {
            prepared.prepare();
            final UnsafeBuffer frame = sealed(prepared);
            assertThat(bytes(frame, 0, frame.capacity())).as("frame %d", i)
                .isEqualTo(bytes(sealed(plain), 0, frame.capacity()));
            opener.prepare();
            assertThat(open(opener, frame)).as("frame %d", i).isEqualTo(FrameOpener.OPENED);
        }

        final UnsafeBuffer forged = sealed(prepared);
        forged.putByte(FRAME - 1, (byte)(forged.getByte(FRAME - 1) ^ 1));
        opener.prepare();
        assertThat(open(opener, forged)).isEqualTo(FrameOpener.FORGED);
        opener.prepare();
        assertThat(open(opener, sealed(prepared))).as("after a forgery").isEqualTo(FrameOpener.OPENED);

        final Keyring rotated = Keyring.of(2, TestKeyrings.secret(2));
        opener.keyring(rotated);
        opener.prepare(); // the key of the last frame opened is gone
        prepared.keyring(rotated);
        prepared.prepare();
        assertThat(open(opener, sealed(prepared))).as("under the new key").isEqualTo(FrameOpener.OPENED);
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void framesInDirectBuffersSealAndOpenLikeArrayBackedOnes(final FrameProtection protection)
    {
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_FRAME), 16, 2048);
        final UnsafeBuffer array = frame(FRAME + FrameSealer.TRAILER_LENGTH);
        direct.putBytes(0, array, 0, FRAME);
        sealer(protection, 1, keyring).seal(direct, 0, CLEAR, FRAME);
        final UnsafeBuffer copy = new UnsafeBuffer(bytes(direct, 0, FRAME + FrameSealer.TRAILER_LENGTH));
        assertThat(open(opener(protection, keyring), copy)).isEqualTo(FrameOpener.OPENED);
        array.putBytes(0, copy, 0, copy.capacity());
        final UnsafeBuffer directAgain = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_FRAME), 8, 1024);
        directAgain.putBytes(0, copy, 0, copy.capacity());
        assertThat(opener(protection, keyring).open(directAgain, 0, CLEAR, copy.capacity(), SENDER, SENT_MS))
            .isEqualTo(FrameOpener.OPENED);
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void aFrameTooShortForATrailerIsMalformed(final FrameProtection protection)
    {
        final UnsafeBuffer frame = frame(CLEAR + FrameSealer.TRAILER_LENGTH - 1);
        assertThat(opener(protection, keyring).open(frame, 0, CLEAR, frame.capacity(), SENDER, SENT_MS))
            .isEqualTo(FrameOpener.MALFORMED);
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void sealingAndOpeningAllocateNothingPerFrame(final FrameProtection protection)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        final FrameSealer sealer = sealer(protection, 1, keyring);
        final FrameOpener opener = opener(protection, keyring);
        final int length = 1100;
        final UnsafeBuffer onHeap = frame(length + FrameSealer.TRAILER_LENGTH);
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(length + FrameSealer.TRAILER_LENGTH));
        final int frames = 20_000;
        long measuredBytes = 0;
        for (int round = 0; round < 4; round++)
        {
            final long before = threads.getThreadAllocatedBytes(threadId);
            for (int i = 0; i < frames; i++)
            {
                final UnsafeBuffer buffer = (i & 1) == 0 ? onHeap : direct;
                if ((i & 2) == 0)
                {
                    sealer.prepare();
                    opener.prepare();
                }
                sealer.seal(buffer, 0, CLEAR, length);
                if (opener.open(buffer, 0, CLEAR, length + FrameSealer.TRAILER_LENGTH, SENDER, SENT_MS) !=
                    FrameOpener.OPENED)
                {
                    throw new AssertionError("frame " + i + " of round " + round + " did not open");
                }
            }
            // Rounds 0 and 1 warm up (class loading, first frame of the sender, JIT compilation).
            if (round >= 2)
            {
                measuredBytes += threads.getThreadAllocatedBytes(threadId) - before;
            }
        }
        // 40,000 frames sealed and opened: even 8 bytes per frame would be 320,000 bytes.
        assertThat(measuredBytes).isLessThan(16 * 1024);
    }

    private static FrameSealer sealer(final FrameProtection protection, final long generation, final Keyring keyring)
    {
        return new FrameSealer(SENDER, generation, protection, keyring);
    }

    private static FrameOpener opener(final FrameProtection protection, final Keyring keyring)
    {
        return new FrameOpener(protection, keyring, MAX_FRAME, START_MS);
    }

    private static UnsafeBuffer sealed(final FrameSealer sealer)
    {
        final UnsafeBuffer frame = frame(FRAME + FrameSealer.TRAILER_LENGTH);
        sealer.seal(frame, 0, CLEAR, FRAME);
        return frame;
    }

    private static int open(final FrameOpener opener, final UnsafeBuffer frame)
    {
        return opener.open(frame, 0, CLEAR, frame.capacity(), SENDER, SENT_MS);
    }

    private static UnsafeBuffer frame(final int capacity)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[capacity]);
        for (int i = 0; i < FRAME && i < capacity; i++)
        {
            frame.putByte(i, (byte)(i * 31 + 7));
        }
        return frame;
    }

    private static byte[] bytes(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }
}
