package io.datacake.transport.aeron;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;

import java.util.Objects;

/**
 * Where an {@link AeronTransport} listens: an Aeron channel plus a stream id, written as one string so it can travel
 * in the engine's frames and be resolved by {@link AeronTransport#resolvePeer}.
 * <p>
 * Syntax: an Aeron channel URI with a {@code stream-id} parameter, for example
 * {@code aeron:udp?endpoint=127.0.0.1:40123|stream-id=1001} (a node on a host) or {@code aeron:ipc?stream-id=1002}
 * (a node sharing a media driver with its peers). The stream id tells apart nodes on the same channel, which IPC
 * always needs; it defaults to {@link #DEFAULT_STREAM_ID} when absent.
 * <p>
 * Immutable.
 */
public final class AeronEndpoint
{
    /** Stream id used when an endpoint string has none. */
    public static final int DEFAULT_STREAM_ID = 1001;

    private final String channel;
    private final int streamId;
    private final boolean udp;
    private final String text;

    private AeronEndpoint(final String channel, final int streamId, final boolean udp)
    {
        this.channel = channel;
        this.streamId = streamId;
        this.udp = udp;
        final ChannelUri uri = ChannelUri.parse(channel);
        uri.put(CommonContext.STREAM_ID_PARAM_NAME, Integer.toString(streamId));
        this.text = uri.toString();
    }

    /**
     * A UDP endpoint (unicast) at a host and port.
     *
     * @param host     the IP address or host name the node listens on.
     * @param port     the UDP port, 1..65535.
     * @param streamId the node's stream id.
     * @return the endpoint.
     * @throws IllegalArgumentException if the port is out of range or the host is blank.
     */
    public static AeronEndpoint udp(final String host, final int port, final int streamId)
    {
        Objects.requireNonNull(host, "host");
        if (host.isBlank())
        {
            throw new IllegalArgumentException("UDP endpoint host must not be blank");
        }
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("UDP endpoint port must be between 1 and 65535: " + port);
        }
        final String hostPart = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return new AeronEndpoint("aeron:udp?endpoint=" + hostPart + ":" + port, streamId, true);
    }

    /**
     * An IPC endpoint: reachable from clients of the same media driver.
     *
     * @param streamId the node's stream id, unique among the nodes sharing the driver.
     * @return the endpoint.
     */
    public static AeronEndpoint ipc(final int streamId)
    {
        return new AeronEndpoint(CommonContext.IPC_CHANNEL, streamId, false);
    }

    /**
     * Parse an endpoint string.
     *
     * @param endpoint e.g. {@code aeron:udp?endpoint=10.0.0.7:40123|stream-id=1001} or {@code aeron:ipc?stream-id=7}.
     * @return the endpoint.
     * @throws IllegalArgumentException if it is not an {@code aeron:udp} channel with an {@code endpoint=host:port}
     *                                  parameter or an {@code aeron:ipc} channel, or the stream id is not an int.
     */
    public static AeronEndpoint parse(final CharSequence endpoint)
    {
        Objects.requireNonNull(endpoint, "endpoint");
        final ChannelUri uri;
        try
        {
            uri = ChannelUri.parse(endpoint);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException("not an Aeron endpoint (expected e.g. " +
                "aeron:udp?endpoint=127.0.0.1:40123|stream-id=1001 or aeron:ipc?stream-id=1001): " + endpoint, ex);
        }
        if (null != uri.prefix() && !uri.prefix().isEmpty())
        {
            throw new IllegalArgumentException("a prefixed (spy) channel cannot be an endpoint: " + endpoint);
        }

        final String streamIdText = uri.remove(CommonContext.STREAM_ID_PARAM_NAME);
        int streamId = DEFAULT_STREAM_ID;
        if (null != streamIdText)
        {
            try
            {
                streamId = Integer.parseInt(streamIdText);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("stream-id must be an int in endpoint: " + endpoint, ex);
            }
        }

        if (uri.isUdp())
        {
            final String address = uri.get(CommonContext.ENDPOINT_PARAM_NAME);
            if (null == address || address.lastIndexOf(':') <= 0)
            {
                throw new IllegalArgumentException(
                    "UDP endpoint needs an endpoint=host:port parameter where the node listens: " + endpoint);
            }
            return new AeronEndpoint(uri.toString(), streamId, true);
        }
        if (uri.isIpc())
        {
            return new AeronEndpoint(uri.toString(), streamId, false);
        }
        throw new IllegalArgumentException("endpoint must be an aeron:udp or aeron:ipc channel: " + endpoint);
    }

    /**
     * The Aeron channel (without the stream id) to subscribe or publish on.
     *
     * @return the channel URI.
     */
    public String channel()
    {
        return channel;
    }

    /**
     * The stream id on the channel.
     *
     * @return the stream id.
     */
    public int streamId()
    {
        return streamId;
    }

    /**
     * Whether the endpoint is UDP (else IPC).
     *
     * @return true for UDP.
     */
    public boolean isUdp()
    {
        return udp;
    }

    /**
     * The endpoint string, canonical: parsing it gives an equal endpoint.
     *
     * @return the endpoint string.
     */
    public String toString()
    {
        return text;
    }

    /**
     * Endpoints are equal when their canonical strings are.
     *
     * @param o the other object.
     * @return true if equal.
     */
    public boolean equals(final Object o)
    {
        return this == o || (o instanceof AeronEndpoint && text.equals(((AeronEndpoint)o).text));
    }

    /**
     * Hash of the canonical string.
     *
     * @return the hash code.
     */
    public int hashCode()
    {
        return text.hashCode();
    }
}
