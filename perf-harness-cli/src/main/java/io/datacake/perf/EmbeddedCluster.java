package io.datacake.perf;

import io.aeron.driver.ThreadingMode;
import io.datacake.membership.MembershipComponent;
import io.datacake.membership.MembershipContext;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.security.Keyring;
import io.datacake.storage.Storage;
import io.datacake.store.ReplicatedStore;
import io.datacake.store.StoreContext;
import io.datacake.store.StoreHandle;
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
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * N nodes in this JVM, each a {@link Node} with gossip membership ({@link MembershipComponent}: node 1 bootstraps,
 * the others seed from it) and a {@link ReplicatedStore} on its own storage, connected by Aeron. On IPC every node
 * shares one embedded media driver (IPC does not cross drivers); on UDP every node has its own driver in its own
 * directory and its own free loopback port, as on separate hosts, launched with {@link ThreadingMode#INVOKER}: the
 * node thread runs its driver's duty cycle at every poll, so no driver thread sits between two nodes (a message
 * between nodes crosses two threads, not four, and the cluster runs three driver threads fewer on a small machine).
 * Aeron directories go under a run directory in
 * {@link AeronDriverSettings#defaultEmbeddedBaseDirectory()} (memory on Linux), storage under a run directory in the
 * data directory; both are deleted on {@link #close()}, also when the start fails part way.
 */
public final class EmbeddedCluster implements AutoCloseable
{
    /** Prefix of the run directories this cluster creates (data and Aeron). */
    public static final String DIRECTORY_PREFIX = "datacake-perf-";

    private static final int FIRST_STREAM_ID = 1001;
    private static final String LOOPBACK = "127.0.0.1";
    /** Secret length of the keyring a secured cluster generates: AES-256 and a full-length HMAC-SHA256 key. */
    private static final int GENERATED_KEY_BYTES = 32;

    private final List<Node> nodes = new ArrayList<>();
    private final List<Storage> storages = new ArrayList<>();
    private final List<StoreHandle> handles = new ArrayList<>();
    private final List<MembershipComponent> memberships = new ArrayList<>();
    private final List<AeronDriver> drivers = new ArrayList<>();
    private final Path dataDir;
    private final Path aeronDir;

    /**
     * Start the nodes; they find each other through gossip (see {@link #awaitMembership}).
     *
     * @param settings what to start.
     * @throws UncheckedIOException if a directory cannot be created.
     * @throws RuntimeException     what a driver, storage or node throws when it fails to start; everything
     *                              started so far is closed and the directories are deleted first.
     */
    public EmbeddedCluster(final ClusterSettings settings)
    {
        dataDir = createRunDirectory(settings.dataParentDir());
        Path aeron = null;
        try
        {
            aeron = createRunDirectory(AeronDriverSettings.defaultEmbeddedBaseDirectory());
        }
        catch (final RuntimeException ex)
        {
            IoUtil.delete(dataDir.toFile(), true);
            throw ex;
        }
        aeronDir = aeron;

        final Keyring keyring = null == settings.security().protection() ? null : generatedKeyring();
        final List<Transport> transports = new ArrayList<>();
        try
        {
            transports(settings, transports);
            final String seed = transports.get(0).localEndpoint();
            for (int i = 0; i < settings.nodes(); i++)
            {
                final int nodeId = i + 1;
                final Path nodeDir = Files.createDirectory(dataDir.resolve("node-" + nodeId));
                final Storage storage = settings.storage().open(nodeDir, settings.maxValueBytes());
                storages.add(storage);
                final MembershipContext membershipContext = new MembershipContext();
                if (0 == i)
                {
                    membershipContext.bootstrap(true);
                }
                else
                {
                    membershipContext.seeds(seed);
                }
                final MembershipComponent membership = new MembershipComponent(membershipContext);
                memberships.add(membership);
                final ReplicatedStore store = new ReplicatedStore(new StoreContext()
                    .storage(storage)
                    .clusterView(membership)
                    .requestTimeoutMs(settings.requestTimeoutMs())
                    .repairIntervalMs(settings.repairIntervalMs()));
                // Membership first: the store reads the view from its own start on.
                final NodeContext nodeContext = new NodeContext()
                    .nodeId(nodeId)
                    .transport(transports.get(i))
                    .ownsTransport(true)
                    .requestTimeoutMs(settings.requestTimeoutMs())
                    .addComponent(membership)
                    .addComponent(store);
                if (null != keyring)
                {
                    nodeContext.keyring(keyring).frameProtection(settings.security().protection());
                }
                final Node node = Node.launch(nodeContext);
                nodes.add(node);
                transports.set(i, null);
                handles.add(store.handle(node));
            }
        }
        catch (final IOException ex)
        {
            // Transports not yet handed to a node are closed here, the rest with their nodes.
            transports.forEach(CloseHelper::quietClose);
            close();
            throw new UncheckedIOException(ex);
        }
        catch (final RuntimeException ex)
        {
            transports.forEach(CloseHelper::quietClose);
            close();
            throw ex;
        }
    }

    /**
     * Wait until every node sees every node live.
     *
     * @param deadlineNs {@link System#nanoTime()} by which it must have happened.
     * @param stopped    true when the wait should end early (a signal).
     * @return true when every node sees every node live, false when stopped first.
     * @throws IllegalStateException if the deadline passed first, naming what each node sees.
     */
    public boolean awaitMembership(final long deadlineNs, final BooleanSupplier stopped)
    {
        final Deadline deadline = new Deadline(deadlineNs);
        while (!everyNodeSeesEveryNodeLive())
        {
            if (stopped.getAsBoolean())
            {
                return false;
            }
            if (!deadline.pause())
            {
                final StringBuilder sb = new StringBuilder();
                for (int i = 0; i < memberships.size(); i++)
                {
                    sb.append(i == 0 ? "" : ", ").append("node ").append(i + 1).append(" sees ")
                        .append(memberships.get(i).liveCount()).append(" live");
                }
                throw new IllegalStateException("the nodes did not all see each other live in time: " + sb);
            }
        }
        return true;
    }

    private boolean everyNodeSeesEveryNodeLive()
    {
        for (final MembershipComponent membership : memberships)
        {
            if (!membership.seesAllLive(nodes.size()))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the nodes, in node id order.
     */
    public List<Node> nodes()
    {
        return Collections.unmodifiableList(nodes);
    }

    /**
     * @return each node's store handle, in node id order.
     */
    public List<StoreHandle> handles()
    {
        return Collections.unmodifiableList(handles);
    }

    /**
     * @return each node's storage, in node id order (read them for digests; the cluster closes them).
     */
    public List<Storage> storages()
    {
        return Collections.unmodifiableList(storages);
    }

    /**
     * @return the run directory holding every node's storage, deleted on close.
     */
    public Path dataDirectory()
    {
        return dataDir;
    }

    /**
     * @return the run directory holding the Aeron driver directories, deleted on close.
     */
    public Path aeronDirectory()
    {
        return aeronDir;
    }

    /**
     * Stop every node (each closes its transport), close the storages and drivers, delete the run directories.
     * Idempotent.
     */
    public void close()
    {
        CloseHelper.quietCloseAll(nodes);
        nodes.clear();
        handles.clear();
        CloseHelper.quietCloseAll(storages);
        storages.clear();
        CloseHelper.quietCloseAll(drivers);
        drivers.clear();
        IoUtil.delete(dataDir.toFile(), true);
        if (null != aeronDir)
        {
            IoUtil.delete(aeronDir.toFile(), true);
        }
    }

    private void transports(final ClusterSettings settings, final List<Transport> transports)
    {
        final int size = settings.nodes();
        final AeronTransportSettings transportSettings = new AeronTransportSettings();
        if (settings.transport() == TransportKind.IPC)
        {
            final AeronDriver driver = AeronDriver.launch(new AeronDriverSettings().embeddedBaseDirectory(aeronDir));
            drivers.add(driver);
            for (int i = 0; i < size; i++)
            {
                transports.add(
                    AeronTransport.create(driver, AeronEndpoint.ipc(FIRST_STREAM_ID + i), transportSettings));
            }
            return;
        }

        final int[] ports = FreeUdpPorts.allocate(InetAddress.getLoopbackAddress(), size);
        for (int i = 0; i < size; i++)
        {
            final AeronDriver driver = AeronDriver.launch(
                new AeronDriverSettings().embeddedBaseDirectory(aeronDir).threadingMode(ThreadingMode.INVOKER));
            drivers.add(driver);
            transports.add(AeronTransport.create(
                driver, AeronEndpoint.udp(LOOPBACK, ports[i], FIRST_STREAM_ID + i), transportSettings));
        }
    }

    /**
     * A one-key keyring for this cluster only, from a strong random source; it lives in memory and is never printed.
     */
    private static Keyring generatedKeyring()
    {
        final byte[] secret = new byte[GENERATED_KEY_BYTES];
        new SecureRandom().nextBytes(secret);
        final Keyring keyring = Keyring.of(1, secret);
        Arrays.fill(secret, (byte)0);
        return keyring;
    }

    private static Path createRunDirectory(final Path parent)
    {
        try
        {
            return Files.createTempDirectory(parent, DIRECTORY_PREFIX);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a run directory in " + parent, ex);
        }
    }
}
