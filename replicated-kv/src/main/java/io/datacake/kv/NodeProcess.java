package io.datacake.kv;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Runs one {@link ReplicatedKvNode} as the process's job until SIGTERM or SIGINT: a JVM shutdown hook closes it
 * (HTTP, node, transport and driver, storage), so the process exits promptly and cleanly.
 * <p>
 * {@link #main} takes the settings as {@code key=value} arguments named like the command line options
 * ({@code node-id=1 data-dir=/var/lib/kv seed=10.0.0.1:7401}), plus {@code config=FILE} for a properties file that
 * the other arguments override. Exit codes: 1 the node failed to start, 2 a bad setting; after SIGTERM (SIGINT) the
 * JVM exits with 143 (130) once the hook has closed the node. SIGHUP reloads the keyring file (or variable): one step
 * of a key rotation, see {@link ReplicatedKvNode#reloadKeyring()}; a process started with SIGHUP ignored (under
 * {@code nohup}) cannot, and logs a warning that names the HTTP reload instead. Bad settings include an unreadable
 * keyring or token and a non-loopback cluster address without a keyring and without {@code insecure=true}.
 */
public final class NodeProcess
{
    /** What {@link #run} returns once the node closed; a signal's exit status (143, 130) overrides it. */
    public static final int EXIT_STOPPED = 0;
    /** Exit code of a node that could not start (port taken, data directory locked, storage unreadable). */
    public static final int EXIT_FAILED = 1;
    /** Exit code of a bad setting. */
    public static final int EXIT_BAD_OPTION = 2;

    /** Start of the line printed once the node serves requests. */
    public static final String READY = "datacake-kv node ready:";

    private static final System.Logger LOGGER = System.getLogger(NodeProcess.class.getName());

    /** Key of {@link #main}'s properties file argument. */
    public static final String CONFIG = "config";

    private NodeProcess()
    {
    }

    /**
     * Start the node, print the {@link #READY} line, and serve until a signal closes it.
     *
     * @param config the settings.
     * @param out    where the ready line goes.
     * @return {@link #EXIT_STOPPED} once the node closed.
     * @throws InterruptedException if the waiting thread is interrupted (the node is closed first).
     * @throws KvConfigException    if the keyring or token cannot be read or the cluster address needs a keyring.
     * @throws RuntimeException     as {@link ReplicatedKvNode#start} throws when the node cannot start.
     */
    public static int run(final KvNodeConfig config, final PrintStream out) throws InterruptedException
    {
        final ReplicatedKvNode node = ReplicatedKvNode.start(config);
        final Thread hook = new Thread(node::close, "datacake-kv-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        reloadKeyringOnHangup(node);
        out.println(READY + " node " + node.nodeId() + ", http " + node.httpAddress().getHostString() + ":" +
            node.httpAddress().getPort() + ", cluster " + node.clusterAddress() + ", storage " +
            config.storage().name().toLowerCase(Locale.ROOT) + ", data " + node.dataDirectory());
        out.flush();
        try
        {
            node.awaitClosed();
        }
        finally
        {
            node.close();
        }
        return EXIT_STOPPED;
    }

    private static void reloadKeyringOnHangup(final ReplicatedKvNode node)
    {
        try
        {
            final sun.misc.SignalHandler previous = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), (signal) ->
            {
                try
                {
                    node.reloadKeyring();
                }
                catch (final RuntimeException ex)
                {
                    LOGGER.log(System.Logger.Level.WARNING, "SIGHUP: keyring reload failed, the node keeps its " +
                        "keyring: " + ex.getMessage());
                }
            });
            if (sun.misc.SignalHandler.SIG_IGN == previous)
            {
                // A process started with SIGHUP ignored (nohup does that) keeps it ignored: the JVM will not
                // install a handler over it, so a SIGHUP would silently do nothing.
                LOGGER.log(System.Logger.Level.WARNING, "SIGHUP is ignored in this process (started under nohup " +
                    "or with SIGHUP ignored), so it cannot reload the keyring: use POST /admin/keyring/reload, or " +
                    "start the node without ignoring SIGHUP");
            }
        }
        catch (final IllegalArgumentException ex)
        {
            LOGGER.log(System.Logger.Level.INFO, "no SIGHUP on this platform: reload the keyring with " +
                "POST /admin/keyring/reload");
        }
    }

    /**
     * Entry point: {@code key=value} settings, see the class documentation.
     *
     * @param args the settings.
     */
    public static void main(final String[] args)
    {
        System.exit(runMain(args, System.out, System.err));
    }

    static int runMain(final String[] args, final PrintStream out, final PrintStream err)
    {
        final KvNodeConfig config;
        try
        {
            final Map<String, String> given = new LinkedHashMap<>();
            for (final String arg : args)
            {
                final int equals = arg.indexOf('=');
                if (equals <= 0)
                {
                    throw new KvConfigException(arg, "Invalid argument '" + arg + "': expected key=value, e.g. " +
                        "node-id=1");
                }
                given.put(arg.substring(0, equals), arg.substring(equals + 1));
            }
            final Map<String, String> settings = new LinkedHashMap<>();
            final String file = given.remove(CONFIG);
            if (null != file)
            {
                settings.putAll(KvNodeConfig.readProperties(Path.of(file)));
            }
            settings.putAll(given);
            config = KvNodeConfig.fromProperties(settings);
        }
        catch (final KvConfigException ex)
        {
            err.println(ex.getMessage());
            return EXIT_BAD_OPTION;
        }
        try
        {
            return run(config, out);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return EXIT_FAILED;
        }
        catch (final KvConfigException ex)
        {
            err.println(ex.getMessage());
            return EXIT_BAD_OPTION;
        }
        catch (final RuntimeException ex)
        {
            err.println("datacake-kv node failed: " + ex.getMessage());
            return EXIT_FAILED;
        }
    }
}
