package io.datacake.kv;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Linux network namespaces for node processes, made with the {@code ip} and {@code tc} commands (root needed):
 * <pre>
 *   node namespace i:  c0  10.213.R.(i+1)/24  --veth--  pI in the hub namespace, on bridge br0  (cluster link)
 *                      m0  10.214.R.(4i+2)/30 --veth--  host side 10.214.R.(4i+1)/30            (HTTP link)
 * </pre>
 * Cluster traffic runs only inside the namespaces; the host gets one point-to-point veth per node so the test
 * process reaches each node's HTTP API. Faults touch only the cluster link: {@link #cut} sets the node's bridge
 * port down, {@link #impair} puts a {@code netem} qdisc on the node's end of it.
 * <p>
 * Names carry a prefix, the creating process's id and a random suffix, so parallel runs never clash and a later
 * run removes what a killed run left ({@link #removeStale()}). {@link #close()} removes everything; a JVM shutdown
 * hook does it too if the test never gets there.
 */
final class NetworkNamespaces implements AutoCloseable
{
    /** Start of every namespace name this class makes. */
    static final String PREFIX = "dckv-";
    /** UDP port of each node's cluster endpoint: every namespace has its own port space. */
    static final int CLUSTER_PORT = 7401;

    private static final long COMMAND_TIMEOUT_S = 20;
    private static final String IP = "ip";
    private static final String TC = "tc";
    private static final String HUB = "hub";
    private static final String BRIDGE = "br0";
    private static final String CLUSTER_LINK = "c0";
    private static final String HTTP_LINK = "m0";
    private static final int SUBNETS = 256;

    private final String run;
    private final int subnet;
    private final int nodes;
    private final List<String> created = new ArrayList<>();
    private final Thread shutdownHook;
    private boolean closed;

    private NetworkNamespaces(final int nodes, final int subnet)
    {
        this.nodes = nodes;
        this.run = ProcessHandle.current().pid() + "-" +
            Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        this.subnet = subnet;
        this.shutdownHook = new Thread(this::closeQuietly, "netns-cleanup");
    }

    /**
     * Whether this process may make namespaces: tries to add and delete one.
     *
     * @return null when it may, else why not.
     */
    static String unavailableReason()
    {
        final String probe = PREFIX + ProcessHandle.current().pid() + "-probe";
        try
        {
            run(IP, "netns", "add", probe);
            run(IP, "netns", "delete", probe);
            return null;
        }
        catch (final IOException | RuntimeException ex)
        {
            return ex.getMessage();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return ex.toString();
        }
    }

    /**
     * Make the namespaces, links and addresses for some nodes; on failure removes what it made and throws.
     *
     * @param nodes how many node namespaces, 1 to 63 (the HTTP links' /30 subnets must fit one /24).
     * @return the namespaces, to close.
     * @throws IOException when an {@code ip} command fails, with its output.
     */
    static NetworkNamespaces create(final int nodes) throws IOException, InterruptedException
    {
        if (nodes < 1 || nodes > 63)
        {
            throw new IllegalArgumentException("nodes must be 1 to 63, was " + nodes);
        }
        removeStale();
        final NetworkNamespaces namespaces = new NetworkNamespaces(nodes, freeSubnet());
        Runtime.getRuntime().addShutdownHook(namespaces.shutdownHook);
        try
        {
            namespaces.build();
            return namespaces;
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            namespaces.close();
            throw ex;
        }
    }

    /**
     * Delete namespaces with {@link #PREFIX} whose creating process is gone (their veth pairs go with them).
     */
    static void removeStale() throws IOException, InterruptedException
    {
        for (final String line : run(IP, "netns", "list").split("\n"))
        {
            final String name = line.split(" ", 2)[0];
            if (name.startsWith(PREFIX))
            {
                final String pid = name.substring(PREFIX.length()).split("-", 2)[0];
                if (pid.chars().allMatch(Character::isDigit) && !pid.isEmpty() &&
                    ProcessHandle.of(Long.parseLong(pid)).isEmpty())
                {
                    run(IP, "netns", "delete", name);
                }
            }
        }
    }

    /**
     * @return the name of a node's namespace.
     */
    String namespace(final int node)
    {
        return PREFIX + run + "-n" + (node + 1);
    }

    /**
     * @return the address of a node's cluster link, reachable only from the other node namespaces.
     */
    String clusterAddress(final int node)
    {
        return "10.213." + subnet + "." + (node + 1);
    }

    /**
     * @return the address a node's HTTP API listens on, reachable from the host.
     */
    String httpAddress(final int node)
    {
        return "10.214." + subnet + "." + (4 * node + 2);
    }

    /**
     * @return the command words that run a command inside a node's namespace.
     */
    List<String> launcher(final int node)
    {
        return List.of(IP, "netns", "exec", namespace(node));
    }

    /**
     * Cut a node's cluster link: its bridge port goes down, so nothing passes either way.
     */
    void cut(final int node) throws IOException, InterruptedException
    {
        run(IP, "-n", hub(), "link", "set", bridgePort(node), "down");
    }

    /**
     * Restore a node's cluster link after {@link #cut}.
     */
    void restore(final int node) throws IOException, InterruptedException
    {
        run(IP, "-n", hub(), "link", "set", bridgePort(node), "up");
    }

    /**
     * Whether the kernel has the {@code netem} qdisc: tries it on a node's cluster link and removes it.
     *
     * @return null when it has, else the reason.
     */
    String netemUnavailableReason(final int node) throws InterruptedException
    {
        try
        {
            impair(node, "delay", "1ms");
            clear(node);
            return null;
        }
        catch (final IOException ex)
        {
            return ex.getMessage();
        }
    }

    /**
     * Put a {@code netem} qdisc on the node's end of its cluster link (what it sends), e.g. {@code loss 20% delay
     * 20ms}.
     */
    void impair(final int node, final String... netem) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(
            IP, "netns", "exec", namespace(node), TC, "qdisc", "add", "dev", CLUSTER_LINK, "root", "netem"));
        command.addAll(List.of(netem));
        run(command.toArray(String[]::new));
    }

    /**
     * Remove the qdisc {@link #impair} added.
     */
    void clear(final int node) throws IOException, InterruptedException
    {
        run(IP, "netns", "exec", namespace(node), TC, "qdisc", "del", "dev", CLUSTER_LINK, "root");
    }

    /**
     * Delete every namespace and host-side link made; safe to call again.
     */
    public void close()
    {
        closeQuietly();
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException ignore)
        {
            // The JVM is shutting down: the hook runs or ran, and close is idempotent.
        }
    }

    private synchronized void closeQuietly()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (int i = created.size() - 1; i >= 0; i--)
        {
            final String name = created.get(i);
            try
            {
                if (name.startsWith(PREFIX))
                {
                    run(IP, "netns", "delete", name);
                }
                else
                {
                    run(IP, "link", "delete", name);
                }
            }
            catch (final IOException ignore)
            {
                // Already gone: deleting a namespace deletes its veth pairs, the host end asynchronously.
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void build() throws IOException, InterruptedException
    {
        addNamespace(hub());
        run(IP, "-n", hub(), "link", "add", BRIDGE, "type", "bridge");
        run(IP, "-n", hub(), "link", "set", BRIDGE, "up");
        for (int node = 0; node < nodes; node++)
        {
            final String namespace = namespace(node);
            addNamespace(namespace);
            run(IP, "-n", namespace, "link", "set", "lo", "up");

            run(IP, "link", "add", CLUSTER_LINK, "netns", namespace, "type", "veth",
                "peer", "name", bridgePort(node), "netns", hub());
            run(IP, "-n", hub(), "link", "set", bridgePort(node), "master", BRIDGE);
            run(IP, "-n", hub(), "link", "set", bridgePort(node), "up");
            run(IP, "-n", namespace, "addr", "add", clusterAddress(node) + "/24", "dev", CLUSTER_LINK);
            run(IP, "-n", namespace, "link", "set", CLUSTER_LINK, "up");

            final String hostLink = hostLink(node);
            run(IP, "link", "add", hostLink, "type", "veth", "peer", "name", HTTP_LINK, "netns", namespace);
            created.add(hostLink);
            run(IP, "addr", "add", "10.214." + subnet + "." + (4 * node + 1) + "/30", "dev", hostLink);
            run(IP, "link", "set", hostLink, "up");
            run(IP, "-n", namespace, "addr", "add", httpAddress(node) + "/30", "dev", HTTP_LINK);
            run(IP, "-n", namespace, "link", "set", HTTP_LINK, "up");
        }
    }

    /**
     * A third octet R, from a random start, such that the host has no address in 10.214.R.0/24 yet.
     */
    private static int freeSubnet() throws IOException, InterruptedException
    {
        final String hostAddresses = run(IP, "-o", "addr");
        final int start = ThreadLocalRandom.current().nextInt(SUBNETS);
        for (int i = 0; i < SUBNETS; i++)
        {
            final int subnet = (start + i) % SUBNETS;
            if (!hostAddresses.contains(" 10.214." + subnet + "."))
            {
                return subnet;
            }
        }
        throw new IOException("the host has addresses in every 10.214.R.0/24; remove some or run fewer at once");
    }

    private void addNamespace(final String name) throws IOException, InterruptedException
    {
        run(IP, "netns", "add", name);
        created.add(name);
    }

    private String hub()
    {
        return PREFIX + run + "-" + HUB;
    }

    private static String bridgePort(final int node)
    {
        return "p" + (node + 1);
    }

    /**
     * Host interface names are at most 15 characters: "dk" + the random part of the run + "h" + node.
     */
    private String hostLink(final int node)
    {
        return "dk" + run.substring(run.indexOf('-') + 1) + "h" + (node + 1);
    }

    /**
     * Run a command, bounded by {@link #COMMAND_TIMEOUT_S}.
     *
     * @return its output, trimmed.
     * @throws IOException when it cannot start, outlives the bound or exits other than 0, with its output.
     */
    static String run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        final byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": still running after " + COMMAND_TIMEOUT_S + " s");
        }
        final String text = new String(output, StandardCharsets.UTF_8).trim();
        if (0 != process.exitValue())
        {
            throw new IOException(String.join(" ", command) + " exited " + process.exitValue() + ": " + text);
        }
        return text;
    }
}
