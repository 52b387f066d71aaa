package io.datacake.kv;

import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real network faults between three node processes, each in its own network namespace ({@link NetworkNamespaces})
 * with cluster traffic over Aeron UDP on the namespace addresses: while client threads write at ALL, ONE and QUORUM
 * (over each node's separate HTTP link, which faults never touch), a seeded nemesis cuts one node's cluster link and
 * restores it, then puts {@code netem loss 20% delay 20ms} on a node's cluster link and removes it (where the kernel
 * has no {@code netem} it flaps that link down and up instead, and says so), then cuts another node. After healing,
 * a {@link CampaignChecker} judges the nodes as after a crash campaign: every acknowledged write on every node,
 * all nodes agree, a definitely failed write on none, nothing never written served.
 * <p>
 * Needs root and network namespaces; skipped with the reason where they are not allowed. The seed is printed;
 * {@code -Ddatacake.seed=N} replays the schedule.
 */
final class NetnsFaultTest
{
    private static final String KEYSPACE = "netns";
    private static final int WRITERS = 3;
    private static final int MAX_WRITES_PER_WRITER = 1_500;
    private static final long PACE_MS = 20;
    private static final long DEADLINE_MS = 100_000;
    private static final long WRITER_JOIN_MS = 60_000;
    private static final long FAULT_MIN_MS = 2_500;
    private static final long FAULT_MAX_MS = 4_000;
    private static final long CALM_MIN_MS = 800;
    private static final long CALM_MAX_MS = 1_500;
    /** Flapping, the stand-in for netem: down this long, then up this long, repeated. */
    private static final long FLAP_DOWN_MS = 150;
    private static final long FLAP_UP_MS = 350;
    private static final String[] NETEM = {"loss", "20%", "delay", "20ms"};

    @BeforeAll
    static void namespacesAllowed()
    {
        final String reason = NetworkNamespaces.unavailableReason();
        assumeTrue(null == reason, () -> "network namespaces not allowed here: " + reason);
    }

