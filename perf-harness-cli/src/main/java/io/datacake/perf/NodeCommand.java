package io.datacake.perf;

import io.datacake.kv.KvConfigException;
import io.datacake.kv.KvNodeConfig;
import io.datacake.kv.NodeProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code perf-harness node}: one replicated key-value node as this process, serving its HTTP API until SIGTERM or
 * SIGINT (see {@link io.datacake.kv.ReplicatedKvNode}). Settings come from the options and from {@code --config}, a
 * properties file with the same names without dashes; an option on the command line wins over the file.
 */
@Command(name = "node", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
    description = {
        "Run one replicated key-value node: Aeron UDP between nodes, gossip membership, an HTTP API " +
            "(PUT/POST/GET/DELETE /{keyspace}/{key}?consistency=..., GET /cluster, GET /metrics).",
        "Durability: LMDB commits with SYNC and SQLite with synchronous=FULL before a write is acknowledged, so an " +
            "acknowledged write survives kill -9 and power loss; a restarted node catches up on the rest from its " +
            "peers (anti-entropy). Memory storage keeps nothing across restarts.",
        "SIGTERM or Ctrl-C closes the node cleanly: HTTP, node, transport and media driver, storage." },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "143:stopped by SIGTERM (130 by SIGINT) after a clean close",
        "1:the node could not start (port in use, data directory held by another node, storage unreadable)",
        "2:bad option or value (the first line names it), an unreadable keyring or token, or a non-loopback " +
            "cluster address without a keyring or --insecure" })
public final class NodeCommand implements Callable<Integer>
{
    @Option(names = "--config", paramLabel = "<file>",
        description = "Properties file of settings named like these options without dashes (node-id=1, " +
        "seed=h1:7401,h2:7401); options on the command line win.")
    Path config;

    @Option(names = "--node-id", paramLabel = "<id>",
        description = "This node's id, 0..65535, unique in the cluster (required).")
    String nodeId;

    @Option(names = "--data-dir", paramLabel = "<dir>",
        description = "Directory for storage and the Aeron driver's files, created if missing; one node per " +
        "directory (default: a temporary directory deleted on exit).")
    String dataDir;

    @Option(names = "--storage", paramLabel = "<kind>",
        description = "lmdb, sqlite or memory (default: lmdb).")
    String storage;

    @Option(names = "--cluster-listen", paramLabel = "<host:port>",
        description = "UDP address for node-to-node traffic (default: " + KvNodeConfig.DEFAULT_CLUSTER_LISTEN + ").")
    String clusterListen;

    @Option(names = "--cluster-public", paramLabel = "<host:port>",
        description = "Address peers reach this node at, when not the listen address (e.g. listening on 0.0.0.0).")
    String clusterPublic;

    @Option(names = "--http-listen", paramLabel = "<host:port>",
        description = "HTTP API address, port 0 for a free one (default: " + KvNodeConfig.DEFAULT_HTTP_LISTEN +
        ", loopback only).")
    String httpListen;

    @Option(names = "--seed", paramLabel = "<host:port>",
        description = "A peer's cluster address to join through; repeatable; this node's own is skipped. None: " +
        "this node starts a new cluster.")
    List<String> seeds;

    @Option(names = "--dc", paramLabel = "<name>",
        description = "This node's data centre (default: default).")
    String dataCentre;

    @Option(names = "--cluster-id", paramLabel = "<long>",
        description = "Id every node of the cluster shares; frames of other clusters are dropped (default: 0).")
    String clusterId;

    @Option(names = "--request-timeout-ms", paramLabel = "<ms>",
        description = "How long a write waits for each replica, 1..3600000 ms (default: 5000).")
    String requestTimeoutMs;

    @Option(names = "--gossip-interval-ms", paramLabel = "<ms>",
        description = "Time between gossip rounds; failure detection takes a few, 1..3600000 ms (default: 1000).")
    String gossipIntervalMs;

    @Option(names = "--repair-interval-ms", paramLabel = "<ms>",
        description = "Time between anti-entropy rounds, 1..3600000 ms (default: 10000).")
    String repairIntervalMs;

    @Option(names = "--keyring-file", paramLabel = "<file>",
        description = "File holding the cluster's keyring (primary = <id>, key.<id> = <Base64 of 32 random bytes>); " +
        "every frame between nodes is then authenticated or encrypted. Re-read on SIGHUP and on " +
        "POST /admin/keyring/reload. No option takes a key itself.")
    String keyringFile;

    @Option(names = "--keyring-env", paramLabel = "<variable>",
        description = "Name of the environment variable holding the keyring (\"primary=1;key.1=...\"), instead " +
        "of a file.")
    String keyringEnv;

    @Option(names = "--frame-protection", paramLabel = "<mode>",
        description = "authenticate (HMAC on every frame) or encrypt (AES-CTR, then the HMAC); needs a keyring " +
        "(default: authenticate).")
    String frameProtection;

    @Option(names = "--insecure",
        description = "Allow cluster traffic on a non-loopback address without a keyring: anyone reaching it can " +
        "read and forge it. Without this the node refuses to start there.")
    boolean insecure;

    @Option(names = "--http-token-file", paramLabel = "<file>",
        description = "File holding a bearer token (16+ printable characters); every HTTP request must then send " +
        "'Authorization: Bearer <token>' or gets 401.")
    String httpTokenFile;

    @Option(names = "--http-token-env", paramLabel = "<variable>",
        description = "Name of the environment variable holding the HTTP bearer token, instead of a file.")
    String httpTokenEnv;

    @Spec
    CommandSpec spec;

    /**
     * Check the settings, start the node and serve until a signal closes it.
     *
     * @return the exit code once the node closed.
     * @throws ParameterException   if a setting is missing or bad, the keyring or token cannot be read, or the
     *                              cluster address needs a keyring (exit code 2).
     * @throws InterruptedException if the waiting thread is interrupted.
     */
    public Integer call() throws InterruptedException
    {
        final KvNodeConfig settings = settings();
        try
        {
            return NodeProcess.run(settings, System.out);
        }
        catch (final KvConfigException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
    }

    /**
     * The settings: the {@code --config} file, then the options given on the command line over it.
     *
     * @return the checked settings.
     * @throws ParameterException naming the first bad setting.
     */
    KvNodeConfig settings()
    {
        try
        {
            final Map<String, String> settings = new LinkedHashMap<>();
            if (null != config)
            {
                settings.putAll(KvNodeConfig.readProperties(config));
            }
            // Every setting's key is its option's name without the dashes.
            for (final OptionSpec option : spec.options())
            {
                final String value = valueOf(option);
                if (null != value && option != spec.findOption("--config"))
                {
                    settings.put(option.longestName().substring(2), value);
                }
            }
            return KvNodeConfig.fromProperties(settings);
        }
        catch (final KvConfigException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
    }

    /**
     * An option's value as a setting: null if not given (or a flag not set), a list joined with commas.
     */
    private static String valueOf(final OptionSpec option)
    {
        if (option.usageHelp() || option.versionHelp())
        {
            return null;
        }
        final Object value = option.getValue();
        if (value instanceof Boolean flag)
        {
            return flag ? "true" : null;
        }
        if (value instanceof List<?> list)
        {
            return list.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        return null == value ? null : value.toString();
    }
}
