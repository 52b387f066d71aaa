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
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real network faults between three node processes, each in its own network namespace ({@link NetworkNamespaces})
 * with cluster traffic over Aeron UDP on the namespace addresses: while client threads write at ALL, ONE and QUORUM
 * (over each node's separate HTTP link, which faults never touch), a seeded nemesis cuts one node's cluster link,
 * waits until the cut node and the others see each other dead (so the cut is known to bite) and restores it, then
 * puts {@code netem loss 20% delay 20ms} on a node's cluster link and removes it (where the kernel has no
 * {@code netem} it flaps that link down and up instead, and says so), then cuts another node. After healing,
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
    /** How long a cut node stays cut once every node noticed. */
    private static final long CUT_HOLD_MIN_MS = 1_000;
    private static final long CUT_HOLD_MAX_MS = 2_500;
    private static final long LOSSY_MIN_MS = 3_000;
    private static final long LOSSY_MAX_MS = 5_000;
    private static final int[] ALL_NODES = {0, 1, 2};
    private static final long CALM_MIN_MS = 800;
    private static final long CALM_MAX_MS = 1_500;
    /** Flapping, the stand-in for netem: down this long, then up this long, repeated. */
    private static final long FLAP_DOWN_MS = 150;
    private static final long FLAP_UP_MS = 350;
    private static final int REPLY_SHOWN = 60;
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
                () -> cluster.allSee(ALL_NODES, 3, 0));
            final String netemUnavailable = namespaces.netemUnavailableReason(0);

            final CampaignWriters writers = new CampaignWriters(WRITERS, cluster, KEYSPACE, random,
                MAX_WRITES_PER_WRITER, PACE_MS, "netns-writer-");

            long healedNs;
            try
            {
                CrashCampaign.pause(random, CALM_MIN_MS, CALM_MAX_MS);
                final int cut = random.nextInt(LoopbackKvCluster.NODES);
                cutAndRestore(namespaces, cluster, cut, random, faults);

                CrashCampaign.pause(random, CALM_MIN_MS, CALM_MAX_MS);
                final int lossy = random.nextInt(LoopbackKvCluster.NODES);
                final long lossyMs = LOSSY_MIN_MS + random.nextLong(LOSSY_MAX_MS - LOSSY_MIN_MS + 1);
                if (null == netemUnavailable)
                {
                    namespaces.impair(lossy, NETEM);
                    faults.add("netem " + String.join(" ", NETEM) + " on node " + (lossy + 1) + " for " + lossyMs +
                        " ms");
                    Thread.sleep(lossyMs);
                    namespaces.clear(lossy);
                }
                else
                {
                    faults.add("flapped node " + (lossy + 1) + " for " + lossyMs + " ms (" + FLAP_DOWN_MS +
                        " ms down, " + FLAP_UP_MS + " ms up) instead of netem, which is unavailable: " +
                        netemUnavailable);
                    flap(namespaces, lossy, lossyMs);
                }
                cluster.awaitCondition("every node sees three live members after the lossy link",
                    () -> cluster.allSee(ALL_NODES, 3, 0));

                CrashCampaign.pause(random, CALM_MIN_MS, CALM_MAX_MS);
                final int second = (cut + 1 + random.nextInt(LoopbackKvCluster.NODES - 1)) % LoopbackKvCluster.NODES;
                healedNs = cutAndRestore(namespaces, cluster, second, random, faults);
                CrashCampaign.pause(random, CALM_MIN_MS, CALM_MAX_MS);
            }
            finally
            {
                writers.stop();
            }

            final long writersStoppedNs = System.nanoTime();
            assertThat(cluster.allRunning()).as("every node runs after the faults" + cluster.outputs()).isTrue();
            final CampaignChecker checker = new CampaignChecker(cluster, KEYSPACE, writers.writers());
            checker.awaitConvergence();
            final long convergedNs = System.nanoTime();
            final long convergedMs = TimeUnit.NANOSECONDS.toMillis(convergedNs - healedNs);
            final long checkedMs = TimeUnit.NANOSECONDS.toMillis(convergedNs - writersStoppedNs);
            final CampaignChecker.Verdict verdict = checker.verify();
            final Map<String, Map<CampaignWrite.Outcome, Integer>> byLevel = CrashCampaign.tally(checker);
            final String summary = "netns faults seed " + seed + ": " + faults + ", writes " + byLevel +
                ", acknowledged checked " + verdict.acknowledgedChecked() + ", lost " + verdict.lost() +
                ", unknown present on all " + verdict.unknownPresent() + ", probes " + verdict.probesChecked() +
                ", converged within " + convergedMs + " ms of the last heal (" + checkedMs +
                " ms of it after the writers stopped, the checker reading every key), whole run " +
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms, violations " +
                verdict.violations().size();
            System.out.println(summary);
            System.out.println("writes not acknowledged, by level, outcome and reply: " + notAcknowledged(checker));

            assertThat(faults).as("faults injected").hasSize(3);
            assertThat(verdict.acknowledgedChecked()).as("acknowledged writes to check").isPositive();
            assertThat(verdict.violations()).as(summary).isEmpty();
            assertThat(verdict.lost()).as("acknowledged writes lost").isZero();
        }
    }

    /**
     * @return how many writes got each reply other than 200, the reply cut to {@link #REPLY_SHOWN} characters.
     */
    private static Map<String, Integer> notAcknowledged(final CampaignChecker checker)
    {
        final Map<String, Integer> replies = new TreeMap<>();
        for (final CampaignWrite write : checker.writes().values())
        {
            if (CampaignWrite.Outcome.OK != write.outcome())
            {
                final String detail = write.detail();
                replies.merge(write.level() + " " + write.outcome() + " " +
                    detail.substring(0, Math.min(REPLY_SHOWN, detail.length())), 1, Integer::sum);
            }
        }
        return replies;
    }

    /**
     * Cut a node's cluster link, wait until it sees both others dead and they see it dead (the cut is real), hold
     * the cut for a seeded while, restore the link and wait until every node sees three live members.
     *
     * @param faults where to describe the fault, with how long detection and rejoining took.
     * @return {@link System#nanoTime()} when the link was restored.
     */
    private static long cutAndRestore(
        final NetworkNamespaces namespaces,
        final LoopbackKvCluster cluster,
        final int node,
        final SplittableRandom random,
        final List<String> faults) throws Exception
    {
        final int[] others = {(node + 1) % LoopbackKvCluster.NODES, (node + 2) % LoopbackKvCluster.NODES};
        final long cutNs = System.nanoTime();
        namespaces.cut(node);
        cluster.awaitCondition("node " + (node + 1) + " and the others see each other dead after the cut",
            () -> cluster.allSee(others, 2, 1) && cluster.allSee(new int[]{node}, 1, 2));
        final long detectedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutNs);
        CrashCampaign.pause(random, CUT_HOLD_MIN_MS, CUT_HOLD_MAX_MS);
        namespaces.restore(node);
        final long restoredNs = System.nanoTime();
        cluster.awaitCondition("every node sees three live members after restoring node " + (node + 1),
            () -> cluster.allSee(ALL_NODES, 3, 0));
        faults.add("cut node " + (node + 1) + " for " + TimeUnit.NANOSECONDS.toMillis(restoredNs - cutNs) +
            " ms (seen dead both ways after " + detectedMs + " ms, all live again " +
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restoredNs) + " ms after the restore)");
        return restoredNs;
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
