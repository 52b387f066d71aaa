package io.datacake.kv;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The end of a crash campaign: waits until every node serves the same value (or none) for every key written and
 * for probe keys never written, then reads everything once more and judges it against what the clients learned.
 * Keys that already agree are not read again while waiting: without deletes a value once on all nodes stays, and a
 * key on none has no replica left to come back from.
 */
final class CampaignChecker
{
    /** Keys past each writer's last one that were never written; none may be readable. */
    static final int PROBES_PER_WRITER = 5;

    private static final int DISAGREEING_SHOWN = 5;

    private final LoopbackKvCluster cluster;
    private final String keyspace;
    private final Map<Long, CampaignWrite> writes = new LinkedHashMap<>();
    private final List<Long> probes = new ArrayList<>();

    CampaignChecker(final LoopbackKvCluster cluster, final String keyspace, final List<CampaignWriter> writers)
    {
        this.cluster = cluster;
        this.keyspace = keyspace;
        for (final CampaignWriter writer : writers)
        {
            final List<CampaignWrite> sent = writer.writes();
            for (final CampaignWrite write : sent)
            {
                writes.put(write.key(), write);
            }
            for (int i = 1; i <= PROBES_PER_WRITER; i++)
            {
                probes.add(CampaignWriter.key(writer.writerId(), sent.size() + i));
            }
        }
    }

    Map<Long, CampaignWrite> writes()
    {
        return writes;
    }

    /**
     * Poll until all three nodes agree on every key, within the cluster's deadline.
     *
     * @throws AssertionError naming some keys that still disagree when the deadline passes.
     */
    void awaitConvergence() throws Exception
    {
        final List<Long> pending = new ArrayList<>(writes.keySet());
        pending.addAll(probes);
        final List<String> sample = new ArrayList<>();
        cluster.awaitCondition("every node serves the same value for every key", () ->
        {
            sample.clear();
            for (final Iterator<Long> keys = pending.iterator(); keys.hasNext(); )
            {
                final long key = keys.next();
                final String[] values = read(key);
                if (Objects.equals(values[0], values[1]) && Objects.equals(values[1], values[2]))
                {
                    keys.remove();
                }
                else if (sample.size() < DISAGREEING_SHOWN)
                {
                    sample.add(key + "=" + values[0] + "|" + values[1] + "|" + values[2]);
                }
            }
            if (!pending.isEmpty())
            {
                System.out.println("  " + pending.size() + " keys disagree, e.g. " + sample);
            }
            return pending.isEmpty();
        });
    }

    /**
     * Read every key on every node once more and list what breaks the campaign's rules.
     *
     * @return the verdict; {@link Verdict#violations()} is empty when all holds.
     */
    Verdict verify() throws Exception
    {
        final List<String> violations = new ArrayList<>();
        int acknowledgedChecked = 0;
        int lost = 0;
        final Map<CampaignWrite.Outcome, int[]> present = new HashMap<>();
        for (final CampaignWrite write : writes.values())
        {
            final String[] values = read(write.key());
            int readable = 0;
            for (int node = 0; node < LoopbackKvCluster.NODES; node++)
            {
                if (null != values[node] && !write.value().equals(values[node]))
                {
                    violations.add("node " + (node + 1) + " serves key " + write.key() + " as '" + values[node] +
                        "', never written; the write was '" + write.value() + "'");
                }
                readable += write.value().equals(values[node]) ? 1 : 0;
            }
            present.computeIfAbsent(write.outcome(), outcome -> new int[1])[0] += readable == 3 ? 1 : 0;
            switch (write.outcome())
            {
                case OK ->
                {
                    acknowledgedChecked++;
                    if (readable != LoopbackKvCluster.NODES)
                    {
                        lost++;
                        violations.add("acknowledged write lost: " + write + " readable on " + readable + " nodes");
                    }
                }
                case FAILED ->
                {
                    if (readable != 0)
                    {
                        violations.add("a write that definitely failed is readable on " + readable + " nodes: " +
                            write);
                    }
                }
                case UNKNOWN ->
                {
                    if (readable != 0 && readable != LoopbackKvCluster.NODES)
                    {
                        violations.add("nodes disagree on a write of unknown outcome: readable on " + readable +
                            " nodes: " + write);
                    }
                }
            }
        }
        for (final long probe : probes)
        {
            final String[] values = read(probe);
            for (int node = 0; node < LoopbackKvCluster.NODES; node++)
            {
                if (null != values[node])
                {
                    violations.add("node " + (node + 1) + " serves key " + probe + ", never written, as '" +
                        values[node] + "'");
                }
            }
        }
        final int unknownPresent = present.getOrDefault(CampaignWrite.Outcome.UNKNOWN, new int[1])[0];
        return new Verdict(acknowledgedChecked, lost, unknownPresent, probes.size(), violations);
    }

    private String[] read(final long key) throws Exception
    {
        final String[] values = new String[LoopbackKvCluster.NODES];
        for (int node = 0; node < LoopbackKvCluster.NODES; node++)
        {
            values[node] = cluster.get(node, keyspace, key);
        }
        return values;
    }

    /**
     * What the final read found.
     *
     * @param acknowledgedChecked acknowledged writes read back on every node.
     * @param lost                acknowledged writes not readable on every node.
     * @param unknownPresent      writes of unknown outcome present on all nodes (the rest are on none).
     * @param probesChecked       never-written keys read.
     * @param violations          every broken rule, described.
     */
    record Verdict(int acknowledgedChecked, int lost, int unknownPresent, int probesChecked, List<String> violations)
    {
    }
}
