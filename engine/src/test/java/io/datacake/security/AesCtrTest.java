package io.datacake.security;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

final class AesCtrTest
{
    private static final SecretKeySpec KEY = new SecretKeySpec(new byte[]{
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, "AES");

    @Test
    void theKeystreamIsTheJdkCounterModeStartedAtTheFramesFirstBlock() throws Exception
    {
        final AesCtr ctr = new AesCtr();
        final Cipher aes = AesCtr.newCipher(KEY);
        final Random random = new Random(42);
        for (final int length : new int[]{ 0, 1, 7, 15, 16, 17, 1023, 1024, 1025, 3000 })
        {
            final long counter = random.nextLong() & Long.MAX_VALUE;
            final byte[] plain = new byte[length];
            random.nextBytes(plain);
            final UnsafeBuffer out = new UnsafeBuffer(new byte[length + 3]);
            ctr.apply(aes, counter, new UnsafeBuffer(plain), 0, out, 3, length);

            final byte[] iv = new byte[AesCtr.BLOCK_LENGTH];
            for (int i = 0; i < Long.BYTES; i++)
            {
                iv[i] = (byte)(counter >>> (8 * i));
            }
            final Cipher jdk = Cipher.getInstance("AES/CTR/NoPadding");
            jdk.init(Cipher.ENCRYPT_MODE, KEY, new IvParameterSpec(iv));
            final byte[] expected = jdk.doFinal(plain);
            final byte[] actual = new byte[length];
            out.getBytes(3, actual);
            assertThat(actual).as("length %d", length).isEqualTo(expected);
        }
    }

    @Test
    void applyingTwiceInPlaceInADirectBufferGivesThePlainTextBack()
    {
        final AesCtr ctr = new AesCtr();
        final Cipher aes = AesCtr.newCipher(KEY);
        final byte[] plain = new byte[2500];
        new Random(7).nextBytes(plain);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(plain.length));
        buffer.putBytes(0, plain);
        ctr.apply(aes, 9, buffer, 0, buffer, 0, plain.length);
        final byte[] encrypted = new byte[plain.length];
        buffer.getBytes(0, encrypted);
        assertThat(encrypted).isNotEqualTo(plain);
        ctr.apply(aes, 9, buffer, 0, buffer, 0, plain.length);
        final byte[] decrypted = new byte[plain.length];
        buffer.getBytes(0, decrypted);
        assertThat(decrypted).isEqualTo(plain);
    }
}
