package io.datacake.store;

import io.datacake.clock.HlcTimestamp;
import io.datacake.membership.StaticClusterView;
import io.datacake.node.ComponentStartException;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.storage.MemoryStorage;
import io.datacake.storage.StorageWriterContext;
import io.datacake.transport.InProcessNetwork;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A store refuses a configuration it cannot serve, with a message that says what to change.
 */
final class StoreStartTest
{
    private static final long STAMP = HlcTimestamp.pack(1_764_000_000_000L, 0);

    @Test
    void aStorageWithMoreKeyspacesThanTheBoundFailsTheLaunch()
    {
        final InProcessNetwork network = new InProcessNetwork();
        try (MemoryStorage storage = new MemoryStorage())
        {
            storage.put("a", 1, STAMP, 1, new byte[]{1});
            storage.put("b", 1, STAMP, 1, new byte[]{1});
            final ReplicatedStore store = new ReplicatedStore(new StoreContext().storage(storage)
                .clusterView(new StaticClusterView(1, "dc", "local")).maxKeyspaces(1)
                .writerContext(new StorageWriterContext().useAgentInvoker(true)));
            assertThatThrownBy(() -> Node.launch(new NodeContext().nodeId(1).transport(network.newTransport())
                .useAgentInvoker(true).addComponent(store)))
                .isInstanceOf(ComponentStartException.class)
                .hasRootCauseMessage("storage holds 2 keyspaces, more than StoreContext.maxKeyspaces (1)");
            assertThat(store.keyspaceNames()).as("what was loaded is freed").isEmpty();
        }
    }

    @Test
    void aClusterViewOfAnotherNodeIsRefused()
    {
        final InProcessNetwork network = new InProcessNetwork();
        try (MemoryStorage storage = new MemoryStorage())
        {
            final ReplicatedStore store = new ReplicatedStore(new StoreContext().storage(storage)
                .clusterView(new StaticClusterView(2, "dc", "elsewhere")));
            assertThatThrownBy(() -> Node.launch(new NodeContext().nodeId(1).transport(network.newTransport())
                .useAgentInvoker(true).addComponent(store)))
                .isInstanceOf(ComponentStartException.class)
                .hasRootCauseMessage("the cluster view is node 2's, the store runs on node 1");
        }
    }

    @Test
    void aContextWithoutStorageOrViewIsRefused()
    {
        assertThatThrownBy(() -> new ReplicatedStore(new StoreContext()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storage must be set");
        try (MemoryStorage storage = new MemoryStorage();
            MemoryStorage other = new MemoryStorage())
        {
            assertThatThrownBy(() -> new ReplicatedStore(new StoreContext().storage(storage)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clusterView must be set");
            assertThatThrownBy(() -> new ReplicatedStore(new StoreContext().storage(storage)
                .clusterView(new StaticClusterView(1, "dc", "local"))
                .writerContext(new StorageWriterContext().storage(other))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not to the store's storage");
        }
    }
}
