package io.datacake.transport.aeron;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.ext.DebugSendChannelEndpoint;
import io.aeron.driver.ext.LossGenerator;
import io.aeron.exceptions.AeronException;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentInvoker;

import java.io.File;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A connected Aeron client together with the media driver it talks to: an embedded driver this object launched in its
 * own unique directory, or an external driver it attached to.
 * <p>
 * {@link #close()} closes the client, then (embedded only) the driver, and deletes the embedded driver's directory,
 * so nothing is left behind: no directory, no driver or client thread, no mapped file.
 * <p>
 * An embedded driver launched with {@link ThreadingMode#INVOKER} runs no thread of its own, and neither does its
 * client's conductor: both duty cycles are invoked by the one {@link AeronTransport} created on it, from the
 * transport's poll on the node thread, and by the client while it waits for the driver's answer to a synchronous
 * request (see {@link #isInvoked()}). Such a driver is not thread safe: make synchronous client requests (adding or
 * closing publications, subscriptions, counters) only on the thread that polls the transport, or while nothing polls
 * it (before the node starts, after it stopped), as the transport itself does.
 * <p>
 * Aeron ends the client for good, and unmaps its buffers, when its conductor was not run for longer than the driver
 * timeout (for an invoked driver: the transport was not polled, e.g. a long GC pause or a stopped process) or the
 * driver timed the client out. {@link #isClientClosed()} then turns true and {@link #clientFailure()} says why; the
 * transport on the driver stops touching the client (see {@link AeronTransport#isClientLost()}). Nothing re-creates
 * the client: close this object and launch a new one.
 * <p>
 * Thread safe as far as {@link Aeron} is; {@link #close()} is idempotent.
 */
public final class AeronDriver implements AutoCloseable
{
    private static final System.Logger LOGGER = System.getLogger(AeronDriver.class.getName());
    private static final LossGenerator NO_LOSS = (address, buffer, length) -> false;

    /** Longest interval between the client's keep-alives (Aeron's default). */
    static final long MAX_CLIENT_KEEP_ALIVE_INTERVAL_MS = 500;

    /** Longest interval between the driver's timer checks, client liveness among them (Aeron's default). */
    static final long MAX_DRIVER_TIMER_INTERVAL_MS = 1_000;

    /**
     * Both intervals above are at most this fraction of the driver timeout, which Aeron requires to exceed them: a
     * short driver timeout (a second or less) shortens them.
     */
    static final int TIMEOUT_CHECKS_PER_DRIVER_TIMEOUT = 4;

    private final MediaDriver mediaDriver;
    private final Aeron aeron;
    private final String aeronDirectoryName;
    private final AgentInvoker driverInvoker;
    private final AtomicBoolean invokerClaimed = new AtomicBoolean();
    private final AtomicReference<Throwable> clientFailure;
    private volatile boolean closed;

    private AeronDriver(
        final MediaDriver mediaDriver,
        final Aeron aeron,
        final String aeronDirectoryName,
        final AgentInvoker driverInvoker,
        final AtomicReference<Throwable> clientFailure)
    {
        this.mediaDriver = mediaDriver;
        this.aeron = aeron;
        this.aeronDirectoryName = aeronDirectoryName;
        this.driverInvoker = driverInvoker;
        this.clientFailure = clientFailure;
    }

    /**
     * Launch an embedded media driver (or attach to the external one) and connect a client to it.
     *
     * @param settings how to get the driver.
     * @return the connected driver handle; the caller must close it.
     * @throws io.aeron.exceptions.DriverTimeoutException if an external driver does not answer within the driver
     *                                                     timeout (it is not running in that directory).
     * @throws IllegalStateException                       if the embedded driver's base directory does not exist.
     */
    public static AeronDriver launch(final AeronDriverSettings settings)
    {
        Objects.requireNonNull(settings, "settings");
        MediaDriver mediaDriver = null;
        final String directoryName;
        if (settings.isEmbedded())
        {
            final File base = settings.embeddedBaseDirectory().toFile();
            if (!base.isDirectory())
            {
                throw new IllegalStateException("embedded Aeron base directory does not exist: " + base);
            }
            directoryName = new File(base, AeronDriverSettings.EMBEDDED_DIRECTORY_PREFIX + UUID.randomUUID())
                .getAbsolutePath();
            mediaDriver = MediaDriver.launch(driverContext(settings, directoryName));
        }
        else
        {
            directoryName = settings.externalDirectoryName();
        }

        // An invoked driver runs only when someone invokes it: the client does, while it awaits an answer.
        final AgentInvoker driverInvoker = null == mediaDriver ? null : mediaDriver.sharedAgentInvoker();
        final AtomicReference<Throwable> clientFailure = new AtomicReference<>();
        try
        {
            final Aeron aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(directoryName)
                .driverTimeoutMs(settings.driverTimeoutMs())
                .keepAliveIntervalNs(
                    timeoutCheckIntervalNs(settings.driverTimeoutMs(), MAX_CLIENT_KEEP_ALIVE_INTERVAL_MS))
                .idleStrategy(settings.clientIdleStrategy().get())
                .useConductorAgentInvoker(null != driverInvoker)
                .driverAgentInvoker(driverInvoker)
                .errorHandler((throwable) -> onClientError(clientFailure, throwable)));
            return new AeronDriver(mediaDriver, aeron, directoryName, driverInvoker, clientFailure);
        }
        catch (final RuntimeException ex)
        {
            closeDriver(mediaDriver, directoryName);
            throw ex;
        }
    }

    /**
     * The connected client: create publications and subscriptions with it.
     *
     * @return the client.
     */
    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * The driver's directory (the embedded one's unique directory, or the external one's).
     *
     * @return the absolute directory name.
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * Whether this object launched (and owns) the media driver.
     *
     * @return true for an embedded driver, false for an external one.
     */
    public boolean isEmbedded()
    {
        return null != mediaDriver;
    }

    /**
     * Whether this is an embedded driver launched with {@link ThreadingMode#INVOKER}: neither it nor its client's
     * conductor runs a thread of its own, and the one {@link AeronTransport} on it invokes both duty cycles from
     * every poll.
     *
     * @return true for an invoked embedded driver.
     */
    public boolean isInvoked()
    {
        return null != driverInvoker;
    }

    /**
     * Take the invoked driver's duty cycles for one transport, which from then on is the only caller of
     * {@link #invoke()}.
     *
     * @param claimant what claims them, named in the exception of a second claim.
     * @throws IllegalStateException if the driver is not invoked ({@link #isInvoked()} is false) or another
     *                               transport claimed it already: an invoked driver serves exactly one transport.
     */
    void claimInvoker(final Object claimant)
    {
        if (null == driverInvoker)
        {
            throw new IllegalStateException("the Aeron driver in " + aeronDirectoryName + " runs its own threads " +
                "(threading mode is not INVOKER): there is no duty cycle to claim");
        }
        if (!invokerClaimed.compareAndSet(false, true))
        {
            throw new IllegalStateException("the Aeron driver in " + aeronDirectoryName + " has threading mode " +
                "INVOKER and already serves a transport, so " + claimant + " cannot share it: give each transport " +
                "its own invoked driver, or launch a shared driver with threading mode SHARED");
        }
    }

    /**
     * Run one duty cycle of the invoked driver (conductor, sender, receiver), then one of the client's conductor
     * (driver answers, image notifications, keep-alives). Only the transport that claimed the driver calls it.
     *
     * @return the work both did.
     */
    int invoke()
    {
        return driverInvoker.invoke() + aeron.conductorAgentInvoker().invoke();
    }

    /**
     * Whether the Aeron client is closed: by {@link #close()}, or by Aeron itself after a timeout (see
     * {@link #clientFailure()}), or by whoever closed {@link #aeron()}. Its publications, images, counters and
     * buffers must not be used any more.
     *
     * @return true once the client is closed.
     */
    public boolean isClientClosed()
    {
        return aeron.isClosed();
    }

    /**
     * The first fatal error the Aeron client reported: a {@link io.aeron.exceptions.DriverTimeoutException} (the
     * driver stopped answering), a {@link io.aeron.exceptions.ClientTimeoutException} (the driver timed the client
     * out), a {@link io.aeron.exceptions.ConductorServiceTimeoutException} (the client's conductor was not run within
     * the timeout), or another {@link AeronException} of category FATAL. Aeron closes the client after any of them.
     *
     * @return the error, or null while the client has reported none.
     */
    public Throwable clientFailure()
    {
        return clientFailure.get();
    }

    /**
     * The driver timeout the client and driver run with.
     *
     * @return the timeout in milliseconds.
     */
    public long driverTimeoutMs()
    {
        return aeron.context().driverTimeoutMs();
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Close the client, then the embedded driver (its threads are joined), then delete its directory. An external
     * driver is left running. Idempotent.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            CloseHelper.quietClose(aeron);
            closeDriver(mediaDriver, aeronDirectoryName);
        }
    }

    private static void closeDriver(final MediaDriver mediaDriver, final String directoryName)
    {
        if (null != mediaDriver)
        {
            CloseHelper.quietClose(mediaDriver);
            // dirDeleteOnShutdown already deletes it; this catches a driver that failed part way through close.
            final File directory = new File(directoryName);
            if (directory.exists())
            {
                IoUtil.delete(directory, true);
            }
        }
    }

    private static MediaDriver.Context driverContext(final AeronDriverSettings settings, final String directoryName)
    {
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(directoryName)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .threadingMode(settings.threadingMode())
            .sharedIdleStrategy(settings.driverIdleStrategy().get())
            .sharedNetworkIdleStrategy(settings.driverIdleStrategy().get())
            .conductorIdleStrategy(settings.driverIdleStrategy().get())
            .senderIdleStrategy(settings.driverIdleStrategy().get())
            .receiverIdleStrategy(settings.driverIdleStrategy().get())
            .ipcTermBufferLength(settings.termBufferLength())
            .publicationTermBufferLength(settings.termBufferLength())
            .mtuLength(settings.mtuLength())
            .driverTimeoutMs(settings.driverTimeoutMs())
            .timerIntervalNs(timeoutCheckIntervalNs(settings.driverTimeoutMs(), MAX_DRIVER_TIMER_INTERVAL_MS))
            .clientLivenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(settings.driverTimeoutMs()))
            .imageLivenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(settings.imageLivenessTimeoutMs()))
            .publicationConnectionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(settings.publicationConnectionTimeoutMs()))
            .publicationLingerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(settings.publicationLingerMs()))
            .errorHandler(AeronDriver::logDriverError);

        if (settings.hasLossInjection())
        {
            final LossGenerator sendData = orNoLoss(settings.sendDataLossGenerator());
            final LossGenerator sendControl = orNoLoss(settings.sendControlLossGenerator());
            final LossGenerator receiveData = orNoLoss(settings.receiveDataLossGenerator());
            final LossGenerator receiveControl = orNoLoss(settings.receiveControlLossGenerator());
            context
                .sendChannelEndpointSupplier((udpChannel, statusIndicator, ctx) ->
                    new DebugSendChannelEndpoint(udpChannel, statusIndicator, ctx, sendData, sendControl))
                .receiveChannelEndpointSupplier((udpChannel, dispatcher, statusIndicator, ctx) ->
                    new DebugReceiveChannelEndpoint(
                        udpChannel, dispatcher, statusIndicator, ctx, receiveData, receiveControl));
        }

        return context;
    }

    private static LossGenerator orNoLoss(final LossGenerator lossGenerator)
    {
        return null == lossGenerator ? NO_LOSS : lossGenerator;
    }

    private static void logDriverError(final Throwable throwable)
    {
        LOGGER.log(Level.WARNING, "embedded Aeron media driver error", throwable);
    }

    private static long timeoutCheckIntervalNs(final long driverTimeoutMs, final long maxIntervalMs)
    {
        final long intervalNs = TimeUnit.MILLISECONDS.toNanos(driverTimeoutMs) / TIMEOUT_CHECKS_PER_DRIVER_TIMEOUT;
        return Math.max(1, Math.min(TimeUnit.MILLISECONDS.toNanos(maxIntervalMs), intervalNs));
    }

    private static void onClientError(final AtomicReference<Throwable> clientFailure, final Throwable throwable)
    {
        if (throwable instanceof AeronException && AeronException.Category.FATAL ==
            ((AeronException)throwable).category())
        {
            // The client closes for good after it: keep the first cause for the transport's report.
            clientFailure.compareAndSet(null, throwable);
        }
        LOGGER.log(Level.WARNING, "Aeron client error", throwable);
    }
}
