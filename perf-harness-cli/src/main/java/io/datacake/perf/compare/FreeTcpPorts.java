package io.datacake.perf.compare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Loopback TCP ports that were free a moment ago, for members that need explicit ports in their seed lists.
 */
final class FreeTcpPorts
{
    private FreeTcpPorts()
    {
    }

    /**
     * @param count number of distinct ports.
     * @return ports free on the loopback address when this returns; they stay free unless another process binds
     * them first.
     * @throws UncheckedIOException if no port can be bound.
     */
    static int[] allocate(final int count)
    {
        final ServerSocket[] sockets = new ServerSocket[count];
        final int[] ports = new int[count];
        try
        {
            // All held open together, so the ports are distinct.
            for (int i = 0; i < count; i++)
            {
                sockets[i] = new ServerSocket();
                sockets[i].setReuseAddress(true);
                sockets[i].bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot find a free loopback TCP port", ex);
        }
        finally
        {
            for (final ServerSocket socket : sockets)
            {
                if (null != socket)
                {
                    try
                    {
                        socket.close();
                    }
                    catch (final IOException ignore)
                    {
                        // Nothing was sent on it.
                    }
                }
            }
        }
    }
}
