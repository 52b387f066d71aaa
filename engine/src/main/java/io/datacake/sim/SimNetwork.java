package io.datacake.sim;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * A simulated network in virtual time between {@link SimTransport}s: each frame is passed through the
 * {@link NetworkFaults} (drop, duplicate, delay, hence reorder) and delivered when the {@link SimClock} reaches its
 * delivery time, unless a partition cuts the link at send or delivery time. A frame is addressed to the transport
 * listening when it was sent: if that transport has closed or crashed by the delivery time, the frame is lost, even
 * when a new transport (a restarted node) listens at the same endpoint by then. Every event is recorded in the
 * {@link EventTrace}. Single threaded: driven by a {@link Simulation}.
 */
public final class SimNetwork
{
    /** Default maximum frame length of simulated transports. */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 16 * 1024;

    /** Frames a transport's inbox holds before later arrivals are dropped. */
    public static final int DEFAULT_MAX_INBOX_FRAMES = 8192;

    /** Frames in flight across the whole network before later sends are dropped. */
    public static final int DEFAULT_MAX_IN_FLIGHT_FRAMES = 1_000_000;

    private final SimClock clock;
    private final EventTrace trace;
    private final int maxMessageLength;
    private final HashMap<String, SimTransport> transportByEndpoint = new HashMap<>();
    private final HashSet<String> cutLinks = new HashSet<>();
    private final PriorityQueue<InFlight> inFlight = new PriorityQueue<>();
    private NetworkFaults faults;
    private long nextSequence;
    private long droppedFrames;
    private long duplicatedFrames;

    /**
     * Create a network.
     *
     * @param clock            the virtual clock.
     * @param faults           the faults to apply.
     * @param trace            where events are recorded.
     * @param maxMessageLength the frame size limit of its transports.
     */
    public SimNetwork(
        final SimClock clock, final NetworkFaults faults, final EventTrace trace, final int maxMessageLength)
    {
        this.clock = clock;
        this.faults = faults;
        this.trace = trace;
        this.maxMessageLength = maxMessageLength;
    }

    /**
     * Create a transport listening at an endpoint.
     *
     * @param endpoint a unique name.
     * @return the transport.
     * @throws IllegalStateException if an open transport already listens there.
     */
    public SimTransport newTransport(final String endpoint)
    {
        final SimTransport existing = transportByEndpoint.get(endpoint);
        if (null != existing && !existing.isClosed())
        {
            throw new IllegalStateException("an open transport already listens at " + endpoint);
        }
        final SimTransport transport = new SimTransport(this, endpoint, maxMessageLength, DEFAULT_MAX_INBOX_FRAMES);
        transportByEndpoint.put(endpoint, transport);
        return transport;
    }

    /**
     * Replace the fault model, e.g. to turn loss on after a warm-up.
     *
     * @param faults the new faults.
     */
    public void faults(final NetworkFaults faults)
    {
        this.faults = faults;
    }

    /**
     * Cut every link between two groups of endpoints, both ways. Frames in flight across the cut are dropped on
     * arrival.
     *
     * @param sideA endpoints on one side.
     * @param sideB endpoints on the other side.
     */
    public void partition(final Collection<String> sideA, final Collection<String> sideB)
    {
        setLinks(sideA, sideB, true);
        trace.record(clock.time(), "partition " + sideA + " / " + sideB);
    }

    /**
     * Restore every link.
     */
    public void heal()
    {
        cutLinks.clear();
        trace.record(clock.time(), "heal");
    }

    /**
     * Restore the links between two groups of endpoints, both ways, leaving every other cut in place: heals one
     * partition of several, or one node of a swizzle (nodes cut off one by one and let back in another order).
     *
     * @param sideA endpoints on one side.
     * @param sideB endpoints on the other side.
     */
    public void heal(final Collection<String> sideA, final Collection<String> sideB)
    {
        setLinks(sideA, sideB, false);
        trace.record(clock.time(), "heal " + sideA + " / " + sideB);
    }

    /**
     * Directed links cut now (a partition of one node from two others cuts four).
     *
     * @return count.
     */
    public int cutLinkCount()
    {
        return cutLinks.size();
    }

    /**
     * Whether frames from one endpoint can reach another now.
     *
     * @param source      sending endpoint.
     * @param destination receiving endpoint.
     * @return false if a partition cuts the link.
     */
    public boolean canReach(final String source, final String destination)
    {
        return cutLinks.isEmpty() || !cutLinks.contains(source + "|" + destination);
    }

