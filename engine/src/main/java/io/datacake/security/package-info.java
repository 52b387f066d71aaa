/**
 * Cluster security: the {@link io.datacake.security.Keyring} every node of a cluster shares, the
 * {@link io.datacake.security.FrameProtection} mode, and the pieces the RPC layer uses to secure every frame it sends
 * and check every frame it receives before anything else reads it: {@link io.datacake.security.FrameSealer} (tag,
 * optional encryption), {@link io.datacake.security.FrameOpener} (key, tag, replay window) and
 * {@link io.datacake.security.ReplayWindow}. {@link io.datacake.security.ListenAddressCheck} refuses to expose an
 * unsecured node beyond the loopback interface.
 * <p>
 * Only JDK cryptography is used: HMAC-SHA256 truncated to 16 bytes (authenticate mode, computed over
 * {@link java.security.MessageDigest} so that no frame allocates), plus AES in counter mode under the same HMAC
 * (encrypt mode, encrypt-then-MAC; the keystream comes from an AES block cipher set up once per key).
 */
package io.datacake.security;
