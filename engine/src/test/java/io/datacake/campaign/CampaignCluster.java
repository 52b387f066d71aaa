package io.datacake.campaign;

import io.datacake.membership.StaticClusterView;
import io.datacake.node.Node;
import io.datacake.sim.SimStorage;
import io.datacake.sim.Simulation;
import io.datacake.storage.MemoryStorage;
import io.datacake.storage.Storage;
import io.datacake.storage.StorageWriterContext;
import io.datacake.store.ReplicatedStore;
import io.datacake.store.StoreContext;
import io.datacake.store.StoreHandle;
import io.datacake.store.StoreInspector;
import org.agrona.collections.LongArrayList;

import java.util.ArrayList;
import java.util.List;

/**
 * The nodes 1..n of one campaign seed, each a {@link ReplicatedStore} over its storage (the simulation's
 * {@link SimStorage}, or a {@link MemoryStorage} kept across crashes) with a {@link StaticClusterView} of all n nodes.
 * Tracks which nodes run, when each crashed, and rebuilds the store of a restarted node.
 */
final class CampaignCluster implements AutoCloseable
{
    static final String DATA_CENTRE = "dc1";

    final Simulation simulation;
    final CampaignSettings settings;
    private final ReplicatedStore[] stores;
    private final StoreHandle[] handles;
    private final Storage[] storages;
    private final boolean[] writerHeld;
    private final LongArrayList crashTimesMs = new LongArrayList();
    private final LongArrayList crashNodes = new LongArrayList();

    CampaignCluster(final Simulation simulation, final CampaignSettings settings)
    {
        this.simulation = simulation;
        this.settings = settings;
        final int n = settings.nodeCount;
        stores = new ReplicatedStore[n + 1];
        handles = new StoreHandle[n + 1];
        storages = new Storage[n + 1];
        writerHeld = new boolean[n + 1];
        for (int id = 1; id <= n; id++)
        {
            final Node node = simulation.addNode(id, (ctx) ->
            {
                final int nodeId = ctx.nodeId();
                final StaticClusterView view = new StaticClusterView(nodeId, DATA_CENTRE, endpoint(nodeId));
                for (int other = 1; other <= n; other++)
                {
                    if (other != nodeId)
                    {
                        view.addMember(other, DATA_CENTRE, endpoint(other));
                    }
                }
                final ReplicatedStore store = new ReplicatedStore(new StoreContext()
                    .storage(storage(nodeId))
                    .clusterView(view)
                    .requestTimeoutMs(settings.requestTimeoutMs)
                    .repairIntervalMs(settings.repairIntervalMs)
                    .repairMaxSegmentsPerRound(settings.repairMaxSegmentsPerRound)
                    .repairMaxEntriesPerFetch(settings.repairMaxEntriesPerFetch)
                    .treeShape(settings.treeBranchCount, settings.treeSegmentsPerBranch)
                    .writerContext(new StorageWriterContext().useAgentInvoker(true)));
                ctx.addComponent(store);
                stores[nodeId] = store;
            });
            handles[id] = stores[id].handle(node);
        }
    }

    static String endpoint(final int nodeId)
    {
        return "sim-" + nodeId;
    }

    int nodeCount()
    {
        return settings.nodeCount;
    }

    boolean isRunning(final int nodeId)
    {
        return null != simulation.node(nodeId);
    }

    List<Integer> runningNodes()
    {
        final List<Integer> running = new ArrayList<>();
        for (int id = 1; id <= settings.nodeCount; id++)
        {
            if (isRunning(id))
            {
                running.add(id);
            }
        }
        return running;
    }

    ReplicatedStore store(final int nodeId)
    {
        return stores[nodeId];
    }

    StoreHandle handle(final int nodeId)
    {
        return handles[nodeId];
    }

    long incarnation(final int nodeId)
    {
        return simulation.incarnation(nodeId);
    }

    Storage storage(final int nodeId)
    {
        if (CampaignSettings.StorageMode.MEMORY == settings.storageMode)
        {
            if (null == storages[nodeId])
            {
                storages[nodeId] = new MemoryStorage();
            }
            return storages[nodeId];
        }
        return simulation.storage(nodeId);
    }

    /**
     * Crash a running node (its un-synced commits are lost on the write-back disk) and note when.
     */
    int crash(final int nodeId)
    {
        crashNodes.addLong(nodeId);
        crashTimesMs.addLong(simulation.clock().time());
        writerHeld[nodeId] = false;
        return simulation.crash(nodeId);
    }

    void restart(final int nodeId)
    {
        final Node node = simulation.restart(nodeId);
        handles[nodeId] = stores[nodeId].handle(node);
    }

    /**
     * Hold or resume a running node's storage writer.
     *
     * @return true if that changed anything.
     */
    boolean holdWriter(final int nodeId, final boolean hold)
    {
        if (isRunning(nodeId) && writerHeld[nodeId] != hold)
        {
            writerHeld[nodeId] = hold;
            StoreInspector.holdWriter(stores[nodeId], hold);
            return true;
        }
        return false;
    }

    /**
     * Distinct nodes that crashed in a span of virtual time.
     */
    int nodesCrashedBetween(final long fromMs, final long toMs)
    {
        final boolean[] seen = new boolean[settings.nodeCount + 1];
        int count = 0;
        for (int i = 0; i < crashTimesMs.size(); i++)
        {
            final long at = crashTimesMs.getLong(i);
            final int nodeId = (int)crashNodes.getLong(i);
            if (at >= fromMs && at <= toMs && !seen[nodeId])
            {
                seen[nodeId] = true;
                count++;
            }
        }
        return count;
    }

    int crashCount()
    {
        return crashTimesMs.size();
    }

    public void close()
    {
        simulation.close();
    }
}
