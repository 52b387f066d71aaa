package io.datacake.kv;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A crash campaign on three node processes: client threads write unique keys at ALL, ONE and QUORUM to random
 * nodes while a nemesis kills a seeded random node with SIGKILL at seeded random moments and restarts it on the
 * same data directory after a seeded random delay; then every node runs again, the nodes converge, and a
 * {@link CampaignChecker} judges what they serve against what the clients were told.
 * <p>
 * The seed decides the writers' node choices and the nemesis's victims and delays; the interleaving with the
 * processes is the machine's, so a seed replays the schedule, not the exact history.
 */
final class CrashCampaign
{
    static final String KEYSPACE = "crash";
    static final List<String> LEVELS = List.of("all", "one", "quorum");


    private final Settings settings;
    private final StorageKind storage;
    private final long seed;

    CrashCampaign(final Settings settings, final StorageKind storage, final long seed)
    {
        this.settings = settings;
        this.storage = storage;
        this.seed = seed;
    }

    /**
     * Run the campaign in a directory; every process is killed before this returns or throws.
     *
     * @return what happened and what the final read found.
     * @throws AssertionError when a wait passes the deadline or a writer failed.
     */
    Result run(final Path dir) throws Exception
    {
        final SplittableRandom random = new SplittableRandom(seed);
        try (LoopbackKvCluster cluster = new LoopbackKvCluster(dir, storage, settings.deadlineMs()))
        {
            cluster.startAll();
            cluster.awaitCondition("every node sees three live members",
                () -> cluster.allSee(new int[]{0, 1, 2}, 3, 0));

            final CampaignWriters writers = new CampaignWriters(settings.writers(), cluster, KEYSPACE, random,
                settings.maxWritesPerWriter(), settings.paceMs(), "campaign-writer-");

            final List<Integer> victims = new ArrayList<>();
            long lastRestartNs = System.nanoTime();
            try
            {
                for (int kill = 0; kill < settings.kills(); kill++)
                {
                    pause(random, settings.upMinMs(), settings.upMaxMs());
                    final int victim = random.nextInt(LoopbackKvCluster.NODES);
                    victims.add(victim + 1);
                    cluster.kill(victim);
                    pause(random, settings.downMinMs(), settings.downMaxMs());
                    cluster.start(victim);
                    lastRestartNs = System.nanoTime();
                }
            }
            finally
            {
                writers.stop();
            }

            if (!cluster.allRunning())
            {
                throw new AssertionError("a node is not running after the nemesis stopped" + cluster.outputs());
            }
            final CampaignChecker checker = new CampaignChecker(cluster, KEYSPACE, writers.writers());
            checker.awaitConvergence();
            final long convergenceMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastRestartNs);
            final long verifyStartNs = System.nanoTime();
            final CampaignChecker.Verdict verdict = checker.verify();
            final long readAllMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - verifyStartNs);
            return new Result(storage, seed, victims, tally(checker), verdict, convergenceMs, readAllMs);
        }
    }

    /**
     * The nemesis's schedule: a seeded pause between its moves, not a wait for a condition.
     */
    static void pause(final SplittableRandom random, final long minMs, final long maxMs)
        throws InterruptedException
    {
        Thread.sleep(minMs + random.nextLong(maxMs - minMs + 1));
    }

    static Map<String, Map<CampaignWrite.Outcome, Integer>> tally(final CampaignChecker checker)
    {
        final Map<String, Map<CampaignWrite.Outcome, Integer>> byLevel = new TreeMap<>();
        for (final CampaignWrite write : checker.writes().values())
        {
            byLevel.computeIfAbsent(write.level(), level -> new EnumMap<>(CampaignWrite.Outcome.class))
                .merge(write.outcome(), 1, Integer::sum);
        }
        return byLevel;
    }

    /**
     * How big a campaign is.
     *
     * @param kills              SIGKILLs (each followed by a restart).
     * @param upMinMs            shortest time all three run before a kill.
     * @param upMaxMs            longest time all three run before a kill.
     * @param downMinMs          shortest time a killed node stays down.
     * @param downMaxMs          longest time a killed node stays down.
     * @param writers            client threads; writer w writes at {@code LEVELS[w % 3]}.
     * @param maxWritesPerWriter bound on one writer's writes.
     * @param paceMs             pause after each write of a writer.
     * @param deadlineMs         bound on the whole campaign's waits.
     */
    record Settings(
        int kills,
        long upMinMs,
        long upMaxMs,
        long downMinMs,
        long downMaxMs,
        int writers,
        int maxWritesPerWriter,
        long paceMs,
        long deadlineMs)
    {
    }

    /**
     * What a campaign did and found.
     *
     * @param storage       the nodes' storage.
     * @param seed          the seed that replays the schedule.
     * @param victims       the killed nodes (1 to 3), in order.
     * @param byLevel       writes by level and outcome.
     * @param verdict       the final read.
     * @param convergenceMs from the last restart's ready line to every node agreeing on every key, an upper bound:
     *                      it includes the writers' end and the checker's own reads.
     * @param readAllMs     how long one read of every key on every node took (the final check), the resolution of
     *                      {@code convergenceMs}.
     */
    record Result(
        StorageKind storage,
        long seed,
        List<Integer> victims,
        Map<String, Map<CampaignWrite.Outcome, Integer>> byLevel,
        CampaignChecker.Verdict verdict,
        long convergenceMs,
        long readAllMs)
    {
        String summary()
        {
            return "crash campaign " + storage + " seed " + seed + ": kills " + victims.size() + " (nodes " + victims +
                "), writes " + byLevel + ", acknowledged checked " + verdict.acknowledgedChecked() + ", lost " +
                verdict.lost() + ", unknown present on all " + verdict.unknownPresent() + ", probes " +
                verdict.probesChecked() + ", converged within " + convergenceMs + " ms of the last restart (one read of all keys on all nodes: " +
                readAllMs + " ms), violations " +
                verdict.violations().size();
        }
    }
}
