package io.datacake.perf.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code summary.json}: a run's settings, throughput and latency figures (microseconds, named with a {@code Us}
 * suffix), errors, convergence, memory (bytes, {@code null} when not measured) and thresholds. Percentile curves
 * are not in it: they are in the {@code .hgrm} files beside it.
 */
final class SummaryJson
{
    /** The value of the {@code format} member, changed when members are renamed or removed. */
    static final String FORMAT = "datacake-perf-harness summary 1";

    /**
     * Where a reader finds an operation's percentile curves.
     */
    @FunctionalInterface
    interface CurveSource
    {
        /**
         * @param operation operation name.
         * @param corrected true for the corrected series, false for the uncorrected.
         * @return its percentile distribution.
         * @throws IOException if it cannot be read.
         */
        PercentileDistribution load(String operation, boolean corrected) throws IOException;
    }

    private SummaryJson()
    {
    }

    /**
     * @param run the run.
     * @return its {@code summary.json} text.
     */
    static String write(final RunSummary run)
    {
        final StringBuilder sb = new StringBuilder();
        final JsonWriter json = new JsonWriter(sb);
        json.beginObject();
        json.name("format").value(FORMAT);
        json.name("latencyUnit").value("microseconds");
        json.name("commandLine").beginArray();
        for (final String arg : run.commandLine())
        {
            json.value(arg);
        }
        json.endArray();
        json.name("startEpochMs").value(run.startEpochMs());
        json.name("endEpochMs").value(run.endEpochMs());
        json.name("machine").beginObject()
            .name("cores").value(run.machine().cores())
            .name("jdk").value(run.machine().jdk())
            .name("os").value(run.machine().os())
            .endObject();
        json.name("settings").beginObject();
        run.settings().forEach((name, value) -> json.name(name).value(value));
        json.endObject();
        json.name("throughputPerSecond").value(run.throughputPerSecond());
        json.name("operations").beginObject();
        run.operations().forEach((name, operation) -> writeOperation(json.name(name), operation));
        json.endObject();
        json.name("convergenceMs");
        if (run.convergenceMs().isPresent())
        {
            json.value(run.convergenceMs().getAsLong());
        }
        else
        {
            json.nullValue();
        }
        json.name("memory").beginObject();
        writeBytes(json.name("heapUsedBytes"), run.memory().heapUsedBytes());
        writeBytes(json.name("directBytes"), run.memory().directBytes());
        writeBytes(json.name("aeronFilesBytes"), run.memory().aeronFilesBytes());
        json.endObject();
        json.name("thresholds").beginArray();
        for (final RunData.Threshold threshold : run.thresholds())
        {
            json.beginObject()
                .name("expression").value(threshold.expression())
                .name("actual").value(threshold.actual())
                .name("pass").value(threshold.pass())
                .endObject();
        }
        json.endArray();
        json.endObject();
        return sb.toString();
    }

    /**
     * Read a {@code summary.json} text back.
     *
     * @param text   the file's contents.
     * @param label  the run's name on a page.
     * @param curves where each operation's percentile curves are.
     * @return the run.
     * @throws IllegalArgumentException naming the member, if the text is not JSON, is not a summary of this format
     *                                  or a member is missing or of the wrong type.
     * @throws IOException              if a curve cannot be read.
     */
    static RunSummary read(final String text, final String label, final CurveSource curves) throws IOException
    {
        final Object document = JsonParser.parse(text);
        if (!(document instanceof Map<?, ?> root))
        {
            throw new IllegalArgumentException("expected a JSON object at the top");
        }
        final Object format = root.get("format");
        if (!FORMAT.equals(format))
        {
            throw new IllegalArgumentException(
                "'format' is " + format + ", expected '" + FORMAT + "': not a perf-harness run summary");
        }
        final List<String> commandLine = new ArrayList<>();
        for (final Object arg : list(root, "commandLine"))
        {
            commandLine.add(asString(arg, "commandLine[]"));
        }
        final Map<?, ?> machine = object(root, "machine");
        final Map<String, String> settings = new LinkedHashMap<>();
        object(root, "settings").forEach((name, value) ->
            settings.put((String)name, asString(value, "settings." + name)));

        final Map<String, RunSummary.OperationSummary> operations = new LinkedHashMap<>();
        for (final Map.Entry<?, ?> entry : object(root, "operations").entrySet())
        {
            final String name = (String)entry.getKey();
            operations.put(name, readOperation(name, asObject(entry.getValue(), "operations." + name), curves));
        }
        if (operations.isEmpty())
        {
            throw new IllegalArgumentException("'operations' is empty");
        }

        final Object convergence = root.get("convergenceMs");
        final Map<?, ?> memory = object(root, "memory");
        final List<RunData.Threshold> thresholds = new ArrayList<>();
        for (final Object element : list(root, "thresholds"))
        {
            final Map<?, ?> threshold = asObject(element, "thresholds[]");
            thresholds.add(new RunData.Threshold(
                asString(threshold.get("expression"), "thresholds[].expression"),
                number(threshold, "actual"),
                asBoolean(threshold.get("pass"), "thresholds[].pass")));
        }
        return new RunSummary(
            label,
            List.copyOf(commandLine),
            integer(root, "startEpochMs"),
            integer(root, "endEpochMs"),
            settings,
            new RunData.Machine((int)integer(machine, "cores"), asString(machine.get("jdk"), "machine.jdk"),
                asString(machine.get("os"), "machine.os")),
            operations,
            null == convergence ? OptionalLong.empty() : OptionalLong.of(asInteger(convergence, "convergenceMs")),
            new RunData.Memory(bytes(memory, "heapUsedBytes"), bytes(memory, "directBytes"),
                bytes(memory, "aeronFilesBytes")),
            thresholds);
    }

