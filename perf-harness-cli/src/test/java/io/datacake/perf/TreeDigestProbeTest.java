package io.datacake.perf;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.StaticClusterView;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.storage.MemoryStorage;
import io.datacake.store.ReplicatedStore;
import io.datacake.store.StoreContext;
import io.datacake.store.StoreHandle;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tree digest probe on nodes over the in-process transport: equal when every node holds the same last writes,
 * not equal when one node holds a write the other lacks.
 */
final class TreeDigestProbeTest
{
    private static final long READ_TIMEOUT_MS = 30_000;
    private static final String KEYSPACE = WorkloadSettings.keyspaceName(0);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @Test
    void aWriteOnlyOneNodeHoldsMakesTheDigestsDiffer() throws Exception
    {
        final InProcessNetwork network = new InProcessNetwork();
        final Transport transport1 = network.newTransport();
        final Transport transport2 = network.newTransport();
        // Two single-node clusters: a write on one never reaches the other.
        final StoreHandle alone1 = start(1, transport1, new StaticClusterView(1, "dc", transport1.localEndpoint()));
        final StoreHandle alone2 = start(2, transport2, new StaticClusterView(2, "dc", transport2.localEndpoint()));
        final TreeDigestProbe probe = new TreeDigestProbe(List.of(alone1, alone2), 1, READ_TIMEOUT_MS);
        assertThat(probe.equal()).as("both empty").isTrue();

        alone1.putAndWait(KEYSPACE, 1, new byte[]{ 1 }, ConsistencyLevel.NONE);

        assertThat(probe.equal()).isFalse();
    }

    @Test
    void replicasHoldingEveryWriteHaveEqualDigests() throws Exception
    {
        final InProcessNetwork network = new InProcessNetwork();
        final Transport transport1 = network.newTransport();
        final Transport transport2 = network.newTransport();
        final StoreHandle handle1 = start(1, transport1, new StaticClusterView(1, "dc", transport1.localEndpoint())
            .addMember(2, "dc", transport2.localEndpoint()));
        final StoreHandle handle2 = start(2, transport2, new StaticClusterView(2, "dc", transport2.localEndpoint())
            .addMember(1, "dc", transport1.localEndpoint()));

        handle1.putAndWait(KEYSPACE, 1, new byte[]{ 1 }, ConsistencyLevel.ALL);
        handle2.putAndWait(KEYSPACE, 2, new byte[]{ 2 }, ConsistencyLevel.ALL);

        assertThat(new TreeDigestProbe(List.of(handle1, handle2), 1, READ_TIMEOUT_MS).equal()).isTrue();
    }

    private StoreHandle start(final int nodeId, final Transport transport, final StaticClusterView view)
    {
        final MemoryStorage storage = new MemoryStorage();
        resources.add(storage);
        final ReplicatedStore store = new ReplicatedStore(new StoreContext().storage(storage).clusterView(view));
        final Node node = Node.launch(new NodeContext().nodeId(nodeId).transport(transport).ownsTransport(true)
            .addComponent(store));
        resources.add(node);
        return store.handle(node);
    }
}
