package io.datacake.perf;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pass/fail condition on a run's result, such as {@code put.p99<2ms} or {@code all.throughput>=5000ops/s}:
 * an operation (put, get, delete, or all of them), a statistic (p50, p90, p99, p999, max of the latency corrected for
 * coordinated omission; throughput in operations per second), a comparison ({@code <}, {@code <=}, {@code >},
 * {@code >=}) and a limit with its unit (us, ms or s for latency; ops/s for throughput).
 *
 * @param text      the condition as given.
 * @param operation the operation, or null for all of them.
 * @param stat      the statistic.
 * @param compare   the comparison.
 * @param limit     the limit in nanoseconds (latency) or operations per second (throughput).
 */
public record Threshold(String text, Operation operation, Stat stat, Compare compare, double limit)
{
    private static final Pattern SYNTAX = Pattern.compile(
        "\\s*([a-z]+)\\.([a-z0-9]+)\\s*(<=|>=|<|>)\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([a-z/]+)\\s*");

    /** The statistics a threshold can test. */
    public enum Stat
    {
        /** Median latency. */
        P50(50),
        /** 90th percentile latency. */
        P90(90),
        /** 99th percentile latency. */
        P99(99),
        /** 99.9th percentile latency. */
        P999(99.9),
        /** Highest latency. */
        MAX(100),
        /** Operations per second. */
        THROUGHPUT(Double.NaN);

        private final double percentile;

        Stat(final double percentile)
        {
            this.percentile = percentile;
        }

        /**
         * @return the percentile of a latency statistic; NaN for throughput.
         */
        public double percentile()
        {
            return percentile;
        }
    }

    /** How the measured value must relate to the limit. */
    public enum Compare
    {
        /** Below the limit. */
        LESS("<"),
        /** At most the limit. */
        LESS_OR_EQUAL("<="),
        /** Above the limit. */
        GREATER(">"),
        /** At least the limit. */
        GREATER_OR_EQUAL(">=");

        private final String symbol;

        Compare(final String symbol)
        {
            this.symbol = symbol;
        }

        boolean holds(final double value, final double limit)
        {
            return switch (this)
            {
                case LESS -> value < limit;
                case LESS_OR_EQUAL -> value <= limit;
                case GREATER -> value > limit;
                case GREATER_OR_EQUAL -> value >= limit;
            };
        }

        static Compare of(final String symbol)
        {
            for (final Compare compare : values())
            {
                if (compare.symbol.equals(symbol))
                {
                    return compare;
                }
            }
            throw new IllegalArgumentException("unknown comparison: " + symbol);
        }
    }

    /**
     * Parse a threshold.
     *
     * @param text e.g. {@code put.p99<2ms}.
     * @return the threshold.
     * @throws IllegalArgumentException saying what is wrong: the shape, the operation, the statistic or the unit.
     */
    public static Threshold parse(final String text)
    {
        final Matcher m = SYNTAX.matcher(text.toLowerCase(Locale.ROOT));
        if (!m.matches())
        {
            throw new IllegalArgumentException("'" + text + "' is not " +
                "<operation>.<statistic><comparison><limit><unit>, " +
                "e.g. put.p99<2ms or all.throughput>=5000ops/s");
        }
        final Operation operation = operation(m.group(1), text);
        final Stat stat = stat(m.group(2), text);
        final double amount = Double.parseDouble(m.group(4));
        final String unit = m.group(5);
        final double limit;
        if (Stat.THROUGHPUT == stat)
        {
            if (!"ops/s".equals(unit))
            {
                throw new IllegalArgumentException("'" + text + "': throughput is in ops/s, not '" + unit + "'");
            }
            limit = amount;
        }
        else
        {
            limit = switch (unit)
            {
                case "us" -> amount * 1e3;
                case "ms" -> amount * 1e6;
                case "s" -> amount * 1e9;
                default -> throw new IllegalArgumentException(
                    "'" + text + "': latency is in us, ms or s, not '" + unit + "'");
            };
        }
        return new Threshold(text.trim(), operation, stat, Compare.of(m.group(3)), limit);
    }

    /**
     * @param measured the statistic's value in the run: nanoseconds or operations per second.
     * @return true when the condition holds.
     */
    public boolean holds(final double measured)
    {
        return compare.holds(measured, limit);
    }

    /**
     * @param measured the statistic's value in nanoseconds or operations per second.
     * @return the measured value in the threshold's own unit, e.g. {@code 1.234ms}.
     */
    public String format(final double measured)
    {
        return Stat.THROUGHPUT == stat ?
            String.format(Locale.ROOT, "%,.0fops/s", measured) :
            String.format(Locale.ROOT, "%.3f%s", inUnit(measured), unit());
    }

    /**
     * @param measured the statistic's value in nanoseconds or operations per second.
     * @return the value in the threshold's own unit (us, ms, s or ops/s).
     */
    public double inUnit(final double measured)
    {
        return switch (unit())
        {
            case "us" -> measured / 1e3;
            case "ms" -> measured / 1e6;
            case "s" -> measured / 1e9;
            default -> measured;
        };
    }

    private String unit()
    {
        final String lower = text.toLowerCase(Locale.ROOT);
        if (Stat.THROUGHPUT == stat)
        {
            return "ops/s";
        }
        return lower.endsWith("us") ? "us" : lower.endsWith("ms") ? "ms" : "s";
    }

    private static Operation operation(final String name, final String text)
    {
        if ("all".equals(name))
        {
            return null;
        }
        for (final Operation operation : Operation.values())
        {
            if (operation.toString().equals(name))
            {
                return operation;
            }
        }
        throw new IllegalArgumentException("'" + text + "': '" + name + "' is not put, get, delete or all");
    }

    private static Stat stat(final String name, final String text)
    {
        for (final Stat stat : Stat.values())
        {
            if (stat.name().toLowerCase(Locale.ROOT).equals(name))
            {
                return stat;
            }
        }
        throw new IllegalArgumentException(
            "'" + text + "': '" + name + "' is not p50, p90, p99, p999, max or throughput");
    }
}
