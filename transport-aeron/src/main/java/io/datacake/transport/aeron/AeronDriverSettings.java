package io.datacake.transport.aeron;

import io.aeron.driver.ThreadingMode;
import io.aeron.driver.ext.LossGenerator;
import io.aeron.logbuffer.LogBufferDescriptor;
import org.agrona.BitUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * How an {@link AeronDriver} gets its media driver: launch an embedded one in its own unique directory (the default),
 * or attach to an external driver already running in a given directory.
 * <p>
 * The defaults suit a small machine shared with other work: one driver thread ({@link ThreadingMode#SHARED}) that
 * backs off to parking when idle, and term buffers of {@value #DEFAULT_TERM_BUFFER_LENGTH} bytes instead of Aeron's
 * 16 MiB (UDP) / 64 MiB (IPC), so a transport costs a few MiB of shared memory per peer, not hundreds.
 * <p>
 * Not thread safe: configure on one thread, then hand it to {@link AeronDriver#launch(AeronDriverSettings)}.
 */
public final class AeronDriverSettings
{
    /**
     * Default term buffer length for publications (IPC and UDP): 1 MiB, so the largest single message Aeron accepts
     * ({@code termLength / 8}) is 128 KiB. Larger messages go through the engine's streaming path.
     */
    public static final int DEFAULT_TERM_BUFFER_LENGTH = 1024 * 1024;

    /** Default UDP MTU: Aeron's default, fits a standard 1500-byte Ethernet frame. */
    public static final int DEFAULT_MTU_LENGTH = 1408;

    /** Smallest idle park of the default driver idle strategy: 1 microsecond. */
    public static final long DEFAULT_IDLE_MIN_PARK_NS = TimeUnit.MICROSECONDS.toNanos(1);

    /**
     * Longest idle park of the default driver idle strategy: 100 microseconds. A longer park saves CPU when idle but
     * adds up to that much latency to the first message after a pause.
     */
    public static final long DEFAULT_IDLE_MAX_PARK_NS = TimeUnit.MICROSECONDS.toNanos(100);

    /** Spins before the default idle strategy yields. */
    public static final int DEFAULT_IDLE_MAX_SPINS = 10;

    /** Yields before the default idle strategy parks. */
    public static final int DEFAULT_IDLE_MAX_YIELDS = 20;

    /** Default time without a heartbeat after which a client or driver is considered gone: 10 seconds. */
    public static final long DEFAULT_DRIVER_TIMEOUT_MS = 10_000;

    /** Default time without data or heartbeat after which a peer's image is considered gone: 10 seconds (Aeron's). */
    public static final long DEFAULT_IMAGE_LIVENESS_TIMEOUT_MS = 10_000;

    /** Default time a publication waits for a status message before it reports not connected: 5 seconds (Aeron's). */
    public static final long DEFAULT_PUBLICATION_CONNECTION_TIMEOUT_MS = 5_000;

    /** Default time a closed publication keeps its log so a receiver can catch up: 1 second. */
    public static final long DEFAULT_PUBLICATION_LINGER_MS = 1_000;

    /** Prefix of every embedded driver directory, so a stray one is easy to recognise. */
    public static final String EMBEDDED_DIRECTORY_PREFIX = "datacake-aeron-";

    private String externalDirectoryName;
    private Path embeddedBaseDirectory = defaultEmbeddedBaseDirectory();
    private ThreadingMode threadingMode = ThreadingMode.SHARED;
    private Supplier<IdleStrategy> driverIdleStrategySupplier = AeronDriverSettings::defaultDriverIdleStrategy;
    private Supplier<IdleStrategy> clientIdleStrategySupplier = () -> new SleepingMillisIdleStrategy(1);
    private int termBufferLength = DEFAULT_TERM_BUFFER_LENGTH;
    private int mtuLength = DEFAULT_MTU_LENGTH;
    private long driverTimeoutMs = DEFAULT_DRIVER_TIMEOUT_MS;
    private long imageLivenessTimeoutMs = DEFAULT_IMAGE_LIVENESS_TIMEOUT_MS;
    private long publicationConnectionTimeoutMs = DEFAULT_PUBLICATION_CONNECTION_TIMEOUT_MS;
    private long publicationLingerMs = DEFAULT_PUBLICATION_LINGER_MS;
    private LossGenerator sendDataLossGenerator;
    private LossGenerator sendControlLossGenerator;
    private LossGenerator receiveDataLossGenerator;
    private LossGenerator receiveControlLossGenerator;

    /**
     * Where embedded drivers put their directories by default: {@code /dev/shm} when it exists and is writable (as
     * Aeron does on Linux: the logs are memory, not disk), else {@code java.io.tmpdir}.
     *
     * @return the default base directory.
     */
    public static Path defaultEmbeddedBaseDirectory()
    {
        final Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * The default driver idle strategy: spin, yield, then park between {@link #DEFAULT_IDLE_MIN_PARK_NS} and
     * {@link #DEFAULT_IDLE_MAX_PARK_NS}. Never busy-spins for long, so it leaves the CPU to the node threads.
     *
     * @return a new backoff idle strategy.
     */
    public static IdleStrategy defaultDriverIdleStrategy()
    {
        return new BackoffIdleStrategy(
            DEFAULT_IDLE_MAX_SPINS, DEFAULT_IDLE_MAX_YIELDS, DEFAULT_IDLE_MIN_PARK_NS, DEFAULT_IDLE_MAX_PARK_NS);
    }

    /**
     * Attach to an external media driver instead of launching one. The external driver owns its directory; closing
     * the {@link AeronDriver} closes only the client.
     *
     * @param aeronDirectoryName the external driver's directory (its {@code aeron.dir}).
     * @return this for a fluent API.
     * @throws IllegalArgumentException if the name is blank.
     */
    public AeronDriverSettings externalDriver(final String aeronDirectoryName)
    {
        Objects.requireNonNull(aeronDirectoryName, "aeronDirectoryName");
        if (aeronDirectoryName.isBlank())
        {
            throw new IllegalArgumentException("external Aeron directory name must not be blank");
        }
        this.externalDirectoryName = aeronDirectoryName;
        return this;
    }

    /**
     * The external driver's directory, or {@code null} when an embedded driver is launched.
     *
     * @return the external driver's directory or {@code null}.
     */
    public String externalDirectoryName()
    {
        return externalDirectoryName;
    }

    /**
     * Whether an embedded media driver is launched (no external driver was given).
     *
     * @return true if an embedded driver is launched.
     */
    public boolean isEmbedded()
    {
        return null == externalDirectoryName;
    }

    /**
     * The directory under which each embedded driver creates its own unique directory
     * ({@value #EMBEDDED_DIRECTORY_PREFIX}&lt;uuid&gt;). Defaults to {@link #defaultEmbeddedBaseDirectory()}.
     *
     * @param baseDirectory an existing directory.
     * @return this for a fluent API.
     */
    public AeronDriverSettings embeddedBaseDirectory(final Path baseDirectory)
    {
        this.embeddedBaseDirectory = Objects.requireNonNull(baseDirectory, "baseDirectory");
        return this;
    }

    /**
     * The directory under which embedded drivers create their unique directories.
     *
     * @return the base directory.
     */
    public Path embeddedBaseDirectory()
    {
        return embeddedBaseDirectory;
    }

    /**
     * Threading mode of the embedded driver. {@link ThreadingMode#SHARED} (default) runs conductor, sender and
     * receiver on one thread, which suits machines with few cores. {@link ThreadingMode#INVOKER} runs no driver thread
     * at all: the one {@link AeronTransport} created on the driver runs the driver's duty cycle on the node thread at
     * every poll, which takes two thread hand-offs (sender and receiver thread, each of which may be parked) off
     * every message between nodes, and the driver idle strategies out of use. Use it for a driver that serves exactly
     * one transport (a node with its own driver, as over UDP between hosts): a second transport on it is refused.
     *
     * @param threadingMode the threading mode.
     * @return this for a fluent API.
     */
    public AeronDriverSettings threadingMode(final ThreadingMode threadingMode)
    {
        this.threadingMode = Objects.requireNonNull(threadingMode, "threadingMode");
        return this;
    }

    /**
     * Threading mode of the embedded driver.
     *
     * @return the threading mode.
     */
    public ThreadingMode threadingMode()
    {
        return threadingMode;
    }

    /**
     * Supplies the idle strategy of every embedded driver thread (one instance per thread, since idle strategies keep
     * state).
     *
     * @param supplier creates a new idle strategy per call.
     * @return this for a fluent API.
     */
    public AeronDriverSettings driverIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        this.driverIdleStrategySupplier = Objects.requireNonNull(supplier, "supplier");
        return this;
    }

    /**
     * Supplier of the embedded driver threads' idle strategies.
     *
     * @return the supplier.
     */
    public Supplier<IdleStrategy> driverIdleStrategy()
    {
        return driverIdleStrategySupplier;
    }

    /**
     * Supplies the idle strategy of the Aeron client conductor thread (keep-alives, image notifications). It does no
     * data-path work, so the default sleeps 1 ms when idle.
     *
     * @param supplier creates a new idle strategy per call.
     * @return this for a fluent API.
     */
    public AeronDriverSettings clientIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        this.clientIdleStrategySupplier = Objects.requireNonNull(supplier, "supplier");
        return this;
    }

    /**
     * Supplier of the client conductor's idle strategy.
     *
     * @return the supplier.
     */
    public Supplier<IdleStrategy> clientIdleStrategy()
    {
        return clientIdleStrategySupplier;
    }

    /**
     * Term buffer length of publications the embedded driver creates, for IPC and UDP. The largest message a
     * publication accepts is a function of it ({@code min(termLength / 8, 16 MiB)}).
     *
     * @param termBufferLength a power of two between 64 KiB and 1 GiB.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if the length is not a power of two in range.
     */
    public AeronDriverSettings termBufferLength(final int termBufferLength)
    {
        this.termBufferLength = checkTermBufferLength(termBufferLength);
        return this;
    }

    /**
     * Term buffer length of publications.
     *
     * @return the term buffer length in bytes.
     */
    public int termBufferLength()
    {
        return termBufferLength;
    }

    /**
     * UDP MTU of the embedded driver's publications: a message longer than {@code mtu - 32} bytes is fragmented.
     *
     * @param mtuLength a multiple of 32 between 64 and 65504 bytes.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if the length is out of range or not a multiple of 32.
     */
    public AeronDriverSettings mtuLength(final int mtuLength)
    {
        if (mtuLength < 64 || mtuLength > 65504 || (mtuLength & 31) != 0)
        {
            throw new IllegalArgumentException("mtuLength must be a multiple of 32 between 64 and 65504: " + mtuLength);
        }
        this.mtuLength = mtuLength;
        return this;
    }

    /**
     * UDP MTU of publications.
     *
     * @return the MTU length in bytes.
     */
    public int mtuLength()
    {
        return mtuLength;
    }

    /**
     * Time after which the client treats a silent driver as dead (and the driver a silent client).
     *
     * @param driverTimeoutMs a positive number of milliseconds.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if not positive.
     */
    public AeronDriverSettings driverTimeoutMs(final long driverTimeoutMs)
    {
        this.driverTimeoutMs = requirePositive(driverTimeoutMs, "driverTimeoutMs");
        return this;
    }

    /**
     * Time after which the client treats a silent driver as dead.
     *
     * @return the timeout in milliseconds.
     */
    public long driverTimeoutMs()
    {
        return driverTimeoutMs;
    }

    /**
     * Time without data or heartbeats after which the embedded driver drops a peer's image, which is how a transport
     * notices a peer that went away without closing. Shorter means faster detection and more false alarms on a
     * stalled peer.
     *
     * @param imageLivenessTimeoutMs a positive number of milliseconds.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if not positive.
     */
    public AeronDriverSettings imageLivenessTimeoutMs(final long imageLivenessTimeoutMs)
    {
        this.imageLivenessTimeoutMs = requirePositive(imageLivenessTimeoutMs, "imageLivenessTimeoutMs");
        return this;
    }

    /**
     * Time without data or heartbeats after which a peer's image is dropped.
     *
     * @return the timeout in milliseconds.
     */
    public long imageLivenessTimeoutMs()
    {
        return imageLivenessTimeoutMs;
    }

    /**
     * Time a UDP publication waits without a status message from its receiver before it reports not connected.
     *
     * @param publicationConnectionTimeoutMs a positive number of milliseconds.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if not positive.
     */
    public AeronDriverSettings publicationConnectionTimeoutMs(final long publicationConnectionTimeoutMs)
    {
        this.publicationConnectionTimeoutMs =
            requirePositive(publicationConnectionTimeoutMs, "publicationConnectionTimeoutMs");
        return this;
    }

    /**
     * Time a publication waits for a status message before it reports not connected.
     *
     * @return the timeout in milliseconds.
     */
    public long publicationConnectionTimeoutMs()
    {
        return publicationConnectionTimeoutMs;
    }

    /**
     * Time a closed publication's log lingers so that its receivers can drain it.
     *
     * @param publicationLingerMs a positive number of milliseconds.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if not positive.
     */
    public AeronDriverSettings publicationLingerMs(final long publicationLingerMs)
    {
        this.publicationLingerMs = requirePositive(publicationLingerMs, "publicationLingerMs");
        return this;
    }

    /**
     * Time a closed publication's log lingers.
     *
     * @return the linger time in milliseconds.
     */
    public long publicationLingerMs()
    {
        return publicationLingerMs;
    }

    /**
     * Fault injection on the embedded driver's UDP send side, through Aeron's debug send channel endpoint: frames for
     * which a generator answers true are not sent. Aeron recovers lost data frames by NAK and retransmission, so loss
     * shows as delay, or as a timeout when it is heavy enough. IPC is not affected. Either generator may be null.
     *
     * @param dataLossGenerator   decides which outgoing data frames to drop, or null.
     * @param controlLossGenerator decides which outgoing control frames (status messages, NAKs) to drop, or null.
     * @return this for a fluent API.
     */
    public AeronDriverSettings sendLoss(final LossGenerator dataLossGenerator, final LossGenerator controlLossGenerator)
    {
        this.sendDataLossGenerator = dataLossGenerator;
        this.sendControlLossGenerator = controlLossGenerator;
        return this;
    }

    /**
     * Fault injection on the embedded driver's UDP receive side, through Aeron's debug receive channel endpoint:
     * arriving frames for which a generator answers true are discarded. IPC is not affected. Either generator may be
     * null.
     *
     * @param dataLossGenerator    decides which arriving data frames to drop, or null.
     * @param controlLossGenerator decides which arriving control frames to drop, or null.
     * @return this for a fluent API.
     */
    public AeronDriverSettings receiveLoss(
        final LossGenerator dataLossGenerator, final LossGenerator controlLossGenerator)
    {
        this.receiveDataLossGenerator = dataLossGenerator;
        this.receiveControlLossGenerator = controlLossGenerator;
        return this;
    }

    /**
     * Whether any loss generator is configured, which replaces the driver's channel endpoints with debug ones.
     *
     * @return true if loss injection is configured.
     */
    public boolean hasLossInjection()
    {
        return null != sendDataLossGenerator || null != sendControlLossGenerator ||
            null != receiveDataLossGenerator || null != receiveControlLossGenerator;
    }

    LossGenerator sendDataLossGenerator()
    {
        return sendDataLossGenerator;
    }

    LossGenerator sendControlLossGenerator()
    {
        return sendControlLossGenerator;
    }

    LossGenerator receiveDataLossGenerator()
    {
        return receiveDataLossGenerator;
    }

    LossGenerator receiveControlLossGenerator()
    {
        return receiveControlLossGenerator;
    }

    private static long requirePositive(final long value, final String name)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
        return value;
    }

    /**
     * Check a term buffer length as Aeron requires it, for the driver's and the transport's settings alike.
     *
     * @param termBufferLength the length to check.
     * @return the length.
     * @throws IllegalArgumentException if it is not a power of two between Aeron's minimum and maximum.
     */
    static int checkTermBufferLength(final int termBufferLength)
    {
        if (termBufferLength < LogBufferDescriptor.TERM_MIN_LENGTH ||
            termBufferLength > LogBufferDescriptor.TERM_MAX_LENGTH ||
            !BitUtil.isPowerOfTwo(termBufferLength))
        {
            throw new IllegalArgumentException("termBufferLength must be a power of two between " +
                LogBufferDescriptor.TERM_MIN_LENGTH + " and " + LogBufferDescriptor.TERM_MAX_LENGTH + ": " +
                termBufferLength);
        }
        return termBufferLength;
    }
}
