package io.datacake.sim;

import io.datacake.clock.HybridLogicalClock;
import io.datacake.node.Node;
import io.datacake.rpc.RpcException;
import io.datacake.rpc.RpcResponse;
import io.datacake.storage.Document;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hundred nodes with skewed, drifting clocks (one beyond the HLC's maximum drift), a lossy network and faulty
 * disks, all stepped in one thread: puts to {@link DurableKv} between random nodes while random nodes crash and
 * restart. Checks that no node thread failed and that every acknowledged put is in its target's storage, also after
 * every node crashes at the end.
 */
final class HundredNodeCampaign
{
    static final int NODES = 100;
    static final int FAST_CLOCK_NODE = 1;

    private HundredNodeCampaign()
    {
    }

    /**
     * Run one campaign.
     *
     * @param seed      the seed.
     * @param putCount  puts to issue.
     * @param crashRate chance that a crash comes with a put.
     * @return what happened.
     */
    static Result run(final long seed, final int putCount, final double crashRate)
    {
        final Simulation simulation = new Simulation(seed,
            new RandomNetworkFaults(seed * 31 + 7, 0.02, 0.01, 1, 10),
            new RandomStorageFaults(seed * 17 + 3, 0.05, 0, 30));
        try (simulation)
        {
            final SplittableRandom random = simulation.random();
            final DurableKv.Cluster cluster = new DurableKv.Cluster(
                simulation, (ctx) -> ctx.requestTimeoutMs(300).connectTimeoutMs(100));
            for (int id = 1; id <= NODES; id++)
            {
                // Skews of a few seconds, well within the HLC's maximum drift, and quartz-like drift rates.
                simulation.nodeClock(id).offsetMs(random.nextLong(-2_000, 2_001)).driftPpm(random.nextLong(-200, 201));
            }
            // One node's clock is beyond the HLC's maximum drift ahead: its peers refuse its stamps.
            simulation.nodeClock(FAST_CLOCK_NODE).offsetMs(HybridLogicalClock.DEFAULT_MAX_DRIFT_MS + 60_000);
            for (int id = 1; id <= NODES; id++)
            {
                cluster.add(id);
            }

            final List<Put> puts = new ArrayList<>(putCount);
            final TreeMap<Long, List<Integer>> restartsDue = new TreeMap<>();
            int crashes = 0;
            for (int i = 0; i < putCount; i++)
            {
                simulation.runFor(random.nextInt(3));
                restartDue(simulation, cluster, restartsDue);
                final int from = 1 + random.nextInt(NODES);
                final int to = 1 + (from + random.nextInt(NODES - 1)) % NODES;
                final Node client = simulation.node(from);
                if (null != client)
                {
                    puts.add(new Put(i, to, random.nextLong(), client, simulation));
                }
                if (random.nextDouble() < crashRate)
                {
                    final int victim = 1 + random.nextInt(NODES);
                    if (null != simulation.node(victim))
                    {
                        simulation.crash(victim);
                        crashes++;
                        restartsDue.computeIfAbsent(simulation.clock().time() + random.nextInt(20, 200),
                            (t) -> new ArrayList<>()).add(victim);
                    }
                }
            }
            simulation.runFor(400);
            for (final List<Integer> ids : restartsDue.values())
            {
                ids.forEach(cluster::restart);
            }
            restartsDue.clear();
            simulation.runFor(1_000);

            int acknowledged = 0;
            int failed = 0;
            for (final Put put : puts)
            {
                if (put.future.isDone())
                {
                    if (put.future.isCompletedExceptionally())
                    {
                        failed++;
                    }
                    else
                    {
                        acknowledged++;
                    }
                }
            }
            assertAcknowledgedPutsStored(simulation, puts, "after the run");
            long clockErrors = 0;
            for (final Node node : simulation.nodes())
            {
                clockErrors += node.counters().rpc().clockErrors.get();
                assertThat(node.counters().dutyCycleErrors.get()).as("errors on node %d; %s", node.nodeId(),
                    simulation.replayHint()).isZero();
            }
            long lostCommits = 0;
            for (int id = 1; id <= NODES; id++)
            {
                simulation.crash(id);
                lostCommits += simulation.storage(id).commitsLost();
                simulation.storage(id).reopen();
            }
            assertAcknowledgedPutsStored(simulation, puts, "after every node crashed");
            return new Result(simulation.trace().digest(), simulation.trace().eventCount(), puts.size(), acknowledged,
                failed, crashes, lostCommits, clockErrors, simulation.replayHint());
        }
    }

    private static void restartDue(
        final Simulation simulation, final DurableKv.Cluster cluster, final TreeMap<Long, List<Integer>> restartsDue)
    {
        while (!restartsDue.isEmpty() && restartsDue.firstKey() <= simulation.clock().time())
        {
            restartsDue.pollFirstEntry().getValue().forEach(cluster::restart);
        }
    }

    private static void assertAcknowledgedPutsStored(
        final Simulation simulation, final List<Put> puts, final String when)
    {
        for (final Put put : puts)
        {
            if (put.future.isDone() && !put.future.isCompletedExceptionally())
            {
                final Document document = simulation.storage(put.to).get(DurableKv.KEYSPACE, put.key);
                assertThat(document).as("acknowledged put %d to node %d is stored %s; %s", put.key, put.to, when,
                    simulation.replayHint()).isNotNull();
                assertThat(new UnsafeBuffer(document.value()).getLong(0)).isEqualTo(put.value);
            }
        }
    }

    /**
     * One put and its outcome, folded into the trace when it completes.
     */
    static final class Put
    {
        final long key;
        final int to;
        final long value;
        final CompletableFuture<RpcResponse> future;

        Put(final long key, final int to, final long value, final Node client, final Simulation simulation)
        {
            this.key = key;
            this.to = to;
            this.value = value;
            final UnsafeBuffer body = new UnsafeBuffer(new byte[16]);
            body.putLong(0, key);
            body.putLong(8, value);
            future = client.call("sim-" + to, DurableKv.SERVICE, DurableKv.PUT, body.byteArray(), null, 0);
            future.whenComplete((response, error) -> simulation.trace().record(simulation.clock().time(),
                "put " + key + " to " + to + " " + (null == error ? "OK" : errorName(error))));
        }

        private static String errorName(final Throwable error)
        {
            final Throwable cause = error instanceof CompletionException ? error.getCause() : error;
            return cause instanceof RpcException ? ((RpcException)cause).error().name() : cause.toString();
        }
    }

    /**
     * What a campaign did.
     */
    record Result(
        long digest,
        long eventCount,
        int puts,
        int acknowledged,
        int failed,
        int crashes,
        long lostCommits,
        long clockErrors,
        String replayHint)
    {
    }
}
