package io.datacake.kv;

import io.datacake.transport.aeron.FreeUdpPorts;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Three node processes ({@link KvChildProcess}), on loopback unless given other {@link Placement}s, each with its
 * own data directory under one parent and every node a seed of the others: start, kill (SIGKILL) and restart a node
 * on the same data directory, and talk to a node's HTTP API. Every wait polls a condition until one deadline; {@link #close()} kills every process.
 */
final class LoopbackKvCluster implements AutoCloseable
{
    static final int NODES = 3;
    /** Marks the HTTP port of a node that is not running. */
    static final int NO_PORT = -1;

    private static final long POLL_INTERVAL_MS = 50;
    private static final long EXIT_WAIT_S = 60;

    private final Path dir;
    private final StorageKind storage;
    private final long deadlineNs;
    private final long deadlineMs;
    private final Placement[] placements;
    private final KvChildProcess[] processes = new KvChildProcess[NODES];
    private final AtomicIntegerArray httpPorts = new AtomicIntegerArray(new int[]{NO_PORT, NO_PORT, NO_PORT});
    private final HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(30))
        .build();

    /**
     * @param dir        parent of the data directories ({@code node-1} ...).
     * @param storage    what every node stores in.
     * @param deadlineMs how long from now every wait may take in all.
     */
    LoopbackKvCluster(final Path dir, final StorageKind storage, final long deadlineMs)
    {
        this(dir, storage, deadlineMs, loopback());
    }

    /**
     * @param dir        parent of the data directories ({@code node-1} ...).
     * @param storage    what every node stores in.
     * @param deadlineMs how long from now every wait may take in all.
     * @param placements where each node listens and how it is launched, one per node.
     */
    LoopbackKvCluster(final Path dir, final StorageKind storage, final long deadlineMs, final Placement[] placements)
    {
        if (NODES != placements.length)
        {
            throw new IllegalArgumentException("need " + NODES + " placements, got " + placements.length);
        }
        this.placements = placements.clone();
        this.dir = dir;
        this.storage = storage;
        this.deadlineMs = deadlineMs;
        this.deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMs);
    }

    /**
     * Start all three nodes and wait for each one's ready line.
     */
    void startAll() throws IOException, InterruptedException
    {
        for (int i = 0; i < NODES; i++)
        {
            processes[i] = launch(i);
        }
        for (int i = 0; i < NODES; i++)
        {
            httpPorts.set(i, processes[i].awaitReady(deadlineNs));
        }
    }

    /**
     * Start a node on its data directory and wait for its ready line.
     *
     * @param index which node, 0 to 2.
     * @param extra settings over the defaults, {@code key=value}.
     */
    void start(final int index, final String... extra) throws IOException, InterruptedException
    {
        processes[index] = launch(index, extra);
        httpPorts.set(index, processes[index].awaitReady(deadlineNs));
    }

    /**
     * Kill a node with SIGKILL and wait for it to be gone; its HTTP port becomes {@link #NO_PORT} first.
     *
     * @throws AssertionError if it is still there after the bounded wait.
     */
    void kill(final int index) throws InterruptedException
    {
        httpPorts.set(index, NO_PORT);
        processes[index].process().destroyForcibly();
        awaitExit(index, "after SIGKILL");
    }

    /**
     * Stop a node with SIGTERM and wait for it to exit.
     *
     * @return its exit code.
     * @throws AssertionError if it is still there after the bounded wait.
     */
    int stop(final int index) throws InterruptedException
    {
        httpPorts.set(index, NO_PORT);
        processes[index].process().destroy();
        awaitExit(index, "after SIGTERM");
        return processes[index].process().exitValue();
    }

    private void awaitExit(final int index, final String after) throws InterruptedException
    {
        if (!processes[index].process().waitFor(EXIT_WAIT_S, TimeUnit.SECONDS))
        {
            throw new AssertionError("node " + (index + 1) + " still runs " + EXIT_WAIT_S + " s " + after);
        }
    }

    /**
     * @return the HTTP port of a running node, or {@link #NO_PORT}.
     */
    int httpPort(final int index)
    {
        return httpPorts.get(index);
    }

    /**
     * @return whether every node's process is alive.
     */
    boolean allRunning()
    {
        for (final KvChildProcess process : processes)
        {
            if (null == process || !process.process().isAlive())
            {
                return false;
            }
        }
        return true;
    }

    Path dataDir(final int index)
    {
        return dir.resolve("node-" + (index + 1));
    }

    HttpClient client()
    {
        return client;
    }

    /**
     * @return the URI of a path on a node's HTTP API at the port it listens on now.
     */
    URI uri(final int node, final String path)
    {
        return uri(node, httpPorts.get(node), path);
    }

    /**
     * @return the URI of a path on a node's HTTP API at a port read before.
     */
    URI uri(final int node, final int port, final String path)
    {
        return URI.create("http://" + placements[node].httpHost() + ":" + port + path);
    }

    HttpResponse<String> request(final int node, final String method, final String path, final String body)
        throws IOException, InterruptedException
    {
        return client.send(HttpRequest.newBuilder(uri(node, path))
            .timeout(Duration.ofSeconds(30))
            .method(method, null == body ? BodyPublishers.noBody() : BodyPublishers.ofString(body))
            .build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /**
     * @return the value a node serves for a key, or null for 404.
     * @throws AssertionError for any other status.
     */
    String get(final int node, final String keyspace, final long key) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = request(node, "GET", "/" + keyspace + "/" + key, null);
        if (404 == response.statusCode())
        {
            return null;
        }
        if (200 != response.statusCode())
        {
            throw new AssertionError("GET key " + key + " on node " + (node + 1) + ": " + response.statusCode() +
                " " + response.body());
        }
        return response.body();
    }

    /**
     * @return whether each of the nodes sees {@code live} other members live and {@code dead} dead.
     */
    boolean allSee(final int[] nodes, final int live, final int dead) throws IOException, InterruptedException
    {
        for (final int node : nodes)
        {
            final String json = request(node, "GET", "/cluster", null).body();
            if (count(json, "\"status\":\"live\"") != live + 1 || count(json, "\"status\":\"dead\"") != dead)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Poll a condition until it holds.
     *
     * @throws AssertionError with every node's output when the deadline passes first.
     */
    void awaitCondition(final String what, final Condition condition) throws Exception
    {
        while (!condition.met())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError(what + ": not reached within " + deadlineMs + " ms" + outputs());
            }
            Thread.sleep(POLL_INTERVAL_MS);
        }
    }

    /**
     * @return every node's output so far, one node a line.
     */
    String outputs()
    {
        final StringBuilder output = new StringBuilder();
        for (int i = 0; i < NODES; i++)
        {
            output.append("\nnode ").append(i + 1).append(": ")
                .append(null == processes[i] ? "-" : processes[i].output());
        }
        return output.toString();
    }

    /**
     * Kill every node still running.
     */
    public void close() throws InterruptedException
    {
        for (final KvChildProcess process : processes)
        {
            if (null != process)
            {
                process.close();
            }
        }
    }

    private KvChildProcess launch(final int index, final String... extra) throws IOException
    {
        final Path dataDir = dataDir(index);
        Files.createDirectories(dataDir);
        final List<String> settings = new ArrayList<>(List.of(
            "node-id=" + (index + 1),
            "data-dir=" + dataDir,
            "storage=" + storage.name().toLowerCase(Locale.ROOT),
            "cluster-listen=" + placements[index].clusterHost() + ":" + placements[index].clusterPort(),
            "http-listen=" + placements[index].httpHost() + ":0",
            "gossip-interval-ms=100",
            "repair-interval-ms=300",
            "request-timeout-ms=5000"));
        final StringBuilder seeds = new StringBuilder("seed=");
        for (int i = 0; i < NODES; i++)
        {
            seeds.append(i == 0 ? "" : ",").append(placements[i].clusterHost()).append(':')
                .append(placements[i].clusterPort());
        }
        settings.add(seeds.toString());
        if (!placements[index].clusterHost().startsWith("127."))
        {
            // These tests inject network faults, not attackers: a private test subnet without a keyring.
            settings.add(KvNodeConfig.INSECURE + "=true");
        }
        settings.addAll(List.of(extra));
        return new KvChildProcess(placements[index].launcher(), settings, dataDir);
    }

    private static Placement[] loopback()
    {
        final int[] ports = FreeUdpPorts.allocate(InetAddress.getLoopbackAddress(), NODES);
        final Placement[] placements = new Placement[NODES];
        for (int i = 0; i < NODES; i++)
        {
            placements[i] = new Placement("127.0.0.1", ports[i], "127.0.0.1", List.of());
        }
        return placements;
    }

    private static int count(final String text, final String part)
    {
        int count = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1))
        {
            count++;
        }
        return count;
    }

    /**
     * Where a node listens and how its process is launched.
     *
     * @param clusterHost address of its Aeron UDP endpoint, also what the other nodes seed with.
     * @param clusterPort UDP port of that endpoint.
     * @param httpHost    address its HTTP API listens on (on an ephemeral port) and the test reaches it at.
     * @param launcher    command words put before {@code java}, empty to run it directly.
     */
    record Placement(String clusterHost, int clusterPort, String httpHost, List<String> launcher)
    {
    }

    /**
     * A condition to poll.
     */
    @FunctionalInterface
    interface Condition
    {
        boolean met() throws Exception;
    }
}
