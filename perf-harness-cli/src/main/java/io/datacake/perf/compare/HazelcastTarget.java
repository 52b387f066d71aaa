package io.datacake.perf.compare;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Hazelcast {@link ReplicatedMap}: members in this JVM on loopback, joined over TCP/IP with explicit ports
 * (multicast and auto detection off), phone-home and logging off, nothing on disk. A ReplicatedMap put is
 * synchronous: it returns once the key's owner applied it, and the owner copies it to the other members
 * asynchronously, so each client thread has one put in flight whatever {@code --in-flight} says.
 */
public final class HazelcastTarget implements CompareTarget
{
    /** Name of the replicated map. */
    public static final String MAP_NAME = "perf";

    private static final String LOOPBACK = "127.0.0.1";

    private final List<HazelcastInstance> instances = new ArrayList<>();
    private final List<ReplicatedMap<Long, byte[]>> maps = new ArrayList<>();

    /**
     * Start the members one after the other; each joins the ones before it.
     *
     * @param members number of members, 1 or more.
     * @throws IllegalArgumentException if members is below 1.
     * @throws RuntimeException         what Hazelcast throws when a member cannot start or join; the members
     *                                  started so far are shut down first.
     */
    public HazelcastTarget(final int members)
    {
        if (members < 1)
        {
            throw new IllegalArgumentException("a Hazelcast cluster needs at least 1 member, not " + members);
        }
        final int[] ports = FreeTcpPorts.allocate(members);
        // Each run gets its own cluster name, so members of another run on this machine are never joined.
        final String clusterName = "datacake-compare-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try
        {
            for (int i = 0; i < members; i++)
            {
                final HazelcastInstance instance = Hazelcast.newHazelcastInstance(config(clusterName, ports, i));
                instances.add(instance);
                maps.add(instance.getReplicatedMap(MAP_NAME));
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * {@inheritDoc}
     */
    public boolean ready()
    {
        return instances.stream().allMatch((i) -> i.getCluster().getMembers().size() == instances.size());
    }

    /**
     * {@inheritDoc}
     */
    public String name()
    {
        return "hazelcast-replicatedmap";
    }

    /**
     * {@inheritDoc}
     */
    public int members()
    {
        return instances.size();
    }

    /**
     * {@inheritDoc}
     */
    public CompletionStage<?> put(final int member, final long key, final byte[] value)
    {
        try
        {
            maps.get(member).put(key, value);
            return CompletableFuture.completedFuture(null);
        }
        catch (final RuntimeException ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    public ReplicaView view(final int member)
    {
        // A ReplicatedMap read answers from the member's own replica.
        final ReplicatedMap<Long, byte[]> map = maps.get(member);
        return map::get;
    }

    /**
     * Shut every member down. Idempotent.
     */
    public void close()
    {
        for (final HazelcastInstance instance : instances)
        {
            try
            {
                instance.getLifecycleService().terminate();
            }
            catch (final RuntimeException ignore)
            {
                // Already down; the others still get their turn.
            }
        }
        instances.clear();
        maps.clear();
    }

    private static Config config(final String clusterName, final int[] ports, final int index)
    {
        final Config config = new Config();
        config.setClusterName(clusterName);
        config.setInstanceName(clusterName + "-" + index);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "none");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.socket.bind.any", "false");
        final NetworkConfig network = config.getNetworkConfig();
        network.setPort(ports[index]).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).addInterface(LOOPBACK);
        network.setPublicAddress(LOOPBACK + ":" + ports[index]);
        final JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true);
        // Only the members already started: a member never waits on one that does not exist yet.
        for (int i = 0; i <= index; i++)
        {
            join.getTcpIpConfig().addMember(LOOPBACK + ":" + ports[i]);
        }
        return config;
    }
}
