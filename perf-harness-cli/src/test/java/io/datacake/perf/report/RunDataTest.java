package io.datacake.perf.report;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a run hands to the writer: copied, ordered, checked, with throughput derived from the intervals.
 */
class RunDataTest
{
    @Test
    void operationsAndSettingsKeepTheCallersOrderAndCannotBeChangedAfterwards()
    {
        final RunData run = SampleRuns.run(1);
        final Map<String, RunData.Operation> operations = new LinkedHashMap<>(run.operations());
        final RunData copy = new RunData(run.metadata(), operations, OptionalLong.empty(), RunData.Memory.UNKNOWN,
            List.of());
        operations.clear();

        assertThat(List.copyOf(copy.operations().keySet())).isEqualTo(List.of("put", "get", "delete"));
        assertThat(List.copyOf(copy.metadata().settings().keySet())).isEqualTo(List.of("nodes", "transport", "note"));
        assertThatThrownBy(() -> copy.operations().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> copy.metadata().settings().put("x", "y"))
            .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void intervalThroughputIsItsCountOverItsLength()
    {
        final Histogram h = SampleRuns.histogram();
        for (int i = 0; i < 2_500; i++)
        {
            h.recordValue(1_000);
        }

        assertThat(new RunData.Interval(1_000, 1_500, h).throughputPerSecond()).isEqualTo(5_000.0);
        assertThat(new RunData.Interval(1_000, 1_000, h).throughputPerSecond()).isZero();
    }

    @Test
    void operationNamesMustBeUsableInFileNames()
    {
        final RunData run = SampleRuns.run(1);
        for (final String bad : List.of("", "../x", "a b", "put/get", "x".repeat(RunData.MAX_OPERATION_NAME_LENGTH + 1)))
        {
            assertThatThrownBy(() -> new RunData(run.metadata(), Map.of(bad, run.operations().get("put")),
                OptionalLong.empty(), RunData.Memory.UNKNOWN, List.of()))
                .as("'%s'", bad)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not usable in file names");
        }
        assertThatThrownBy(() -> new RunData(run.metadata(), Map.of(), OptionalLong.empty(), RunData.Memory.UNKNOWN,
            List.of())).hasMessageContaining("at least one operation");
    }

    @Test
    void timesThatRunBackwardsAreRejected()
    {
        assertThatThrownBy(() -> new RunData.Interval(2_000, 1_999, SampleRuns.histogram()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before it starts");
        assertThatThrownBy(() -> new RunData.Metadata(List.of(), 2_000, 1_000, Map.of(), RunData.Machine.current()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before it starts");
    }

    @Test
    void thresholdsPassOnlyWhenEveryOnePasses()
    {
        final RunData run = SampleRuns.run(1);
        final RunData failing = new RunData(run.metadata(), run.operations(), run.convergence(), run.memory(),
            List.of(new RunData.Threshold("a", 1, true), new RunData.Threshold("b", 2, false)));

        assertThat(run.thresholdsPassed()).isTrue();
        assertThat(failing.thresholdsPassed()).isFalse();
    }

    @Test
    void theCurrentMachineIsDescribed()
    {
        final RunData.Machine machine = RunData.Machine.current();

        assertThat(machine.cores()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(machine.jdk()).contains(System.getProperty("java.runtime.version"));
        assertThat(machine.os()).contains(System.getProperty("os.name"));
    }
}
