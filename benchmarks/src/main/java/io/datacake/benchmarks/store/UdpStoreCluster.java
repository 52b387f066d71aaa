package io.datacake.benchmarks.store;

import io.datacake.membership.MembershipComponent;
import io.datacake.membership.MembershipContext;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.storage.MemoryStorage;
import io.datacake.storage.StorageWriterContext;
import io.datacake.store.ReplicatedStore;
import io.datacake.store.StoreContext;
import io.datacake.store.StoreHandle;
import io.datacake.transport.aeron.AeronDriver;
import io.datacake.transport.aeron.AeronDriverSettings;
import io.datacake.transport.aeron.AeronEndpoint;
import io.datacake.transport.aeron.AeronTransport;
import io.datacake.transport.aeron.AeronTransportSettings;
import io.datacake.transport.aeron.FreeUdpPorts;
import org.agrona.CloseHelper;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * N nodes in this JVM over Aeron UDP on loopback, as on separate hosts: every node has its own embedded media driver
 * (default {@link AeronDriverSettings}), its own port, gossip membership (node 1 bootstraps, the others seed from it)
 * and a {@link ReplicatedStore} on a {@link MemoryStorage}. Node and store settings are the defaults, so the cluster
 * measures what an application gets out of the box.
 */
final class UdpStoreCluster implements AutoCloseable
{
    private static final int FIRST_STREAM_ID = 1001;
    private static final String LOOPBACK = "127.0.0.1";
    private static final long MEMBERSHIP_POLL_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int QUIET_POLLS = 3;
    private static final long QUIET_POLL_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long QUIET_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private final List<AeronDriver> drivers = new ArrayList<>();
    private final List<MemoryStorage> storages = new ArrayList<>();
    private final List<MembershipComponent> memberships = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final List<StoreHandle> handles = new ArrayList<>();

    /**
     * Start the nodes.
     *
     * @param size           number of nodes.
     * @param driverSettings settings of every node's embedded driver (a fresh copy per node).
     * @param asBefore       true to turn off inline commits and the awaiting idle strategy (the node then idles
     *                       alike whether or not calls are in flight), to compare with the set-up before them.
     */
    UdpStoreCluster(final int size, final Supplier<AeronDriverSettings> driverSettings, final boolean asBefore)
    {
        try
        {
            final int[] ports = FreeUdpPorts.allocate(InetAddress.getLoopbackAddress(), size);
            String seed = null;
            for (int i = 0; i < size; i++)
            {
                final int nodeId = i + 1;
                final AeronDriver driver = AeronDriver.launch(driverSettings.get());
                drivers.add(driver);
                final AeronTransport transport = AeronTransport.create(driver,
                    AeronEndpoint.udp(LOOPBACK, ports[i], FIRST_STREAM_ID + i), new AeronTransportSettings());
                final MembershipContext membershipContext = new MembershipContext();
                if (null == seed)
                {
                    membershipContext.bootstrap(true);
                    seed = transport.localEndpoint();
                }
                else
                {
                    membershipContext.seeds(seed);
                }
                final MembershipComponent membership = new MembershipComponent(membershipContext);
                memberships.add(membership);
                final MemoryStorage storage = new MemoryStorage();
                storages.add(storage);
                final ReplicatedStore store = new ReplicatedStore(new StoreContext().storage(storage)
                    .clusterView(membership)
                    .writerContext(new StorageWriterContext().commitInline(!asBefore)));
                final Node node = Node.launch(new NodeContext()
                    .awaitingIdleStrategy(asBefore ? NodeContext.newDefaultIdleStrategy() : null)
                    .nodeId(nodeId)
                    .transport(transport)
                    .ownsTransport(true)
                    .addComponent(membership)
                    .addComponent(store));
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

    /**
     * Wait until every node sees every node live.
     *
     * @param timeoutMs how long to wait.
     * @throws IllegalStateException if they did not within the timeout.
     */
    void awaitMembership(final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!everyNodeSeesEveryNodeLive())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("the nodes did not all see each other live within " + timeoutMs +
                    " ms");
            }
            LockSupport.parkNanos(MEMBERSHIP_POLL_NS);
        }
    }

    /**
     * Wait until no node has received a frame for {@link #QUIET_POLLS} polls in a row, {@link #QUIET_POLL_NS} apart:
     * what earlier operations left in flight has arrived. Gives up quietly after {@link #QUIET_TIMEOUT_NS} (gossip
     * keeps a few frames moving at all times).
     */
    void awaitQuiet()
    {
        final long deadlineNs = System.nanoTime() + QUIET_TIMEOUT_NS;
        long last = framesIn();
        int quietPolls = 0;
        while (quietPolls < QUIET_POLLS && System.nanoTime() - deadlineNs < 0)
        {
            LockSupport.parkNanos(QUIET_POLL_NS);
            final long now = framesIn();
            quietPolls = now == last ? quietPolls + 1 : 0;
            last = now;
        }
    }

    private long framesIn()
    {
        long frames = 0;
        for (final Node node : nodes)
        {
            frames += node.counters().rpc().framesIn.get();
        }
        return frames;
    }

    private boolean everyNodeSeesEveryNodeLive()
    {
        for (final MembershipComponent membership : memberships)
        {
            if (!membership.seesAllLive(nodes.size()))
            {
                return false;
            }
        }
        return true;
    }

    List<Node> nodes()
    {
        return nodes;
    }

    List<StoreHandle> handles()
    {
        return handles;
    }

    List<AeronDriver> drivers()
    {
        return drivers;
    }

    /**
     * Stop the nodes (each closes its transport), then the storages and drivers. Idempotent.
     */
    public void close()
    {
        CloseHelper.quietCloseAll(nodes);
        nodes.clear();
        handles.clear();
        CloseHelper.quietCloseAll(storages);
        storages.clear();
        CloseHelper.quietCloseAll(drivers);
        drivers.clear();
    }
}