    private static void writeOperation(final JsonWriter json, final RunSummary.OperationSummary operation)
    {
        json.beginObject();
        json.name("throughputPerSecond").value(operation.throughputPerSecond());
        writeStats(json.name("corrected"), operation.corrected());
        writeStats(json.name("uncorrected"), operation.uncorrected());
        json.name("errorCount").value(operation.errorCount());
        json.name("errors").beginObject();
        operation.errorsByKind().forEach((kind, count) -> json.name(kind).value(count));
        json.endObject();
        json.name("intervals").beginArray();
        for (final RunSummary.IntervalSummary interval : operation.intervals())
        {
            json.beginObject()
                .name("startEpochMs").value(interval.startEpochMs())
                .name("endEpochMs").value(interval.endEpochMs())
                .name("count").value(interval.count())
                .name("throughputPerSecond").value(interval.throughputPerSecond())
                .endObject();
        }
        json.endArray();
        json.endObject();
    }

    private static void writeStats(final JsonWriter json, final RunSummary.LatencyStats stats)
    {
        json.beginObject()
            .name("count").value(stats.count())
            .name("meanUs").value(stats.meanUs())
            .name("p50Us").value(stats.p50Us())
            .name("p90Us").value(stats.p90Us())
            .name("p99Us").value(stats.p99Us())
            .name("p999Us").value(stats.p999Us())
            .name("maxUs").value(stats.maxUs())
            .endObject();
    }

    private static void writeBytes(final JsonWriter json, final long bytes)
    {
        if (bytes == RunData.NOT_MEASURED)
        {
            json.nullValue();
        }
        else
        {
            json.value(bytes);
        }
    }

    private static RunSummary.OperationSummary readOperation(
        final String name, final Map<?, ?> operation, final CurveSource curves) throws IOException
    {
        final Map<String, Long> errors = new LinkedHashMap<>();
        object(operation, "errors").forEach((kind, count) ->
            errors.put((String)kind, asInteger(count, "operations." + name + ".errors." + kind)));
        final List<RunSummary.IntervalSummary> intervals = new ArrayList<>();
        for (final Object element : list(operation, "intervals"))
        {
            final Map<?, ?> interval = asObject(element, "operations." + name + ".intervals[]");
            intervals.add(new RunSummary.IntervalSummary(
                integer(interval, "startEpochMs"),
                integer(interval, "endEpochMs"),
                integer(interval, "count"),
                number(interval, "throughputPerSecond")));
        }
        return new RunSummary.OperationSummary(
            readStats(object(operation, "corrected")),
            readStats(object(operation, "uncorrected")),
            number(operation, "throughputPerSecond"),
            errors,
            intervals,
            curves.load(name, true),
            curves.load(name, false));
    }

    private static RunSummary.LatencyStats readStats(final Map<?, ?> stats)
    {
        return new RunSummary.LatencyStats(
            integer(stats, "count"),
            number(stats, "meanUs"),
            number(stats, "p50Us"),
            number(stats, "p90Us"),
            number(stats, "p99Us"),
            number(stats, "p999Us"),
            number(stats, "maxUs"));
    }

    private static long bytes(final Map<?, ?> object, final String name)
    {
        final Object value = object.get(name);
        return null == value ? RunData.NOT_MEASURED : asInteger(value, name);
    }

    private static Map<?, ?> object(final Map<?, ?> parent, final String name)
    {
        return asObject(parent.get(name), name);
    }

    private static List<?> list(final Map<?, ?> parent, final String name)
    {
        if (parent.get(name) instanceof List<?> list)
        {
            return list;
        }
        throw wrongType(name, "an array", parent.get(name));
    }

    private static long integer(final Map<?, ?> parent, final String name)
    {
        return asInteger(parent.get(name), name);
    }

    private static double number(final Map<?, ?> parent, final String name)
    {
        final Object value = parent.get(name);
        if (value instanceof Number number)
        {
            return number.doubleValue();
        }
        // The writer writes a non-finite figure as null.
        if (null == value && parent.containsKey(name))
        {
            return Double.NaN;
        }
        throw wrongType(name, "a number", value);
    }

    private static Map<?, ?> asObject(final Object value, final String name)
    {
        if (value instanceof Map<?, ?> map)
        {
            return map;
        }
        throw wrongType(name, "an object", value);
    }

    private static long asInteger(final Object value, final String name)
    {
        if (value instanceof Long number)
        {
            return number;
        }
        throw wrongType(name, "an integer", value);
    }

    private static String asString(final Object value, final String name)
    {
        if (value instanceof String string)
        {
            return string;
        }
        throw wrongType(name, "a string", value);
    }

    private static boolean asBoolean(final Object value, final String name)
    {
        if (value instanceof Boolean bool)
        {
            return bool;
        }
        throw wrongType(name, "true or false", value);
    }

    private static IllegalArgumentException wrongType(final String name, final String expected, final Object value)
    {
        return new IllegalArgumentException(
            "'" + name + "' should be " + expected + " but is " + (null == value ? "missing or null" : value));
    }
}
