package io.datacake.kv;

import io.datacake.clock.HlcTimestamp;
import io.datacake.membership.MembershipContext;
import io.datacake.security.FrameProtection;
import io.datacake.store.StoreContext;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * The settings of a {@link ReplicatedKvNode}. Set them fluently, or read them from {@code key=value} properties whose
 * keys are the command line's long option names without the dashes ({@code node-id=1}, {@code seed=h1:7401,h2:7401});
 * {@link #fromProperties(Map)} checks every value and names the option in its message.
 * <p>
 * No setting holds a secret: the cluster's keyring and the HTTP bearer token are read from the files or environment
 * variables named here, so they never appear on a command line, in a process listing or in a config echo.
 */
public final class KvNodeConfig
{
    /** {@code --node-id}: this node's id, unique in the cluster, required. */
    public static final String NODE_ID = "node-id";
    /** {@code --data-dir}: where storage and the Aeron driver's files go. */
    public static final String DATA_DIR = "data-dir";
    /** {@code --storage}: lmdb, sqlite or memory. */
    public static final String STORAGE = "storage";
    /** {@code --cluster-listen}: UDP host and port for node-to-node traffic. */
    public static final String CLUSTER_LISTEN = "cluster-listen";
    /** {@code --cluster-public}: the host and port peers use to reach this node, if not the listen address. */
    public static final String CLUSTER_PUBLIC = "cluster-public";
    /** {@code --http-listen}: TCP host and port of the HTTP API. */
    public static final String HTTP_LISTEN = "http-listen";
    /** {@code --seed}: a peer's cluster address to join through; repeatable (comma separated in a file). */
    public static final String SEED = "seed";
    /** {@code --dc}: this node's data centre. */
    public static final String DC = "dc";
    /** {@code --cluster-id}: frames from another cluster id are dropped. */
    public static final String CLUSTER_ID = "cluster-id";
    /** {@code --request-timeout-ms}: how long a write waits for each replica. */
    public static final String REQUEST_TIMEOUT_MS = "request-timeout-ms";
    /** {@code --gossip-interval-ms}: time between gossip rounds and heartbeats. */
    public static final String GOSSIP_INTERVAL_MS = "gossip-interval-ms";
    /** {@code --repair-interval-ms}: time between anti-entropy rounds. */
    public static final String REPAIR_INTERVAL_MS = "repair-interval-ms";

    /** {@code --keyring-file}: file holding the cluster's keyring (see {@link io.datacake.security.Keyring}). */
    public static final String KEYRING_FILE = "keyring-file";
    /** {@code --keyring-env}: environment variable holding the cluster's keyring. */
    public static final String KEYRING_ENV = "keyring-env";
    /** {@code --frame-protection}: authenticate or encrypt every frame; needs a keyring. */
    public static final String FRAME_PROTECTION = "frame-protection";
    /** {@code --insecure}: allow cluster traffic on a non-loopback address without a keyring. */
    public static final String INSECURE = "insecure";
    /** {@code --http-token-file}: file holding the bearer token every HTTP request must carry. */
    public static final String HTTP_TOKEN_FILE = "http-token-file";
    /** {@code --http-token-env}: environment variable holding the bearer token every HTTP request must carry. */
    public static final String HTTP_TOKEN_ENV = "http-token-env";

    /** Every key {@link #fromProperties(Map)} accepts. */
    public static final Set<String> KEYS = Set.of(NODE_ID, DATA_DIR, STORAGE, CLUSTER_LISTEN, CLUSTER_PUBLIC,
        HTTP_LISTEN, SEED, DC, CLUSTER_ID, REQUEST_TIMEOUT_MS, GOSSIP_INTERVAL_MS, REPAIR_INTERVAL_MS, KEYRING_FILE,
        KEYRING_ENV, FRAME_PROTECTION, INSECURE, HTTP_TOKEN_FILE, HTTP_TOKEN_ENV);

    /** Default cluster (UDP) listen address. */
    public static final String DEFAULT_CLUSTER_LISTEN = "127.0.0.1:7401";
    /** Default HTTP listen address: loopback, so the API is not exposed unless asked. */
    public static final String DEFAULT_HTTP_LISTEN = "127.0.0.1:8080";
    /** Longest accepted timeout or interval: an hour. */
    public static final long MAX_INTERVAL_MS = 3_600_000;

    private int nodeId = -1;
    private Path dataDir;
    private StorageKind storage = StorageKind.LMDB;
    private HostPort clusterListen = HostPort.parse(DEFAULT_CLUSTER_LISTEN);
    private HostPort clusterPublic;
    private HostPort httpListen = HostPort.parse(DEFAULT_HTTP_LISTEN);
    private final List<HostPort> seeds = new ArrayList<>();
    private String dataCentre = MembershipContext.DEFAULT_DATA_CENTRE;
    private long clusterId;
    private long requestTimeoutMs = StoreContext.DEFAULT_REQUEST_TIMEOUT_MS;
    private long gossipIntervalMs = MembershipContext.DEFAULT_GOSSIP_INTERVAL_MS;
    private long repairIntervalMs = StoreContext.DEFAULT_REPAIR_INTERVAL_MS;
    private Path keyringFile;
    private String keyringEnv;
    private FrameProtection frameProtection;
    private boolean insecure;
    private Path httpTokenFile;
    private String httpTokenEnv;

    /**
     * Settings from properties, over the defaults.
     *
     * @param properties option name (without dashes) to value.
     * @return the checked settings.
     * @throws KvConfigException naming the first unknown key or bad value, or {@code --node-id} when it is missing.
     */
    public static KvNodeConfig fromProperties(final Map<String, String> properties)
    {
        final KvNodeConfig config = new KvNodeConfig();
        for (final Map.Entry<String, String> entry : properties.entrySet())
        {
            config.apply(entry.getKey(), entry.getValue().trim());
        }
        return config.validate();
    }

    /**
     * Read a properties file ({@code key=value} lines, {@code #} comments) as option name to value.
     *
     * @param file the file.
     * @return the entries in file order.
     * @throws KvConfigException naming {@code --config} if the file cannot be read.
     */
    public static Map<String, String> readProperties(final Path file)
    {
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new KvConfigException("config", "Invalid value for option '--config': cannot read '" + file +
                "' as key=value properties: " + ex.getMessage());
        }
        final Map<String, String> entries = new LinkedHashMap<>();
        for (final String name : properties.stringPropertyNames())
        {
            entries.put(name, properties.getProperty(name));
        }
        return entries;
    }

    /**
     * Check the settings as a whole.
     *
     * @return this.
     * @throws KvConfigException if the node id is missing or a value is out of range.
     */
    public KvNodeConfig validate()
    {
        if (nodeId < 0)
        {
            throw new KvConfigException(NODE_ID, "Missing option '--node-id': every node needs an id 0.." +
                HlcTimestamp.MAX_NODE_ID + ", unique in the cluster");
        }
        if (0 == clusterListen.port())
        {
            throw invalid(CLUSTER_LISTEN, "HOST:PORT with a port 1..65535", clusterListen.toString());
        }
        if (null != clusterPublic && 0 == clusterPublic.port())
        {
            throw invalid(CLUSTER_PUBLIC, "HOST:PORT with a port 1..65535", clusterPublic.toString());
        }
        if (seeds.size() > MembershipContext.MAX_SEEDS)
        {
            throw invalid(SEED, "at most " + MembershipContext.MAX_SEEDS + " seeds", seeds.size() + " seeds");
        }
        if (null != keyringFile && null != keyringEnv)
        {
            throw new KvConfigException(KEYRING_ENV, "Options '--keyring-file' and '--keyring-env' exclude each " +
                "other: give the keyring one way");
        }
        if (null != frameProtection && !hasKeyring())
        {
            throw new KvConfigException(FRAME_PROTECTION, "Option '--frame-protection' needs a keyring: add " +
                "'--keyring-file' or '--keyring-env'");
        }
        if (null != httpTokenFile && null != httpTokenEnv)
        {
            throw new KvConfigException(HTTP_TOKEN_ENV, "Options '--http-token-file' and '--http-token-env' " +
                "exclude each other: give the token one way");
        }
        return this;
    }

    private void apply(final String key, final String value)
    {
        switch (key)
        {
            case NODE_ID -> nodeId((int)parseLong(key, value, 0, HlcTimestamp.MAX_NODE_ID, "a node id"));
            case DATA_DIR -> dataDir(parsePath(key, value, "a directory path"));
            case STORAGE -> storage(parseEnum(StorageKind.class, key, "lmdb, sqlite or memory", value));
            case CLUSTER_LISTEN -> clusterListen(parseHostPort(key, value));
            case CLUSTER_PUBLIC -> clusterPublic(parseHostPort(key, value));
            case HTTP_LISTEN -> httpListen(parseHostPort(key, value));
            case SEED ->
            {
                for (final String seed : value.split(","))
                {
                    if (!seed.isBlank())
                    {
                        addSeed(parseHostPort(key, seed.trim()));
                    }
                }
            }
            case DC ->
            {
                if (value.isEmpty())
                {
                    throw invalid(key, "a non-empty data centre name", value);
                }
                dataCentre(value);
            }
            case CLUSTER_ID -> clusterId(parseLong(key, value, Long.MIN_VALUE, Long.MAX_VALUE, "a 64-bit integer"));
            case REQUEST_TIMEOUT_MS -> requestTimeoutMs(parseLong(key, value, 1, MAX_INTERVAL_MS, "ms"));
            case GOSSIP_INTERVAL_MS -> gossipIntervalMs(parseLong(key, value, 1, MAX_INTERVAL_MS, "ms"));
            case REPAIR_INTERVAL_MS -> repairIntervalMs(parseLong(key, value, 1, MAX_INTERVAL_MS, "ms"));
            case KEYRING_FILE -> keyringFile(parsePath(key, value, "a keyring file path"));
            case KEYRING_ENV -> keyringEnv(parseVariable(key, value));
            case FRAME_PROTECTION ->
                frameProtection(parseEnum(FrameProtection.class, key, "authenticate or encrypt", value));
            case INSECURE -> insecure(parseBoolean(key, value));
            case HTTP_TOKEN_FILE -> httpTokenFile(parsePath(key, value, "a token file path"));
            case HTTP_TOKEN_ENV -> httpTokenEnv(parseVariable(key, value));
            default -> throw new KvConfigException(key, "Unknown option '--" + key + "': expected one of " +
                String.join(", ", KEYS.stream().sorted().toList()));
        }
    }

    private static long parseLong(
        final String key, final String value, final long min, final long max, final String what)
    {
        final long parsed;
        try
        {
            parsed = Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw invalid(key, min + ".." + max + " (" + what + ")", value);
        }
        if (parsed < min || parsed > max)
        {
            throw invalid(key, min + ".." + max + " (" + what + ")", value);
        }
        return parsed;
    }

    private static Path parsePath(final String key, final String value, final String what)
    {
        if (value.isEmpty())
        {
            throw invalid(key, what, value);
        }
        try
        {
            return Path.of(value);
        }
        catch (final RuntimeException ex)
        {
            throw invalid(key, what, value);
        }
    }

    private static String parseVariable(final String key, final String value)
    {
        // A name, never a secret: refusing anything else keeps a key pasted here by mistake out of the error text.
        if (!value.matches("[A-Za-z_][A-Za-z0-9_]{0,127}"))
        {
            throw new KvConfigException(key, "Invalid value for option '--" + key + "': expected the name of an " +
                "environment variable (letters, digits, _), e.g. DATACAKE_KEYRING, not its value");
        }
        return value;
    }

    private static boolean parseBoolean(final String key, final String value)
    {
        return switch (value.toLowerCase(Locale.ROOT))
        {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(key, "true or false", value);
        };
    }

    private static <E extends Enum<E>> E parseEnum(
        final Class<E> type, final String key, final String accepts, final String value)
    {
        try
        {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw invalid(key, accepts, value);
        }
    }

    private static HostPort parseHostPort(final String key, final String value)
    {
        try
        {
            return HostPort.parse(value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw invalid(key, "HOST:PORT (port 0..65535, [brackets] around an IPv6 address)", value);
        }
    }

    private static KvConfigException invalid(final String key, final String accepts, final String value)
    {
        return new KvConfigException(key,
            "Invalid value for option '--" + key + "': expected " + accepts + " but was '" + value + "'");
    }

    /**
     * @param nodeId this node's id, 0..65535, unique in the cluster (it is also the clock's node id).
     * @return this.
     */
    public KvNodeConfig nodeId(final int nodeId)
    {
        this.nodeId = nodeId;
        return this;
    }

    /**
     * @return this node's id, -1 until set.
     */
    public int nodeId()
    {
        return nodeId;
    }

    /**
     * @param dataDir directory for storage and the Aeron driver's files, created if missing; null for a temporary
     *                directory deleted on close (memory storage only makes sense then).
     * @return this.
     */
    public KvNodeConfig dataDir(final Path dataDir)
    {
        this.dataDir = dataDir;
        return this;
    }

    /**
     * @return the data directory, or null for a temporary one.
     */
    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * @param storage where documents are kept (default {@link StorageKind#LMDB}).
     * @return this.
     */
    public KvNodeConfig storage(final StorageKind storage)
    {
        this.storage = Objects.requireNonNull(storage, "storage");
        return this;
    }

    /**
     * @return where documents are kept.
     */
    public StorageKind storage()
    {
        return storage;
    }

    /**
     * @param clusterListen UDP address for node-to-node traffic (default {@value #DEFAULT_CLUSTER_LISTEN}).
     * @return this.
     */
    public KvNodeConfig clusterListen(final HostPort clusterListen)
    {
        this.clusterListen = Objects.requireNonNull(clusterListen, "clusterListen");
        return this;
    }

    /**
     * @return the UDP listen address.
     */
    public HostPort clusterListen()
    {
        return clusterListen;
    }

    /**
     * @param clusterPublic the address peers reach this node at (e.g. when listening on 0.0.0.0), or null for the
     *                      listen address.
     * @return this.
     */
    public KvNodeConfig clusterPublic(final HostPort clusterPublic)
    {
        this.clusterPublic = clusterPublic;
        return this;
    }

    /**
     * @return the address peers use: the public address if set, else the listen address.
     */
    public HostPort clusterAddress()
    {
        return null != clusterPublic ? clusterPublic : clusterListen;
    }

    /**
     * @param httpListen TCP address of the HTTP API (default {@value #DEFAULT_HTTP_LISTEN}); port 0 picks a free one.
     * @return this.
     */
    public KvNodeConfig httpListen(final HostPort httpListen)
    {
        this.httpListen = Objects.requireNonNull(httpListen, "httpListen");
        return this;
    }

    /**
     * @return the HTTP listen address.
     */
    public HostPort httpListen()
    {
        return httpListen;
    }

    /**
     * @param seed a peer's cluster address to join through; this node's own address is allowed and skipped.
     * @return this.
     */
    public KvNodeConfig addSeed(final HostPort seed)
    {
        seeds.add(Objects.requireNonNull(seed, "seed"));
        return this;
    }

    /**
     * @return the seeds; none makes this node the first of a new cluster.
     */
    public List<HostPort> seeds()
    {
        return List.copyOf(seeds);
    }

    /**
     * @param dataCentre this node's data centre (default {@value MembershipContext#DEFAULT_DATA_CENTRE}).
     * @return this.
     */
    public KvNodeConfig dataCentre(final String dataCentre)
    {
        this.dataCentre = Objects.requireNonNull(dataCentre, "dataCentre");
        return this;
    }

    /**
     * @return this node's data centre.
     */
    public String dataCentre()
    {
        return dataCentre;
    }

    /**
     * @param clusterId id every node of the cluster shares (default 0); frames of other clusters are dropped.
     * @return this.
     */
    public KvNodeConfig clusterId(final long clusterId)
    {
        this.clusterId = clusterId;
        return this;
    }

    /**
     * @return the cluster id.
     */
    public long clusterId()
    {
        return clusterId;
    }

    /**
     * @param requestTimeoutMs how long a write waits for each replica before it fails, 1..{@value #MAX_INTERVAL_MS}.
     * @return this.
     */
    public KvNodeConfig requestTimeoutMs(final long requestTimeoutMs)
    {
        this.requestTimeoutMs = requestTimeoutMs;
        return this;
    }

    /**
     * @return the per-replica write timeout in milliseconds.
     */
    public long requestTimeoutMs()
    {
        return requestTimeoutMs;
    }

    /**
     * @param gossipIntervalMs time between gossip rounds; failure detection takes a few of them.
     * @return this.
     */
    public KvNodeConfig gossipIntervalMs(final long gossipIntervalMs)
    {
        this.gossipIntervalMs = gossipIntervalMs;
        return this;
    }

    /**
     * @return the gossip interval in milliseconds.
     */
    public long gossipIntervalMs()
    {
        return gossipIntervalMs;
    }

    /**
     * @param repairIntervalMs time between anti-entropy rounds, which bring a node that missed writes up to date.
     * @return this.
     */
    public KvNodeConfig repairIntervalMs(final long repairIntervalMs)
    {
        this.repairIntervalMs = repairIntervalMs;
        return this;
    }

    /**
     * @return the repair interval in milliseconds.
     */
    public long repairIntervalMs()
    {
        return repairIntervalMs;
    }

    /**
     * @param keyringFile file holding the cluster's keyring (format in {@link io.datacake.security.Keyring}), read
     *                    at start and on every reload; readable by the node's user only. Null for none.
     * @return this.
     */
    public KvNodeConfig keyringFile(final Path keyringFile)
    {
        this.keyringFile = keyringFile;
        return this;
    }

    /**
     * @return the keyring file, or null.
     */
    public Path keyringFile()
    {
        return keyringFile;
    }

    /**
     * @param keyringEnv name of the environment variable holding the cluster's keyring, or null for none.
     * @return this.
     */
    public KvNodeConfig keyringEnv(final String keyringEnv)
    {
        this.keyringEnv = keyringEnv;
        return this;
    }

    /**
     * @return the keyring's environment variable name, or null.
     */
    public String keyringEnv()
    {
        return keyringEnv;
    }

    /**
     * @return true if a keyring file or environment variable is configured.
     */
    public boolean hasKeyring()
    {
        return null != keyringFile || null != keyringEnv;
    }

    /**
     * @param frameProtection what the keyring does to every frame, the same on every node; null for the default,
     *                        {@link FrameProtection#AUTHENTICATE}. Needs a keyring.
     * @return this.
     */
    public KvNodeConfig frameProtection(final FrameProtection frameProtection)
    {
        this.frameProtection = frameProtection;
        return this;
    }

    /**
     * @return the frame protection: the one set, else {@link FrameProtection#AUTHENTICATE}.
     */
    public FrameProtection frameProtection()
    {
        return null != frameProtection ? frameProtection : FrameProtection.AUTHENTICATE;
    }

    /**
     * @param insecure true to allow cluster traffic on a non-loopback address without a keyring: anyone who reaches
     *                 the address can then read, forge and alter every frame. Default false.
     * @return this.
     */
    public KvNodeConfig insecure(final boolean insecure)
    {
        this.insecure = insecure;
        return this;
    }

    /**
     * @return true if running without a keyring on a non-loopback address is allowed.
     */
    public boolean insecure()
    {
        return insecure;
    }

    /**
     * @param httpTokenFile file holding the bearer token every HTTP request must carry, or null for none.
     * @return this.
     */
    public KvNodeConfig httpTokenFile(final Path httpTokenFile)
    {
        this.httpTokenFile = httpTokenFile;
        return this;
    }

    /**
     * @return the HTTP token file, or null.
     */
    public Path httpTokenFile()
    {
        return httpTokenFile;
    }

    /**
     * @param httpTokenEnv name of the environment variable holding the HTTP bearer token, or null for none.
     * @return this.
     */
    public KvNodeConfig httpTokenEnv(final String httpTokenEnv)
    {
        this.httpTokenEnv = httpTokenEnv;
        return this;
    }

    /**
     * @return the HTTP token's environment variable name, or null.
     */
    public String httpTokenEnv()
    {
        return httpTokenEnv;
    }
}
