package io.datacake.store;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.StaticClusterView;
import io.datacake.node.Node;
import io.datacake.node.NodeClosedException;
import io.datacake.node.NodeContext;
import io.datacake.storage.MemoryStorage;
import io.datacake.storage.StorageWriterContext;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.Transport;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The handles on nodes with their own threads and storage writers with their own threads, used from several
 * application threads at once. Waits are bounded by generous deadlines and assert on data, never on timing.
 */
final class ReplicatedStoreThreadedTest
{
    private static final long DEADLINE_SECONDS = 30;
    private static final int WRITERS = 4;
    private static final int WRITES_PER_WRITER = 50;

    @Test
    void handlesWriteAtAllFromManyThreadsAndReadTheirOwnWrites() throws Exception
    {
        final InProcessNetwork network = new InProcessNetwork();
        final Transport transport1 = network.newTransport();
        final Transport transport2 = network.newTransport();
        try (MemoryStorage storage1 = new MemoryStorage();
            MemoryStorage storage2 = new MemoryStorage())
        {
            final StaticClusterView view1 = new StaticClusterView(1, "dc", transport1.localEndpoint())
                .addMember(2, "dc", transport2.localEndpoint());
            final StaticClusterView view2 = new StaticClusterView(2, "dc", transport2.localEndpoint())
                .addMember(1, "dc", transport1.localEndpoint());
            final ReplicatedStore store1 = new ReplicatedStore(new StoreContext().storage(storage1).clusterView(view1)
                .writerContext(new StorageWriterContext().threadName("store-writer-1")));
            final ReplicatedStore store2 = new ReplicatedStore(new StoreContext().storage(storage2).clusterView(view2));
            final ExecutorService executor = Executors.newFixedThreadPool(WRITERS);
            try (Node node1 = Node.launch(new NodeContext().nodeId(1).transport(transport1).addComponent(store1));
                Node node2 = Node.launch(new NodeContext().nodeId(2).transport(transport2).addComponent(store2)))
            {
                assertThat(Thread.getAllStackTraces().keySet()).anyMatch((t) -> t.getName().equals("store-writer-1"));
                final StoreHandle handle1 = store1.handle(node1);
                final StoreHandle handle2 = store2.handle(node2);
                final List<Future<?>> writers = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++)
                {
                    final int writer = w;
                    writers.add(executor.submit(() ->
                    {
                        final KeyspaceHandle docs = (0 == writer % 2 ? handle1 : handle2).keyspace("docs");
                        for (int i = 0; i < WRITES_PER_WRITER; i++)
                        {
                            final long key = writer * 1_000L + i;
                            final byte[] value = ("w" + writer + "-" + i).getBytes(StandardCharsets.UTF_8);
                            docs.putAndWait(key, value, ConsistencyLevel.ALL);
                            assertThat(docs.get(key).value()).as("read your own write").isEqualTo(value);
                        }
                        return null;
                    }));
                }
                for (final Future<?> writer : writers)
                {
                    writer.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
                }
                for (int w = 0; w < WRITERS; w++)
                {
                    for (int i = 0; i < WRITES_PER_WRITER; i++)
                    {
                        final long key = w * 1_000L + i;
                        assertThat(handle1.get("docs", key)).as("node 1 key %d", key).isNotNull();
                        assertThat(handle2.get("docs", key)).as("node 2 key %d", key).isNotNull();
                    }
                }
                final CompletableFuture<Void> delete = handle2.delete("docs", 0, ConsistencyLevel.ONE);
                delete.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
                assertThat(handle1.get("docs", 0)).isNull();
                assertThat(handle1.keyspaces()).containsExactly("docs");

                node2.close();
                assertThatThrownBy(() -> handle2.put("docs", 1, new byte[1], ConsistencyLevel.NONE))
                    .isInstanceOf(NodeClosedException.class);
            }
            finally
            {
                executor.shutdownNow();
            }
        }
    }
}
