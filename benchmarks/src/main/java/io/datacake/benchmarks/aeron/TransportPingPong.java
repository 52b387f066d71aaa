package io.datacake.benchmarks.aeron;

import io.datacake.transport.FrameHandler;
import io.datacake.transport.TransportClaim;
import io.datacake.transport.aeron.AeronDriver;
import io.datacake.transport.aeron.AeronEndpoint;
import io.datacake.transport.aeron.AeronTransport;
import org.agrona.concurrent.IdleStrategy;

/**
 * The same ping-pong as {@link RawAeronPingPong} through two {@link AeronTransport}s: what the transport adds
 * (peer lookup, result mapping, retries, reassembly, peer status checks) over bare Aeron.
 */
public final class TransportPingPong implements PingPong
{
    private final int messageLength;
    private final AeronTransport pinger;
    private final AeronTransport echoer;
    private final int echoerAtPinger;
    private final int pingerAtEchoer;
    private final TransportClaim pingClaim;
    private final TransportClaim pongClaim;
    private final IdleStrategy pingIdle = BenchMedia.newApplicationIdleStrategy();
    private final FrameHandler pongHandler = (buffer, offset, length) -> lastEchoed = buffer.getLong(offset);
    private final FrameHandler echoHandler;
    private final IdleStrategy echoIdle = BenchMedia.newApplicationIdleStrategy();
    private final PollingThread echo;
    private long sequence;
    private long lastEchoed;

    /**
     * Create both transports on the driver and start the echo thread.
     *
     * @param driver        a launched driver.
     * @param endpoints     {@code [pinger, echoer]} endpoints.
     * @param messageLength bytes per message, at least 8.
     * @param stepped       true to echo on the pinging thread (no echo thread): measures CPU cost, not wake-ups.
     */
    public TransportPingPong(
        final AeronDriver driver, final AeronEndpoint[] endpoints, final int messageLength, final boolean stepped)
    {
        this.messageLength = messageLength;
        pinger = AeronTransport.create(driver, endpoints[0], BenchMedia.transportSettings());
        echoer = AeronTransport.create(driver, endpoints[1], BenchMedia.transportSettings());
        echoerAtPinger = pinger.resolvePeer(echoer.localEndpoint());
        pingerAtEchoer = echoer.resolvePeer(pinger.localEndpoint());
        pingClaim = pinger.newClaim();
        pongClaim = echoer.newClaim();
        echo = new PollingThread("transport-echo", BenchMedia.newApplicationIdleStrategy(), this::echoOnce);
        echoHandler = (buffer, offset, length) ->
        {
            while (echoer.tryClaim(pingerAtEchoer, length, pongClaim) <= 0)
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
        while (pinger.tryClaim(echoerAtPinger, messageLength, pingClaim) <= 0)
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
                pingIdle.idle(echoer.poll(echoHandler, 16) + pinger.poll(pongHandler, 1));
            }
        }
        else
        {
            while (lastEchoed != seq)
            {
                pingIdle.idle(pinger.poll(pongHandler, 1));
            }
        }
    }

    private int echoOnce()
    {
        return echoer.poll(echoHandler, 16);
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        echo.stop();
        // The echo thread has ended: this thread may now own the echoer to close it.
        echoer.close();
        pinger.close();
    }
}
