package io.datacake.transport.aeron;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.ext.DebugSendChannelEndpoint;
import io.aeron.driver.ext.LossGenerator;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.File;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A connected Aeron client together with the media driver it talks to: an embedded driver this object launched in its
 * own unique directory, or an external driver it attached to.
 * <p>
 * {@link #close()} closes the client, then (embedded only) the driver, and deletes the embedded driver's directory,
 * so nothing is left behind: no directory, no driver or client thread, no mapped file.
 * <p>
 * Thread safe as far as {@link Aeron} is; {@link #close()} is idempotent.
 */
public final class AeronDriver implements AutoCloseable
{
    private static final System.Logger LOGGER = System.getLogger(AeronDriver.class.getName());
    private static final LossGenerator NO_LOSS = (address, buffer, length) -> false;

    private final MediaDriver mediaDriver;
    private final Aeron aeron;
    private final String aeronDirectoryName;
    private volatile boolean closed;

    private AeronDriver(final MediaDriver mediaDriver, final Aeron aeron, final String aeronDirectoryName)
    {
        this.mediaDriver = mediaDriver;
        this.aeron = aeron;
        this.aeronDirectoryName = aeronDirectoryName;
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

        try
        {
            final Aeron aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(directoryName)
                .driverTimeoutMs(settings.driverTimeoutMs())
                .idleStrategy(settings.clientIdleStrategy().get())
                .errorHandler(AeronDriver::logClientError));
            return new AeronDriver(mediaDriver, aeron, directoryName);
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

    private static void logClientError(final Throwable throwable)
    {
        LOGGER.log(Level.WARNING, "Aeron client error", throwable);
    }
}
