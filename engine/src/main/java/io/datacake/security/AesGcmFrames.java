package io.datacake.security;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;

/**
 * AES-GCM over frames: the clear part of a frame plus the trailer fields are the additional authenticated data, the
 * rest of the frame is encrypted, the GCM tag goes into the trailer. The nonce is the frame counter. Works through
 * scratch arrays so any buffer (array-backed or direct) can be sealed or opened; the JDK's {@code Cipher.init}
 * allocates per frame, which is why authenticate mode, not this, is the allocation-free mode.
 */
final class AesGcmFrames
{
    static final int TAG_LENGTH = 16;
    private static final int TAG_BITS = TAG_LENGTH * 8;
    private static final int NONCE_LENGTH = 12;

    private final Cipher cipher;
    private final byte[] nonce = new byte[NONCE_LENGTH];
    private final byte[] aad;
    private final byte[] input;
    private final byte[] output;

    AesGcmFrames(final int maxFrameLength, final int maxAadLength)
    {
        try
        {
            cipher = Cipher.getInstance("AES/GCM/NoPadding");
        }
        catch (final NoSuchAlgorithmException | NoSuchPaddingException ex)
        {
            throw new IllegalStateException("the JDK provides no AES/GCM: " + ex.getMessage(), ex);
        }
        aad = new byte[maxAadLength];
        input = new byte[maxFrameLength + TAG_LENGTH];
        output = new byte[maxFrameLength + TAG_LENGTH];
    }

    /**
     * Encrypt {@code [bodyIndex, bodyIndex + bodyLength)} in place and write the tag at {@code tagIndex}.
     */
    void seal(
        final SecretKeySpec key,
        final long counter,
        final MutableDirectBuffer buffer,
        final int clearIndex,
        final int clearLength,
        final int trailerFieldsIndex,
        final int trailerFieldsLength,
        final int bodyLength,
        final int tagIndex)
    {
        final int aadLength = collectAad(buffer, clearIndex, clearLength, trailerFieldsIndex, trailerFieldsLength);
        final int bodyIndex = clearIndex + clearLength;
        buffer.getBytes(bodyIndex, input, 0, bodyLength);
        try
        {
            cipher.init(Cipher.ENCRYPT_MODE, key, parameters(counter));
            cipher.updateAAD(aad, 0, aadLength);
            cipher.doFinal(input, 0, bodyLength, output, 0);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("AES-GCM failed to seal a frame: " + ex.getMessage(), ex);
        }
        buffer.putBytes(bodyIndex, output, 0, bodyLength);
        buffer.putBytes(tagIndex, output, bodyLength, TAG_LENGTH);
    }

    /**
     * Check the tag and decrypt into {@code out}: the clear part first, then the plain body.
     *
     * @return false if the tag does not match (forged, or another key).
     */
    boolean open(
        final SecretKeySpec key,
        final long counter,
        final DirectBuffer buffer,
        final int clearIndex,
        final int clearLength,
        final int trailerFieldsIndex,
        final int trailerFieldsLength,
        final int bodyLength,
        final int tagIndex,
        final MutableDirectBuffer out)
    {
        final int aadLength = collectAad(buffer, clearIndex, clearLength, trailerFieldsIndex, trailerFieldsLength);
        buffer.getBytes(clearIndex + clearLength, input, 0, bodyLength);
        buffer.getBytes(tagIndex, input, bodyLength, TAG_LENGTH);
        try
        {
            cipher.init(Cipher.DECRYPT_MODE, key, parameters(counter));
            cipher.updateAAD(aad, 0, aadLength);
            cipher.doFinal(input, 0, bodyLength + TAG_LENGTH, output, 0);
        }
        catch (final AEADBadTagException ex)
        {
            return false;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("AES-GCM failed to open a frame: " + ex.getMessage(), ex);
        }
        out.putBytes(0, aad, 0, clearLength);
        out.putBytes(clearLength, output, 0, bodyLength);
        return true;
    }

    private GCMParameterSpec parameters(final long counter)
    {
        for (int i = 0; i < Long.BYTES; i++)
        {
            nonce[i] = (byte)(counter >>> (8 * i));
        }
        return new GCMParameterSpec(TAG_BITS, nonce);
    }

    private int collectAad(
        final DirectBuffer buffer,
        final int clearIndex,
        final int clearLength,
        final int trailerFieldsIndex,
        final int trailerFieldsLength)
    {
        buffer.getBytes(clearIndex, aad, 0, clearLength);
        buffer.getBytes(trailerFieldsIndex, aad, clearLength, trailerFieldsLength);
        return clearLength + trailerFieldsLength;
    }
}