    @Test
    void everyAcknowledgedWriteSurvivesCutLinksAndLossyLinks(@TempDir final Path dir) throws Exception
    {
        final long seed = SeededTrials.seed("netns faults");
        final SplittableRandom random = new SplittableRandom(seed);
        final List<String> faults = new ArrayList<>();
        try (NetworkNamespaces namespaces = NetworkNamespaces.create(LoopbackKvCluster.NODES);
            LoopbackKvCluster cluster = new LoopbackKvCluster(dir, StorageKind.LMDB, DEADLINE_MS,
                placements(namespaces)))
        {
            final long startNs = System.nanoTime();
            cluster.startAll();
            cluster.awaitCondition("every node sees three live members",
                () -> cluster.allSee(new int[]{0, 1, 2}, 3, 0));
            final String netemUnavailable = namespaces.netemUnavailableReason(0);

            final List<CampaignWriter> writers = new ArrayList<>();
            final List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++)
            {
                final CampaignWriter writer = new CampaignWriter(w, CrashCampaign.LEVELS.get(w % WRITERS), cluster,
                    KEYSPACE, random.split(), MAX_WRITES_PER_WRITER, PACE_MS);
                writers.add(writer);
                final Thread thread = new Thread(writer, "netns-writer-" + w);
                thread.setDaemon(true);
                threads.add(thread);
            }
            threads.forEach(Thread::start);

            long healedNs;
            try
            {
                CrashCampaign.pause(random, CALM_MIN_MS, CALM_MAX_MS);
                final int cut = random.nextInt(LoopbackKvCluster.NODES);
                namespaces.cut(cut);
                faults.add("cut node " + (cut + 1));
                CrashCampaign.pause(random, FAULT_MIN_MS, FAULT_MAX_MS);
                namespaces.restore(cut);

                CrashCampaign.pause(random, CALM_MIN_MS, CALM_MAX_MS);
                final int lossy = random.nextInt(LoopbackKvCluster.NODES);
                final long lossyMs = FAULT_MIN_MS + random.nextLong(FAULT_MAX_MS - FAULT_MIN_MS + 1);
                if (null == netemUnavailable)
                {
                    namespaces.impair(lossy, NETEM);
                    faults.add("netem " + String.join(" ", NETEM) + " on node " + (lossy + 1));
                    Thread.sleep(lossyMs);
                    namespaces.clear(lossy);
                }
                else
                {
                    faults.add("flapped node " + (lossy + 1) + " (" + FLAP_DOWN_MS + " ms down, " + FLAP_UP_MS +
                        " ms up) instead of netem, which is unavailable: " + netemUnavailable);
                    flap(namespaces, lossy, lossyMs);
                }

                CrashCampaign.pause(random, CALM_MIN_MS, CALM_MAX_MS);
                final int second = (cut + 1 + random.nextInt(LoopbackKvCluster.NODES - 1)) % LoopbackKvCluster.NODES;
                namespaces.cut(second);
                faults.add("cut node " + (second + 1));
                CrashCampaign.pause(random, FAULT_MIN_MS, FAULT_MAX_MS);
                namespaces.restore(second);
                healedNs = System.nanoTime();
                CrashCampaign.pause(random, CALM_MIN_MS, CALM_MAX_MS);
            }
            finally
            {
                writers.forEach(CampaignWriter::stop);
                for (final Thread thread : threads)
                {
                    thread.join(WRITER_JOIN_MS);
                    if (thread.isAlive())
                    {
                        throw new AssertionError(thread.getName() + " still runs " + WRITER_JOIN_MS + " ms after stop");
                    }
                }
            }

            assertThat(cluster.allRunning()).as("every node runs after the faults" + cluster.outputs()).isTrue();
            final CampaignChecker checker = new CampaignChecker(cluster, KEYSPACE, writers);
            checker.awaitConvergence();
            final long convergedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healedNs);
            final CampaignChecker.Verdict verdict = checker.verify();
            final Map<String, Map<CampaignWrite.Outcome, Integer>> byLevel = CrashCampaign.tally(checker);
            final String summary = "netns faults seed " + seed + ": " + faults + ", writes " + byLevel +
                ", acknowledged checked " + verdict.acknowledgedChecked() + ", lost " + verdict.lost() +
                ", unknown present on all " + verdict.unknownPresent() + ", probes " + verdict.probesChecked() +
                ", converged within " + convergedMs + " ms of the last heal, whole run " +
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms, violations " +
                verdict.violations().size();
            System.out.println(summary);

            assertThat(faults).as("faults injected").hasSize(3);
            assertThat(verdict.acknowledgedChecked()).as("acknowledged writes to check").isPositive();
            assertThat(verdict.violations()).as(summary).isEmpty();
            assertThat(verdict.lost()).as("acknowledged writes lost").isZero();
        }
    }

    private static LoopbackKvCluster.Placement[] placements(final NetworkNamespaces namespaces)
    {
        final LoopbackKvCluster.Placement[] placements = new LoopbackKvCluster.Placement[LoopbackKvCluster.NODES];
        for (int i = 0; i < LoopbackKvCluster.NODES; i++)
        {
            placements[i] = new LoopbackKvCluster.Placement(namespaces.clusterAddress(i),
                NetworkNamespaces.CLUSTER_PORT, namespaces.httpAddress(i), namespaces.launcher(i));
        }
        return placements;
    }

    /**
     * The stand-in for packet loss where netem is missing: bursts of total loss, on a fixed schedule.
     */
    private static void flap(final NetworkNamespaces namespaces, final int node, final long forMs) throws Exception
    {
        final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(forMs);
        while (System.nanoTime() - endNs < 0)
        {
            namespaces.cut(node);
            Thread.sleep(FLAP_DOWN_MS);
            namespaces.restore(node);
            Thread.sleep(FLAP_UP_MS);
        }
    }
}
