package io.datacake.kv;

import io.datacake.security.Keyring;
import io.datacake.security.ListenAddressCheck;

import java.io.UncheckedIOException;

/**
 * Reads a node's secrets from where its settings say they are, and refuses an unsecured cluster address. Errors name
 * the option and never carry a secret.
 */
final class NodeSecrets
{
    private NodeSecrets()
    {
    }

    /**
     * Read the keyring from the configured file or environment variable.
     *
     * @param config the settings.
     * @return the keyring, or null if none is configured.
     * @throws KvConfigException naming {@code --keyring-file} or {@code --keyring-env} if it cannot be read or is
     *                           not a valid keyring.
     */
    static Keyring keyring(final KvNodeConfig config)
    {
        final String option = null != config.keyringFile() ? KvNodeConfig.KEYRING_FILE : KvNodeConfig.KEYRING_ENV;
        try
        {
            if (null != config.keyringFile())
            {
                return Keyring.fromFile(config.keyringFile());
            }
            return null != config.keyringEnv() ? Keyring.fromEnvironment(config.keyringEnv()) : null;
        }
        catch (final IllegalArgumentException | UncheckedIOException ex)
        {
            throw new KvConfigException(option, "Invalid value for option '--" + option + "': " + ex.getMessage());
        }
    }

    /**
     * Read the HTTP bearer token from the configured file or environment variable.
     *
     * @param config the settings.
     * @return the token, or null if none is configured.
     * @throws KvConfigException naming {@code --http-token-file} or {@code --http-token-env} if it cannot be read or
     *                           is too short.
     */
    static BearerToken httpToken(final KvNodeConfig config)
    {
        final String option = null != config.httpTokenFile() ?
            KvNodeConfig.HTTP_TOKEN_FILE : KvNodeConfig.HTTP_TOKEN_ENV;
        try
        {
            if (null != config.httpTokenFile())
            {
                return BearerToken.fromFile(config.httpTokenFile());
            }
            return null != config.httpTokenEnv() ? BearerToken.fromEnvironment(config.httpTokenEnv()) : null;
        }
        catch (final IllegalArgumentException | UncheckedIOException ex)
        {
            throw new KvConfigException(option, "Invalid value for option '--" + option + "': " + ex.getMessage());
        }
    }

    /**
     * Refuse to listen for cluster traffic beyond the loopback interface without a keyring, unless insecure.
     *
     * @param config  the settings.
     * @param keyring the keyring read, or null.
     * @throws KvConfigException naming {@code --cluster-listen} with the ways to fix it.
     */
    static void requireSecured(final KvNodeConfig config, final Keyring keyring)
    {
        final String host = config.clusterListen().host();
        try
        {
            ListenAddressCheck.requireSecured(host, keyring, config.insecure());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new KvConfigException(KvNodeConfig.CLUSTER_LISTEN, "Invalid value for option '--cluster-listen': " +
                "host " + host + " cannot be resolved");
        }
        catch (final IllegalStateException ex)
        {
            throw new KvConfigException(KvNodeConfig.CLUSTER_LISTEN, "Refusing option '--cluster-listen' " +
                config.clusterListen() + ": the address is reachable from other hosts and no keyring is configured; " +
                "give '--keyring-file' or '--keyring-env', listen on 127.0.0.1, or pass '--insecure' to accept " +
                "that anyone reaching it can read and forge cluster traffic");
        }
    }
}
