package io.datacake.crdt;

import io.datacake.clock.HybridLogicalClock;
import org.agrona.concurrent.CachedEpochClock;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A random history of set operations made by several nodes, each stamped by its own hybrid logical clock over a
 * skewed simulated physical clock, with occasional causal messages between nodes. Replicas are built by delivering
 * each node's operations in order (the contract of a source), interleaved at random, with duplicates.
 */
final class OperationHistory
{
    static final long BASE_MS = 1_764_061_731_000L;

    record Operation(int nodeId, boolean insert, long key, long stamp)
    {
        void applyTo(final Orswot set, final int source)
        {
            if (insert)
            {
                set.insert(source, key, stamp, nodeId);
            }
            else
            {
                set.delete(source, key, stamp, nodeId);
            }
        }
    }

    final List<List<Operation>> byNode = new ArrayList<>();

    static OperationHistory generate(final SplittableRandom random, final int nodes, final int operations,
        final int keySpace)
    {
        final OperationHistory history = new OperationHistory();
        final CachedEpochClock[] physical = new CachedEpochClock[nodes];
        final HybridLogicalClock[] clocks = new HybridLogicalClock[nodes];
        final int[] nodeIds = new int[nodes];
        for (int i = 0; i < nodes; i++)
        {
            physical[i] = new CachedEpochClock();
            physical[i].update(BASE_MS + random.nextInt(50)); // clock skew between nodes
            nodeIds[i] = random.nextInt(65_536);
            for (int j = 0; j < i; j++)
            {
                if (nodeIds[j] == nodeIds[i])
                {
                    nodeIds[i] = (nodeIds[i] + 1) & 0xFFFF;
                    j = -1;
                }
            }
            clocks[i] = new HybridLogicalClock(nodeIds[i], physical[i]);
            history.byNode.add(new ArrayList<>());
        }

        for (int i = 0; i < operations; i++)
        {
            final int n = random.nextInt(nodes);
            physical[n].advance(random.nextInt(3));
            if (random.nextInt(8) == 0)
            {
                final int from = random.nextInt(nodes);
                if (from != n)
                {
                    clocks[n].recv(clocks[from].lastStamp() == 0 ? clocks[from].send() : clocks[from].lastStamp(),
                        nodeIds[from]);
                }
            }
            final long stamp = clocks[n].send();
            final boolean insert = random.nextInt(10) < 7;
            history.byNode.get(n).add(new Operation(nodeIds[n], insert, random.nextInt(keySpace), stamp));
        }
        return history;
    }

    int nodes()
    {
        return byNode.size();
    }

    int[] fullPrefix()
    {
        final int[] prefix = new int[nodes()];
        for (int i = 0; i < prefix.length; i++)
        {
            prefix[i] = byNode.get(i).size();
        }
        return prefix;
    }

    int[] randomPrefix(final SplittableRandom random)
    {
        final int[] prefix = new int[nodes()];
        for (int i = 0; i < prefix.length; i++)
        {
            prefix[i] = random.nextInt(byNode.get(i).size() + 1);
        }
        return prefix;
    }

    /**
     * Deliver, through each source, the first prefix[source][node] operations of every node in order, interleaving
     * nodes and sources at random and re-delivering earlier operations now and then.
     */
    void deliver(final Orswot set, final int[][] prefixBySource, final SplittableRandom random,
        final int duplicatePercent)
    {
        final int sources = prefixBySource.length;
        final int[][] next = new int[sources][nodes()];
        int remaining = 0;
        for (final int[] prefix : prefixBySource)
        {
            for (final int count : prefix)
            {
                remaining += count;
            }
        }

        final List<Operation> delivered = new ArrayList<>();
        final List<Integer> deliveredSource = new ArrayList<>();
        while (remaining > 0)
        {
            if (!delivered.isEmpty() && random.nextInt(100) < duplicatePercent)
            {
                final int i = random.nextInt(delivered.size());
                delivered.get(i).applyTo(set, deliveredSource.get(i));
                continue;
            }
            final int source = random.nextInt(sources);
            final int node = random.nextInt(nodes());
            if (next[source][node] < prefixBySource[source][node])
            {
                final Operation op = byNode.get(node).get(next[source][node]++);
                op.applyTo(set, source);
                delivered.add(op);
                deliveredSource.add(source);
                remaining--;
            }
        }
    }
}