    /**
     * Deliver every frame whose delivery time has come into its destination's inbox.
     *
     * @return frames delivered.
     */
    public int deliverDue()
    {
        int delivered = 0;
        final long nowMs = clock.time();
        InFlight frame;
        while (null != (frame = inFlight.peek()) && frame.deliverAtMs <= nowMs)
        {
            inFlight.poll();
            final SimTransport destination = frame.target;
            if (destination.isClosed() || !canReach(frame.source, frame.destination))
            {
                droppedFrames++;
                trace.record(nowMs, "lost", frame.source, frame.destination, frame.bytes, frame.bytes.length);
                continue;
            }
            if (destination.deliver(frame.bytes))
            {
                trace.record(nowMs, "deliver", frame.source, frame.destination, frame.bytes, frame.bytes.length);
                delivered++;
            }
            else
            {
                droppedFrames++;
                trace.record(nowMs, "inbox-full", frame.source, frame.destination, frame.bytes, frame.bytes.length);
            }
        }
        return delivered;
    }

    /**
     * Virtual time of the next delivery.
     *
     * @return epoch milliseconds, or {@link Long#MAX_VALUE} if nothing is in flight.
     */
    public long nextDeliveryTimeMs()
    {
        final InFlight frame = inFlight.peek();
        return null == frame ? Long.MAX_VALUE : frame.deliverAtMs;
    }

    /**
     * Frames in flight.
     *
     * @return count.
     */
    public int inFlightCount()
    {
        return inFlight.size();
    }

    /**
     * Frames dropped so far (loss, partitions, closed or full destinations).
     *
     * @return count.
     */
    public long droppedFrames()
    {
        return droppedFrames;
    }

    /**
     * Extra copies delivered by duplication so far.
     *
     * @return count.
     */
    public long duplicatedFrames()
    {
        return duplicatedFrames;
    }

    /**
     * The endpoints with an open transport.
     *
     * @return a copy of the set.
     */
    public Set<String> endpoints()
    {
        final HashSet<String> open = new HashSet<>();
        transportByEndpoint.forEach((endpoint, transport) ->
        {
            if (!transport.isClosed())
            {
                open.add(endpoint);
            }
        });
        return open;
    }

    /**
     * A process crash at an endpoint: its transport stops listening at once and loses the frames in its inbox;
     * frames in flight to it are lost when they arrive. Nothing is sent on its behalf.
     *
     * @param endpoint the crashed node's endpoint.
     * @return frames lost from the inbox, or -1 if no open transport listened there.
     */
    int crash(final String endpoint)
    {
        final SimTransport transport = transportByEndpoint.remove(endpoint);
        if (null == transport || transport.isClosed())
        {
            return -1;
        }
        final int lost = transport.inboxSize();
        droppedFrames += lost;
        transport.close();
        trace.record(clock.time(), "crash " + endpoint + " inbox lost " + lost);
        return lost;
    }

    private void setLinks(final Collection<String> sideA, final Collection<String> sideB, final boolean cut)
    {
        for (final String a : sideA)
        {
            for (final String b : sideB)
            {
                if (cut)
                {
                    cutLinks.add(a + "|" + b);
                    cutLinks.add(b + "|" + a);
                }
                else
                {
                    cutLinks.remove(a + "|" + b);
                    cutLinks.remove(b + "|" + a);
                }
            }
        }
    }

    boolean isListening(final String endpoint)
    {
        final SimTransport transport = transportByEndpoint.get(endpoint);
        return null != transport && !transport.isClosed();
    }

    void send(final String source, final String destination, final byte[] bytes)
    {
        final long nowMs = clock.time();
        if (!canReach(source, destination))
        {
            droppedFrames++;
            trace.record(nowMs, "cut", source, destination, bytes, bytes.length);
            return;
        }
        final SimTransport target = transportByEndpoint.get(destination);
        if (null == target || target.isClosed())
        {
            droppedFrames++;
            trace.record(nowMs, "lost", source, destination, bytes, bytes.length);
            return;
        }
        final int copies = inFlight.size() >= DEFAULT_MAX_IN_FLIGHT_FRAMES ? 0 :
            faults.copies(source, destination, bytes.length);
        if (copies == 0)
        {
            droppedFrames++;
            trace.record(nowMs, "drop", source, destination, bytes, bytes.length);
            return;
        }
        for (int i = 0; i < copies; i++)
        {
            final long delayMs = Math.max(0, faults.delayMs(source, destination));
            inFlight.add(new InFlight(nowMs + delayMs, nextSequence++, source, destination, target, bytes));
            trace.record(nowMs, i == 0 ? "send" : "duplicate", source, destination, bytes, bytes.length);
        }
        duplicatedFrames += copies - 1;
    }

    private static final class InFlight implements Comparable<InFlight>
    {
        final long deliverAtMs;
        final long sequence;
        final String source;
        final String destination;
        final SimTransport target;
        final byte[] bytes;

        InFlight(
            final long deliverAtMs, final long sequence, final String source, final String destination,
            final SimTransport target, final byte[] bytes)
        {
            this.deliverAtMs = deliverAtMs;
            this.sequence = sequence;
            this.source = source;
            this.destination = destination;
            this.target = target;
            this.bytes = bytes;
        }

        public int compareTo(final InFlight other)
        {
            final int byTime = Long.compare(deliverAtMs, other.deliverAtMs);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }
}
