package io.datacake.transport.aeron;

import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FreeUdpPortsTest
{
    @Test
    void portsOfOneCallAreDistinctAndBindable() throws Exception
    {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        final int[] ports = FreeUdpPorts.allocate(loopback, 8);

        assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(8);
        for (final int port : ports)
        {
            assertThat(port).isBetween(1, 65535);
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(loopback, port)))
            {
                assertThat(socket.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void countIsBounded()
    {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        assertThatThrownBy(() -> FreeUdpPorts.allocate(loopback, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FreeUdpPorts.allocate(loopback, FreeUdpPorts.MAX_PORTS_PER_CALL + 1))
            .isInstanceOf(IllegalArgumentException.class);
        assertThat(FreeUdpPorts.loopback()).isPositive();
    }
}
