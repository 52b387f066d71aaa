package io.datacake.benchmarks.aeron;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import io.datacake.transport.aeron.AeronEndpoint;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;

/**
 * The physical limit: a ping-pong on bare Aeron publications and subscriptions (tryClaim both ways, no
 * reassembly, no framing), on the same channels and idle strategies as the transport benchmarks.
 */
public final class RawAeronPingPong implements PingPong
{
    private final int messageLength;
    private final ExclusivePublication pingPublication;
    private final Subscription pingSubscription;
    private final ExclusivePublication pongPublication;
    private final Subscription pongSubscription;
    private final BufferClaim pingClaim = new BufferClaim();
    private final BufferClaim pongClaim = new BufferClaim();
    private final IdleStrategy pingIdle;
    private final FragmentHandler pongHandler = (buffer, offset, length, header) -> lastEchoed = buffer.getLong(offset);
    private final FragmentHandler echoHandler;
    private final IdleStrategy echoIdle;
    private final PollingThread echo;
    private long sequence;
    private long lastEchoed;

    /**
     * Connect both sides and start the echo thread.
     *
     * @param aeron         a connected client.
     * @param endpoints     {@code [pinger, echoer]} endpoints.
     * @param messageLength bytes per message, at least 8 and at most one MTU payload.
     * @param stepped       true to echo on the pinging thread (no echo thread): measures CPU cost, not wake-ups.
     */
    public RawAeronPingPong(
        final Aeron aeron, final AeronEndpoint[] endpoints, final int messageLength, final boolean stepped)
    {
        this(aeron, aeron, endpoints, messageLength, stepped, BenchMedia.newApplicationIdleStrategy(),
            BenchMedia.newApplicationIdleStrategy());
    }

    /**
     * Connect both sides, each through its own client (and so its own media driver when the clients are on different
     * drivers), and start the echo thread.
     *
     * @param pingAeron     the pinging side's client.
     * @param echoAeron     the echoing side's client.
     * @param endpoints     {@code [pinger, echoer]} endpoints.
     * @param messageLength bytes per message, at least 8 and at most one MTU payload.
     * @param stepped       true to echo on the pinging thread (no echo thread).
     * @param pingIdle      how the pinging thread waits for the echo.
     * @param echoIdle      how the echo thread waits for a ping (and for room to answer).
     */
    public RawAeronPingPong(
        final Aeron pingAeron,
        final Aeron echoAeron,
        final AeronEndpoint[] endpoints,
        final int messageLength,
        final boolean stepped,
        final IdleStrategy pingIdle,
        final IdleStrategy echoIdle)
    {
        this.messageLength = messageLength;
        this.pingIdle = pingIdle;
        this.echoIdle = echoIdle;
        pingSubscription = echoAeron.addSubscription(endpoints[1].channel(), endpoints[1].streamId());
        pongSubscription = pingAeron.addSubscription(endpoints[0].channel(), endpoints[0].streamId());
        pingPublication = pingAeron.addExclusivePublication(endpoints[1].channel(), endpoints[1].streamId());
        pongPublication = echoAeron.addExclusivePublication(endpoints[0].channel(), endpoints[0].streamId());
        while (!pingPublication.isConnected() || !pongPublication.isConnected())
        {
            pingIdle.idle();
        }
        echo = new PollingThread("raw-aeron-echo", echoIdle, this::echoOnce);
        echoHandler = (buffer, offset, length, header) ->
        {
            while (pongPublication.tryClaim(length, pongClaim) <= 0)
            {
                if (!echo.isRunning())
                {
                    return;
                }
                echoIdle.idle();
            }
            pongClaim.buffer().putBytes(pongClaim.offset(), buffer, offset, length);
            pongClaim.commit();
        };
        if (!stepped)
        {
            echo.start();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void roundTrip()
    {
        final long seq = ++sequence;
        pingIdle.reset();
        while (pingPublication.tryClaim(messageLength, pingClaim) <= 0)
        {
            pingIdle.idle();
        }
        pingClaim.buffer().putLong(pingClaim.offset(), seq);
        pingClaim.commit();

        pingIdle.reset();
        if (!echo.isStarted())
        {
            while (lastEchoed != seq)
            {
                pingIdle.idle(pingSubscription.poll(echoHandler, 16) + pongSubscription.poll(pongHandler, 1));
            }
        }
        else
        {
            while (lastEchoed != seq)
            {
                pingIdle.idle(pongSubscription.poll(pongHandler, 1));
            }
        }
    }

    private int echoOnce()
    {
        return pingSubscription.poll(echoHandler, 16);
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        echo.stop();
        CloseHelper.closeAll(pingPublication, pongPublication, pingSubscription, pongSubscription);
    }
}
