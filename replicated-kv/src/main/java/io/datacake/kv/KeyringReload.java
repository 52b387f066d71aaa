package io.datacake.kv;

import io.datacake.node.Node;
import io.datacake.security.Keyring;

import java.lang.System.Logger.Level;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads the keyring again from where the settings say it is and hands it to the running node: one step of a key
 * rotation (see {@link Keyring}). Reloads from a signal and from the HTTP API run one at a time.
 */
final class KeyringReload
{
    /** Longest wait for the node thread to take the new keyring. */
    static final long TIMEOUT_MS = 10_000;

    private static final System.Logger LOGGER = System.getLogger(KeyringReload.class.getName());

    private final KvNodeConfig config;
    private final Node node;

    KeyringReload(final KvNodeConfig config, final Node node)
    {
        this.config = config;
        this.node = node;
    }

    /**
     * @return true if the node was started with a keyring, so there is one to reload.
     */
    boolean enabled()
    {
        return config.hasKeyring();
    }

    /**
     * Read the keyring and install it; on any failure the node keeps the keyring it has.
     *
     * @return the keyring now in use (its {@code toString} names key ids only).
     * @throws IllegalStateException if the node runs without a keyring, or did not take the new one in time.
     * @throws KvConfigException     if the keyring cannot be read or is invalid.
     */
    synchronized Keyring reload()
    {
        if (!enabled())
        {
            throw new IllegalStateException("this node runs without a keyring: start it with --keyring-file or " +
                "--keyring-env to secure and rotate keys");
        }
        final Keyring keyring = NodeSecrets.keyring(config);
        try
        {
            node.updateKeyring(keyring).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing the keyring", ex);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            final Throwable cause = ex instanceof ExecutionException ? ex.getCause() : ex;
            throw new IllegalStateException("the node did not take the new keyring: " + cause, cause);
        }
        LOGGER.log(Level.INFO, "keyring reloaded: " + keyring);
        return keyring;
    }
}
