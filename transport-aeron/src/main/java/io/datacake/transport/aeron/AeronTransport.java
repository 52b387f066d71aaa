package io.datacake.transport.aeron;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import io.aeron.logbuffer.LogBufferDescriptor;
import io.datacake.transport.FrameHandler;
import io.datacake.transport.PeerStatusListener;
import io.datacake.transport.Transport;
import io.datacake.transport.TransportClaim;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Object2IntHashMap;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The engine's {@link Transport} over Aeron: {@code aeron:ipc} for nodes sharing a media driver, {@code aeron:udp} for
 * nodes on other hosts (or other drivers).
 * <ul>
 *     <li>One subscription per node, on its {@link AeronEndpoint} (channel + stream id). Fragmented frames are
 *     reassembled by a {@link FragmentAssembler}, which passes unfragmented frames straight through from the term
 *     buffer and copies only the fragments of a longer frame, once.</li>
 *     <li>One exclusive publication per peer. {@link #resolvePeer} only asks the media driver for it
 *     ({@code asyncAddExclusivePublication}) and returns the handle at once; {@link #poll} (a bounded number of
 *     lookups per call) and sends to the peer pick the publication up once the driver made it. Until the publication
 *     exists, is connected and has a send window, sends to the handle return {@link #NOT_CONNECTED}; then the
 *     {@link PeerStatusListener} hears {@code onPeerAvailable}. A driver error for the add (e.g. a channel parameter
 *     it rejects) is logged and counted, and sends to the handle return {@link #CLOSED}. Its term length is set in the
 *     channel, which fixes {@link #maxMessageLength()}.</li>
 *     <li>{@link #tryClaim} claims the frame in the publication's term buffer when it fits in one fragment (encode in
 *     place); longer frames are encoded in a scratch buffer and offered on commit.</li>
 *     <li>Back-pressure and admin actions are retried at most {@link AeronTransportSettings#sendRetryLimit()} times,
 *     then returned; not connected, closed and max position exceeded are returned as the SPI's codes. The node
 *     thread never waits on a send.</li>
 *     <li>Images (peers sending to this node) are tracked: their coming and going triggers a scan of the resolved
 *     peers' connectivity, reported through the {@link PeerStatusListener} from within {@link #poll}.</li>
 * </ul>
 * Counters (sends retried, not connected, back-pressured, images lost, deferred commits dropped, peers the driver
 * failed to resolve) live in the media driver's counters file, so {@code AeronStat} shows them; the getters read them
 * from any thread.
 * <p>
 * Owned by one thread, like every {@link Transport}. Nothing the node thread calls in its duty cycle
 * ({@link #resolvePeer}, {@link #releasePeer}, sends, {@link #isConnected}, {@link #poll}) waits for the media driver:
 * like any Aeron client call they may take the Aeron client's lock for the length of its conductor's duty cycle, no
 * more. Creating a transport waits for the driver to register its subscription and counters, and {@link #close()} of
 * a transport that launched its driver waits for the driver to stop: both run outside the duty cycle (at node start
 * and after the node's last duty cycle).
 * <p>
 * On an invoked driver ({@link AeronDriver#isInvoked()}, threading mode {@code INVOKER}) the transport is the driver's
 * only one and every {@link #poll} first runs one duty cycle of the driver (conductor, sender, receiver) and of the
 * Aeron client's conductor on the calling thread: frames sent in the previous duty cycle go out, datagrams that arrived are read into the images and
 * delivered by the same poll, with no driver thread to wake on either side. That work (system calls on non-blocking
 * sockets, and the driver conductor's creation of log buffers when a peer connects) then runs on the node thread,
 * and the driver's own idle strategies are unused: it waits only as long as the node thread does.
 * <p>
 * Aeron closes the client for good, and unmaps its buffers, when the client's conductor did not run for longer than
 * the driver timeout or the driver timed the client out; on an invoked driver that happens when the node did not poll
 * the transport for that long (a long GC pause, a stopped process, an overloaded machine). The transport then never
 * touches the client's publications, images, counters or buffers again: it turns closed ({@link #isClosed()},
 * {@link #isClientLost()}), reports every connected peer unavailable, logs the loss once at ERROR with the cause
 * ({@link AeronDriver#clientFailure()}), polls deliver nothing and sends return {@link #CLOSED} (the RPC layer fails
 * calls as node closed). The counters keep the values they had. Nothing re-creates the client: close the node and the
 * transport and start them again. With driver threads the client is closed on its conductor's thread, and Aeron
 * delays unmapping a little so that a send already past the check completes; a node thread stalled exactly in that
 * window is not covered.
 */
public final class AeronTransport implements Transport
{
    /** Aeron counter type id of this transport's counters (outside Aeron's own range). */
    public static final int COUNTER_TYPE_ID = 4_200_001;

    private static final System.Logger LOGGER = System.getLogger(AeronTransport.class.getName());
    private static final long NULL_REGISTRATION_ID = Aeron.NULL_VALUE;
    private static final int NO_HANDLE = -1;

    // Slots of the counts kept once the counters' memory may go (client lost or transport closed).
    private static final int SEND_RETRIES_SLOT = 0;
    private static final int NOT_CONNECTED_SLOT = 1;
    private static final int BACK_PRESSURED_SLOT = 2;
    private static final int IMAGES_LOST_SLOT = 3;
    private static final int DEFERRED_COMMITS_DROPPED_SLOT = 4;
    private static final int PEER_RESOLVE_FAILURES_SLOT = 5;
    private static final int KEPT_COUNTS = 6;

    /**
     * Polls between clock reads for the periodic peer status scan; a scan also runs at once when an image comes or
     * goes. At the node's slowest idle (1 ms parks) this delays a scan by at most this many milliseconds.
     */
    static final int PEER_STATUS_CLOCK_READ_POLLS = 16;

    /** Bound on further handler exceptions of one poll attached (as suppressed) to the one it rethrows. */
    static final int MAX_SUPPRESSED_HANDLER_EXCEPTIONS = 8;

    /**
     * Bound on the pending publication adds one {@link #poll} looks up (each takes the Aeron client's lock once).
     * More pending peers are looked up round-robin over the following polls.
     */
    static final int PENDING_ADD_LOOKUPS_PER_POLL = 8;

    private final AeronDriver driver;
    private final boolean ownsDriver;
    private final Aeron aeron;
    private final AeronEndpoint localEndpoint;
    private final AeronTransportSettings settings;
    private final int maxMessageLength;
    private final long peerStatusCheckIntervalNs;
    private final Subscription subscription;
    private final boolean invokesDriver;
    private final FragmentAssembler fragmentAssembler;
    private final OneToOneConcurrentArrayQueue<Integer> lostImageSessionIds;
    private final Object2IntHashMap<String> handleByEndpoint = new Object2IntHashMap<>(NO_HANDLE);
    private final Int2ObjectHashMap<Peer> peerByHandle = new Int2ObjectHashMap<>();
    private final ArrayList<Peer> peers = new ArrayList<>();
    private final ArrayList<Peer> pendingPeers = new ArrayList<>();
    private final Counter sendRetries;
    private final Counter notConnected;
    private final Counter backPressured;
    private final Counter imagesAvailable;
    private final Counter imagesLost;
    private final Counter deferredCommitsDropped;
    private final Counter imageEventsDropped;
    private final Counter peerResolveFailures;
    private final long clientCloseHandlerId;
    private final long[] keptCounts = new long[KEPT_COUNTS];

    /** Written once the counts are kept (by the thread that closes the client or the transport), read by getters. */
    private volatile boolean countsKept;

    /** Set by Aeron's close handler of the client, on whichever thread closes it, before it unmaps anything. */
    private volatile boolean clientLost;
    private boolean clientLossReported;
    private long lastInvokedPollNs;
    private long longestPollGapNs;
    private FrameHandler frameHandler;
    private RuntimeException handlerException;
    private int framesDelivered;
    private PeerStatusListener peerStatusListener;
    private AeronTransportClaim outstandingClaim;
    private int nextHandle;
    private long lastSeenImageEvents;
    private long nextPeerStatusCheckNs;
    private int pollsSinceClockRead;
    private int nextPendingLookup;
    private boolean closed;

    private AeronTransport(
        final AeronDriver driver,
        final boolean ownsDriver,
        final AeronEndpoint localEndpoint,
        final AeronTransportSettings settings)
    {
        this.driver = driver;
        this.ownsDriver = ownsDriver;
        this.aeron = driver.aeron();
        this.localEndpoint = localEndpoint;
        this.settings = settings;
        this.maxMessageLength = FrameDescriptor.computeMaxMessageLength(settings.termBufferLength());
        this.peerStatusCheckIntervalNs = TimeUnit.MILLISECONDS.toNanos(settings.peerStatusCheckIntervalMs());
        this.lostImageSessionIds = new OneToOneConcurrentArrayQueue<>(settings.imageEventQueueCapacity());
        this.fragmentAssembler = new FragmentAssembler(this::onFragment);
        // Claimed first, so that a second transport on an invoked driver registers nothing before it is refused.
        this.invokesDriver = driver.isInvoked();
        if (invokesDriver)
        {
            driver.claimInvoker("the transport on " + localEndpoint);
        }

        final String label = " " + localEndpoint;
        Counter sendRetries = null;
        Counter notConnected = null;
        Counter backPressured = null;
        Counter imagesAvailable = null;
        Counter imagesLost = null;
        Counter deferredCommitsDropped = null;
        Counter imageEventsDropped = null;
        Counter peerResolveFailures = null;
        Subscription subscription = null;
        long clientCloseHandlerId = NULL_REGISTRATION_ID;
        try
        {
            sendRetries = aeron.addCounter(COUNTER_TYPE_ID, "datacake sends retried" + label);
            notConnected = aeron.addCounter(COUNTER_TYPE_ID, "datacake sends not connected" + label);
            backPressured = aeron.addCounter(COUNTER_TYPE_ID, "datacake sends back-pressured" + label);
            imagesAvailable = aeron.addCounter(COUNTER_TYPE_ID, "datacake images available" + label);
            imagesLost = aeron.addCounter(COUNTER_TYPE_ID, "datacake images lost" + label);
            deferredCommitsDropped = aeron.addCounter(COUNTER_TYPE_ID, "datacake deferred commits dropped" + label);
            imageEventsDropped = aeron.addCounter(COUNTER_TYPE_ID, "datacake image events dropped" + label);
            peerResolveFailures = aeron.addCounter(COUNTER_TYPE_ID, "datacake peer resolve failures" + label);
            subscription = aeron.addSubscription(
                localEndpoint.channel(), localEndpoint.streamId(), this::onAvailableImage, this::onUnavailableImage);
            clientCloseHandlerId = aeron.addCloseHandler(this::onClientClosed);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.closeAll(subscription, sendRetries, notConnected, backPressured, imagesAvailable, imagesLost,
                deferredCommitsDropped, imageEventsDropped, peerResolveFailures);
            throw ex;
        }
        this.sendRetries = sendRetries;
        this.notConnected = notConnected;
        this.backPressured = backPressured;
        this.imagesAvailable = imagesAvailable;
        this.imagesLost = imagesLost;
        this.deferredCommitsDropped = deferredCommitsDropped;
        this.imageEventsDropped = imageEventsDropped;
        this.peerResolveFailures = peerResolveFailures;
        this.subscription = subscription;
        this.clientCloseHandlerId = clientCloseHandlerId;
        this.lastInvokedPollNs = System.nanoTime();
    }

    /**
     * A transport on a media driver someone else owns (shared by several transports, e.g. all IPC nodes of a JVM).
     * Closing the transport leaves the driver open. Waits for the driver to register the subscription and counters:
     * call it before the node starts, not from a duty cycle.
     *
     * @param driver        a launched driver.
     * @param localEndpoint where this node listens; for IPC, a stream id no other node on the driver uses.
     * @param settings      tuning and bounds.
     * @return the transport, subscribed and ready.
     * @throws IllegalStateException           if the driver is closed, or is invoked ({@link AeronDriver#isInvoked()})
     *                                         and already serves another transport.
     * @throws io.aeron.exceptions.RegistrationException if the driver rejects the subscription (e.g. the UDP port is
     *                                                   in use by another process).
     */
    public static AeronTransport create(
        final AeronDriver driver, final AeronEndpoint localEndpoint, final AeronTransportSettings settings)
    {
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(localEndpoint, "localEndpoint");
        Objects.requireNonNull(settings, "settings");
        if (driver.isClosed())
        {
            throw new IllegalStateException("Aeron driver is closed: " + driver.aeronDirectoryName());
        }
        return new AeronTransport(driver, false, localEndpoint, settings);
    }

    /**
     * A transport with its own media driver (embedded or attached as configured), closed with the transport. Waits
     * for the driver to start and register the subscription and counters: call it before the node starts.
     *
     * @param driverSettings how to get the driver.
     * @param localEndpoint  where this node listens.
     * @param settings       tuning and bounds.
     * @return the transport, subscribed and ready.
     * @throws io.aeron.exceptions.RegistrationException if the driver rejects the subscription (e.g. the UDP port is
     *                                                   in use by another process).
     */
    public static AeronTransport launch(
        final AeronDriverSettings driverSettings,
        final AeronEndpoint localEndpoint,
        final AeronTransportSettings settings)
    {
        Objects.requireNonNull(localEndpoint, "localEndpoint");
        Objects.requireNonNull(settings, "settings");
        final AeronDriver driver = AeronDriver.launch(driverSettings);
        try
        {
            return new AeronTransport(driver, true, localEndpoint, settings);
        }
        catch (final RuntimeException ex)
        {
            driver.close();
            throw ex;
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * The endpoint is an {@link AeronEndpoint} string. A new peer's exclusive publication is requested from the media
     * driver without waiting for it: the handle is returned at once, and its sends return {@link #NOT_CONNECTED} until
     * the publication exists, is connected and has a send window, at which point the {@link PeerStatusListener} hears
     * {@code onPeerAvailable} from within {@link #poll}. If the driver rejects the publication (say, a channel
     * parameter it does not accept), the error is logged and counted ({@link #peerResolveFailureCount()}) and sends to
     * the handle return {@link #CLOSED} until it is released. Once the Aeron client is lost ({@link #isClientLost()})
     * handles are still given out, and their sends return {@link #CLOSED}.
     *
     * @throws IllegalStateException    if the transport was closed by {@link #close()} or
     *                                  {@link AeronTransportSettings#maxPeers()} peers are resolved already.
     * @throws IllegalArgumentException if the endpoint is not an {@link AeronEndpoint}.
     */
    public int resolvePeer(final CharSequence endpoint)
    {
        Objects.requireNonNull(endpoint, "endpoint");
        ensureOpen();
        final String key = endpoint.toString();
        final int existing = handleByEndpoint.getValue(key);
        if (NO_HANDLE != existing)
        {
            return existing;
        }
        if (peers.size() >= settings.maxPeers())
        {
            throw new IllegalStateException("too many peers resolved (maxPeers=" + settings.maxPeers() +
                "): release unused peers or raise AeronTransportSettings.maxPeers");
        }

        final AeronEndpoint peerEndpoint = AeronEndpoint.parse(endpoint);
        final ChannelUri uri = ChannelUri.parse(peerEndpoint.channel());
        uri.put(CommonContext.TERM_LENGTH_PARAM_NAME, Integer.toString(settings.termBufferLength()));
        final String channel = uri.toString();

        final int handle = nextHandle++;
        final Peer peer = new Peer(handle, key, channel, peerEndpoint.streamId());
        if (clientLost)
        {
            // The node's duty cycle carries on: hand out a handle whose sends return CLOSED.
            peer.failed = true;
        }
        else
        {
            addPublicationAsync(peer);
        }
        peerByHandle.put(handle, peer);
        handleByEndpoint.put(key, handle);
        peers.add(peer);
        return handle;
    }

    /**
     * {@inheritDoc}
     */
    public void releasePeer(final int peer)
    {
        final Peer released = peerByHandle.remove(peer);
        if (null != released)
        {
            handleByEndpoint.removeKey(released.endpoint);
            peers.remove(released);
            pendingPeers.remove(released);
            released.close(aeron);
        }
    }

    /**
     * {@inheritDoc}
     */
    public boolean isConnected(final int peer)
    {
        if (closed || clientLost)
        {
            return false;
        }
        final Peer p = peerByHandle.get(peer);
        return null != p && null != publicationOf(p) && p.isReady();
    }

    /**
     * {@inheritDoc}
     */
    public String peerEndpoint(final int peer)
    {
        final Peer p = peerByHandle.get(peer);
        if (null == p)
        {
            throw new IllegalArgumentException("unknown or released peer handle: " + peer);
        }
        return p.endpoint;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if a claim is outstanding (commit or abort it first).
     */
    public long offer(final int peer, final DirectBuffer buffer, final int offset, final int length)
    {
        checkLength(length);
        checkNoOutstandingClaim();
        if (closed || clientLost)
        {
            return CLOSED;
        }
        final Peer p = peerByHandle.get(peer);
        if (null == p)
        {
            return CLOSED;
        }
        final ExclusivePublication publication = publicationOf(p);
        if (null == publication)
        {
            return p.failed ? CLOSED : notConnected();
        }
        if (!p.isReady())
        {
            return notConnected();
        }

        int retries = 0;
        while (true)
        {
            final long result = publication.offer(buffer, offset, length);
            if (result > 0)
            {
                return result;
            }
            if (isRetryable(result) && retries < settings.sendRetryLimit())
            {
                retries++;
                sendRetries.incrementRelease();
                continue;
            }
            return onSendFailure(p, result);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if another claim is outstanding (commit or abort it first).
     */
    public long tryClaim(final int peer, final int length, final TransportClaim claim)
    {
        checkLength(length);
        if (!(claim instanceof AeronTransportClaim) || ((AeronTransportClaim)claim).owner() != this)
        {
            throw new IllegalArgumentException("claim was not created by this transport's newClaim()");
        }
        checkNoOutstandingClaim();
        if (closed || clientLost)
        {
            return CLOSED;
        }
        final Peer p = peerByHandle.get(peer);
        if (null == p)
        {
            return CLOSED;
        }
        final ExclusivePublication publication = publicationOf(p);
        if (null == publication)
        {
            return p.failed ? CLOSED : notConnected();
        }
        if (!p.isReady())
        {
            return notConnected();
        }

        final AeronTransportClaim aeronClaim = (AeronTransportClaim)claim;
        if (length <= publication.maxPayloadLength())
        {
            int retries = 0;
            while (true)
            {
                final long result = publication.tryClaim(length, aeronClaim.bufferClaim());
                if (result > 0)
                {
                    aeronClaim.wrapDirect();
                    outstandingClaim = aeronClaim;
                    return result;
                }
                if (isRetryable(result) && retries < settings.sendRetryLimit())
                {
                    retries++;
                    sendRetries.incrementRelease();
                    continue;
                }
                return onSendFailure(p, result);
            }
        }

        // Too long for one fragment: Aeron cannot claim it. Check now what would make the offer on commit fail.
        if (!publication.isConnected())
        {
            return notConnected();
        }
        final int framedLength = LogBufferDescriptor.computeFragmentedFrameLength(
            length, publication.maxPayloadLength());
        if (publication.availableWindow() < framedLength)
        {
            backPressured.incrementRelease();
            return BACK_PRESSURED;
        }
        aeronClaim.wrapDeferred(publication, length, maxMessageLength);
        outstandingClaim = aeronClaim;
        return Math.max(1L, publication.position());
    }

    /**
     * {@inheritDoc}
     */
    public TransportClaim newClaim()
    {
        return new AeronTransportClaim(this);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Aeron's fragment limit bounds the work: a frame that arrives in several fragments counts once in the result,
     * so at most {@code fragmentLimit} frames are delivered. Each poll also looks up at most
     * {@link #PENDING_ADD_LOOKUPS_PER_POLL} publications still being created for resolved peers, without waiting. If
     * the handler throws, the frame counts as consumed, the remaining frames of this poll are still delivered, and the
     * first exception is rethrown when the poll ends (Aeron itself would only log it). On an invoked driver the poll
     * first runs one duty cycle of the driver (see the class description). Once the Aeron client is lost the poll
     * reports the connected peers unavailable, once, and then returns 0.
     *
     * @throws RuntimeException         the first exception the handler threw during this poll.
     * @throws IllegalArgumentException if the fragment limit is not positive.
     */
    public int poll(final FrameHandler handler, final int fragmentLimit)
    {
        Objects.requireNonNull(handler, "handler");
        if (fragmentLimit < 1)
        {
            throw new IllegalArgumentException("fragmentLimit must be positive: " + fragmentLimit);
        }
        if (closed)
        {
            return 0;
        }
        if (clientLost)
        {
            return reportClientLost();
        }

        if (invokesDriver)
        {
            // Only an invoked driver's client dies of this node not polling: measure the gaps for the report.
            final long nowNs = System.nanoTime();
            longestPollGapNs = Math.max(longestPollGapNs, nowNs - lastInvokedPollNs);
            lastInvokedPollNs = nowNs;
            // The driver's duty cycle first, so that what it receives now is delivered by this poll. Its own work
            // (heartbeats, status messages) is not counted: it must not keep an idle node from backing off.
            driver.invoke();
            if (clientLost)
            {
                // The client's conductor closed the client in this duty cycle: its buffers are unmapped now.
                return reportClientLost();
            }
        }
        int statusChanges = 0;
        final boolean publicationsAdded = !pendingPeers.isEmpty() && lookUpPendingAdds();
        final long imageEvents = imagesAvailableOrLost();
        if (imageEvents != lastSeenImageEvents)
        {
            lastSeenImageEvents = imageEvents;
            freeLostImageBuffers();
            statusChanges = checkPeerStatus();
        }
        else if (publicationsAdded)
        {
            // An IPC publication to a live subscriber is connected as soon as it exists: report it now.
            statusChanges = checkPeerStatus();
        }
        else if (++pollsSinceClockRead >= PEER_STATUS_CLOCK_READ_POLLS)
        {
            // Read the clock every few polls only: it costs as much as the rest of an empty poll.
            pollsSinceClockRead = 0;
            final long nowNs = System.nanoTime();
            if (nowNs - nextPeerStatusCheckNs >= 0)
            {
                nextPeerStatusCheckNs = nowNs + peerStatusCheckIntervalNs;
                statusChanges = checkPeerStatus();
            }
        }

        frameHandler = handler;
        framesDelivered = 0;
        try
        {
            subscription.poll(fragmentAssembler, fragmentLimit);
        }
        finally
        {
            frameHandler = null;
        }
        final RuntimeException thrown = handlerException;
        if (null != thrown)
        {
            handlerException = null;
            throw thrown;
        }
        return framesDelivered + statusChanges;
    }

    /**
     * {@inheritDoc}
     */
    public void peerStatusListener(final PeerStatusListener listener)
    {
        this.peerStatusListener = listener;
    }

    /**
     * {@inheritDoc}
     * <p>
     * {@code min(termBufferLength / 8, 16 MiB)} of {@link AeronTransportSettings#termBufferLength()}.
     */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * {@inheritDoc}
     */
    public String localEndpoint()
    {
        return localEndpoint.toString();
    }

    /**
     * {@inheritDoc}
     * <p>
     * Also true once the Aeron client is lost ({@link #isClientLost()}); {@link #close()} is still needed then.
     */
    public boolean isClosed()
    {
        return closed || clientLost;
    }

    /**
     * Whether the Aeron client this transport used was closed underneath it, by Aeron after a timeout (see
     * {@link AeronDriver#clientFailure()} for the cause) or by whoever owns the driver. The transport is then closed
     * for good: close it and create a new one on a new driver.
     *
     * @return true once the client is lost.
     */
    public boolean isClientLost()
    {
        return clientLost;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Closes the publications (removing those the driver is still creating), the subscription and the counters
     * without waiting for the driver, then the media driver if this transport launched it: that waits for the
     * driver's threads to stop and deletes its directory, so close such a transport after the node's last duty cycle
     * (as the node does), never from within one. The counters keep their last values.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        outstandingClaim = null;
        final boolean clientOpen = !clientLost && !aeron.isClosed();
        if (clientOpen)
        {
            aeron.removeCloseHandler(clientCloseHandlerId);
            keepCounts();
        }
        for (int i = 0, size = peers.size(); i < size; i++)
        {
            peers.get(i).close(aeron);
        }
        peers.clear();
        pendingPeers.clear();
        peerByHandle.clear();
        handleByEndpoint.clear();
        if (clientOpen)
        {
            CloseHelper.closeAll(subscription, sendRetries, notConnected, backPressured, imagesAvailable, imagesLost,
                deferredCommitsDropped, imageEventsDropped, peerResolveFailures);
        }
        if (ownsDriver)
        {
            driver.close();
        }
    }

    /**
     * The media driver this transport sends and receives through.
     *
     * @return the driver.
     */
    public AeronDriver driver()
    {
        return driver;
    }

    /**
     * How many peers' images (senders to this node) the subscription currently has.
     *
     * @return the image count, 0 once closed.
     */
    public int imageCount()
    {
        return closed || clientLost ? 0 : subscription.imageCount();
    }

    /**
     * How many times a back-pressured or admin-action send was retried.
     *
     * @return the count.
     */
    public long sendRetryCount()
    {
        return count(sendRetries, SEND_RETRIES_SLOT);
    }

    /**
     * How many sends returned {@link #NOT_CONNECTED}.
     *
     * @return the count.
     */
    public long notConnectedCount()
    {
        return count(notConnected, NOT_CONNECTED_SLOT);
    }

    /**
     * How many sends returned {@link #BACK_PRESSURED} after exhausting their retries.
     *
     * @return the count.
     */
    public long backPressuredCount()
    {
        return count(backPressured, BACK_PRESSURED_SLOT);
    }

    /**
     * How many images (a peer sending to this node) went away: a peer closed, died or was cut off.
     *
     * @return the count.
     */
    public long imagesLostCount()
    {
        return count(imagesLost, IMAGES_LOST_SLOT);
    }

    /**
     * How many committed frames too long to claim in place could not be offered within the retry bound and were
     * dropped (the RPC layer sees them as lost).
     *
     * @return the count.
     */
    public long deferredCommitsDroppedCount()
    {
        return count(deferredCommitsDropped, DEFERRED_COMMITS_DROPPED_SLOT);
    }

    /**
     * How many peer publications the media driver failed to create (e.g. it rejected a channel parameter of the
     * endpoint); sends to such a peer return {@link #CLOSED}.
     *
     * @return the count.
     */
    public long peerResolveFailureCount()
    {
        return count(peerResolveFailures, PEER_RESOLVE_FAILURES_SLOT);
    }

    /**
     * Whether a peer's publication is still being created by the media driver, as far as this transport has looked.
     *
     * @param peer a handle from {@link #resolvePeer}.
     * @return true while the add is pending; false once the publication exists, failed, or the handle is unknown.
     */
    boolean isPublicationPending(final int peer)
    {
        final Peer p = peerByHandle.get(peer);
        return null != p && NULL_REGISTRATION_ID != p.pendingRegistrationId;
    }

    /**
     * Registration id of the peer's publication (pending or created), to find its driver resources in tests.
     *
     * @param peer a handle from {@link #resolvePeer}.
     * @return the registration id, or {@link Aeron#NULL_VALUE} if the handle is unknown or its add failed.
     */
    long publicationRegistrationId(final int peer)
    {
        final Peer p = peerByHandle.get(peer);
        if (null == p)
        {
            return NULL_REGISTRATION_ID;
        }
        return null != p.publication ? p.publication.registrationId() : p.pendingRegistrationId;
    }

    void commitDeferred(final ExclusivePublication publication, final DirectBuffer buffer, final int length)
    {
        if (isClosed())
        {
            // Lost like any frame sent to a closed transport; the counters may be gone with the client.
            return;
        }
        int retries = 0;
        while (true)
        {
            final long result = publication.offer(buffer, 0, length);
            if (result > 0)
            {
                return;
            }
            if (isRetryable(result) && retries < settings.sendRetryLimit())
            {
                retries++;
                sendRetries.incrementRelease();
                continue;
            }
            deferredCommitsDropped.incrementRelease();
            LOGGER.log(Level.DEBUG, () -> "dropped a committed frame of " + length + " bytes to " +
                publication.channel() + ": " + Transport.resultName(result));
            return;
        }
    }

    void claimEnded()
    {
        outstandingClaim = null;
    }

    private long count(final Counter counter, final int slot)
    {
        return countsKept ? keptCounts[slot] : counter.get();
    }

    private void keepCounts()
    {
        final long[] counts = keptCounts;
        counts[SEND_RETRIES_SLOT] = sendRetries.get();
        counts[NOT_CONNECTED_SLOT] = notConnected.get();
        counts[BACK_PRESSURED_SLOT] = backPressured.get();
        counts[IMAGES_LOST_SLOT] = imagesLost.get();
        counts[DEFERRED_COMMITS_DROPPED_SLOT] = deferredCommitsDropped.get();
        counts[PEER_RESOLVE_FAILURES_SLOT] = peerResolveFailures.get();
        countsKept = true;
    }

    private void onClientClosed()
    {
        // Aeron's close handler: the counters are still mapped, the client's buffers go right after it returns.
        if (!closed)
        {
            keepCounts();
        }
        clientLost = true;
    }

    /**
     * On the polling thread, once: forget the client's publications, report the connected peers unavailable, log.
     *
     * @return the peer status changes reported.
     */
    private int reportClientLost()
    {
        if (clientLossReported)
        {
            return 0;
        }
        clientLossReported = true;
        outstandingClaim = null;
        pendingPeers.clear();
        int changes = 0;
        for (int i = 0, size = peers.size(); i < size; i++)
        {
            final Peer peer = peers.get(i);
            peer.publication = null;
            peer.pendingRegistrationId = NULL_REGISTRATION_ID;
            peer.failed = true;
            if (peer.lastReportedConnected)
            {
                peer.lastReportedConnected = false;
                changes++;
                final PeerStatusListener listener = peerStatusListener;
                if (null != listener)
                {
                    listener.onPeerUnavailable(peer.handle);
                }
            }
        }
        LOGGER.log(Level.ERROR, clientLossMessage());
        return changes;
    }

    private String clientLossMessage()
    {
        final String lost = localEndpoint + ": lost the Aeron client in " + driver.aeronDirectoryName() + ", ";
        final String outcome = ". The transport is closed for good (sends return CLOSED, polls deliver nothing): " +
            "close the node and its transport and start them again";
        final Throwable cause = driver.clientFailure();
        if (null == cause)
        {
            return lost + "the client was closed by a call outside this transport" + outcome;
        }
        final String stall = invokesDriver ?
            "the node did not poll this transport (which runs the invoked driver and client) for up to " +
                TimeUnit.NANOSECONDS.toMillis(longestPollGapNs) + " ms," :
            "the client's conductor thread or the media driver did not run";
        return lost + cause + ": " + stall + " longer than the driver timeout of " + driver.driverTimeoutMs() +
            " ms (a long GC pause, a stopped process or an overloaded machine)" + outcome +
            ", and raise AeronDriverSettings.driverTimeoutMs if such stalls are expected";
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        framesDelivered++;
        try
        {
            frameHandler.onFrame(buffer, offset, length);
        }
        catch (final RuntimeException ex)
        {
            // Aeron would swallow it into the client's error handler: keep it for poll() to rethrow to its caller.
            if (null == handlerException)
            {
                handlerException = ex;
            }
            else if (handlerException.getSuppressed().length < MAX_SUPPRESSED_HANDLER_EXCEPTIONS)
            {
                handlerException.addSuppressed(ex);
            }
        }
    }

    private void onAvailableImage(final Image image)
    {
        imagesAvailable.incrementRelease();
        LOGGER.log(Level.DEBUG, () -> localEndpoint + ": image available from " + image.sourceIdentity() +
            " session " + image.sessionId());
    }

    private void onUnavailableImage(final Image image)
    {
        // Client conductor thread: hand the session over to the polling thread, which owns the assembler. Queue it
        // before counting, so a poll that sees the new count also finds the session in the queue.
        if (!lostImageSessionIds.offer(image.sessionId()))
        {
            imageEventsDropped.incrementRelease();
        }
        imagesLost.incrementRelease();
        LOGGER.log(Level.DEBUG, () -> localEndpoint + ": image lost from " + image.sourceIdentity() +
            " session " + image.sessionId());
    }

    private long imagesAvailableOrLost()
    {
        // Both counters only grow, written by the client conductor: the sum changes whenever an image comes or goes.
        return imagesAvailable.get() + imagesLost.get();
    }

    private void freeLostImageBuffers()
    {
        Integer sessionId;
        while (null != (sessionId = lostImageSessionIds.poll()))
        {
            fragmentAssembler.freeSessionBuffer(sessionId);
        }
    }

    private int checkPeerStatus()
    {
        int changes = 0;
        for (int i = 0, size = peers.size(); i < size; i++)
        {
            final Peer peer = peers.get(i);
            final boolean connected = peer.isReady();
            if (connected != peer.lastReportedConnected)
            {
                peer.lastReportedConnected = connected;
                changes++;
                final PeerStatusListener listener = peerStatusListener;
                if (null != listener)
                {
                    if (connected)
                    {
                        listener.onPeerAvailable(peer.handle);
                    }
                    else
                    {
                        listener.onPeerUnavailable(peer.handle);
                    }
                }
            }
        }
        return changes;
    }

    private long onSendFailure(final Peer peer, final long result)
    {
        if (result == Publication.NOT_CONNECTED)
        {
            return notConnected();
        }
        if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION)
        {
            backPressured.incrementRelease();
            return BACK_PRESSURED;
        }
        if (result == Publication.MAX_POSITION_EXCEEDED)
        {
            // The log is exhausted: replace the publication; sends fail as not connected until the new one is ready.
            CloseHelper.quietClose(peer.publication);
            peer.publication = null;
            peer.hasSendWindow = false;
            addPublicationAsync(peer);
            return MAX_POSITION_EXCEEDED;
        }
        return CLOSED;
    }

    private long notConnected()
    {
        notConnected.incrementRelease();
        return NOT_CONNECTED;
    }

    private void addPublicationAsync(final Peer peer)
    {
        // The driver answers on its own time: the add is looked up from poll and sends, never waited for.
        try
        {
            peer.pendingRegistrationId = aeron.asyncAddExclusivePublication(peer.channel, peer.streamId);
            pendingPeers.add(peer);
        }
        catch (final RuntimeException ex)
        {
            // The client is ending (Aeron's close handler has not run yet): never rethrow into the node thread.
            onPeerResolveFailure(peer, ex);
        }
    }

    private void onPeerResolveFailure(final Peer peer, final RuntimeException ex)
    {
        peer.failed = true;
        peerResolveFailures.incrementRelease();
        LOGGER.log(Level.WARNING, localEndpoint + ": the media driver could not create a publication to " +
            peer.endpoint + " (release the peer and resolve it again to retry): " + ex.getMessage());
    }

    /**
     * Look up a bounded number of pending adds, round-robin.
     *
     * @return true if a publication was created (or failed) in this call.
     */
    private boolean lookUpPendingAdds()
    {
        boolean completed = false;
        final int lookups = Math.min(PENDING_ADD_LOOKUPS_PER_POLL, pendingPeers.size());
        for (int i = 0; i < lookups && !pendingPeers.isEmpty(); i++)
        {
            if (nextPendingLookup >= pendingPeers.size())
            {
                nextPendingLookup = 0;
            }
            final Peer peer = pendingPeers.get(nextPendingLookup);
            if (lookUpPendingAdd(peer))
            {
                completed = true;
            }
            else
            {
                nextPendingLookup++;
            }
        }
        return completed;
    }

    /**
     * The peer's publication, looking up a pending add once (without waiting) if there is one.
     *
     * @return the publication, or null while it is being created or if creating it failed.
     */
    private ExclusivePublication publicationOf(final Peer peer)
    {
        if (null == peer.publication && NULL_REGISTRATION_ID != peer.pendingRegistrationId)
        {
            lookUpPendingAdd(peer);
        }
        return peer.publication;
    }

    /**
     * Ask the Aeron client whether a pending add completed; never waits for the driver.
     *
     * @return true if the add completed (created or failed) and the peer left the pending list.
     */
    private boolean lookUpPendingAdd(final Peer peer)
    {
        final long registrationId = peer.pendingRegistrationId;
        try
        {
            final ExclusivePublication publication = aeron.getExclusivePublication(registrationId);
            if (null == publication)
            {
                return false;
            }
            peer.publication = publication;
        }
        catch (final RuntimeException ex)
        {
            // A RegistrationException from the driver (bad channel parameter, unknown host, no resources), or the
            // client is gone: the peer cannot be sent to. Count it and let its sends report CLOSED; never rethrow.
            onPeerResolveFailure(peer, ex);
        }
        peer.pendingRegistrationId = NULL_REGISTRATION_ID;
        pendingPeers.remove(peer);
        return true;
    }

    private static boolean isRetryable(final long result)
    {
        return result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION;
    }

    private void checkLength(final int length)
    {
        if (length < 1 || length > maxMessageLength)
        {
            throw new IllegalArgumentException("frame length must be between 1 and maxMessageLength=" +
                maxMessageLength + " (stream longer messages): " + length);
        }
    }

    private void checkNoOutstandingClaim()
    {
        if (null != outstandingClaim)
        {
            throw new IllegalStateException("a claim is outstanding: commit or abort it before the next send");
        }
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("transport is closed: " + localEndpoint);
        }
    }

    /**
     * A resolved peer: its endpoint and the exclusive publication to it, or the registration id of the publication the
     * media driver is still creating.
     */
    private static final class Peer
    {
        final int handle;
        final String endpoint;
        final String channel;
        final int streamId;
        ExclusivePublication publication;
        long pendingRegistrationId = NULL_REGISTRATION_ID;
        boolean failed;
        boolean hasSendWindow;
        boolean lastReportedConnected;

        Peer(final int handle, final String endpoint, final String channel, final int streamId)
        {
            this.handle = handle;
            this.endpoint = endpoint;
            this.channel = channel;
            this.streamId = streamId;
        }

        /**
         * Connected, and given a send window by the driver at least once since the publication was created: a
         * publication is connected a driver duty cycle before its first window, and would back-pressure until then.
         */
        boolean isReady()
        {
            final ExclusivePublication publication = this.publication;
            if (null == publication || !publication.isConnected())
            {
                return false;
            }
            if (!hasSendWindow)
            {
                if (publication.availableWindow() <= 0)
                {
                    return false;
                }
                hasSendWindow = true;
            }
            return true;
        }

        void close(final Aeron aeron)
        {
            if (!aeron.isClosed())
            {
                CloseHelper.quietClose(publication);
                if (NULL_REGISTRATION_ID != pendingRegistrationId)
                {
                    // Still being created: remove it without waiting for it to exist (the driver adds, then removes).
                    aeron.asyncRemovePublication(pendingRegistrationId);
                }
            }
            publication = null;
            pendingRegistrationId = NULL_REGISTRATION_ID;
        }
    }
}
