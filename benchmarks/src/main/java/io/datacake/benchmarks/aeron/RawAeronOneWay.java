package io.datacake.benchmarks.aeron;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.datacake.transport.aeron.AeronEndpoint;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Baseline one-way stream on bare Aeron: {@code offer} from the caller's buffer, a drain thread polls.
 */
public final class RawAeronOneWay implements OneWaySender
{
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final UnsafeBuffer message;
    private final IdleStrategy sendIdle = BenchMedia.newApplicationIdleStrategy();
    private final FragmentHandler counter = (buffer, offset, length, header) -> this.count++;
    private final PollingThread drain;
    private long count;
    private volatile long received;

    /**
     * Connect and start the drain thread.
     *
     * @param aeron         a connected client.
     * @param endpoint      the receiving endpoint.
     * @param messageLength bytes per message.
     */
    public RawAeronOneWay(final Aeron aeron, final AeronEndpoint endpoint, final int messageLength)
    {
        message = new UnsafeBuffer(new byte[messageLength]);
        subscription = aeron.addSubscription(endpoint.channel(), endpoint.streamId());
        publication = aeron.addExclusivePublication(endpoint.channel(), endpoint.streamId());
        while (!publication.isConnected())
        {
            sendIdle.idle();
        }
        drain = new PollingThread(
            "raw-aeron-drain", BenchMedia.newApplicationIdleStrategy(), this::drainOnce).start();
    }

    /**
     * {@inheritDoc}
     */
    public void send()
    {
        sendIdle.reset();
        while (publication.offer(message, 0, message.capacity()) <= 0)
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
        final int fragments = subscription.poll(counter, 64);
        received = count;
        return fragments;
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        drain.stop();
        CloseHelper.closeAll(publication, subscription);
    }
}
