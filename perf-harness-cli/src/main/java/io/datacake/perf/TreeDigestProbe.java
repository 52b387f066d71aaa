package io.datacake.perf;

import io.datacake.store.StoreHandle;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether every node has applied the same last write of every key: compares each node's keyspace digests
 * ({@link StoreHandle#keyspaceDigest(String)}, the root of its content tree, read on its node thread). One poll
 * costs a command per node and keyspace, not a scan of every storage, so polling it shows when the replicas
 * converged to within a poll's pause; {@link ConvergenceProbe} then confirms the storages agree.
 */
final class TreeDigestProbe
{
    private final List<StoreHandle> handles;
    private final int keyspaces;
    private final long readTimeoutMs;

    /**
     * @param handles       each node's store handle.
     * @param keyspaces     number of keyspaces, named by {@link WorkloadSettings#keyspaceName(int)}.
     * @param readTimeoutMs longest wait for one node's digest.
     */
    TreeDigestProbe(final List<StoreHandle> handles, final int keyspaces, final long readTimeoutMs)
    {
        this.handles = handles;
        this.keyspaces = keyspaces;
        this.readTimeoutMs = readTimeoutMs;
    }

    /**
     * Compare every node's keyspace digests with the first node's.
     *
     * @return true when every node's digest of every keyspace is the first node's.
     * @throws IllegalStateException if a node did not answer within the read timeout or failed to (it closed).
     * @throws InterruptedException  if this thread is interrupted while waiting for a node.
     */
    boolean equal() throws InterruptedException
    {
        for (int k = 0; k < keyspaces; k++)
        {
            final String keyspace = WorkloadSettings.keyspaceName(k);
            final long first = digest(0, keyspace);
            for (int node = 1; node < handles.size(); node++)
            {
                if (digest(node, keyspace) != first)
                {
                    return false;
                }
            }
        }
        return true;
    }

    private long digest(final int node, final String keyspace) throws InterruptedException
    {
        try
        {
            return handles.get(node).keyspaceDigest(keyspace).get(readTimeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new IllegalStateException("node " + handles.get(node).nodeId() + " did not report its digest of " +
                "keyspace '" + keyspace + "' within " + readTimeoutMs + " ms", ex);
        }
    }
}
