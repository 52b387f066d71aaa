package io.datacake.transport.aeron;

import io.datacake.transport.FrameHandler;
import io.datacake.transport.Transport;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Bounded waiting and frame capture for transport tests. Waits fail after {@link #WAIT_LIMIT_MS}; they never assert
 * how long something took.
 */
final class TransportTestSupport
{
    /** Bound on every wait in these tests. */
    static final long WAIT_LIMIT_MS = 15_000;

    private TransportTestSupport()
    {
    }

    /**
     * Collects copies of received frames.
     */
    static final class Frames implements FrameHandler
    {
        final List<byte[]> frames = new ArrayList<>();

        public void onFrame(final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            frames.add(copy);
        }

        int count()
        {
            return frames.size();
        }

        byte[] get(final int index)
        {
            return frames.get(index);
        }
    }

    static void pollUntil(final Transport transport, final FrameHandler handler, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + WAIT_LIMIT_MS * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            if (transport.poll(handler, 16) == 0)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new AssertionError("condition not met within " + WAIT_LIMIT_MS + " ms");
                }
                sleepMs(1);
            }
        }
    }

    /**
     * Poll two transports in turn until the condition holds, within the wait bound: transports on invoked drivers
     * move nothing unless both sides poll.
     */
    static void pollBothUntil(
        final Transport a, final Frames atA, final Transport b, final Frames atB, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + WAIT_LIMIT_MS * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("condition not met within " + WAIT_LIMIT_MS + " ms");
            }
            a.poll(atA, 16);
            b.poll(atB, 16);
            Thread.yield();
        }
    }

    static void awaitTrue(final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + WAIT_LIMIT_MS * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("condition not met within " + WAIT_LIMIT_MS + " ms");
            }
            sleepMs(1);
        }
    }

    /**
     * Resolve a live peer, then wait until sends to it are accepted: resolving never waits for the publication.
     */
    static int resolveConnected(final Transport transport, final String endpoint)
    {
        final int peer = transport.resolvePeer(endpoint);
        awaitTrue(() -> transport.isConnected(peer));
        return peer;
    }

    /**
     * Offer until accepted, within the wait bound; back-pressure and not-yet-connected are retried.
     */
    static long offerUntilSent(final Transport transport, final int peer, final DirectBuffer buffer, final int length)
    {
        final long deadlineNs = System.nanoTime() + WAIT_LIMIT_MS * 1_000_000L;
        while (true)
        {
            final long result = transport.offer(peer, buffer, 0, length);
            if (result > 0)
            {
                return result;
            }
            if (result == Transport.CLOSED || System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("not sent: " + Transport.resultName(result));
            }
            sleepMs(1);
        }
    }

    static UnsafeBuffer pattern(final int length, final int seed)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(i, (byte)(i * 31 + seed));
        }
        return buffer;
    }

    static byte[] bytes(final DirectBuffer buffer, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }
}
