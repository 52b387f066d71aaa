package io.datacake.perf;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

import java.time.Duration;

/**
 * The options that bound a measurement, a picocli mixin of {@code run} and {@code compare}: a warm-up of a time or a
 * number of operations, then a measurement of a time or a number of operations, and the checks and descriptions
 * that go with them.
 */
final class MeasurementOptions
{
    /** Measured time when neither {@code --ops} nor {@code --duration} is given. */
    static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);

    @Option(names = "--ops", paramLabel = "<count>",
        description = "Operations to measure (in compare, puts per target), 1 or more; measuring ends when all " +
        "completed (default: none, --duration applies).")
    Long ops;

    @Option(names = "--duration", paramLabel = "<time>", converter = TimeValue.class,
        description = "Measured time (in compare, per target) when --ops is not given, above 0, e.g. 10s, 500ms, " +
        "2m (default: 10s).")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "<time>", converter = TimeValue.class, defaultValue = "3s",
        description = "Warm-up time (in compare, per target) before measuring, unless --warmup-ops is given, e.g. " +
        "3s, 0 (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--warmup-ops", paramLabel = "<count>",
        description = "Operations to warm up with instead of --warmup, 0 or more (default: none, --warmup applies).")
    Long warmupOps;

    /**
     * @return the time measured when no {@code --ops} is given.
     */
    Duration measuredDuration()
    {
        return null == duration ? DEFAULT_DURATION : duration;
    }

    /**
     * @return a fresh window over the warm-up and the measurement these options describe.
     */
    MeasurementWindow newWindow()
    {
        return new MeasurementWindow(
            null == warmupOps ? MeasurementWindow.TIMED : warmupOps, warmup.toNanos(),
            null == ops ? MeasurementWindow.TIMED : ops, measuredDuration().toNanos());
    }

    /**
     * @param unit what an operation is called, e.g. {@code ops} or {@code puts}.
     * @return the warm-up, e.g. {@code 3s} or {@code 30 ops}.
     */
    String describeWarmup(final String unit)
    {
        return null == warmupOps ? TimeValue.format(warmup) : warmupOps + " " + unit;
    }

    /**
     * @param unit what an operation is called, e.g. {@code ops} or {@code puts}.
     * @return the measurement, e.g. {@code 10s} or {@code 300 ops}.
     */
    String describeMeasurement(final String unit)
    {
        return null == ops ? TimeValue.format(measuredDuration()) : ops + " " + unit;
    }

    /**
     * Check the values, one option per message.
     *
     * @param spec      the command holding these options.
     * @param unit      what an operation is called in messages, e.g. {@code operations} or {@code puts}.
     * @param measuring what {@code --ops} or {@code --duration} ends, e.g. {@code the run}.
     * @throws picocli.CommandLine.ParameterException naming the first bad option.
     */
    void validate(final CommandSpec spec, final String unit, final String measuring)
    {
        if (null != ops)
        {
            OptionChecks.requireRange(spec, "--ops", ops, 1, Long.MAX_VALUE, unit);
            if (null != duration)
            {
                throw OptionChecks.invalid(spec, "--duration", "no --duration together with --ops (one of them " +
                    "ends " + measuring + ")", given(spec, "--duration"));
            }
        }
        if (null != duration && duration.isZero())
        {
            throw OptionChecks.invalid(spec, "--duration", "a time above 0", given(spec, "--duration"));
        }
        if (null != warmupOps)
        {
            OptionChecks.requireRange(spec, "--warmup-ops", warmupOps, 0, Long.MAX_VALUE, unit);
        }
    }

    /**
     * The value of an option as typed, or its default.
     */
    private static String given(final CommandSpec spec, final String option)
    {
        final OptionSpec optionSpec = spec.findOption(option);
        return optionSpec.originalStringValues().isEmpty() ? optionSpec.defaultValue() :
            optionSpec.originalStringValues().get(optionSpec.originalStringValues().size() - 1);
    }
}
