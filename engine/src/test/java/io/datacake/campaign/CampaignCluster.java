package io.datacake.campaign;

import io.datacake.membership.ClusterView;
import io.datacake.membership.MembershipComponent;
import io.datacake.membership.MembershipContext;
import io.datacake.membership.MembershipListener;
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
 * {@link SimStorage}, or a {@link MemoryStorage} kept across crashes) that learns the cluster from a
 * {@link MembershipComponent} gossiping with nodes 1 to {@value CampaignSettings#GOSSIP_SEED_NODES} as seeds (node 1
 * bootstraps), or from a {@link StaticClusterView} of all n nodes. Tracks which nodes run, when each crashed, and
 * rebuilds the store (and membership) of a restarted node.
 */
final class CampaignCluster implements AutoCloseable
{
    static final String DATA_CENTRE = "dc1";

    /**
     * Tombstone grace: a day, beyond any clock step of the run. The heal steps clocks forward by over an hour to meet
     * a clock set beyond the maximum drift ({@link FaultSchedule#healAll()}); with the default grace of an hour that
     * step would purge tombstones of deletes whose outcome (and stamp) the history does not know, and the checker
     * could no longer tell a purged delete from a lost put.
     */
    static final long TOMBSTONE_GRACE_MS = 24L * 60 * 60 * 1000;

    final Simulation simulation;
    final CampaignSettings settings;
    private final ReplicatedStore[] stores;
    private final StoreHandle[] handles;
    private final MembershipComponent[] memberships;
    private final Storage[] storages;
    private final boolean[] writerHeld;
    private final LongArrayList crashTimesMs = new LongArrayList();
    private final LongArrayList crashNodes = new LongArrayList();
    private long membersMarkedDead;
    private long membersRevived;
    private long restartsDetected;

    CampaignCluster(final Simulation simulation, final CampaignSettings settings)
    {
        this.simulation = simulation;
        this.settings = settings;
        final int n = settings.nodeCount;
        stores = new ReplicatedStore[n + 1];
        handles = new StoreHandle[n + 1];
        memberships = new MembershipComponent[n + 1];
        storages = new Storage[n + 1];
        writerHeld = new boolean[n + 1];
        for (int id = 1; id <= n; id++)
        {
            final Node node = simulation.addNode(id, (ctx) ->
            {
                final int nodeId = ctx.nodeId();
                final ClusterView view;
                if (settings.gossip())
                {
                    final MembershipComponent membership = new MembershipComponent(membershipContext(nodeId));
                    ctx.addComponent(membership);
                    memberships[nodeId] = membership;
                    view = membership;
                }
                else
                {
                    view = staticView(nodeId, n);
                }
                final ReplicatedStore store = new ReplicatedStore(new StoreContext()
                    .storage(storage(nodeId))
                    .clusterView(view)
                    .requestTimeoutMs(settings.requestTimeoutMs)
                    .repairIntervalMs(settings.repairIntervalMs)
                    .tombstoneGraceMs(TOMBSTONE_GRACE_MS)
                    .repairMaxSegmentsPerRound(settings.repairMaxSegmentsPerRound)
                    .repairMaxEntriesPerFetch(settings.repairMaxEntriesPerFetch)
                    .treeShape(settings.treeBranchCount, settings.treeSegmentsPerBranch)
                    .broadcastMaxEntries(settings.broadcastMaxEntries)
                    .writerContext(new StorageWriterContext().useAgentInvoker(true)));
                ctx.addComponent(store);
                stores[nodeId] = store;
            });
            handles[id] = stores[id].handle(node);
        }
    }

    private final MembershipListener membershipEvents = new MembershipListener()
    {
        public void onMemberJoined(final int nodeId, final long generation, final boolean restarted)
        {
            restartsDetected += restarted ? 1 : 0;
        }

        public void onMemberDead(final int nodeId, final long generation)
        {
            membersMarkedDead++;
        }

        public void onMemberRevived(final int nodeId, final long generation)
        {
            membersRevived++;
        }
    };

