package io.datacake.perf;

import io.aeron.driver.ThreadingMode;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.rpc.RpcService;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.Transport;
import io.datacake.transport.aeron.AeronDriver;
import io.datacake.transport.aeron.AeronDriverSettings;
import io.datacake.transport.aeron.AeronEndpoint;
import io.datacake.transport.aeron.AeronTransport;
import io.datacake.transport.aeron.AeronTransportSettings;
import io.datacake.transport.aeron.FreeUdpPorts;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * N nodes in this JVM, each on its own thread, connected by the chosen transport. Aeron transports share one
 * embedded media driver (shared threading mode, backing off when idle) in a temporary directory that is deleted on
 * close.
 */
public final class EmbeddedCluster implements AutoCloseable
{
    private static final int AERON_TERM_LENGTH = 4 * 1024 * 1024;
    private static final int FIRST_STREAM_ID = 1001;
    private static final String DIRECTORY_PREFIX = "datacake-perf-";

    /** The driver's own files (CnC, loss report) and slack, measured at about 49 MB. */
    private static final long AERON_DRIVER_FILE_BYTES = 64L * 1024 * 1024;

    /** One log buffer per ordered pair of nodes: three terms and its metadata, measured at about 12.6 MB. */
    private static final long AERON_LOG_BYTES = 3L * AERON_TERM_LENGTH + 1024 * 1024;

    private final List<Node> nodes = new ArrayList<>();
    private final Path tempDir;
    private AeronDriver driver;

    /**
     * Start a cluster with its files in a new directory under the system temporary directory.
     *
     * @param size      number of nodes, node ids 1..size.
     * @param kind      transport.
     * @param services  the services node i hosts (called with its node id).
     * @throws IllegalArgumentException if size is below 1.
     * @throws UncheckedIOException if the cluster's directory cannot be created.
     */
    public EmbeddedCluster(final int size, final TransportKind kind, final IntFunction<List<RpcService>> services)
    {
        this(size, kind, services, null);
    }

    /**
     * Start a cluster with its files in a new directory under the given one.
     *
     * @param size      number of nodes, node ids 1..size.
     * @param kind      transport.
     * @param services  the services node i hosts (called with its node id).
     * @param parentDir where the cluster's directory is created, or null for the system temporary directory.
     * @throws IllegalArgumentException if size is below 1.
     * @throws UncheckedIOException if the cluster's directory cannot be created.
     */
    public EmbeddedCluster(
        final int size, final TransportKind kind, final IntFunction<List<RpcService>> services, final Path parentDir)
    {
        if (size < 1)
        {
            throw new IllegalArgumentException("a cluster needs at least one node: " + size);
        }
        try
        {
            tempDir = null == parentDir ?
                Files.createTempDirectory(DIRECTORY_PREFIX) : Files.createTempDirectory(parentDir, DIRECTORY_PREFIX);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }

        try
        {
            final List<Transport> transports = transports(size, kind);
            for (int i = 0; i < size; i++)
            {
                final NodeContext ctx = new NodeContext().nodeId(i + 1).transport(transports.get(i));
                services.apply(i + 1).forEach(ctx::addService);
                nodes.add(Node.launch(ctx));
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * What a cluster's directory grows to: Aeron maps a log buffer file for every ordered pair of nodes, so the size
     * grows with the square of the cluster size; the in-process transport writes nothing.
     *
     * @param size number of nodes.
     * @param kind transport.
     * @return an upper estimate of the bytes the cluster's directory needs.
     */
    public static long estimatedDirectoryBytes(final int size, final TransportKind kind)
    {
        return kind == TransportKind.IN_PROCESS ?
            0 : AERON_DRIVER_FILE_BYTES + (long)size * (size - 1) * AERON_LOG_BYTES;
    }

    /**
     * @return the nodes, in node id order.
     */
    public List<Node> nodes()
    {
        return nodes;
    }

    /**
     * @return the temporary directory holding the cluster's files (the Aeron driver directory).
     */
    public Path directory()
    {
        return tempDir;
    }

    /**
     * Stop every node, the driver, and delete the temporary directory.
     */
    public void close()
    {
        CloseHelper.closeAll(nodes);
        nodes.clear();
        CloseHelper.close(driver);
        driver = null;
        IoUtil.delete(tempDir.toFile(), true);
    }

    private List<Transport> transports(final int size, final TransportKind kind)
    {
        final List<Transport> transports = new ArrayList<>(size);
        if (kind == TransportKind.IN_PROCESS)
        {
            final InProcessNetwork network = new InProcessNetwork();
            for (int i = 0; i < size; i++)
            {
                transports.add(network.newTransport("node-" + (i + 1)));
            }
            return transports;
        }

        driver = AeronDriver.launch(new AeronDriverSettings()
            .embeddedBaseDirectory(tempDir)
            .threadingMode(ThreadingMode.SHARED)
            .termBufferLength(AERON_TERM_LENGTH));
        final AeronTransportSettings settings = new AeronTransportSettings().termBufferLength(AERON_TERM_LENGTH);
        final int[] ports = kind == TransportKind.AERON_UDP ?
            FreeUdpPorts.allocate(InetAddress.getLoopbackAddress(), size) : null;
        for (int i = 0; i < size; i++)
        {
            final AeronEndpoint endpoint = kind == TransportKind.AERON_UDP ?
                AeronEndpoint.udp("127.0.0.1", ports[i], FIRST_STREAM_ID + i) :
                AeronEndpoint.ipc(FIRST_STREAM_ID + i);
            transports.add(AeronTransport.create(driver, endpoint, settings));
        }
        return transports;
    }
}
