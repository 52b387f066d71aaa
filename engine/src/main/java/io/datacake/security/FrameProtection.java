package io.datacake.security;

/**
 * What a keyring does to every frame. Every node of a cluster uses the same mode.
 */
public enum FrameProtection
{
    /**
     * Every frame carries an HMAC-SHA256 tag (truncated to 16 bytes) over its headers and body; the body stays in
     * clear text. The cheaper mode, for networks where only integrity and origin matter.
     */
    AUTHENTICATE,

    /**
     * Everything after the frame header is encrypted with AES in counter mode under a key derived for the sender's
     * generation, then authenticated like {@link #AUTHENTICATE} (HMAC-SHA256 over headers and ciphertext, under an
     * HMAC key derived from the keyring key): encrypt-then-MAC. The nonce is the sender's frame counter, never reused
     * under one derived key. Allocates nothing per frame, unlike the JDK's AES-GCM, which needs a new parameter spec
     * and cipher initialisation for every nonce.
     */
    ENCRYPT
}
