package io.datacake.security;

import org.agrona.MutableDirectBuffer;

import javax.crypto.Cipher;
import java.util.Objects;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Secures the frames one node sends: numbers each frame (the sender's frame counter, from 0 in each generation),
 * writes the {@link #TRAILER_LENGTH}-byte security trailer after the frame (tag, primary key id, generation,
 * counter) and fills in the tag: HMAC-SHA256 truncated to 16 bytes over the frame and the trailer fields. In
 * {@link FrameProtection#ENCRYPT} mode everything past the frame's clear part is first encrypted with AES-CTR
 * under the key derived for this sender's generation, with the frame counter as the nonce, and the tag is then
 * computed over the ciphertext (encrypt-then-MAC, under an HMAC key derived apart from the encryption keys).
 * <p>
 * Node thread only. Allocates nothing per frame in either mode.
 */
public final class FrameSealer
{
    /** Bytes a sealed frame carries after the message. */
    public static final int TRAILER_LENGTH = 34;

    // Trailer layout (little-endian): tag, then the fields the tag also covers.
    static final int TAG_LENGTH = 16;
    static final int KEY_ID_OFFSET = 16;
    static final int GENERATION_OFFSET = 18;
    static final int COUNTER_OFFSET = 26;
    static final int TRAILER_FIELDS_OFFSET = KEY_ID_OFFSET;
    static final int TRAILER_FIELDS_LENGTH = TRAILER_LENGTH - TRAILER_FIELDS_OFFSET;

    private final int nodeId;
    private final long generation;
    private final FrameKeys keys;
    private final byte[] tag = new byte[HmacSha256.DIGEST_LENGTH];
    private final AesCtr ctr;
    private Cipher sessionCipher;
    private long nextCounter;

    /**
     * Create the sealer of one node's generation.
     *
     * @param nodeId         the sending node's id.
     * @param generation     this life of the node: larger than any earlier life's (see {@link FrameOpener}).
     * @param protection     the cluster's mode.
     * @param keyring        the keys; frames are sealed under the primary key.
     * @throws NullPointerException if the protection or keyring is null.
     */
    public FrameSealer(
        final int nodeId,
        final long generation,
        final FrameProtection protection,
        final Keyring keyring)
    {
        this.nodeId = nodeId;
        this.generation = generation;
        this.keys = new FrameKeys(Objects.requireNonNull(protection, "protection"),
            Objects.requireNonNull(keyring, "keyring"));
        this.ctr = protection == FrameProtection.ENCRYPT ? new AesCtr() : null;
        deriveSessionKey();
    }

    /**
     * Send under a new keyring's primary key from the next frame on. Allocates.
     *
     * @param keyring the new keyring.
     */
    public void keyring(final Keyring keyring)
    {
        keys.install(Objects.requireNonNull(keyring, "keyring"));
        deriveSessionKey();
    }

    /**
     * The keyring frames are sealed under.
     *
     * @return the keyring.
     */
    public Keyring keyring()
    {
        return keys.keyring();
    }

    /**
     * Frames sealed so far in this generation: the next frame's counter.
     *
     * @return the count.
     */
    public long framesSealed()
    {
        return nextCounter;
    }

    /**
     * Seal a frame in place: write the trailer after it and the tag into the trailer, encrypting the part after
     * {@code clearLength} in encrypt mode. The buffer must hold {@link #TRAILER_LENGTH} more bytes after the frame.
     *
     * @param buffer      holds the frame.
     * @param offset      where the frame starts.
     * @param clearLength bytes at the start that stay readable (the headers).
     * @param length      the frame's length, trailer excluded.
     * @return the sealed length: {@code length + TRAILER_LENGTH}.
     */
    public int seal(final MutableDirectBuffer buffer, final int offset, final int clearLength, final int length)
    {
        final long counter = nextCounter++;
        final int trailerIndex = offset + length;
        buffer.putShort(trailerIndex + KEY_ID_OFFSET, (short)keys.keyring().primaryKeyId(), LITTLE_ENDIAN);
        buffer.putLong(trailerIndex + GENERATION_OFFSET, generation, LITTLE_ENDIAN);
        buffer.putLong(trailerIndex + COUNTER_OFFSET, counter, LITTLE_ENDIAN);
        if (null != ctr)
        {
            final int bodyIndex = offset + clearLength;
            ctr.apply(sessionCipher, counter, buffer, bodyIndex, buffer, bodyIndex, length - clearLength);
        }
        final HmacSha256 mac = keys.mac(keys.keyring().primaryKeyId());
        mac.begin();
        mac.update(buffer, offset, length);
        mac.update(buffer, trailerIndex + TRAILER_FIELDS_OFFSET, TRAILER_FIELDS_LENGTH);
        mac.end(tag, 0);
        buffer.putBytes(trailerIndex, tag, 0, TAG_LENGTH);
        return length + TRAILER_LENGTH;
    }

    /**
     * Do the part of the next frame's tag that does not depend on the frame (the two HMAC key blocks) now, so that
     * {@link #seal} has that much less to do between the frame being written and it being sent. Call it when the
     * thread can spare the time, e.g. right after a sealed frame has been committed. Optional: {@link #seal} does the
     * work itself when it was not done. Allocates nothing.
     */
    public void prepare()
    {
        keys.mac(keys.keyring().primaryKeyId()).prime();
    }

    /**
     * Whether the next frame's tag key blocks are hashed already ({@link #prepare()} ran since the last seal).
     *
     * @return true if the next seal skips that work.
     */
    public boolean isPrepared()
    {
        return keys.mac(keys.keyring().primaryKeyId()).isPrimed();
    }

    private void deriveSessionKey()
    {
        sessionCipher = null == ctr ?
            null : AesCtr.newCipher(keys.sessionKey(keys.keyring().primaryKeyId(), nodeId, generation));
    }
}
