package io.datacake.benchmarks.aeron;

import io.datacake.transport.FrameHandler;
import io.datacake.transport.aeron.AeronDriver;
import io.datacake.transport.aeron.AeronEndpoint;
import io.datacake.transport.aeron.AeronTransport;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The same one-way stream as {@link RawAeronOneWay} through two {@link AeronTransport}s ({@code offer}).
 */
public final class TransportOneWay implements OneWaySender
{
    private final AeronTransport sender;
    private final AeronTransport receiver;
    private final int peer;
    private final UnsafeBuffer message;
    private final IdleStrategy sendIdle = BenchMedia.newApplicationIdleStrategy();
    private final FrameHandler counter = (buffer, offset, length) -> this.count++;
    private final PollingThread drain;
    private long count;
    private volatile long received;

    /**
     * Create both transports and start the drain thread.
     *
     * @param driver        a launched driver.
     * @param endpoints     {@code [sender, receiver]} endpoints.
     * @param messageLength bytes per message.
     */
    public TransportOneWay(final AeronDriver driver, final AeronEndpoint[] endpoints, final int messageLength)
    {
        message = new UnsafeBuffer(new byte[messageLength]);
        sender = AeronTransport.create(driver, endpoints[0], BenchMedia.transportSettings());
        receiver = AeronTransport.create(driver, endpoints[1], BenchMedia.transportSettings());
        peer = sender.resolvePeer(receiver.localEndpoint());
        drain = new PollingThread("transport-drain", BenchMedia.newApplicationIdleStrategy(), this::drainOnce).start();
    }

    /**
     * {@inheritDoc}
     */
    public void send()
    {
        sendIdle.reset();
        while (sender.offer(peer, message, 0, message.capacity()) <= 0)
        {
            sendIdle.idle();
        }
    }

    /**
     * {@inheritDoc}
     */
    public long received()
    {
        return received;
    }

    private int drainOnce()
    {
        final int frames = receiver.poll(counter, 64);
        received = count;
        return frames;
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        drain.stop();
        receiver.close();
        sender.close();
    }
}
