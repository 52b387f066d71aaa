package io.datacake.testing;

import io.datacake.node.NodeContext;
import io.datacake.security.FrameProtection;
import io.datacake.security.Keyring;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Fixed keyrings for tests, and the node setting that secures a cluster with them.
 */
public final class TestKeyrings
{
    private TestKeyrings()
    {
    }

    /**
     * A 32-byte secret filled with one value, so tests can tell keys apart.
     *
     * @param fill the byte value.
     * @return the secret.
     */
    public static byte[] secret(final int fill)
    {
        final byte[] secret = new byte[32];
        Arrays.fill(secret, (byte)fill);
        return secret;
    }

    /**
     * The keyring of the tests' cluster: key 1, primary.
     *
     * @return the keyring.
     */
    public static Keyring clusterKeyring()
    {
        return Keyring.of(1, secret(1));
    }

    /**
     * Secure a node with {@link #clusterKeyring()}.
     *
     * @param protection the mode.
     * @return a node customizer.
     */
    public static Consumer<NodeContext> secured(final FrameProtection protection)
    {
        return (ctx) -> ctx.keyring(clusterKeyring()).frameProtection(protection);
    }
}
