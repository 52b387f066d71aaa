package io.datacake.security;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Safe by default: a node that listens for cluster traffic beyond the loopback interface must secure its frames with
 * a keyring, unless its operator explicitly chose to run insecure. A node process calls
 * {@link #requireSecured(String, Keyring, boolean)} with its cluster listen host before it starts the node.
 */
public final class ListenAddressCheck
{
    private ListenAddressCheck()
    {
    }

    /**
     * Refuse a non-loopback cluster listen address without a keyring.
     *
     * @param listenHost the host or address the cluster transport binds, e.g. {@code "0.0.0.0"},
     *                   {@code "10.0.0.5"}, {@code "localhost"}.
     * @param keyring    the node's keyring, or null if it has none.
     * @param insecure   the operator's explicit choice to run without a keyring on a non-loopback address.
     * @throws IllegalStateException    if the address is not a loopback address, no keyring is given and
     *                                  {@code insecure} is false; the message says how to fix it.
     * @throws IllegalArgumentException if the host cannot be resolved.
     */
    public static void requireSecured(final String listenHost, final Keyring keyring, final boolean insecure)
    {
        if (null != keyring || insecure || isLoopback(listenHost))
        {
            return;
        }
        throw new IllegalStateException("cluster listen address " + listenHost + " is reachable from other hosts " +
            "but no keyring is configured: every node could be impersonated and every frame read or altered. " +
            "Configure a keyring (Keyring.fromFile or Keyring.fromEnvironment), listen on a loopback address " +
            "(127.0.0.1), or set insecure to accept the risk explicitly");
    }

    /**
     * Whether a host resolves to a loopback address.
     *
     * @param host a host name or literal address.
     * @return true for loopback (127.0.0.0/8, ::1, localhost).
     * @throws IllegalArgumentException if the host cannot be resolved.
     */
    public static boolean isLoopback(final String host)
    {
        try
        {
            final InetAddress[] addresses = InetAddress.getAllByName(host);
            for (final InetAddress address : addresses)
            {
                if (!address.isLoopbackAddress())
                {
                    return false;
                }
            }
            return addresses.length > 0;
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("cluster listen host cannot be resolved: " + host, ex);
        }
    }
}
