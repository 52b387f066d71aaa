package io.datacake.transport;

import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.agrona.BitUtil.isPowerOfTwo;

/**
 * A registry of {@link InProcessTransport}s that reach each other by name inside one JVM: the transport for tests
 * and for several nodes embedded in one process. Each transport's inbox is a bounded many-to-one ring buffer, so
 * any thread may send to any transport while only its owner polls it.
 * <p>
 * Thread safe.
 */
public final class InProcessNetwork
{
    /** Default inbox capacity per transport: 1 MiB of frames. */
    public static final int DEFAULT_INBOX_CAPACITY_BYTES = 1024 * 1024;

    /** Default maximum frame length: 16 KiB; larger RPC bodies are streamed in chunks. */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 16 * 1024;

    private final ConcurrentHashMap<String, InProcessTransport> transportByEndpoint = new ConcurrentHashMap<>();
    private final AtomicInteger nextName = new AtomicInteger();
    private final int inboxCapacityBytes;
    private final int maxMessageLength;

    /**
     * A network with default inbox capacity and maximum frame length.
     */
    public InProcessNetwork()
    {
        this(DEFAULT_INBOX_CAPACITY_BYTES, DEFAULT_MAX_MESSAGE_LENGTH);
    }

    /**
     * A network with the given bounds.
     *
     * @param inboxCapacityBytes bytes of frames each transport's inbox holds before senders are back-pressured;
     *                           a power of two.
     * @param maxMessageLength   the largest frame a transport accepts; at most an eighth of the inbox capacity.
     * @throws IllegalArgumentException if a bound is out of range.
     */
    public InProcessNetwork(final int inboxCapacityBytes, final int maxMessageLength)
    {
        if (inboxCapacityBytes < 1024 || !isPowerOfTwo(inboxCapacityBytes))
        {
            throw new IllegalArgumentException(
                "inboxCapacityBytes must be a power of two >= 1024: " + inboxCapacityBytes);
        }
        if (maxMessageLength < 64 || maxMessageLength > inboxCapacityBytes / 8)
        {
            throw new IllegalArgumentException("maxMessageLength must be in 64.." + (inboxCapacityBytes / 8) +
                " (an eighth of inboxCapacityBytes " + inboxCapacityBytes + "): " + maxMessageLength);
        }
        this.inboxCapacityBytes = inboxCapacityBytes;
        this.maxMessageLength = maxMessageLength;
    }

    /**
     * Create a transport with a generated unique endpoint name ({@code inproc-N}).
     *
     * @return a new open transport.
     */
    public InProcessTransport newTransport()
    {
        String name;
        do
        {
            name = "inproc-" + nextName.incrementAndGet();
        }
        while (transportByEndpoint.containsKey(name));
        return newTransport(name);
    }

    /**
     * Create a transport listening at an endpoint name.
     *
     * @param endpoint the name other transports resolve to reach this one; non-empty.
     * @return a new open transport.
     * @throws IllegalArgumentException if the name is empty.
     * @throws IllegalStateException    if an open transport already listens at that name.
     */
    public InProcessTransport newTransport(final String endpoint)
    {
        if (null == endpoint || endpoint.isEmpty())
        {
            throw new IllegalArgumentException("endpoint must be a non-empty name");
        }
        final InProcessTransport transport = new InProcessTransport(
            this, endpoint, inboxCapacityBytes + RingBufferDescriptor.TRAILER_LENGTH, maxMessageLength);
        final InProcessTransport existing = transportByEndpoint.putIfAbsent(endpoint, transport);
        if (null != existing)
        {
            throw new IllegalStateException("an open transport already listens at endpoint '" + endpoint + "'");
        }
        return transport;
    }

    /**
     * The largest frame the transports of this network accept.
     *
     * @return bytes.
     */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    InProcessTransport lookup(final String endpoint)
    {
        return transportByEndpoint.get(endpoint);
    }

    void remove(final InProcessTransport transport)
    {
        transportByEndpoint.remove(transport.localEndpoint(), transport);
    }
}
