package io.datacake.kv;

import org.agrona.concurrent.status.CountersReader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Counters (the node's, then the HTTP API's) in the Prometheus text exposition format (version 0.0.4): one metric
 * family per label, named {@code datacake_<label>} in lower case with every run of characters other than letters and
 * digits turned into one underscore (the {@code node N: } prefix of the engine's labels dropped: the node is the
 * {@code node_id} label), a {@code # HELP} line with the original label and a {@code # TYPE counter} line (these
 * counters only grow). Two counters whose labels sanitise to the same name share the family and are told apart by a
 * {@code counter_id} label (numbered across the readers in order).
 */
final class PrometheusText
{
    static final String PREFIX = "datacake_";

    private PrometheusText()
    {
    }

    static String render(final int nodeId, final CountersReader... readers)
    {
        final String nodePrefix = "node " + nodeId + ": ";
        final Map<String, List<long[]>> families = new LinkedHashMap<>();
        final Map<String, String> help = new LinkedHashMap<>();
        int base = 0;
        for (final CountersReader counters : readers)
        {
            final int idBase = base;
            final int[] maxId = {-1};
            counters.forEach((counterId, typeId, keyBuffer, label) ->
            {
                final String bare = label.startsWith(nodePrefix) ? label.substring(nodePrefix.length()) : label;
                final String name = metricName(bare);
                families.computeIfAbsent(name, (n) -> new ArrayList<>())
                    .add(new long[]{idBase + counterId, counters.getCounterValue(counterId)});
                help.putIfAbsent(name, bare);
                maxId[0] = counterId;
            });
            base += maxId[0] + 1;
        }

        final StringBuilder sb = new StringBuilder(families.size() * 160);
        for (final Map.Entry<String, List<long[]>> family : families.entrySet())
        {
            final String name = family.getKey();
            sb.append("# HELP ").append(name).append(' ').append(escapeHelp(help.get(name))).append('\n');
            sb.append("# TYPE ").append(name).append(' ').append("counter\n");
            final boolean shared = family.getValue().size() > 1;
            for (final long[] sample : family.getValue())
            {
                sb.append(name).append("{node_id=\"").append(nodeId).append('"');
                if (shared)
                {
                    sb.append(",counter_id=\"").append(sample[0]).append('"');
                }
                sb.append("} ").append(sample[1]).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * {@code datacake_} and the label in lower case, each run of characters other than {@code [a-z0-9]} one
     * underscore, no underscore at the end.
     */
    static String metricName(final String label)
    {
        final String lower = label.toLowerCase(Locale.ROOT);
        final StringBuilder sb = new StringBuilder(PREFIX.length() + lower.length()).append(PREFIX);
        boolean underscore = true;
        for (int i = 0; i < lower.length(); i++)
        {
            final char c = lower.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            {
                sb.append(c);
                underscore = false;
            }
            else if (!underscore)
            {
                sb.append('_');
                underscore = true;
            }
        }
        if (sb.charAt(sb.length() - 1) == '_')
        {
            sb.setLength(sb.length() - 1);
        }
        return sb.toString();
    }

    private static String escapeHelp(final String text)
    {
        return text.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
