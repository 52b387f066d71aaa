package io.datacake.perf;

import io.datacake.perf.compare.CompareTarget;
import io.datacake.perf.compare.ReplicaView;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compare load against targets in memory whose replication is scripted: every measured put counted once, and
 * the convergence check telling a target whose members hold every last written value from one whose members miss
 * writes or keep older ones. Runs end on counts, never on timing.
 */
class CompareLoadTest
{
    private static final int MEMBERS = 3;
    private static final long DRAIN_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long CONVERGE_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long SHORT_CONVERGE_NS = TimeUnit.MILLISECONDS.toNanos(50);

    @Test
    void everyMeasuredPutIsCountedOnceAndAFullyReplicatingTargetConverges() throws InterruptedException
    {
        final ScriptedTarget target = new ScriptedTarget(Replication.ALL_MEMBERS);

        final CompareResult result = run(target, 300, 50, 40, 2, 4, CONVERGE_NS);

        assertThat(result.succeeded()).isEqualTo(300);
        assertThat(result.failed()).isZero();
        assertThat(result.stillInFlight()).isZero();
        assertThat(result.latency().getTotalCount()).isEqualTo(300);
        assertThat(result.converged()).isTrue();
        assertThat(result.staleKeys()).isZero();
        assertThat(result.keysWritten()).isBetween(1L, 40L).isEqualTo(target.distinctKeys());
        assertThat(target.puts()).isEqualTo(350);
        assertThat(result.target()).isEqualTo("scripted");
    }

    @Test
    void aTargetThatNeverReplicatesDoesNotConvergeAndEveryOtherMemberIsCountedStale() throws InterruptedException
    {
        final ScriptedTarget target = new ScriptedTarget(Replication.COORDINATOR_ONLY);

        final CompareResult result = run(target, 200, 0, 30, 1, 1, SHORT_CONVERGE_NS);

        assertThat(result.succeeded()).isEqualTo(200);
        assertThat(result.converged()).isFalse();
        assertThat(result.convergenceMs()).isEqualTo(RunResult.NOT_CONVERGED);
        assertThat(result.staleKeys()).isEqualTo(result.keysWritten() * (MEMBERS - 1));
    }

    @Test
    void aTargetThatKeepsTheFirstValueOfAKeyDoesNotConverge() throws InterruptedException
    {
        // Every member holds a value for every key written, but not the last one: presence alone is not enough.
        final ScriptedTarget target = new ScriptedTarget(Replication.FIRST_WRITE_WINS);

        final CompareResult result = run(target, 200, 0, 5, 1, 1, SHORT_CONVERGE_NS);

        assertThat(result.converged()).isFalse();
        assertThat(result.staleKeys()).isPositive();
    }

    @Test
    void failedPutsAreCountedAndNotRecordedAsLatency() throws InterruptedException
    {
        final ScriptedTarget target = new ScriptedTarget(Replication.FAIL);

        final CompareResult result = run(target, 100, 0, 30, 2, 2, 0);

        assertThat(result.failed()).isEqualTo(100);
        assertThat(result.succeeded()).isZero();
        assertThat(result.latency().getTotalCount()).isZero();
        assertThat(result.convergenceMs()).isEqualTo(RunResult.NOT_CHECKED);
    }

    @Test
    void eachKeyIsWrittenByOneThreadThroughOneMember() throws InterruptedException
    {
        final ScriptedTarget target = new ScriptedTarget(Replication.ALL_MEMBERS);

        run(target, 400, 0, 50, 4, 2, CONVERGE_NS);

        target.coordinators.forEach((key, member) -> assertThat(member).isEqualTo((int)(key % MEMBERS)));
        assertThat(target.coordinators).isNotEmpty();
    }

    private static CompareResult run(
        final CompareTarget target,
        final long ops,
        final long warmupOps,
        final long keys,
        final int threads,
        final int inFlight,
        final long convergeNs) throws InterruptedException
    {
        final WorkloadSettings settings = new WorkloadSettings(threads, inFlight, 1, keys, 16,
            OperationMix.parse("put=1"), Consistency.ALL, 0, 7);
        final MeasurementWindow window = new MeasurementWindow(warmupOps, 0, ops, 0);
        return new CompareLoad(target, settings, window).run(DRAIN_NS, convergeNs);
    }

    private enum Replication
    {
        ALL_MEMBERS, COORDINATOR_ONLY, FIRST_WRITE_WINS, FAIL
    }

    /**
     * Members as maps; a put is applied at once, completed on another thread so completions cross threads as they
     * do on real targets.
     */
    private static final class ScriptedTarget implements CompareTarget
    {
        private final Replication replication;
        private final List<ConcurrentHashMap<Long, byte[]>> replicas = new ArrayList<>();
        private final ConcurrentHashMap<Long, Integer> coordinators = new ConcurrentHashMap<>();
        private final AtomicLong puts = new AtomicLong();

        ScriptedTarget(final Replication replication)
        {
            this.replication = replication;
            for (int i = 0; i < MEMBERS; i++)
            {
                replicas.add(new ConcurrentHashMap<>());
            }
        }

        long puts()
        {
            return puts.get();
        }

        long distinctKeys()
        {
            return replicas.get(0).size();
        }

        public String name()
        {
            return "scripted";
        }

        public int members()
        {
            return MEMBERS;
        }

        public boolean ready()
        {
            return true;
        }

        public CompletionStage<?> put(final int member, final long key, final byte[] value)
        {
            puts.incrementAndGet();
            final Integer previous = coordinators.putIfAbsent(key, member);
            assertThat(null == previous || previous == member).as("key %d through one member", key).isTrue();
            switch (replication)
            {
                case FAIL:
                    return CompletableFuture.failedFuture(new IllegalStateException("scripted failure"));
                case COORDINATOR_ONLY:
                    replicas.get(member).put(key, value);
                    break;
                case FIRST_WRITE_WINS:
                    replicas.forEach((replica) -> replica.putIfAbsent(key, value));
                    break;
                default:
                    replicas.forEach((replica) -> replica.put(key, value));
                    break;
            }
            return CompletableFuture.runAsync(() -> { });
        }

        public ReplicaView view(final int member)
        {
            return replicas.get(member)::get;
        }

        public void close()
        {
            replicas.clear();
        }
    }
}
