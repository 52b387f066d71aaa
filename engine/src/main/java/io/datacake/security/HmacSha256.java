package io.datacake.security;

import org.agrona.DirectBuffer;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * HMAC-SHA256 (RFC 2104) over a reused {@link MessageDigest}, so that a tag costs no allocation: {@code javax.crypto.Mac}
 * returns a new array from every {@code doFinal}. Bytes are read straight from an array-backed buffer, or copied
 * through a small scratch array from any other buffer.
 */
final class HmacSha256
{
    /** Bytes of a full HMAC-SHA256. */
    static final int DIGEST_LENGTH = 32;

    private static final int BLOCK_LENGTH = 64;
    private static final int COPY_CHUNK_LENGTH = 1024;

    private final MessageDigest digest = newDigest();
    private final byte[] innerPad = new byte[BLOCK_LENGTH];
    private final byte[] outerPad = new byte[BLOCK_LENGTH];
    private final byte[] innerHash = new byte[DIGEST_LENGTH];
    private final byte[] copy = new byte[COPY_CHUNK_LENGTH];

    HmacSha256(final byte[] key)
    {
        // Keys here are at most 32 bytes, shorter than a block, so no key hashing is needed.
        for (int i = 0; i < BLOCK_LENGTH; i++)
        {
            final byte k = i < key.length ? key[i] : 0;
            innerPad[i] = (byte)(k ^ 0x36);
            outerPad[i] = (byte)(k ^ 0x5c);
        }
    }

    void begin()
    {
        digest.reset();
        digest.update(innerPad);
    }

    void update(final DirectBuffer buffer, final int index, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (null != array)
        {
            digest.update(array, buffer.wrapAdjustment() + index, length);
            return;
        }
        int position = index;
        int remaining = length;
        while (remaining > 0)
        {
            final int chunk = Math.min(remaining, COPY_CHUNK_LENGTH);
            buffer.getBytes(position, copy, 0, chunk);
            digest.update(copy, 0, chunk);
            position += chunk;
            remaining -= chunk;
        }
    }

    /**
     * Finish the tag.
     *
     * @param out receives {@value #DIGEST_LENGTH} bytes from {@code outOffset}.
     */
    void end(final byte[] out, final int outOffset)
    {
        try
        {
            digest.digest(innerHash, 0, DIGEST_LENGTH);
            digest.update(outerPad);
            digest.update(innerHash);
            digest.digest(out, outOffset, DIGEST_LENGTH);
        }
        catch (final DigestException ex)
        {
            throw new IllegalStateException("SHA-256 output does not fit: " + ex.getMessage(), ex);
        }
    }

    private static MessageDigest newDigest()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("the JDK provides no SHA-256", ex);
        }
    }
}
