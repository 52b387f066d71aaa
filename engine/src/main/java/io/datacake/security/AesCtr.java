package io.datacake.security;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;

/**
 * AES in counter mode over frame bodies, built on a raw AES block cipher ({@code AES/ECB/NoPadding}) that is
 * initialised once per key and then only fed counter blocks: the JDK's own CTR and GCM ciphers must be initialised
 * again, with a new parameter spec, for every nonce, and that allocates on every frame.
 * <p>
 * Counter block {@code i} of a frame is the frame counter (8 bytes, little-endian), then 4 zero bytes, then {@code i}
 * (4 bytes, big-endian): the same keystream as the JDK's {@code AES/CTR/NoPadding} started at block 0 of the frame,
 * which increments the block as a big-endian number. Every key here is derived for one sender's generation, which
 * numbers its frames once each, so no counter block is ever encrypted twice under a key. Encryption and decryption
 * are the same XOR.
 * <p>
 * One thread. Allocates nothing after construction; {@link #newCipher} allocates.
 */
final class AesCtr
{
    static final int BLOCK_LENGTH = 16;

    /** Keystream made per call to the block cipher: bounds the scratch arrays. */
    private static final int CHUNK_BLOCKS = 64;
    private static final int CHUNK_LENGTH = CHUNK_BLOCKS * BLOCK_LENGTH;
    private static final int BLOCK_INDEX_OFFSET = 12;

    private final byte[] counterBlocks = new byte[CHUNK_LENGTH];
    private final byte[] keystream = new byte[CHUNK_LENGTH];
    // Read 8 bytes at a time in the same (native) order DirectBuffer.getLong reads the frame.
    private final UnsafeBuffer keystreamView = new UnsafeBuffer(keystream);

    /**
     * A raw AES block cipher for one key, to pass to {@link #apply}.
     *
     * @param key the AES key.
     * @return the cipher.
     * @throws IllegalStateException if the JDK provides no AES or refuses the key.
     */
    static Cipher newCipher(final SecretKeySpec key)
    {
        try
        {
            final Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, key);
            return aes;
        }
        catch (final NoSuchAlgorithmException | NoSuchPaddingException | InvalidKeyException ex)
        {
            throw new IllegalStateException("the JDK cannot run AES: " + ex.getMessage(), ex);
        }
    }

    /**
     * XOR {@code length} bytes from {@code source} with the keystream of frame {@code counter} into {@code target}
     * (which may be the same bytes: in place).
     *
     * @param aes         a cipher from {@link #newCipher}.
     * @param counter     the frame counter.
     * @param source      the bytes to encrypt or decrypt.
     * @param sourceIndex where they start.
     * @param target      where the result goes.
     * @param targetIndex where it starts.
     * @param length      how many bytes.
     */
    void apply(
        final Cipher aes,
        final long counter,
        final DirectBuffer source,
        final int sourceIndex,
        final MutableDirectBuffer target,
        final int targetIndex,
        final int length)
    {
        int done = 0;
        int blockIndex = 0;
        while (done < length)
        {
            final int chunk = Math.min(CHUNK_LENGTH, length - done);
            final int blocks = (chunk + BLOCK_LENGTH - 1) / BLOCK_LENGTH;
            for (int i = 0; i < blocks; i++)
            {
                putCounterBlock(i * BLOCK_LENGTH, counter, blockIndex++);
            }
            try
            {
                aes.update(counterBlocks, 0, blocks * BLOCK_LENGTH, keystream, 0);
            }
            catch (final ShortBufferException ex)
            {
                throw new IllegalStateException("AES keystream does not fit its scratch: " + ex.getMessage(), ex);
            }
            xor(source, sourceIndex + done, target, targetIndex + done, chunk);
            done += chunk;
        }
    }

    private void putCounterBlock(final int offset, final long counter, final int blockIndex)
    {
        for (int i = 0; i < Long.BYTES; i++)
        {
            counterBlocks[offset + i] = (byte)(counter >>> (8 * i));
        }
        counterBlocks[offset + BLOCK_INDEX_OFFSET] = (byte)(blockIndex >>> 24);
        counterBlocks[offset + BLOCK_INDEX_OFFSET + 1] = (byte)(blockIndex >>> 16);
        counterBlocks[offset + BLOCK_INDEX_OFFSET + 2] = (byte)(blockIndex >>> 8);
        counterBlocks[offset + BLOCK_INDEX_OFFSET + 3] = (byte)blockIndex;
        // Bytes 8..11 stay zero.
    }

    private void xor(
        final DirectBuffer source,
        final int sourceIndex,
        final MutableDirectBuffer target,
        final int targetIndex,
        final int length)
    {
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            target.putLong(targetIndex + i, source.getLong(sourceIndex + i) ^ keystreamView.getLong(i));
        }
        for (; i < length; i++)
        {
            target.putByte(targetIndex + i, (byte)(source.getByte(sourceIndex + i) ^ keystream[i]));
        }
    }
}
