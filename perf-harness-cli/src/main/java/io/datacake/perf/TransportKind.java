package io.datacake.perf;

import java.util.Locale;

/**
 * The transports an embedded cluster runs on, named on the command line in lower case.
 */
public enum TransportKind
{
    /** Aeron IPC through one embedded media driver shared by every node (IPC cannot cross drivers). */
    IPC,
    /** Aeron UDP on loopback, one embedded media driver per node in its own directory, as on separate hosts. */
    UDP;

    /**
     * @return the name the command line uses.
     */
    @Override
    public String toString()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
