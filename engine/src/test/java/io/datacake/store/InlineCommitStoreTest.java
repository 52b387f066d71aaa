package io.datacake.store;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.StaticClusterView;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.storage.Document;
import io.datacake.storage.GatedIdleStrategy;
import io.datacake.storage.MemoryStorage;
import io.datacake.storage.StorageWriterContext;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.Transport;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On a memory storage the node threads commit their own writes: a put at ONE completes with both storage writer
 * threads held, and each node acknowledges only once the write is readable from its storage.
 */
final class InlineCommitStoreTest
{
    private static final long DEADLINE_SECONDS = 60;

    @Test
    void aPutAtOneIsCommittedAndAckedByTheNodeThreadsAloneAndIsReadableWhenItsCallbackRuns() throws Exception
    {
        final InProcessNetwork network = new InProcessNetwork();
        final Transport transport1 = network.newTransport();
        final Transport transport2 = network.newTransport();
        final GatedIdleStrategy writer1 = new GatedIdleStrategy();
        final GatedIdleStrategy writer2 = new GatedIdleStrategy();
        try (MemoryStorage storage1 = new MemoryStorage();
            MemoryStorage storage2 = new MemoryStorage())
        {
            final ReplicatedStore store1 = new ReplicatedStore(new StoreContext().storage(storage1)
                .clusterView(new StaticClusterView(1, "dc", transport1.localEndpoint())
                    .addMember(2, "dc", transport2.localEndpoint()))
                .writerContext(new StorageWriterContext().idleStrategy(writer1)));
            final ReplicatedStore store2 = new ReplicatedStore(new StoreContext().storage(storage2)
                .clusterView(new StaticClusterView(2, "dc", transport2.localEndpoint())
                    .addMember(1, "dc", transport1.localEndpoint()))
                .writerContext(new StorageWriterContext().idleStrategy(writer2)));
            try (Node node1 = Node.launch(new NodeContext().nodeId(1).transport(transport1).addComponent(store1));
                Node node2 = Node.launch(new NodeContext().nodeId(2).transport(transport2).addComponent(store2)))
            {
                try
                {
                    aPutAtOneCompletes(store1, node1, storage1, storage2, writer1, writer2);
                }
                finally
                {
                    // Before the nodes close: a writer thread closes only once it leaves its idle.
                    writer1.open();
                    writer2.open();
                }
            }
        }
    }

    private static void aPutAtOneCompletes(
        final ReplicatedStore store1,
        final Node node1,
        final MemoryStorage storage1,
        final MemoryStorage storage2,
        final GatedIdleStrategy writer1,
        final GatedIdleStrategy writer2) throws Exception
    {
        writer1.awaitHeld();
        writer2.awaitHeld();
        final CompletableFuture<String> outcome = new CompletableFuture<>();
        final KeyspaceHandle docs = store1.handle(node1).keyspace("docs");
        final boolean queued = docs.put(42, new UnsafeBuffer(new byte[]{ 1, 2, 3 }), 0, 3,
            ConsistencyLevel.ONE, (context, status, acknowledged, required, failure) ->
            {
                // On node 1's thread, as the ack is handed over: the local commit must be readable already.
                final Document local = storage1.get("docs", 42);
                outcome.complete(status + " " + acknowledged + "/" + required + " local " +
                    (null == local ? "missing" : local.value().length + " bytes"));
            }, 7);
        assertThat(queued).isTrue();

        assertThat(outcome.get(DEADLINE_SECONDS, TimeUnit.SECONDS))
            .isEqualTo("ACKNOWLEDGED 2/2 local 3 bytes");
        assertThat(storage2.get("docs", 42).value()).as("the replica acked after its commit")
            .containsExactly(1, 2, 3);
    }
}
