package io.datacake.transport.aeron;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AeronEndpointTest
{
    @Test
    void udpEndpointRoundTripsThroughItsString()
    {
        final AeronEndpoint endpoint = AeronEndpoint.udp("127.0.0.1", 40123, 7);

        assertThat(endpoint.isUdp()).isTrue();
        assertThat(endpoint.channel()).isEqualTo("aeron:udp?endpoint=127.0.0.1:40123");
        assertThat(endpoint.streamId()).isEqualTo(7);
        assertThat(endpoint.toString()).contains("stream-id=7");
        assertThat(AeronEndpoint.parse(endpoint.toString())).isEqualTo(endpoint);
    }

    @Test
    void ipcEndpointRoundTripsThroughItsString()
    {
        final AeronEndpoint endpoint = AeronEndpoint.ipc(1002);

        assertThat(endpoint.isUdp()).isFalse();
        assertThat(endpoint.channel()).isEqualTo("aeron:ipc");
        assertThat(AeronEndpoint.parse("aeron:ipc?stream-id=1002")).isEqualTo(endpoint);
    }

    @Test
    void streamIdDefaultsWhenAbsent()
    {
        assertThat(AeronEndpoint.parse("aeron:udp?endpoint=localhost:9000").streamId())
            .isEqualTo(AeronEndpoint.DEFAULT_STREAM_ID);
    }

    @Test
    void ipv6HostIsBracketed()
    {
        assertThat(AeronEndpoint.udp("::1", 9000, 1).channel()).isEqualTo("aeron:udp?endpoint=[::1]:9000");
    }

    @Test
    void malformedEndpointsAreRejectedWithTheReason()
    {
        assertThatThrownBy(() -> AeronEndpoint.parse("127.0.0.1:9000"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an Aeron endpoint");
        assertThatThrownBy(() -> AeronEndpoint.parse("aeron:udp?interface=127.0.0.1"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endpoint=host:port");
        assertThatThrownBy(() -> AeronEndpoint.parse("aeron:ipc?stream-id=seven"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stream-id must be an int");
        assertThatThrownBy(() -> AeronEndpoint.parse("aeron-spy:aeron:ipc"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spy");
        assertThatThrownBy(() -> AeronEndpoint.udp("127.0.0.1", 0, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> AeronEndpoint.udp(" ", 1, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host");
    }
}
