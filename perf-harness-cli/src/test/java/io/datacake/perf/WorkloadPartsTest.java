package io.datacake.perf;

import io.datacake.membership.ConsistencyException;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.node.NodeBackPressureException;
import io.datacake.storage.MemoryStorage;
import io.datacake.store.ReplicationException;
import io.datacake.store.StoreBackPressureException;
import io.datacake.store.WriteStatus;
import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The pieces of a run outside any cluster: the mix, the measurement window, times, thresholds, error kinds and the
 * convergence digest.
 */
class WorkloadPartsTest
{
    @Test
    void eachThreadTakesAnEqualShareOfTheRate()
    {
        assertThat(settings(4, 1_000).periodPerThreadNs()).isEqualTo(4_000_000L);
        assertThat(settings(1, 3e9).periodPerThreadNs()).isEqualTo(1L);
        assertThat(settings(4, 0).periodPerThreadNs()).isZero();
    }

    private static WorkloadSettings settings(final int threads, final double ratePerSecond)
    {
        return new WorkloadSettings(threads, 1, 1, 100, 16, OperationMix.parse("put=1"), Consistency.ONE,
            ratePerSecond, 1);
    }

    @Test
    void mixPicksOperationsInProportionToTheirWeightsAndNeverOneWeighingZero()
    {
        SeededTrials.run("mix proportions", 5, (random) ->
        {
            final OperationMix mix = OperationMix.parse("put=6, get=3,delete=1");
            final int[] counts = new int[Operation.values().length];
            final int draws = 100_000;
            for (int i = 0; i < draws; i++)
            {
                counts[mix.pick(random).ordinal()]++;
            }
            assertThat(counts[Operation.PUT.ordinal()] / (double)draws).isCloseTo(0.6, within(0.02));
            assertThat(counts[Operation.GET.ordinal()] / (double)draws).isCloseTo(0.3, within(0.02));
            assertThat(counts[Operation.DELETE.ordinal()] / (double)draws).isCloseTo(0.1, within(0.02));

            final OperationMix getsOnly = OperationMix.parse("get=1");
            for (int i = 0; i < 1_000; i++)
            {
                assertThat(getsOnly.pick(random)).isEqualTo(Operation.GET);
            }
            assertThat(getsOnly.writes()).isFalse();
            assertThat(getsOnly).hasToString("put=0,get=1,delete=0");
        });
    }

    @Test
    void mixRefusesWhatItCannotRead()
    {
        assertThatThrownBy(() -> OperationMix.parse("put")).hasMessageContaining("not operation=weight");
        assertThatThrownBy(() -> OperationMix.parse("put=-1")).hasMessageContaining("0..1000000");
        assertThatThrownBy(() -> OperationMix.parse("put=0,get=0")).hasMessageContaining("add up to 0");
    }

    @Test
    void aCountedMeasurementMeasuresExactlyItsCountWhateverTheThreads() throws InterruptedException
    {
        final MeasurementWindow window = new MeasurementWindow(100, 0, 1_000, 0);
        window.start(0);
        final AtomicLong warm = new AtomicLong();
        final AtomicLong measured = new AtomicLong();
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++)
        {
            threads.add(new Thread(() ->
            {
                int phase;
                while (MeasurementWindow.END != (phase = window.next(System.nanoTime())))
                {
                    (MeasurementWindow.WARMUP == phase ? warm : measured).incrementAndGet();
                }
            }));
        }
        threads.forEach(Thread::start);
        for (final Thread thread : threads)
        {
            thread.join();
        }

