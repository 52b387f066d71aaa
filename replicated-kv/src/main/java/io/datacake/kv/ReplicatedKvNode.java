package io.datacake.kv;

import io.datacake.membership.ClusterMember;
import io.datacake.membership.MembershipComponent;
import io.datacake.membership.MembershipContext;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.security.Keyring;
import io.datacake.storage.MemoryStorage;
import io.datacake.storage.Storage;
import io.datacake.storage.lmdb.LmdbDurability;
import io.datacake.storage.lmdb.LmdbStorage;
import io.datacake.storage.lmdb.LmdbStorageConfig;
import io.datacake.storage.sqlite.SqliteDurability;
import io.datacake.storage.sqlite.SqliteStorage;
import io.datacake.storage.sqlite.SqliteStorageConfig;
import io.datacake.store.ReplicatedStore;
import io.datacake.store.StoreContext;
import io.datacake.store.StoreHandle;
import io.datacake.transport.aeron.AeronDriverSettings;
import io.datacake.transport.aeron.AeronEndpoint;
import io.datacake.transport.aeron.AeronTransport;
import io.datacake.transport.aeron.AeronTransportSettings;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.status.CountersReader;

import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One replicated key-value node, embeddable: a {@link Node} on its own thread with gossip membership
 * ({@link MembershipComponent}) and the {@link ReplicatedStore}, over Aeron UDP through an embedded media driver
 * whose files live under the data directory, on LMDB, SQLite or memory storage, served over HTTP (see
 * {@link KvApi} for the API).
 * <p>
 * Durability: LMDB commits with {@link LmdbDurability#SYNC} and SQLite with {@link SqliteDurability#FULL}, and the
 * store acknowledges a write only after its local commit returned, so every acknowledged write survives a
 * {@code kill -9} (and a power loss); a node restarted on the same data directory catches up on what it missed from
 * its peers by anti-entropy, every {@link KvNodeConfig#repairIntervalMs()}.
 * <p>
 * Threads: the node thread, the storage writer, the media driver (one shared thread backing off to a 1 ms park),
 * the Aeron client conductor and {@link KvHttpServer#THREADS} request threads; none spins when idle, so several
 * nodes share a small machine.
 * <p>
 * {@link #start} and {@link #close()} are for one application thread; the accessors are thread safe.
 */
public final class ReplicatedKvNode implements AutoCloseable
{
    /** Aeron stream id of every node's endpoint: nodes are told apart by host and port. */
    public static final int STREAM_ID = AeronEndpoint.DEFAULT_STREAM_ID;

    /**
     * Longest park of the media driver's thread when idle: 1 ms, as the node thread's, rather than the driver
     * default of 100 µs, so that an idle node costs little CPU and several share a small machine; a busy driver
     * never parks.
     */
    public static final long DRIVER_MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final System.Logger LOGGER = System.getLogger(ReplicatedKvNode.class.getName());

    private final KvNodeConfig config;
    private final DataDirectory directory;
    private final Storage storage;
    private final Node node;
    private final MembershipComponent membership;
    private final StoreHandle store;
    private final int maxValueBytes;
    private final KvHttpServer http;
    private final KeyringReload keyringReload;
    private final CountDownLatch closed = new CountDownLatch(1);
    private boolean closing;

    private ReplicatedKvNode(final KvNodeConfig config, final DataDirectory directory, final Storage storage,
        final Node node, final MembershipComponent membership, final StoreHandle store, final int maxValueBytes,
        final KvHttpServer http, final KeyringReload keyringReload)
    {
        this.keyringReload = keyringReload;
        this.config = config;
        this.directory = directory;
        this.storage = storage;
        this.node = node;
        this.membership = membership;
        this.store = store;
        this.maxValueBytes = maxValueBytes;
        this.http = http;
    }

    /**
     * Open the storage, start the transport and the node, and listen for HTTP.
     *
     * @param config the settings; checked here.
     * @return the running node; close it.
     * @throws KvConfigException             if a setting is missing or out of range, the keyring or HTTP token
     *                                       cannot be read, or the cluster address is not loopback and neither a
     *                                       keyring nor insecure is configured.
     * @throws IllegalStateException         if another node holds the data directory.
     * @throws java.io.UncheckedIOException  if the data directory or the HTTP address is not usable.
     * @throws io.datacake.storage.StorageException if the storage cannot be opened.
     * @throws io.aeron.exceptions.AeronException   if the cluster address cannot be bound (e.g. the port is taken).
     */
    public static ReplicatedKvNode start(final KvNodeConfig config)
    {
        Objects.requireNonNull(config, "config").validate();
        final Keyring keyring = NodeSecrets.keyring(config);
        NodeSecrets.requireSecured(config, keyring);
        final BearerToken httpToken = NodeSecrets.httpToken(config);
        DataDirectory directory = null;
        Storage storage = null;
        AeronTransport transport = null;
        Node node = null;
        try
        {
            directory = DataDirectory.open(config.dataDir());
            storage = openStorage(config.storage(), directory);

            final HostPort listen = config.clusterListen();
            transport = AeronTransport.launch(
                new AeronDriverSettings()
                    .embeddedBaseDirectory(directory.aeronBase())
                    .driverIdleStrategy(ReplicatedKvNode::driverIdleStrategy),
                AeronEndpoint.udp(listen.host(), listen.port(), STREAM_ID),
                new AeronTransportSettings());

            final MembershipContext membershipContext = new MembershipContext()
                .dataCentre(config.dataCentre())
                .gossipIntervalMs(config.gossipIntervalMs())
                .publicEndpoint(endpoint(config.clusterAddress()));
            boolean onlySelf = true;
            for (final HostPort seed : config.seeds())
            {
                membershipContext.seeds(endpoint(seed));
                onlySelf &= seed.equals(config.clusterAddress());
            }
            membershipContext.bootstrap(onlySelf);
            final MembershipComponent membership = new MembershipComponent(membershipContext);

            final StoreContext storeContext = new StoreContext()
                .storage(storage)
                .clusterView(membership)
                .requestTimeoutMs(config.requestTimeoutMs())
                .repairIntervalMs(config.repairIntervalMs());
            final ReplicatedStore replicatedStore = new ReplicatedStore(storeContext);
            final int maxValueBytes = storeContext.writerContext().maxValueLength();

            final HttpCounters httpCounters = new HttpCounters();
            node = Node.launch(new NodeContext()
                .nodeId(config.nodeId())
                .clusterId(config.clusterId())
                .keyring(keyring)
                .frameProtection(config.frameProtection())
                .transport(transport)
                .ownsTransport(true)
                .addComponent(membership)
                .addComponent(replicatedStore));
            transport = null;
            final StoreHandle store = replicatedStore.handle(node);
            final CountersReader counters = node.counters().reader();
            final String address = config.clusterAddress().toString();
            final KeyringReload keyringReload = new KeyringReload(config, node);
            final KvHttpServer http = KvHttpServer.start(config.httpListen(), httpToken, new KvApi(store, membership,
                counters, httpCounters, address, maxValueBytes, config.requestTimeoutMs(), keyringReload), httpCounters);
            LOGGER.log(Level.INFO, "node " + config.nodeId() + " cluster traffic " + (null == keyring ?
                "NOT secured (no keyring)" : config.frameProtection().name().toLowerCase(Locale.ROOT) + " with " +
                keyring) + ", HTTP API " + (null == httpToken ? "without a token" : "requires a bearer token"));
            return new ReplicatedKvNode(
                config, directory, storage, node, membership, store, maxValueBytes, http, keyringReload);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(node, transport, storage, directory);
            throw ex;
        }
    }

    /**
     * The Aeron UDP endpoint of a cluster address, as membership publishes and resolves it.
     *
     * @param address {@code HOST:PORT}.
     * @return e.g. {@code aeron:udp?endpoint=127.0.0.1:7401|stream-id=1001}.
     */
    public static String endpoint(final HostPort address)
    {
        return AeronEndpoint.udp(address.host(), address.port(), STREAM_ID).toString();
    }

    private static IdleStrategy driverIdleStrategy()
    {
        return new BackoffIdleStrategy(AeronDriverSettings.DEFAULT_IDLE_MAX_SPINS,
            AeronDriverSettings.DEFAULT_IDLE_MAX_YIELDS, AeronDriverSettings.DEFAULT_IDLE_MIN_PARK_NS,
            DRIVER_MAX_PARK_NS);
    }

    private static Storage openStorage(final StorageKind kind, final DataDirectory directory)
    {
        return switch (kind)
        {
            case LMDB -> LmdbStorage.open(
                new LmdbStorageConfig(directory.lmdbDirectory()).durability(LmdbDurability.SYNC));
            case SQLITE -> SqliteStorage.open(
                new SqliteStorageConfig(directory.sqliteFile()).durability(SqliteDurability.FULL));
            case MEMORY -> new MemoryStorage();
        };
    }

    /**
     * Read the keyring again from the configured file or environment variable and install it on the running node:
     * one step of a key rotation (see {@link Keyring}). On failure the node keeps its keyring.
     *
     * @return the keyring now in use.
     * @throws IllegalStateException if the node runs without a keyring, or the node did not take the new one.
     * @throws KvConfigException     if the keyring cannot be read or is invalid.
     */
    public Keyring reloadKeyring()
    {
        return keyringReload.reload();
    }

    /**
     * @return this node's id.
     */
    public int nodeId()
    {
        return node.nodeId();
    }

    /**
     * @return the address the HTTP API is bound to (the port picked when 0 was asked for).
     */
    public InetSocketAddress httpAddress()
    {
        return http.address();
    }

    /**
     * @return the cluster address peers use, {@code HOST:PORT}.
     */
    public HostPort clusterAddress()
    {
        return config.clusterAddress();
    }

    /**
     * @return the data directory in use (a temporary one if none was configured).
     */
    public Path dataDirectory()
    {
        return directory.path();
    }

    /**
     * @return the store's handle, for embedding applications (thread safe).
     */
    public StoreHandle store()
    {
        return store;
    }

    /**
     * @return the members this node knows, itself included (a snapshot, thread safe).
     */
    public List<ClusterMember> members()
    {
        return membership.members();
    }

    /**
     * @return the largest value the store accepts, in bytes; the HTTP API answers 413 above it.
     */
    public int maxValueBytes()
    {
        return maxValueBytes;
    }

    /**
     * @return the node, e.g. for its counters.
     */
    public Node node()
    {
        return node;
    }

    /**
     * Wait until {@link #close()} has finished, from any thread.
     *
     * @throws InterruptedException if interrupted while waiting.
     */
    public void awaitClosed() throws InterruptedException
    {
        closed.await();
    }

    /**
     * Wait, bounded, until {@link #close()} has finished.
     *
     * @param timeoutMs longest wait.
     * @return true if closed.
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean awaitClosed(final long timeoutMs) throws InterruptedException
    {
        return closed.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Stop taking requests, close the node (which fails the writes still waiting, so request threads finish),
     * transport and media driver, then the storage, then release the data directory. Idempotent.
     */
    public void close()
    {
        synchronized (this)
        {
            if (closing)
            {
                return;
            }
            closing = true;
        }
        try
        {
            http.stopAccepting();
            CloseHelper.quietClose(node);
            if (!http.awaitRequests())
            {
                LOGGER.log(Level.WARNING, "HTTP requests still running after " + KvHttpServer.CLOSE_WAIT_MS +
                    " ms; closing the storage under them");
            }
            CloseHelper.quietClose(storage);
            directory.close();
        }
        finally
        {
            closed.countDown();
        }
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "ReplicatedKvNode{nodeId=" + node.nodeId() + ", cluster=" + config.clusterAddress() + ", http=" +
            http.address() + ", storage=" + config.storage() + ", dataDir=" + directory.path() + "}";
    }
}
