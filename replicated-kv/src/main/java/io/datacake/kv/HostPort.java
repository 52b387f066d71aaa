package io.datacake.kv;

import java.util.Objects;

/**
 * A host and a port written as {@code HOST:PORT} ({@code [v6-address]:PORT} for an IPv6 literal). Immutable.
 */
public final class HostPort
{
    /** Smallest port accepted. */
    public static final int MIN_PORT = 0;

    /** Largest port accepted. */
    public static final int MAX_PORT = 65_535;

    private final String host;
    private final int port;

    /**
     * @param host the host name or address literal (without brackets).
     * @param port 0..65535; 0 asks for a free port where that is supported.
     * @throws IllegalArgumentException if the host is blank or the port is out of range.
     */
    public HostPort(final String host, final int port)
    {
        Objects.requireNonNull(host, "host");
        if (host.isBlank())
        {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < MIN_PORT || port > MAX_PORT)
        {
            throw new IllegalArgumentException("port must be in " + MIN_PORT + ".." + MAX_PORT + ": " + port);
        }
        this.host = host;
        this.port = port;
    }

    /**
     * Parse {@code HOST:PORT}.
     *
     * @param text e.g. {@code 127.0.0.1:7401}, {@code node-a.example:7401} or {@code [::1]:7401}.
     * @return the host and port.
     * @throws IllegalArgumentException if the text has no host, no port, or a port that is not 0..65535.
     */
    public static HostPort parse(final String text)
    {
        Objects.requireNonNull(text, "text");
        final int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1)
        {
            throw new IllegalArgumentException("expected HOST:PORT but was '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        else if (host.indexOf(':') >= 0)
        {
            throw new IllegalArgumentException("an IPv6 host needs brackets, e.g. [::1]:7401, but was '" + text + "'");
        }
        final int port;
        try
        {
            port = Integer.parseInt(text.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("expected HOST:PORT with a port 0..65535 but was '" + text + "'", ex);
        }
        if (port < MIN_PORT || port > MAX_PORT || host.isBlank())
        {
            throw new IllegalArgumentException("expected HOST:PORT with a port 0..65535 but was '" + text + "'");
        }
        return new HostPort(host, port);
    }

    /**
     * @return the host, without brackets.
     */
    public String host()
    {
        return host;
    }

    /**
     * @return the port.
     */
    public int port()
    {
        return port;
    }

    /**
     * @return {@code HOST:PORT}, with brackets around an IPv6 literal.
     */
    public String toString()
    {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * {@inheritDoc}
     */
    public boolean equals(final Object o)
    {
        return o instanceof HostPort other && port == other.port && host.equals(other.host);
    }

    /**
     * {@inheritDoc}
     */
    public int hashCode()
    {
        return 31 * host.hashCode() + port;
    }
}
