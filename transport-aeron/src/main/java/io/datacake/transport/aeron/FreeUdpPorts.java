package io.datacake.transport.aeron;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Picks UDP ports that are free right now, so tests and benchmarks never use fixed ports.
 * <p>
 * The operating system chooses each port by binding to port 0; all sockets of one call stay bound until every port is
 * chosen, so the ports of one call are distinct. A port can still be taken by another process between this call and
 * its use; tests that bind should retry with new ports if that matters.
 */
public final class FreeUdpPorts
{
    /** Most ports one call hands out, a bound on the sockets held open at once. */
    public static final int MAX_PORTS_PER_CALL = 64;

    private FreeUdpPorts()
    {
    }

    /**
     * Choose distinct UDP ports free on the given address.
     *
     * @param address the local address the ports will be bound on (e.g. loopback).
     * @param count   how many ports, 1 to {@link #MAX_PORTS_PER_CALL}.
     * @return the port numbers.
     * @throws IllegalArgumentException if count is out of range.
     * @throws UncheckedIOException     if the operating system cannot bind a socket on the address.
     */
    public static int[] allocate(final InetAddress address, final int count)
    {
        if (count < 1 || count > MAX_PORTS_PER_CALL)
        {
            throw new IllegalArgumentException("count must be between 1 and " + MAX_PORTS_PER_CALL + ": " + count);
        }
        final DatagramSocket[] sockets = new DatagramSocket[count];
        try
        {
            final int[] ports = new int[count];
            for (int i = 0; i < count; i++)
            {
                sockets[i] = new DatagramSocket(new InetSocketAddress(address, 0));
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot bind a UDP socket on " + address, ex);
        }
        finally
        {
            for (final DatagramSocket socket : sockets)
            {
                if (null != socket)
                {
                    socket.close();
                }
            }
        }
    }

    /**
     * Choose one UDP port free on the loopback address.
     *
     * @return the port number.
     * @throws UncheckedIOException if the operating system cannot bind a socket on loopback.
     */
    public static int loopback()
    {
        return allocate(InetAddress.getLoopbackAddress(), 1)[0];
    }
}
