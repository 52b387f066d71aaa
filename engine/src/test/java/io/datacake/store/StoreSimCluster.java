package io.datacake.store;

import io.datacake.membership.StaticClusterView;
import io.datacake.node.Node;
import io.datacake.sim.Simulation;
import io.datacake.storage.Document;
import io.datacake.storage.StorageWriterContext;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.status.CountersReader;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A simulated cluster of nodes 1..n, each running a {@link ReplicatedStore} over its {@code SimStorage} with a
 * {@link StaticClusterView} of all n nodes in one data centre, its writer stepped with the node. A restart builds a
 * fresh store and view for the new incarnation.
 */
final class StoreSimCluster implements AutoCloseable
{
    static final String DATA_CENTRE = "dc1";
    static final long REQUEST_TIMEOUT_MS = 1_000;
    static final long AWAIT_BOUND_VIRTUAL_MS = 60_000;

    final Simulation simulation;
    private final int nodeCount;
    private final Int2ObjectHashMap<ReplicatedStore> stores = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<StaticClusterView> views = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<StoreHandle> handles = new Int2ObjectHashMap<>();

    StoreSimCluster(final long seed, final int nodeCount)
    {
        this(seed, nodeCount, (ctx) -> {});
    }

    StoreSimCluster(final long seed, final int nodeCount, final Consumer<StoreContext> storeCustomizer)
    {
        this(new Simulation(seed), nodeCount, storeCustomizer);
    }

    StoreSimCluster(final Simulation simulation, final int nodeCount, final Consumer<StoreContext> storeCustomizer)
    {
        this.simulation = simulation;
        this.nodeCount = nodeCount;
        System.out.println("store simulation " + simulation.replayHint());
        for (int id = 1; id <= nodeCount; id++)
        {
            final Node node = simulation.addNode(id, (ctx) ->
            {
                final int nodeId = ctx.nodeId();
                final StaticClusterView view = new StaticClusterView(nodeId, DATA_CENTRE, endpoint(nodeId));
                for (int other = 1; other <= nodeCount; other++)
                {
                    if (other != nodeId)
                    {
                        view.addMember(other, DATA_CENTRE, endpoint(other));
                    }
                }
                final StoreContext storeContext = new StoreContext()
                    .storage(simulation.storage(nodeId))
                    .clusterView(view)
                    .requestTimeoutMs(REQUEST_TIMEOUT_MS)
                    .writerContext(new StorageWriterContext().useAgentInvoker(true));
                storeCustomizer.accept(storeContext);
                final ReplicatedStore store = new ReplicatedStore(storeContext);
                ctx.addComponent(store);
                stores.put(nodeId, store);
                views.put(nodeId, view);
            });
            handles.put(id, stores.get(id).handle(node));
        }
    }

    static String endpoint(final int nodeId)
    {
        return "sim-" + nodeId;
    }

    int nodeCount()
    {
        return nodeCount;
    }

    StoreHandle handle(final int nodeId)
    {
        return handles.get(nodeId);
    }

    ReplicatedStore store(final int nodeId)
    {
        return stores.get(nodeId);
    }

    StaticClusterView view(final int nodeId)
    {
        return views.get(nodeId);
    }

    Document get(final int nodeId, final String keyspace, final long key)
    {
        return simulation.storage(nodeId).get(keyspace, key);
    }

    /**
     * @return the value of the node's counter whose label ends with {@code label}, or -1 if it has none.
     */
    long counter(final int nodeId, final String label)
    {
        return counter(simulation.node(nodeId), label);
    }

    /**
     * @return the value of the node's counter whose label ends with {@code label}, or -1 if it has none.
     */
    static long counter(final Node node, final String label)
    {
        final CountersReader reader = node.counters().reader();
        final long[] value = {-1};
        reader.forEach((counterId, typeId, keyBuffer, counterLabel) ->
        {
            if (counterLabel.endsWith(label))
            {
                value[0] = reader.getCounterValue(counterId);
            }
        });
        return value[0];
    }

    /**
     * Partition one node away from all the others.
     */
    void isolate(final int nodeId)
    {
        final List<String> rest = new ArrayList<>();
        for (int id = 1; id <= nodeCount; id++)
        {
            if (id != nodeId)
            {
                rest.add(endpoint(id));
            }
        }
        simulation.network().partition(rest, List.of(endpoint(nodeId)));
    }

    void restart(final int nodeId)
    {
        final Node node = simulation.restart(nodeId);
        handles.put(nodeId, stores.get(nodeId).handle(node));
    }

    <T> CompletableFuture<T> await(final CompletableFuture<T> future)
    {
        if (!simulation.await(future, AWAIT_BOUND_VIRTUAL_MS).isDone())
        {
            throw new AssertionError("future not done after " + AWAIT_BOUND_VIRTUAL_MS + " virtual ms; " +
                simulation.replayHint());
        }
        return future;
    }

    public void close()
    {
        simulation.close();
    }
}