    /**
     * @return times any node's failure detector marked a member dead.
     */
    long membersMarkedDead()
    {
        return membersMarkedDead;
    }

    /**
     * @return times any node saw a member it held dead beat again.
     */
    long membersRevived()
    {
        return membersRevived;
    }

    /**
     * @return times any node learned that a member restarted (a higher generation).
     */
    long restartsDetected()
    {
        return restartsDetected;
    }

    static String endpoint(final int nodeId)
    {
        return "sim-" + nodeId;
    }

    private static StaticClusterView staticView(final int nodeId, final int nodeCount)
    {
        final StaticClusterView view = new StaticClusterView(nodeId, DATA_CENTRE, endpoint(nodeId));
        for (int other = 1; other <= nodeCount; other++)
        {
            if (other != nodeId)
            {
                view.addMember(other, DATA_CENTRE, endpoint(other));
            }
        }
        return view;
    }

    private MembershipContext membershipContext(final int nodeId)
    {
        final MembershipContext ctx = new MembershipContext()
            .dataCentre(DATA_CENTRE)
            .bootstrap(1 == nodeId)
            .gossipIntervalMs(settings.gossipIntervalMs)
            .synTimeoutMs(2 * settings.gossipIntervalMs)
            .phiThreshold(settings.phiThreshold)
            .liveFanout(settings.gossipFanout)
            .listener(membershipEvents);
        for (int seedNode = 1; seedNode <= Math.min(CampaignSettings.GOSSIP_SEED_NODES, settings.nodeCount);
            seedNode++)
        {
            ctx.seeds(endpoint(seedNode));
        }
        return ctx;
    }

    private long ownGeneration(final int nodeId)
    {
        final long[] own = new long[1];
        memberships[nodeId].forEachMember((id, dataCentre, endpoint, generation, live) ->
        {
            if (id == nodeId)
            {
                own[0] = generation;
            }
        });
        return own[0];
    }

    /**
     * The membership of a node's current incarnation.
     *
     * @return the component, or null when the seed runs with static views.
     */
    MembershipComponent membership(final int nodeId)
    {
        return memberships[nodeId];
    }

    /**
     * The members a node's view holds, live or dead, itself included: all n with static views.
     */
    int viewMemberCount(final int nodeId)
    {
        return settings.gossip() ? memberships[nodeId].memberCount() : settings.nodeCount;
    }

    /**
     * What keeps the membership of the running nodes from agreeing on the running nodes, each live at its current
     * generation, and the crashed nodes, each dead or unknown.
     *
     * @return the first disagreement, or null when every running node's view is right (always with static views).
     */
    String membershipDisagreement()
    {
        if (!settings.gossip())
        {
            return null;
        }
        final int n = settings.nodeCount;
        final long[] generations = new long[n + 1];
        for (int id = 1; id <= n; id++)
        {
            if (isRunning(id))
            {
                generations[id] = ownGeneration(id);
            }
        }
        final String[] problem = new String[1];
        for (int observer = 1; observer <= n && null == problem[0]; observer++)
        {
            if (!isRunning(observer))
            {
                continue;
            }
            final boolean[] seenLive = new boolean[n + 1];
            final int viewer = observer;
            memberships[observer].forEachMember((nodeId, dataCentre, endpoint, generation, live) ->
            {
                if (nodeId < 1 || nodeId > n)
                {
                    problem[0] = "node " + viewer + " knows a node " + nodeId + " that is not in the cluster";
                }
                else if (live && generation == generations[nodeId])
                {
                    seenLive[nodeId] = true;
                }
                else if (live && null == problem[0])
                {
                    problem[0] = "node " + viewer + " holds node " + nodeId + " live at generation " + generation +
                        (0 == generations[nodeId] ? " but it is down" : " but it runs generation " +
                        generations[nodeId]);
                }
            });
            for (int id = 1; id <= n && null == problem[0]; id++)
            {
                if (0 != generations[id] && !seenLive[id])
                {
                    problem[0] = "node " + viewer + " does not hold running node " + id + " live at generation " +
                        generations[id];
                }
            }
        }
        return problem[0];
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
