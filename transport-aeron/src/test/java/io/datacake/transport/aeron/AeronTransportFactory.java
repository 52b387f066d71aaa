package io.datacake.transport.aeron;

import io.datacake.transport.Transport;
import io.datacake.transport.TransportFactory;
import org.agrona.IoUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Makes connected {@link AeronTransport}s for the engine's reusable suites and this module's tests.
 * <ul>
 *     <li>{@link Media#IPC}: one embedded driver shared by every node, one stream id per node.</li>
 *     <li>{@link Media#UDP}: one embedded driver per node (as on separate hosts), each node on its own free loopback
 *     port, so killing a node's driver is a peer process disappearing.</li>
 * </ul>
 * Every driver lives in a fresh temp directory (under {@code /dev/shm} where it exists) deleted on {@link #close()}.
 * Timeouts are shortened so that a peer that disappears is noticed within about a second.
 */
public final class AeronTransportFactory implements TransportFactory
{
    /** Which Aeron media the transports use. */
    public enum Media
    {
        /** {@code aeron:ipc} through one shared driver. */
        IPC,
        /** {@code aeron:udp} on loopback, one driver per node. */
        UDP
    }

    /** Term length of test publications: 64 KiB, so frames over 8 KiB exercise the streaming path. */
    public static final int TEST_TERM_LENGTH = 64 * 1024;

    private static final int FIRST_STREAM_ID = 2001;

    private final Media media;
    private final Path baseDirectory;
    private final Consumer<AeronDriverSettings> driverCustomizer;
    private final List<AeronTransport> transports = new ArrayList<>();
    private AeronDriver sharedDriver;
    private int nextStreamId = FIRST_STREAM_ID;
    private boolean closed;

    /**
     * A factory with the default test settings.
     *
     * @param media IPC or UDP.
     */
    public AeronTransportFactory(final Media media)
    {
        this(media, (settings) -> {});
    }

    /**
     * A factory whose driver settings are adjusted before each driver launches (e.g. to add loss generators).
     *
     * @param media            IPC or UDP.
     * @param driverCustomizer applied to each driver's settings after the test defaults.
     */
    public AeronTransportFactory(final Media media, final Consumer<AeronDriverSettings> driverCustomizer)
    {
        this.media = media;
        this.driverCustomizer = driverCustomizer;
        try
        {
            this.baseDirectory = Files.createTempDirectory(
                AeronDriverSettings.defaultEmbeddedBaseDirectory(), "datacake-aeron-test-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Driver settings used for every driver this factory launches.
     *
     * @return new settings.
     */
    public AeronDriverSettings driverSettings()
    {
        final AeronDriverSettings settings = testDriverSettings(baseDirectory);
        driverCustomizer.accept(settings);
        return settings;
    }

    /**
     * The test driver settings: small terms, timeouts short enough to notice a vanished peer within about a second.
     *
     * @param baseDirectory where the embedded driver makes its directory.
     * @return new settings.
     */
    public static AeronDriverSettings testDriverSettings(final Path baseDirectory)
    {
        return new AeronDriverSettings()
            .embeddedBaseDirectory(baseDirectory)
            .termBufferLength(TEST_TERM_LENGTH)
            .imageLivenessTimeoutMs(1_000)
            .publicationConnectionTimeoutMs(1_000)
            .publicationLingerMs(100)
            .driverTimeoutMs(5_000);
    }

    /**
     * Transport settings used for every transport this factory makes.
     *
     * @return new settings.
     */
    public static AeronTransportSettings transportSettings()
    {
        return new AeronTransportSettings()
            .termBufferLength(TEST_TERM_LENGTH);
    }

    /**
     * {@inheritDoc}
     */
    public Transport[] create(final int nodeCount)
    {
        final Transport[] created = new Transport[nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            created[i] = createOne();
        }
        return created;
    }

    /**
     * Create one more transport.
     *
     * @return the transport.
     */
    public AeronTransport createOne()
    {
        return createAt(nextEndpoint());
    }

    /**
     * Create a transport listening at a given endpoint, e.g. to bring back a node that went away.
     *
     * @param endpoint where it listens.
     * @return the transport.
     */
    public AeronTransport createAt(final AeronEndpoint endpoint)
    {
        ensureOpen();
        final AeronTransport transport;
        if (Media.IPC == media)
        {
            if (null == sharedDriver)
            {
                sharedDriver = AeronDriver.launch(driverSettings());
            }
            transport = AeronTransport.create(sharedDriver, endpoint, transportSettings());
        }
        else
        {
            transport = AeronTransport.launch(driverSettings(), endpoint, transportSettings());
        }
        transports.add(transport);
        return transport;
    }

    /**
     * {@inheritDoc}
     */
    public String unreachableEndpoint()
    {
        return nextEndpoint().toString();
    }

    /**
     * The media of this factory's transports.
     *
     * @return IPC or UDP.
     */
    public Media media()
    {
        return media;
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final AeronTransport transport : transports)
        {
            transport.close();
        }
        transports.clear();
        if (null != sharedDriver)
        {
            sharedDriver.close();
        }
        IoUtil.delete(baseDirectory.toFile(), true);
    }

    private AeronEndpoint nextEndpoint()
    {
        final int streamId = nextStreamId++;
        return Media.IPC == media ?
            AeronEndpoint.ipc(streamId) : AeronEndpoint.udp("127.0.0.1", FreeUdpPorts.loopback(), streamId);
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("factory is closed");
        }
    }
}