        assertThat(warm.get()).isEqualTo(100);
        assertThat(measured.get()).isEqualTo(1_000);
        assertThat(window.measuring()).isTrue();
    }

    @Test
    void aTimedWindowJudgesByTheIntendedStartAndAStopEndsIt()
    {
        final MeasurementWindow window = new MeasurementWindow(MeasurementWindow.TIMED, 10, MeasurementWindow.TIMED, 5);
        window.start(1_000);

        assertThat(window.next(1_009)).isEqualTo(MeasurementWindow.WARMUP);
        assertThat(window.measuring()).isFalse();
        assertThat(window.next(1_010)).isEqualTo(MeasurementWindow.MEASURE);
        assertThat(window.measureStartNs()).isEqualTo(1_010);
        assertThat(window.next(1_014)).isEqualTo(MeasurementWindow.MEASURE);
        assertThat(window.next(1_015)).isEqualTo(MeasurementWindow.END);
        window.stop();
        assertThat(window.next(1_011)).isEqualTo(MeasurementWindow.END);
    }

    @Test
    void timesTakeUnitsAndBareNumbersAreSeconds()
    {
        assertThat(TimeValue.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(TimeValue.parse("2.5s")).isEqualTo(Duration.ofMillis(2_500));
        assertThat(TimeValue.parse("10")).isEqualTo(Duration.ofSeconds(10));
        assertThat(TimeValue.parse("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(TimeValue.parse("0")).isZero();
        assertThatThrownBy(() -> TimeValue.parse("-1s")).hasMessageContaining("is not a time");
        assertThatThrownBy(() -> TimeValue.parse("400d")).hasMessageContaining("is not a time");
    }

    @Test
    void thresholdsReadTheirOperationStatisticComparisonAndUnit()
    {
        final Threshold p99 = Threshold.parse("put.p99<2ms");
        assertThat(p99.operation()).isEqualTo(Operation.PUT);
        assertThat(p99.stat()).isEqualTo(Threshold.Stat.P99);
        assertThat(p99.limit()).isEqualTo(2_000_000);
        assertThat(p99.holds(1_999_999)).isTrue();
        assertThat(p99.holds(2_000_000)).isFalse();
        assertThat(p99.format(1_234_567)).isEqualTo("1.235ms");

        final Threshold throughput = Threshold.parse("all.throughput>=5000ops/s");
        assertThat(throughput.operation()).isNull();
        assertThat(throughput.holds(5_000)).isTrue();
        assertThat(throughput.holds(4_999.9)).isFalse();

        assertThat(Threshold.parse("get.p999 <= 1.5 us").limit()).isEqualTo(1_500);
        assertThat(Threshold.parse("delete.max>1s").holds(1e9 + 1)).isTrue();
    }

    @Test
    void errorsAreClassifiedThroughTheFuturesWrapping()
    {
        assertThat(ErrorKind.classify(
            new CompletionException(new ConsistencyException(ConsistencyLevel.ALL, 2, 1, null, "all"))))
            .isEqualTo(ErrorKind.CONSISTENCY);
        assertThat(ErrorKind.classify(new CompletionException(new StoreBackPressureException("full"))))
            .isEqualTo(ErrorKind.BACK_PRESSURE);
        assertThat(ErrorKind.classify(new NodeBackPressureException(1, 4096))).isEqualTo(ErrorKind.BACK_PRESSURE);
        assertThat(ErrorKind.classify(new ReplicationException(1, 2, "replica 2 did not acknowledge: TIMEOUT")))
            .isEqualTo(ErrorKind.TIMEOUT);
        assertThat(ErrorKind.classify(new ReplicationException(1, 2, "replica 2 did not acknowledge: NODE_CLOSED")))
            .isEqualTo(ErrorKind.OTHER);
        assertThat(ErrorKind.classify(new IllegalStateException("boom"))).isEqualTo(ErrorKind.OTHER);
    }

    @Test
    void callbackStatusesMapToTheSameKindsAsTheFuturesExceptions()
    {
        assertThat(ErrorKind.of(WriteStatus.TOO_FEW_MEMBERS, null)).isEqualTo(ErrorKind.CONSISTENCY);
        assertThat(ErrorKind.of(WriteStatus.BACK_PRESSURED, null)).isEqualTo(ErrorKind.BACK_PRESSURE);
        assertThat(ErrorKind.of(WriteStatus.NOT_ACKNOWLEDGED,
            new ReplicationException(1, 2, "replica 3 did not acknowledge: TIMEOUT"))).isEqualTo(ErrorKind.TIMEOUT);
        assertThat(ErrorKind.of(WriteStatus.NOT_ACKNOWLEDGED,
            new ReplicationException(1, 2, "the local storage commit failed"))).isEqualTo(ErrorKind.OTHER);
        assertThat(ErrorKind.of(WriteStatus.NODE_CLOSED, null)).isEqualTo(ErrorKind.OTHER);
    }

    @Test
    void storagesConvergeOnlyWhenEveryKeyspaceHoldsTheSameLastWrites()
    {
        try (MemoryStorage a = new MemoryStorage(); MemoryStorage b = new MemoryStorage())
        {
            final ConvergenceProbe probe = new ConvergenceProbe(List.of(a, b), 2);
            assertThat(probe.converged()).isTrue();

            a.put(WorkloadSettings.keyspaceName(1), 7, 100, 1, new byte[]{ 1 });
            assertThat(probe.converged()).isFalse();
            b.put(WorkloadSettings.keyspaceName(1), 7, 100, 2, new byte[]{ 1 });
            assertThat(probe.converged()).as("same stamp, another node").isFalse();
            b.put(WorkloadSettings.keyspaceName(1), 7, 100, 1, new byte[]{ 1 });
            assertThat(probe.converged()).as("after a newer node id wins, still differs").isFalse();

            a.put(WorkloadSettings.keyspaceName(1), 7, 200, 1, new byte[]{ 2 });
            b.put(WorkloadSettings.keyspaceName(1), 7, 200, 1, new byte[]{ 2 });
            assertThat(probe.converged()).isTrue();
            a.markTombstone(WorkloadSettings.keyspaceName(0), 3, 300, 1);
            assertThat(probe.converged()).isFalse();
            b.markTombstone(WorkloadSettings.keyspaceName(0), 3, 300, 1);
            assertThat(probe.converged()).isTrue();
            assertThat(probe.entries(0)).isEqualTo(2);
        }
    }
}
