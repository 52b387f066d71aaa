package io.datacake.storage;

import io.datacake.clock.HlcTimestamp;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.transport.InProcessNetwork;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

final class StorageWriterComponentTest
{
    private static final long STAMP = HlcTimestamp.pack(1_764_000_000_000L, 0);

    private final InProcessNetwork network = new InProcessNetwork();

    @Test
    void aSteppedNodeDrivesItsWriterAndHearsAcksOnTheNodeThread() throws Exception
    {
        final CountingStorage storage = new CountingStorage();
        final StorageWriterComponent component =
            new StorageWriterComponent(new StorageWriterContext().storage(storage).useAgentInvoker(true));
        final List<String> acks = new ArrayList<>();
        final WriteCompletionHandler handler = new WriteCompletionHandler()
        {
            public void onWriteCommitted(final long sequence)
            {
                acks.add("ok " + sequence);
            }

            public void onWriteFailed(final long sequence, final Throwable cause)
            {
                acks.add("failed " + sequence);
            }
        };
        try (Node node = Node.launch(new NodeContext().nodeId(1).transport(network.newTransport())
            .useAgentInvoker(true).addComponent(component)))
        {
            final CompletableFuture<Long> submitted = node.execute((services) ->
            {
                final UnsafeBuffer value = new UnsafeBuffer(new byte[]{1, 2, 3});
                component.writer().submitPut("docs", 1, STAMP, 1, value, 0, 3, handler);
                component.writer().submitPut("docs", 2, STAMP, 1, value, 0, 3, handler);
                return component.writer().submitTombstone("docs", 3, STAMP, 1, handler);
            });
            node.invoker().invoke();
            assertThat(submitted.get(10, TimeUnit.SECONDS)).isEqualTo(3);
            // The same turn ran the command, then the component: one commit window, then the acks.
            assertThat(storage.commitSizes()).containsExactly(3);
            assertThat(acks).containsExactly("ok 1", "ok 2", "ok 3");

            // Duties run after components in a turn, so this write is still in flight when the node closes.
            node.submit((services) -> services.addDuty((nowMs) ->
                component.writer().submitTombstone("docs", 4, STAMP, 1, handler) == 4 ? 1 : 0));
            node.invoker().invoke();
            assertThat(component.writer().inFlightWrites()).isEqualTo(1);
        }
        // Closing the node closed the writer, which committed and acked the write still in flight.
        assertThat(acks).containsExactly("ok 1", "ok 2", "ok 3", "ok 4");
        assertThat(storage.metadata("docs")).hasSize(4);
        storage.close();
    }

    @Test
    void aWriterThreadStartsWithTheNodeAndStopsWithIt() throws Exception
    {
        try (MemoryStorage storage = new MemoryStorage())
        {
            final StorageWriterComponent component = new StorageWriterComponent(
                new StorageWriterContext().storage(storage).threadName("writer-of-node-5"));
            final CompletableFuture<Long> acked = new CompletableFuture<>();
            try (Node node = Node.launch(new NodeContext().nodeId(5).transport(network.newTransport())
                .addComponent(component)))
            {
                assertThat(Thread.getAllStackTraces().keySet()).anyMatch(
                    (t) -> t.getName().equals("writer-of-node-5") && t.isAlive());
                node.execute((services) -> component.writer().submitTombstone("docs", 9, STAMP, 5,
                    new WriteCompletionHandler()
                    {
                        public void onWriteCommitted(final long sequence)
                        {
                            acked.complete(sequence);
                        }

                        public void onWriteFailed(final long sequence, final Throwable cause)
                        {
                            acked.completeExceptionally(cause);
                        }
                    })).get(10, TimeUnit.SECONDS);
                assertThat(acked.get(10, TimeUnit.SECONDS)).isEqualTo(1);
                assertThat(storage.metadata("docs")).hasSize(1);
            }
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
                (t) -> t.getName().equals("writer-of-node-5") && t.isAlive());
        }
    }
}
