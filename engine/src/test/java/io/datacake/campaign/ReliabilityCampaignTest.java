package io.datacake.campaign;

import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reliability campaign: many seeds, each a small simulated cluster under a workload and a fault schedule drawn
 * from the seed, checked by {@link HistoryChecker} after the heal (see {@link CampaignRun}). The default run takes the
 * fixed seeds {@value #DEFAULT_FIRST_SEED} to {@value #DEFAULT_FIRST_SEED} + {@value #DEFAULT_SEEDS} - 1, so every
 * build checks the same histories; {@code -Dcampaign.seeds=N} runs N seeds (thousands in a long run) from
 * {@code -Dcampaign.firstSeed=S}, or from a fresh first seed with {@code -Ddatacake.seeds=fresh} (printed, with the
 * command that repeats the run); {@code -Ddatacake.seed=N} replays exactly one seed (printing its fault log) and
 * {@code -Dcampaign.verbose=true} prints a line per seed. Every failing seed is printed with the command that
 * replays it; the totals go to standard output and {@code target/campaign-summary.txt}.
 */
final class ReliabilityCampaignTest
{
    /** System property that prints one line per seed (and per phase) as the campaign runs. */
    static final String VERBOSE_PROPERTY = "campaign.verbose";

    /** System property with the number of seeds to run. */
    static final String SEEDS_PROPERTY = "campaign.seeds";

    /** System property with the first seed to run. */
    static final String FIRST_SEED_PROPERTY = "campaign.firstSeed";

    /** System property that, set to {@value #FRESH}, draws a fresh first seed instead of the fixed default. */
    static final String SEED_POLICY_PROPERTY = "datacake.seeds";

    /** See {@link #SEED_POLICY_PROPERTY}. */
    static final String FRESH = "fresh";

    /** Seeds of the default run. */
    static final int DEFAULT_SEEDS = 200;

    /** First seed of the default run. */
    static final long DEFAULT_FIRST_SEED = 1;

    /** Fresh first seeds stay below this, so replay commands stay short and consecutive seeds never wrap. */
    static final long FRESH_SEED_BOUND = 1L << 40;

    @Test
    void everySeedConvergesAndKeepsEveryAcknowledgedWrite() throws IOException
    {
        final String fixed = System.getProperty(SeededTrials.SEED_PROPERTY);
        final boolean replaying = null != fixed;
        final long firstSeed = null != fixed ? Long.parseLong(fixed.trim()) : firstSeed();
        final int seeds = null != fixed ? 1 : Integer.getInteger(SEEDS_PROPERTY, DEFAULT_SEEDS);
        if (null == fixed)
        {
            System.out.println("reliability campaign: seeds " + firstSeed + " to " + (firstSeed + seeds - 1) +
                "; repeat the run with -D" + FIRST_SEED_PROPERTY + "=" + firstSeed + " -D" + SEEDS_PROPERTY + "=" +
                seeds);
        }
        final CampaignSummary summary = new CampaignSummary();
        for (long seed = firstSeed; seed < firstSeed + seeds; seed++)
        {
            final CampaignSettings settings = CampaignSettings.forSeed(seed);
            final SeedResult result = CampaignRun.run(settings);
            summary.add(result);
            if (Boolean.getBoolean(VERBOSE_PROPERTY))
            {
                System.out.println("seed " + seed + " nodes " + settings.nodeCount + " virtualMs " + result.virtualMs +
                    " convergenceMs " + result.convergenceMs + " wallMs " + result.wallMs);
            }
            if (!result.passed() || replaying)
            {
                System.out.println((result.passed() ? "passed " : "FAILED ") + settings + " converged in " +
                    result.convergenceMs + " virtual ms");
                result.violations.forEach((violation) -> System.out.println("  " + violation));
                if (replaying)
                {
                    result.faultLog.forEach((event) -> System.out.println("  fault " + event));
                }
            }
            if (!result.passed())
            {
                System.out.println("  replay: " + replayCommand(seed));
            }
        }
        final String report = summary.report();
        System.out.println(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "campaign-summary.txt"), report);
        final StringBuilder failed = new StringBuilder();
        for (final SeedResult failure : summary.failures())
        {
            failed.append("\nseed ").append(failure.settings.seed).append(": ").append(failure.violations.get(0))
                .append("\n  replay: ").append(replayCommand(failure.settings.seed));
        }
        assertThat(summary.failures()).as("failing seeds:%s", failed).isEmpty();
        assertThat(summary.lostWrites()).as("lost acknowledged writes").isZero();
    }

    /**
     * The first seed of a run: {@value #DEFAULT_FIRST_SEED} unless {@code -Dcampaign.firstSeed} names another, or a
     * fresh one under {@code -Ddatacake.seeds=fresh}.
     */
    static long firstSeed()
    {
        if (FRESH.equals(System.getProperty(SEED_POLICY_PROPERTY)))
        {
            return 1 + Math.floorMod(System.nanoTime() * 0x9E3779B97F4A7C15L, FRESH_SEED_BOUND);
        }
        return Long.getLong(FIRST_SEED_PROPERTY, DEFAULT_FIRST_SEED);
    }

    static String replayCommand(final long seed)
    {
        return "mvn -B -o -q -pl engine test -Dtest=ReliabilityCampaignTest -D" + SeededTrials.SEED_PROPERTY + "=" +
            seed;
    }
}
