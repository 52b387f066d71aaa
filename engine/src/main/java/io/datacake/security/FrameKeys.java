package io.datacake.security;

import org.agrona.collections.Int2ObjectHashMap;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/**
 * The working form of a keyring for one sealer or opener: an {@link HmacSha256} per key id, and in encrypt mode the
 * AES key per key id from which per-sender session keys are derived. In authenticate mode the keyring secret is the
 * HMAC key; in encrypt mode the secret is only ever used as an AES key, and both the HMAC key and the session keys
 * are derived from it under different labels. Rebuilt, with allocation, only when a new keyring is installed.
 */
final class FrameKeys
{
    private static final int AES_BLOCK_LENGTH = 16;
    private static final int DERIVATION_LABEL = 0x64636b64; // "dckd": datacake key derivation (session keys)
    private static final int MAC_KEY_LABEL = 0x64636b6d; // "dckm": the HMAC key of encrypt mode
    private static final int MAC_KEY_LENGTH = 32;

    private final FrameProtection protection;
    private final Int2ObjectHashMap<HmacSha256> macs = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<SecretKeySpec> aesKeys = new Int2ObjectHashMap<>();
    private final byte[] derivationInput = new byte[AES_BLOCK_LENGTH];
    private Keyring keyring;

    FrameKeys(final FrameProtection protection, final Keyring keyring)
    {
        this.protection = protection;
        install(keyring);
    }

    void install(final Keyring keyring)
    {
        macs.clear();
        aesKeys.clear();
        for (final int keyId : keyring.keyIds())
        {
            final byte[] secret = keyring.secret(keyId);
            if (protection == FrameProtection.AUTHENTICATE)
            {
                macs.put(keyId, new HmacSha256(secret));
            }
            else
            {
                final SecretKeySpec master = new SecretKeySpec(secret, "AES");
                aesKeys.put(keyId, master);
                macs.put(keyId, new HmacSha256(derive(master, MAC_KEY_LABEL, 0, 0, MAC_KEY_LENGTH)));
            }
        }
        this.keyring = keyring;
    }

    Keyring keyring()
    {
        return keyring;
    }

    FrameProtection protection()
    {
        return protection;
    }

    boolean hasKey(final int keyId)
    {
        return keyring.hasKey(keyId);
    }

    HmacSha256 mac(final int keyId)
    {
        return macs.get(keyId);
    }

    /**
     * The AES-CTR key of one sender's generation under one keyring key: AES (as a PRF) of a block naming the
     * sender and generation under the keyring key, as many blocks as the key is long. Each sender's generation
     * numbers its frames from 0, so the frame counter alone is a nonce that is never reused under a derived key.
     */
    SecretKeySpec sessionKey(final int keyId, final int nodeId, final long generation)
    {
        final SecretKeySpec master = aesKeys.get(keyId);
        return new SecretKeySpec(
            derive(master, DERIVATION_LABEL, nodeId, generation, master.getEncoded().length), "AES");
    }

    private byte[] derive(
        final SecretKeySpec master, final int label, final int nodeId, final long generation, final int length)
    {
        final byte[] derived = new byte[length];
        try
        {
            final Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, master);
            for (int block = 0; block * AES_BLOCK_LENGTH < length; block++)
            {
                putInt(derivationInput, 0, label);
                derivationInput[4] = (byte)(nodeId >>> 8);
                derivationInput[5] = (byte)nodeId;
                derivationInput[6] = (byte)block;
                derivationInput[7] = 0;
                putInt(derivationInput, 8, (int)(generation >>> 32));
                putInt(derivationInput, 12, (int)generation);
                final byte[] output = aes.doFinal(derivationInput);
                System.arraycopy(output, 0, derived, block * AES_BLOCK_LENGTH,
                    Math.min(AES_BLOCK_LENGTH, length - block * AES_BLOCK_LENGTH));
            }
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("the JDK cannot run AES: " + ex.getMessage(), ex);
        }
        return derived;
    }

    private static void putInt(final byte[] array, final int index, final int value)
    {
        array[index] = (byte)(value >>> 24);
        array[index + 1] = (byte)(value >>> 16);
        array[index + 2] = (byte)(value >>> 8);
        array[index + 3] = (byte)value;
    }
}
