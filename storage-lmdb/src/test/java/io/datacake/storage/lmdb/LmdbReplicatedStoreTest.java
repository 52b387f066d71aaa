package io.datacake.storage.lmdb;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.StaticClusterView;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.storage.Document;
import io.datacake.store.ReplicatedStore;
import io.datacake.store.StoreContext;
import io.datacake.store.StoreHandle;
import io.datacake.transport.InProcessNetwork;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replicated store on LMDB: three nodes (their own threads and storage-writer threads, in-process transport)
 * write and delete at ALL; after every node is closed and started again on its LMDB directory, each holds exactly
 * what was acknowledged (live values and deletes) and its store, rebuilt from that storage, takes new writes.
 */
class LmdbReplicatedStoreTest
{
    private static final int NODES = 3;
    private static final int KEYS = 200;
    private static final long DEADLINE_SECONDS = 60;

    @TempDir
    Path directory;

    @Test
    void acknowledgedWritesSurviveARestartOfEveryNodeOnItsLmdbDirectory() throws Exception
    {
        try (Cluster cluster = new Cluster(directory))
        {
            for (int key = 0; key < KEYS; key++)
            {
                cluster.handles.get(key % NODES).put("docs", key, value(key), ConsistencyLevel.ALL)
                    .get(DEADLINE_SECONDS, TimeUnit.SECONDS);
            }
            for (int key = 0; key < KEYS; key += 4)
            {
                cluster.handles.get(key % NODES).delete("docs", key, ConsistencyLevel.ALL)
                    .get(DEADLINE_SECONDS, TimeUnit.SECONDS);
            }
        }

        try (Cluster cluster = new Cluster(directory))
        {
            for (final StoreHandle handle : cluster.handles)
            {
                assertThat(handle.keyspaces()).containsExactly("docs");
                for (int key = 0; key < KEYS; key++)
                {
                    final Document document = handle.get("docs", key);
                    if (0 == key % 4)
                    {
                        assertThat(document).as("node %d key %d deleted", handle.nodeId(), key).isNull();
                    }
                    else
                    {
                        assertThat(document).as("node %d key %d", handle.nodeId(), key).isNotNull();
                        assertThat(new String(document.value(), StandardCharsets.UTF_8)).isEqualTo("value-" + key);
                    }
                }
            }
            // The rebuilt sets take new writes: a put of a deleted key wins over its older tombstone everywhere.
            cluster.handles.get(2).put("docs", 0, value(0), ConsistencyLevel.ALL).get(DEADLINE_SECONDS, TimeUnit.SECONDS);
            for (final StoreHandle handle : cluster.handles)
            {
                assertThat(handle.get("docs", 0)).as("node %d", handle.nodeId()).isNotNull();
            }
        }
    }

    private static byte[] value(final int key)
    {
        return ("value-" + key).getBytes(StandardCharsets.UTF_8);
    }

    private static final class Cluster implements AutoCloseable
    {
        private final List<LmdbStorage> storages = new ArrayList<>();
        private final List<Node> nodes = new ArrayList<>();
        private final List<StoreHandle> handles = new ArrayList<>();

        Cluster(final Path directory)
        {
            final InProcessNetwork network = new InProcessNetwork();
            try
            {
                for (int i = 1; i <= NODES; i++)
                {
                    final StaticClusterView view = new StaticClusterView(i, "dc", "node-" + i);
                    for (int j = 1; j <= NODES; j++)
                    {
                        if (j != i)
                        {
                            view.addMember(j, "dc", "node-" + j);
                        }
                    }
                    final LmdbStorage storage = LmdbStorage.open(directory.resolve("node-" + i));
                    storages.add(storage);
                    final ReplicatedStore store = new ReplicatedStore(
                        new StoreContext().storage(storage).clusterView(view).requestTimeoutMs(30_000));
                    final Node node = Node.launch(new NodeContext().nodeId(i)
                        .transport(network.newTransport("node-" + i)).ownsTransport(true).addComponent(store));
                    nodes.add(node);
                    handles.add(store.handle(node));
                }
            }
            catch (final RuntimeException ex)
            {
                close();
                throw ex;
            }
        }

        public void close()
        {
            // Nodes first (their stores commit and close their writers), then the storages under them.
            nodes.forEach(CloseHelper::quietClose);
            storages.forEach(CloseHelper::quietClose);
        }
    }
}
