package io.datacake.perf;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.perf.compare.CompareTarget;
import io.datacake.perf.compare.ReplicaView;
import io.datacake.storage.Document;
import io.datacake.store.KeyspaceHandle;

import java.util.concurrent.CompletionStage;

/**
 * datacake-java as a {@link CompareTarget}: the {@link EmbeddedCluster} that {@code perf-harness run} starts, one
 * keyspace, puts at a consistency level through the member's store handle.
 */
final class DatacakeTarget implements CompareTarget
{
    private final EmbeddedCluster cluster;
    private final KeyspaceHandle[] keyspaces;
    private final ConsistencyLevel level;
    private final String name;

    /**
     * Start the cluster.
     *
     * @param settings    what to start.
     * @param consistency level of every put.
     * @throws RuntimeException what {@link EmbeddedCluster} throws when it cannot start.
     */
    DatacakeTarget(final ClusterSettings settings, final Consistency consistency)
    {
        cluster = new EmbeddedCluster(settings);
        level = consistency.level();
        name = "datacake-java-" + consistency;
        keyspaces = new KeyspaceHandle[settings.nodes()];
        for (int i = 0; i < keyspaces.length; i++)
        {
            keyspaces[i] = cluster.handles().get(i).keyspace(WorkloadSettings.keyspaceName(0));
        }
    }

    /**
     * {@inheritDoc}
     */
    public String name()
    {
        return name;
    }

    /**
     * {@inheritDoc}
     */
    public int members()
    {
        return keyspaces.length;
    }

    /**
     * {@inheritDoc}
     */
    public boolean ready()
    {
        try
        {
            // A deadline of now: one look at the membership, no wait.
            return cluster.awaitMembership(System.nanoTime(), () -> false);
        }
        catch (final IllegalStateException notYet)
        {
            return false;
        }
    }

    /**
     * {@inheritDoc}
     */
    public CompletionStage<?> put(final int member, final long key, final byte[] value)
    {
        return keyspaces[member].put(key, value, level);
    }

    /**
     * {@inheritDoc}
     */
    public ReplicaView view(final int member)
    {
        final KeyspaceHandle keyspace = keyspaces[member];
        return (key) ->
        {
            final Document document = keyspace.get(key);
            return null == document ? null : document.value();
        };
    }

    /**
     * @return the cluster, for its directories.
     */
    EmbeddedCluster cluster()
    {
        return cluster;
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        cluster.close();
    }
}
