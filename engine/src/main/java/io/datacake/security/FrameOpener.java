package io.datacake.security;

import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import javax.crypto.Cipher;
import java.util.Objects;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Checks the frames one node receives, before anything else reads them: the key id must be in the keyring, the
 * frame must be new for its sender, the tag must match. Only then does the frame count in the sender's
 * {@link ReplayWindow}, so a forged frame changes nothing.
 * <p>
 * Replay rules, per sender node id:
 * <ul>
 *     <li>a frame of an older generation than the newest seen from the sender is stale;</li>
 *     <li>a frame of a newer generation starts a new window (the sender restarted);</li>
 *     <li>within a generation, a counter seen before or more than {@link ReplayWindow#WINDOW_SIZE} behind the
 *     highest is a replay;</li>
 *     <li>the windows live in memory, so a restarted receiver knows no sender: the first frame it accepts from a
 *     sender must have been sent after the receiver started, by the frame's HLC stamp (authenticated with the
 *     frame) against the receiver's start time. Frames captured before the restart are therefore stale. A sender
 *     whose clock lags the receiver's is refused until its hybrid clock has merged a stamp from the restarted
 *     receiver (any frame from it), which moves the sender's stamps past the receiver's start.</li>
 * </ul>
 * State per sender (a window of {@value ReplayWindow#BITMAP_BITS} bits and its generation) is created by the first
 * authentic frame from it, so only holders of a key can create it, and is bounded by the node id space (65,536).
 * <p>
 * Node thread only. Allocates nothing per frame once each sender's generation has been seen (encrypt mode derives
 * and keeps a key per sender's generation).
 */
public final class FrameOpener
{
    /** The frame is authentic and new; read it from {@link #buffer()}. */
    public static final int OPENED = 0;
    /** Too short to hold a trailer. */
    public static final int MALFORMED = 1;
    /** Sealed under a key id the keyring does not hold. */
    public static final int UNKNOWN_KEY = 2;
    /** The tag does not match: altered, or sealed under another secret with the same key id. */
    public static final int FORGED = 3;
    /** Seen before, or too far behind its sender's newest frame. */
    public static final int REPLAYED = 4;
    /** From an older generation of its sender, or sent before this receiver started. */
    public static final int STALE = 5;

    private final FrameKeys keys;
    private final long startMs;
    private final byte[] tag = new byte[HmacSha256.DIGEST_LENGTH];
    private final UnsafeBuffer tagView = new UnsafeBuffer(tag);
    private final Int2ObjectHashMap<Sender> senders = new Int2ObjectHashMap<>();
    private final AesCtr ctr;
    private final UnsafeBuffer plainFrame;
    private int lastKeyId;
    private DirectBuffer openedBuffer;
    private int openedOffset;
    private int openedLength;

    /**
     * Create the opener of one node's life.
     *
     * @param protection     the cluster's mode.
     * @param keyring        the keys accepted.
     * @param maxFrameLength largest frame received, trailer included.
     * @param startMs        this receiver's start, epoch ms: frames from a sender not seen yet must be stamped at or
     *                       after it.
     * @throws NullPointerException if the protection or keyring is null.
     */
    public FrameOpener(
        final FrameProtection protection, final Keyring keyring, final int maxFrameLength, final long startMs)
    {
        this.keys = new FrameKeys(Objects.requireNonNull(protection, "protection"),
            Objects.requireNonNull(keyring, "keyring"));
        this.startMs = startMs;
        this.lastKeyId = keyring.primaryKeyId();
        if (protection == FrameProtection.ENCRYPT)
        {
            ctr = new AesCtr();
            plainFrame = new UnsafeBuffer(new byte[maxFrameLength]);
        }
        else
        {
            ctr = null;
            plainFrame = null;
        }
    }

    /**
     * Accept frames under a new keyring's keys from the next frame on. Allocates.
     *
     * @param keyring the new keyring.
     */
    public void keyring(final Keyring keyring)
    {
        keys.install(Objects.requireNonNull(keyring, "keyring"));
        lastKeyId = keyring.primaryKeyId();
    }

    /**
     * The keyring frames are checked against.
     *
     * @return the keyring.
     */
    public Keyring keyring()
    {
        return keys.keyring();
    }

    /**
     * Check a sealed frame and, if it is authentic and new, record it in its sender's window and make it readable
     * from {@link #buffer()}: the same buffer in authenticate mode, a decrypted copy in encrypt mode. The trailer is
     * not part of the opened frame.
     *
     * @param buffer      holds the frame.
     * @param offset      where it starts.
     * @param clearLength bytes at the start that were not encrypted (the headers).
     * @param length      the frame's length, trailer included.
     * @param senderId    the node id the frame names as its source (authenticated by the tag).
     * @param sentAtMs    the frame's send time, epoch ms, from its HLC stamp (authenticated by the tag).
     * @return {@link #OPENED}, or why the frame must be dropped: {@link #MALFORMED}, {@link #UNKNOWN_KEY},
     * {@link #FORGED}, {@link #REPLAYED}, {@link #STALE}.
     */
    public int open(
        final DirectBuffer buffer,
        final int offset,
        final int clearLength,
        final int length,
        final int senderId,
        final long sentAtMs)
    {
        final int frameLength = length - FrameSealer.TRAILER_LENGTH;
        if (frameLength < clearLength)
        {
            return MALFORMED;
        }
        final int trailerIndex = offset + frameLength;
        final int keyId = buffer.getShort(trailerIndex + FrameSealer.KEY_ID_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        if (!keys.hasKey(keyId))
        {
            return UNKNOWN_KEY;
        }
        final long generation = buffer.getLong(trailerIndex + FrameSealer.GENERATION_OFFSET, LITTLE_ENDIAN);
        final long counter = buffer.getLong(trailerIndex + FrameSealer.COUNTER_OFFSET, LITTLE_ENDIAN);
        final Sender sender = senders.get(senderId);
        final int freshness = freshness(sender, generation, counter, sentAtMs);
        if (freshness != OPENED)
        {
            return freshness;
        }
        // Encrypt-then-MAC: the tag covers the ciphertext, so nothing is decrypted before it checks out.
        if (!tagMatches(keys.mac(keyId), buffer, offset, frameLength, trailerIndex))
        {
            return FORGED;
        }
        lastKeyId = keyId; // only an authentic frame chooses which key prepare() readies
        if (null == ctr)
        {
            openedBuffer = buffer;
            openedOffset = offset;
        }
        else
        {
            plainFrame.putBytes(0, buffer, offset, clearLength);
            ctr.apply(sessionCipher(sender, keyId, senderId, generation), counter, buffer, offset + clearLength,
                plainFrame, clearLength, frameLength - clearLength);
            openedBuffer = plainFrame;
            openedOffset = 0;
        }
        openedLength = frameLength;
        accept(sender, senderId, generation, counter);
        return OPENED;
    }

    /**
     * Do the part of the next frame's tag check that does not depend on the frame (the two HMAC key blocks of the
     * key the last frame was sealed under) now, so that {@link #open} has that much less to do before a frame can be
     * read. Call it when the thread can spare the time, e.g. right after an opened frame has been handled. Optional:
     * {@link #open} does the work itself when it was not done. Allocates nothing.
     */
    public void prepare()
    {
        keys.mac(lastKeyId).prime();
    }

    /**
     * Whether the next frame's tag key blocks are hashed already ({@link #prepare()} ran since the last open of a
     * frame under the same key).
     *
     * @return true if the next open of a frame under the last-used key skips that work.
     */
    public boolean isPrepared()
    {
        return keys.mac(lastKeyId).isPrimed();
    }

    /**
     * Where the last opened frame is.
     *
     * @return the buffer.
     */
    public DirectBuffer buffer()
    {
        return openedBuffer;
    }

    /**
     * Where the last opened frame starts in {@link #buffer()}.
     *
     * @return the offset.
     */
    public int offset()
    {
        return openedOffset;
    }

    /**
     * The last opened frame's length, trailer excluded.
     *
     * @return the length.
     */
    public int length()
    {
        return openedLength;
    }

    private int freshness(final Sender sender, final long generation, final long counter, final long sentAtMs)
    {
        if (null == sender || sender.generation < generation)
        {
            return null == sender && sentAtMs < startMs ? STALE : (counter < 0 ? REPLAYED : OPENED);
        }
        if (generation < sender.generation)
        {
            return STALE;
        }
        return sender.window.isFresh(counter) ? OPENED : REPLAYED;
    }

    private boolean tagMatches(
        final HmacSha256 mac, final DirectBuffer buffer, final int offset, final int frameLength, final int trailerIndex)
    {
        mac.begin();
        mac.update(buffer, offset, frameLength);
        mac.update(buffer, trailerIndex + FrameSealer.TRAILER_FIELDS_OFFSET, FrameSealer.TRAILER_FIELDS_LENGTH);
        mac.end(tag, 0);
        // Constant time: the comparison reveals nothing about how much of a forged tag was right. The 16-byte tag is
        // compared as two words.
        final long difference = (tagView.getLong(0) ^ buffer.getLong(trailerIndex)) |
            (tagView.getLong(Long.BYTES) ^ buffer.getLong(trailerIndex + Long.BYTES));
        return difference == 0;
    }

    /**
     * The block cipher under the sender's session key, kept per sender so that senders taking turns cost no key
     * set-up; derived again (allocating) only for a new generation, key id or keyring.
     */
    private Cipher sessionCipher(final Sender sender, final int keyId, final int senderId, final long generation)
    {
        if (null != sender && sender.sessionKeyId == keyId && sender.sessionGeneration == generation &&
            sender.sessionKeyring == keys.keyring())
        {
            return sender.sessionCipher;
        }
        final Cipher sessionCipher = AesCtr.newCipher(keys.sessionKey(keyId, senderId, generation));
        if (null != sender)
        {
            sender.sessionKeyId = keyId;
            sender.sessionGeneration = generation;
            sender.sessionKeyring = keys.keyring();
            sender.sessionCipher = sessionCipher;
        }
        return sessionCipher;
    }

    private void accept(final Sender known, final int senderId, final long generation, final long counter)
    {
        Sender sender = known;
        if (null == sender)
        {
            sender = new Sender();
            sender.generation = generation;
            senders.put(senderId, sender);
        }
        else if (sender.generation < generation)
        {
            sender.generation = generation;
            sender.window.reset();
        }
        sender.window.accept(counter);
    }

    private static final class Sender
    {
        final ReplayWindow window = new ReplayWindow();
        long generation;
        int sessionKeyId = -1;
        long sessionGeneration;
        Keyring sessionKeyring;
        Cipher sessionCipher;
    }
}
