package io.datacake.kv;

import io.datacake.transport.aeron.FreeUdpPorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
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
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three node processes on loopback, LMDB each: a write at ALL through one node is read through the others; one node
 * is killed with SIGKILL while writes at ONE and QUORUM (and a delete) go on; restarted on the same data directory
 * but cut off from its peers it serves every write it acknowledged before the kill; restarted again in the cluster
 * it catches up on every write it missed. SIGTERM stops a node cleanly: its driver files are gone.
 * <p>
 * Every wait has a deadline and polls a condition; every process is killed and every directory removed, also when
 * the test fails.
 */
final class ThreeNodeProcessTest
{
    private static final int NODES = 3;
    private static final long DEADLINE_MS = 180_000;
    private static final String KEYSPACE = "kv";
    private static final int BEFORE_KILL = 20;
    private static final int WHILE_DOWN_ONE = 20;
    private static final int WHILE_DOWN_QUORUM = 20;
    private static final int TOTAL = BEFORE_KILL + WHILE_DOWN_ONE + WHILE_DOWN_QUORUM;
    private static final int DELETED_KEY = 1;
    private static final long ISOLATED_CLUSTER_ID = 99;
    private static final int SIGTERM_EXIT = 128 + 15;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    private final KvChildProcess[] processes = new KvChildProcess[NODES];
    private final int[] httpPorts = new int[NODES];
    private final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);

    @Test
    void aKilledNodeRestartsWithEveryAcknowledgedWriteAndCatchesUpOnTheRest(@TempDir final Path dir)
        throws Exception
    {
        final int[] clusterPorts = FreeUdpPorts.allocate(InetAddress.getLoopbackAddress(), NODES);
        try
        {
            for (int i = 0; i < NODES; i++)
            {
                processes[i] = start(i, clusterPorts, dir);
            }
            for (int i = 0; i < NODES; i++)
            {
                httpPorts[i] = processes[i].awaitReady(deadlineNs);
            }
            awaitCondition("every node sees three live members", () -> allSee(new int[]{0, 1, 2}, 3, 0));

            for (int key = 1; key <= BEFORE_KILL; key++)
            {
                assertThat(put(0, key, "all")).as("PUT %d at all", key).isEqualTo(200);
            }
            for (int node = 1; node < NODES; node++)
            {
                for (int key = 1; key <= BEFORE_KILL; key++)
                {
                    assertThat(get(node, key)).as("node %d key %d", node + 1, key).isEqualTo(value(key));
                }
            }

            processes[2].process().destroyForcibly();
            assertThat(processes[2].process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            awaitCondition("nodes 1 and 2 see node 3 dead", () -> allSee(new int[]{0, 1}, 2, 1));

            for (int key = BEFORE_KILL + 1; key <= BEFORE_KILL + WHILE_DOWN_ONE; key++)
            {
                assertThat(put(0, key, "one")).as("PUT %d at one", key).isEqualTo(200);
            }
            for (int key = BEFORE_KILL + WHILE_DOWN_ONE + 1; key <= TOTAL; key++)
            {
                assertThat(put(1, key, "quorum")).as("PUT %d at quorum", key).isEqualTo(200);
            }
            assertThat(delete(1, DELETED_KEY, "quorum")).isEqualTo(200);

            // Back alone first (another cluster id: its peers drop its frames and it theirs), so what it serves is
            // what its own storage kept: every write it acknowledged before the kill.
            processes[2] = start(2, clusterPorts, dir, "cluster-id=" + ISOLATED_CLUSTER_ID);
            httpPorts[2] = processes[2].awaitReady(deadlineNs);
            for (int key = 1; key <= BEFORE_KILL; key++)
            {
                assertThat(get(2, key)).as("isolated node 3 key %d", key).isEqualTo(value(key));
            }
            assertThat(get(2, TOTAL)).as("a write it never saw").isNull();
            processes[2].process().destroy();
            assertThat(processes[2].process().waitFor(60, TimeUnit.SECONDS)).as("exit after SIGTERM").isTrue();

            processes[2] = start(2, clusterPorts, dir);
            httpPorts[2] = processes[2].awaitReady(deadlineNs);
            awaitCondition("the restarted node serves every write", () -> servesEverything(2));
            assertThat(get(2, DELETED_KEY)).isNull();

            processes[0].process().destroy();
            assertThat(processes[0].process().waitFor(60, TimeUnit.SECONDS)).as("exit after SIGTERM").isTrue();
            assertThat(processes[0].process().exitValue()).as("exit code after SIGTERM").isEqualTo(SIGTERM_EXIT);
            final File[] driverFiles = dir.resolve("node-1").resolve(DataDirectory.AERON_DIR).toFile().listFiles();
            assertThat(driverFiles).as("node 1's driver directory after SIGTERM").isEmpty();
        }
        finally
        {
            for (final KvChildProcess process : processes)
            {
                if (null != process)
                {
                    process.close();
                }
            }
        }
    }

    private KvChildProcess start(final int index, final int[] clusterPorts, final Path dir, final String... extra)
        throws IOException
    {
        final Path dataDir = dir.resolve("node-" + (index + 1));
        Files.createDirectories(dataDir);
        final List<String> settings = new ArrayList<>(List.of(
            "node-id=" + (index + 1),
            "data-dir=" + dataDir,
            "storage=lmdb",
            "cluster-listen=127.0.0.1:" + clusterPorts[index],
            "http-listen=127.0.0.1:0",
            "gossip-interval-ms=100",
            "repair-interval-ms=300",
            "request-timeout-ms=5000"));
        final StringBuilder seeds = new StringBuilder("seed=");
        for (int i = 0; i < NODES; i++)
        {
            seeds.append(i == 0 ? "" : ",").append("127.0.0.1:").append(clusterPorts[i]);
        }
        settings.add(seeds.toString());
        settings.addAll(List.of(extra));
        return new KvChildProcess(settings, dataDir);
    }

    private boolean allSee(final int[] nodes, final int live, final int dead) throws Exception
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

    private boolean servesEverything(final int node) throws Exception
    {
        for (int key = DELETED_KEY + 1; key <= TOTAL; key++)
        {
            if (!value(key).equals(get(node, key)))
            {
                return false;
            }
        }
        return null == get(node, DELETED_KEY);
    }

    private int put(final int node, final int key, final String level) throws Exception
    {
        return untilNot503(node, "PUT", "/" + KEYSPACE + "/" + key + "?consistency=" + level, value(key));
    }

    private int delete(final int node, final int key, final String level) throws Exception
    {
        return untilNot503(node, "DELETE", "/" + KEYSPACE + "/" + key + "?consistency=" + level, null);
    }

    /**
     * Send a write as a client would: again while the node answers 503 (a member judged dead for a moment on a
     * loaded host fails the level), until the deadline; writes are idempotent.
     */
    private int untilNot503(final int node, final String method, final String path, final String body)
        throws Exception
    {
        final int[] status = new int[1];
        awaitCondition(method + " " + path + " answered other than 503", () ->
        {
            status[0] = request(node, method, path, body).statusCode();
            return 503 != status[0];
        });
        return status[0];
    }

    private String get(final int node, final int key) throws Exception
    {
        final HttpResponse<String> response = request(node, "GET", "/" + KEYSPACE + "/" + key, null);
        return 200 == response.statusCode() ? response.body() : null;
    }

    private HttpResponse<String> request(final int node, final String method, final String path, final String body)
        throws IOException, InterruptedException
    {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts[node] + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, null == body ? BodyPublishers.noBody() : BodyPublishers.ofString(body))
            .build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String value(final int key)
    {
        return "value-" + key;
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

    private void awaitCondition(final String what, final Condition condition) throws Exception
    {
        while (!condition.met())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                final StringBuilder output = new StringBuilder();
                for (int i = 0; i < NODES; i++)
                {
                    output.append("\nnode ").append(i + 1).append(": ")
                        .append(null == processes[i] ? "-" : processes[i].output());
                }
                throw new AssertionError(what + ": not reached within " + DEADLINE_MS + " ms" + output);
            }
            Thread.sleep(50);
        }
    }

    @FunctionalInterface
    private interface Condition
    {
        boolean met() throws Exception;
    }
}
