package io.datacake.security;

import org.agrona.DirectBuffer;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * HMAC-SHA256 (RFC 2104) over reused {@link MessageDigest}s, so that a tag costs no allocation: {@code
 * javax.crypto.Mac} returns a new array from every {@code doFinal}. Bytes are read straight from an array-backed
 * buffer, or copied through a small scratch array from any other buffer.
 * <p>
 * The inner and outer hashes run in digests of their own, so that the two key blocks (the key XORed with the inner
 * and outer pads), which do not depend on the message, can be hashed ahead of the next tag by {@link #prime()}: the
 * JDK offers no allocation-free way to keep and restore a digest's state after those blocks, so they are hashed
 * again for every tag, but at a moment the caller chooses (after a frame has gone out, or after a received frame
 * has been handled) rather than between a frame being ready and its tag.
 */
final class HmacSha256
{
    /** Bytes of a full HMAC-SHA256. */
    static final int DIGEST_LENGTH = 32;

    private static final int BLOCK_LENGTH = 64;
    private static final int COPY_CHUNK_LENGTH = 2048;

    private final MessageDigest inner = newDigest();
    private final MessageDigest outer = newDigest();
    private final byte[] innerPad = new byte[BLOCK_LENGTH];
    private final byte[] outerPad = new byte[BLOCK_LENGTH];
    private final byte[] innerHash = new byte[DIGEST_LENGTH];
    private final byte[] copy = new byte[COPY_CHUNK_LENGTH];
    private boolean primed;

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

    /**
     * Hash the key blocks of the next tag now, unless that is done already: two SHA-256 compressions that
     * {@link #begin()} then saves.
     */
    /**
     * @return true if the key blocks of the next tag are hashed already.
     */
    boolean isPrimed()
    {
        return primed;
    }

    void prime()
    {
        if (!primed)
        {
            // A tag begun and never ended leaves message bytes in the inner digest: start both from scratch.
            inner.reset();
            outer.reset();
            inner.update(innerPad);
            outer.update(outerPad);
            primed = true;
        }
    }

    void begin()
    {
        prime();
        primed = false;
    }

    void update(final DirectBuffer buffer, final int index, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (null != array)
        {
            inner.update(array, buffer.wrapAdjustment() + index, length);
            return;
        }
        int position = index;
        int remaining = length;
        while (remaining > 0)
        {
            final int chunk = Math.min(remaining, COPY_CHUNK_LENGTH);
            buffer.getBytes(position, copy, 0, chunk);
            inner.update(copy, 0, chunk);
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
            inner.digest(innerHash, 0, DIGEST_LENGTH);
            outer.update(innerHash);
            outer.digest(out, outOffset, DIGEST_LENGTH);
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
