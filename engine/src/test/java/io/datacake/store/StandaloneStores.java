package io.datacake.store;

import io.datacake.membership.StaticClusterView;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.storage.MemoryStorage;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.Transport;

import java.util.ArrayList;
import java.util.List;

/**
 * Nodes with their own threads, each running a store on memory storage over a static cluster view, for tests that
 * need a few running stores and their handles; closing it closes every node and storage it started, newest first.
 */
public final class StandaloneStores implements AutoCloseable
{
    private final List<AutoCloseable> resources = new ArrayList<>();

    /**
     * Launch a node that is a cluster of its own: nothing it stores reaches another node.
     *
     * @param nodeId    the node's id.
     * @param transport the node's transport, owned by the node from here on.
     * @return the store's handle.
     */
    public StoreHandle alone(final int nodeId, final Transport transport)
    {
        return start(nodeId, transport, new StaticClusterView(nodeId, "dc", transport.localEndpoint()));
    }

    /**
     * Launch nodes 1 and 2 on a network, members of one cluster.
     *
     * @param network the network both transports are made on.
     * @return node 1's and node 2's handles.
     */
    public List<StoreHandle> pair(final InProcessNetwork network)
    {
        final Transport transport1 = network.newTransport();
        final Transport transport2 = network.newTransport();
        return List.of(
            start(1, transport1, new StaticClusterView(1, "dc", transport1.localEndpoint())
                .addMember(2, "dc", transport2.localEndpoint())),
            start(2, transport2, new StaticClusterView(2, "dc", transport2.localEndpoint())
                .addMember(1, "dc", transport1.localEndpoint())));
    }

    /**
     * Launch a node running a store.
     *
     * @param nodeId    the node's id, the view's local node id.
     * @param transport the node's transport, owned by the node from here on.
     * @param view      the members the store replicates to.
     * @return the store's handle.
     */
    public StoreHandle start(final int nodeId, final Transport transport, final StaticClusterView view)
    {
        final MemoryStorage storage = new MemoryStorage();
        resources.add(storage);
        final ReplicatedStore store = new ReplicatedStore(new StoreContext().storage(storage).clusterView(view));
        final Node node = Node.launch(new NodeContext().nodeId(nodeId).transport(transport).ownsTransport(true)
            .addComponent(store));
        resources.add(node);
        return store.handle(node);
    }

    /**
     * Close every node and storage started, newest first.
     *
     * @throws Exception what a close threw.
     */
    public void close() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
        resources.clear();
    }
}
