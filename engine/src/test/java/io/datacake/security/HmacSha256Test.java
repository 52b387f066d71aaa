package io.datacake.security;

import io.datacake.testing.SeededTrials;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

final class HmacSha256Test
{
    private static final int MAX_MESSAGE = 9000;
    private static final String RFC4231_CASE2_TAG = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

    @Test
    void theTagOfRfc4231TestCase2IsTheOneTheRfcGives()
    {
        final HmacSha256 mac = new HmacSha256("Jefe".getBytes(StandardCharsets.US_ASCII));
        final byte[] message = "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII);

        assertThat(HexFormat.of().formatHex(tag(mac, new UnsafeBuffer(message), 0, message.length)))
            .isEqualTo(RFC4231_CASE2_TAG);
        mac.prime();
        assertThat(HexFormat.of().formatHex(tag(mac, new UnsafeBuffer(message), 0, message.length)))
            .as("with the key blocks hashed ahead").isEqualTo(RFC4231_CASE2_TAG);
    }

    @Test
    void tagsEqualTheJdksHmacForAnyKeyLengthBufferKindSplitAndPriming()
    {
        SeededTrials.run("HmacSha256 equals javax.crypto.Mac HmacSHA256", 300, random ->
        {
            final byte[] key = new byte[1 + random.nextInt(32)];
            random.nextBytes(key);
            final byte[] message = new byte[random.nextInt(MAX_MESSAGE)];
            random.nextBytes(message);
            final int offset = random.nextInt(64);
            final UnsafeBuffer buffer = random.nextBoolean() ?
                new UnsafeBuffer(new byte[offset + message.length]) :
                new UnsafeBuffer(ByteBuffer.allocateDirect(offset + message.length + 1));
            buffer.putBytes(offset, message);

            final HmacSha256 mac = new HmacSha256(key);
            for (int tag = 0; tag < 3; tag++)
            {
                if (random.nextBoolean())
                {
                    mac.prime();
                }
                mac.begin();
                int position = 0;
                while (position < message.length)
                {
                    final int part = Math.min(message.length - position, 1 + random.nextInt(3000));
                    mac.update(buffer, offset + position, part);
                    position += part;
                }
                final byte[] out = new byte[HmacSha256.DIGEST_LENGTH + 3];
                mac.end(out, 3);
                final byte[] actual = new byte[HmacSha256.DIGEST_LENGTH];
                System.arraycopy(out, 3, actual, 0, actual.length);
                assertThat(actual).as("tag %d of a %d-byte message, key of %d bytes", tag, message.length, key.length)
                    .isEqualTo(jdkTag(key, message));
            }
        });
    }

    @Test
    void aTagBegunAndNeverEndedDoesNotLeakIntoTheNext()
    {
        final byte[] key = "a key".getBytes(StandardCharsets.US_ASCII);
        final byte[] message = "the message".getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer abandoned = new UnsafeBuffer("left over".getBytes(StandardCharsets.US_ASCII));
        final HmacSha256 mac = new HmacSha256(key);

        mac.begin();
        mac.update(abandoned, 0, abandoned.capacity());
        assertThat(tag(mac, new UnsafeBuffer(message), 0, message.length)).isEqualTo(jdkTag(key, message));

        mac.begin();
        mac.update(abandoned, 0, abandoned.capacity());
        mac.prime();
        assertThat(tag(mac, new UnsafeBuffer(message), 0, message.length)).as("primed after the abandoned tag")
            .isEqualTo(jdkTag(key, message));
    }

    private static byte[] tag(final HmacSha256 mac, final UnsafeBuffer buffer, final int offset, final int length)
    {
        final byte[] out = new byte[HmacSha256.DIGEST_LENGTH];
        mac.begin();
        mac.update(buffer, offset, length);
        mac.end(out, 0);
        return out;
    }

    private static byte[] jdkTag(final byte[] key, final byte[] message)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new AssertionError(ex);
        }
    }
}
