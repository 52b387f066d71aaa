package io.datacake.kv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;

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
    private static final long DEADLINE_MS = 180_000;
    private static final String KEYSPACE = "kv";
    private static final int BEFORE_KILL = 20;
    private static final int WHILE_DOWN_ONE = 20;
    private static final int WHILE_DOWN_QUORUM = 20;
    private static final int TOTAL = BEFORE_KILL + WHILE_DOWN_ONE + WHILE_DOWN_QUORUM;
    private static final int DELETED_KEY = 1;
    private static final long ISOLATED_CLUSTER_ID = 99;
    private static final int SIGTERM_EXIT = 128 + 15;

    private LoopbackKvCluster cluster;

    @Test
    void aKilledNodeRestartsWithEveryAcknowledgedWriteAndCatchesUpOnTheRest(@TempDir final Path dir)
        throws Exception
    {
        try (LoopbackKvCluster cluster = new LoopbackKvCluster(dir, StorageKind.LMDB, DEADLINE_MS))
        {
            this.cluster = cluster;
            cluster.startAll();
            cluster.awaitCondition("every node sees three live members",
                () -> cluster.allSee(new int[]{0, 1, 2}, 3, 0));

            for (int key = 1; key <= BEFORE_KILL; key++)
            {
                assertThat(put(0, key, "all")).as("PUT %d at all", key).isEqualTo(200);
            }
            for (int node = 1; node < LoopbackKvCluster.NODES; node++)
            {
                for (int key = 1; key <= BEFORE_KILL; key++)
                {
                    assertThat(get(node, key)).as("node %d key %d", node + 1, key).isEqualTo(value(key));
                }
            }

            cluster.kill(2);
            cluster.awaitCondition("nodes 1 and 2 see node 3 dead", () -> cluster.allSee(new int[]{0, 1}, 2, 1));

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
            cluster.start(2, "cluster-id=" + ISOLATED_CLUSTER_ID);
            for (int key = 1; key <= BEFORE_KILL; key++)
            {
                assertThat(get(2, key)).as("isolated node 3 key %d", key).isEqualTo(value(key));
            }
            assertThat(get(2, TOTAL)).as("a write it never saw").isNull();
            cluster.stop(2);

            cluster.start(2);
            cluster.awaitCondition("the restarted node serves every write", () -> servesEverything(2));
            assertThat(get(2, DELETED_KEY)).isNull();

            assertThat(cluster.stop(0)).as("exit code after SIGTERM").isEqualTo(SIGTERM_EXIT);
            final File[] driverFiles = cluster.dataDir(0).resolve(DataDirectory.AERON_DIR).toFile().listFiles();
            assertThat(driverFiles).as("node 1's driver directory after SIGTERM").isEmpty();
        }
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
        cluster.awaitCondition(method + " " + path + " answered other than 503", () ->
        {
            status[0] = cluster.request(node, method, path, body).statusCode();
            return 503 != status[0];
        });
        return status[0];
    }

    private String get(final int node, final int key) throws Exception
    {
        return cluster.get(node, KEYSPACE, key);
    }

    private static String value(final int key)
    {
        return "value-" + key;
    }
}
