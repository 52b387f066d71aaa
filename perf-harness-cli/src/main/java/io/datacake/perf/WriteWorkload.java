package io.datacake.perf;

import io.datacake.node.Node;
import io.datacake.node.NodeClosedException;
import io.datacake.node.NodeServices;
import io.datacake.node.NodeTask;
import io.datacake.rpc.Rpc;
import io.datacake.rpc.RpcError;
import io.datacake.rpc.RpcResponseListener;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop write workload: a fixed number of writes in flight, each sent to a coordinator node chosen round
 * robin. The coordinator stamps the write with its HLC, applies it to its own replica, sends it to every other
 * node and completes when all of them acknowledged (consistency ALL). Latency runs from submission by the load
 * thread to the last acknowledgement. Writes in flight are pooled objects: the node threads allocate nothing per
 * write.
 */
final class WriteWorkload
{
    /** How long the workload waits for every node to reach every other before it starts. */
    private static final long CONNECT_DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);

    /** How long after the request timeout the drain still waits for writes in flight. */
    private static final long DRAIN_MARGIN_NS = TimeUnit.SECONDS.toNanos(30);

    private final List<Node> nodes;
    private final Replica[] replicas;
    private final int[][] peersByCoordinator;
    private final ManyToManyConcurrentArrayQueue<PendingWrite> free;
    /** Longest latency the histogram records; longer ones are recorded as this. */
    static final long MAX_RECORDED_LATENCY_MS = 60_000;

    private static final long MAX_RECORDED_LATENCY_NS = TimeUnit.MILLISECONDS.toNanos(MAX_RECORDED_LATENCY_MS);

    private final Recorder recorder = new Recorder(MAX_RECORDED_LATENCY_NS, 3);
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final int concurrency;
    private final int keyCount;
    private final long timeoutMs;
    private volatile long measureFromNs = Long.MAX_VALUE;
    private volatile boolean stopRequested;

    WriteWorkload(
        final List<Node> nodes, final Replica[] replicas, final int concurrency, final int valueBytes,
        final int keyCount, final long timeoutMs, final long seed)
    {
        this.nodes = nodes;
        this.replicas = replicas;
        this.concurrency = concurrency;
        this.keyCount = keyCount;
        this.timeoutMs = timeoutMs;
        this.peersByCoordinator = new int[nodes.size()][];
        // The queue needs a capacity of at least 2; it never holds more than the concurrency's writes.
        this.free = new ManyToManyConcurrentArrayQueue<>(Math.max(2, concurrency));
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < concurrency; i++)
        {
            final byte[] value = new byte[valueBytes];
            random.nextBytes(value);
            free.offer(new PendingWrite(value));
        }
    }

    /**
     * Ask a running workload to stop submitting writes; {@link #run} then drains the writes in flight and returns
     * what was measured so far. Safe from any thread, including a shutdown hook, before or during the run.
     */
    void stop()
    {
        stopRequested = true;
    }

    /**
     * Resolve every node's peers and wait until every node reaches every other.
     *
     * @return true when connected, false when {@link #stop()} was called first.
     * @throws IllegalStateException if a peer is still unreachable after the connect deadline.
     */
    boolean connect()
    {
        resolvePeers();
        return awaitEveryPeerReachable();
    }

    /**
     * Run the workload after {@link #connect()}: warm up, measure, then wait for every write in flight. Ends early
     * when {@link #stop()} is called.
     *
     * @return the latency histogram of the measured writes (nanoseconds).
     */
    Result run(final long warmupNs, final long measureNs, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
        final long startNs = System.nanoTime();
        final long measureStartNs = startNs + warmupNs;
        final long endNs = measureStartNs + measureNs;
        long submitted = 0;
        long measuredSubmitted = 0;
        long now;
        boolean measuring = false;
        // The measurement lasts its duration and holds at least one write, however slowly this thread is scheduled.
        while (!stopRequested && ((now = System.nanoTime()) < endNs || 0 == measuredSubmitted))
        {
            if (!measuring && now >= measureStartNs)
            {
                measuring = true;
                measureFromNs = now;
                recorder.reset();
                completed.set(0);
                failed.set(0);
            }
            final PendingWrite write = free.poll();
            if (null == write)
            {
                idle.idle();
                continue;
            }
            idle.reset();
            if (measuring)
            {
                measuredSubmitted++;
            }
            final int coordinator = (int)(submitted++ % nodes.size());
            write.prepare(coordinator, random.nextLong(keyCount), System.nanoTime());
            nodes.get(coordinator).submit(write);
        }

        // Every write in flight ends by its acknowledgements or by its request timeout; wait for that, bounded.
        final long drainDeadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs) + DRAIN_MARGIN_NS;
        while (free.size() < concurrency && System.nanoTime() < drainDeadlineNs)
        {
            idle.idle();
        }
        // Stopped during the warm-up: nothing was measured.
        final long elapsedNs = measuring ? System.nanoTime() - measureFromNs : 0;
        if (!measuring)
        {
            recorder.reset();
            completed.set(0);
            failed.set(0);
        }
        return new Result(recorder.getIntervalHistogram(), completed.get(), failed.get(), elapsedNs,
            concurrency - free.size(), stopRequested);
    }

    /**
     * Wait until every node has had a response from every other node. Writes start on connected peers, so the RPC
     * never has to hold back (and later resend, possibly reordered) requests to a peer still connecting, which the
     * replicas' per-source order rule would reject as stale.
     *
     * @return true when every peer is reachable, false when stopped first.
     * @throws IllegalStateException if a peer is still unreachable after {@link #CONNECT_DEADLINE_NS}.
     */
    private boolean awaitEveryPeerReachable()
    {
        final long deadlineNs = System.nanoTime() + CONNECT_DEADLINE_NS;
        for (int c = 0; c < nodes.size(); c++)
        {
            for (int p = 0; p < nodes.size(); p++)
            {
                if (p != c && !awaitReachable(c, p, deadlineNs))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private boolean awaitReachable(final int from, final int to, final long deadlineNs)
    {
        final IdleStrategy idle = new BackoffIdleStrategy(1, 1, 1_000, 1_000_000);
        while (!stopRequested)
        {
            final long remainingNs = deadlineNs - System.nanoTime();
            try
            {
                nodes.get(from).call(nodes.get(to).endpoint(), Replica.SERVICE, Replica.PING, null, null, timeoutMs)
                    .get(Math.max(0, remainingNs), TimeUnit.NANOSECONDS);
                return true;
            }
            catch (final ExecutionException | TimeoutException ex)
            {
                if (System.nanoTime() - deadlineNs >= 0)
                {
                    throw new IllegalStateException("node " + (from + 1) + " cannot reach node " + (to + 1) +
                        " within " + TimeUnit.NANOSECONDS.toSeconds(CONNECT_DEADLINE_NS) + " s", ex);
                }
                idle.idle();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for peers", ex);
            }
        }
        return false;
    }

    private void resolvePeers()
    {
        for (int c = 0; c < nodes.size(); c++)
        {
            final int coordinator = c;
            peersByCoordinator[c] = nodes.get(c).execute((services) ->
            {
                final int[] peers = new int[nodes.size() - 1];
                int p = 0;
                for (int i = 0; i < nodes.size(); i++)
                {
                    if (i != coordinator)
                    {
                        peers[p++] = services.rpc().resolvePeer(nodes.get(i).endpoint());
                    }
                }
                return peers;
            }).join();
        }
    }

    /**
     * Outcome of a run.
     *
     * @param latencyNs    latency of measured writes, completed or failed, in nanoseconds.
     * @param completed    writes every replica acknowledged during the measurement.
     * @param failed       writes at least one replica did not acknowledge (error or timeout).
     * @param elapsedNs    length of the measurement, including the drain; 0 when stopped before it began.
     * @param stillPending writes still in flight after the drain timeout.
     * @param stopped      true when {@link #stop()} ended the run early: the figures are partial.
     */
    record Result(
        Histogram latencyNs, long completed, long failed, long elapsedNs, int stillPending, boolean stopped)
    {
        /**
         * @return acknowledged writes per second of measurement, 0 when nothing was measured.
         */
        double writesPerSecond()
        {
            return elapsedNs > 0 ? completed / (elapsedNs / 1e9) : 0;
        }
    }

    private final class PendingWrite implements NodeTask, RpcResponseListener
    {
        private final UnsafeBuffer body;
        private final int valueLength;
        private int coordinator;
        private long key;
        private long startNs;
        private int outstanding;
        private boolean anyFailed;

        PendingWrite(final byte[] value)
        {
            valueLength = value.length;
            body = new UnsafeBuffer(new byte[Replica.VALUE_OFFSET + value.length]);
            body.putBytes(Replica.VALUE_OFFSET, value);
        }

        void prepare(final int coordinator, final long key, final long startNs)
        {
            this.coordinator = coordinator;
            this.key = key;
            this.startNs = startNs;
        }

        public void execute(final NodeServices services)
        {
            final long stamp = services.clock().send();
            final int nodeId = services.nodeId();
            replicas[coordinator].apply(key, stamp, nodeId, body, Replica.VALUE_OFFSET, valueLength);
            body.putLong(Replica.KEY_OFFSET, key);
            body.putLong(Replica.STAMP_OFFSET, stamp);
            body.putInt(Replica.NODE_OFFSET, nodeId);

            // One extra count held while sending, as a call may fail before it returns.
            final int[] peers = peersByCoordinator[coordinator];
            outstanding = peers.length + 1;
            anyFailed = false;
            final Rpc rpc = services.rpc();
            for (final int peer : peers)
            {
                rpc.call(peer, Replica.SERVICE_ID, Replica.PUT, body, 0, body.capacity(), null, timeoutMs, this);
            }
            acknowledge();
        }

        public void onRejected(final NodeClosedException reason)
        {
            anyFailed = true;
            finish();
        }

        public void onResponse(final long correlationId, final DirectBuffer buffer, final int offset, final int length)
        {
            acknowledge();
        }

        public void onError(final long correlationId, final RpcError error, final String message)
        {
            anyFailed = true;
            acknowledge();
        }

        private void acknowledge()
        {
            if (--outstanding == 0)
            {
                finish();
            }
        }

        private void finish()
        {
            if (startNs >= measureFromNs)
            {
                recorder.recordValue(Math.min(System.nanoTime() - startNs, MAX_RECORDED_LATENCY_NS));
                (anyFailed ? failed : completed).incrementAndGet();
            }
            free.offer(this);
        }
    }
}
