package io.datacake.campaign;

import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reliability campaign: many seeds, each a small simulated cluster under a workload and a fault schedule drawn
 * from the seed, checked by {@link HistoryChecker} after the heal (see {@link CampaignRun}). The default run takes
 * {@value #DEFAULT_SEEDS} seeds from {@value #DEFAULT_FIRST_SEED}; {@code -Dcampaign.seeds=N -Dcampaign.firstSeed=S}
 * runs others (thousands in a long run), {@code -Ddatacake.seeds=fresh} starts from a fresh first seed,
 * {@code -Ddatacake.seed=N} replays exactly one (printing its fault log) and
 * {@code -Dcampaign.verbose=true} prints a line per seed. Every failing seed is printed with the command that
 * replays it; the totals go to standard output and {@code target/campaign-summary.txt}.
 */
final class ReliabilityCampaignTest
{
    /** System property that prints one line per seed (and per phase) as the campaign runs. */
    static final String VERBOSE_PROPERTY = "campaign.verbose";

    /** Seeds of the default run. */
    static final int DEFAULT_SEEDS = 200;

    /** First seed of the default run. */
    static final long DEFAULT_FIRST_SEED = 1;

    /** Seeds whose remainder by this is {@link #LARGE_SLICE_REMAINDER} run the 50-node slice. */
    static final int LARGE_SLICE_EVERY = 100;

    /** See {@link #LARGE_SLICE_EVERY}. */
    static final int LARGE_SLICE_REMAINDER = 42;

    @Test
    void everySeedConvergesAndKeepsEveryAcknowledgedWrite() throws IOException
    {
        final boolean replaying = SeededTrials.replaying();
        final long firstSeed = SeededTrials.seed("reliability campaign first seed",
            Long.getLong("campaign.firstSeed", DEFAULT_FIRST_SEED));
        final int seeds = replaying ? 1 : Integer.getInteger("campaign.seeds", DEFAULT_SEEDS);
        final CampaignSummary summary = new CampaignSummary();
        for (long seed = firstSeed; seed < firstSeed + seeds; seed++)
        {
            final CampaignSettings settings = Math.floorMod(seed, LARGE_SLICE_EVERY) == LARGE_SLICE_REMAINDER ?
                CampaignSettings.drawLarge(seed) : CampaignSettings.draw(seed);
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

    static String replayCommand(final long seed)
    {
        return "mvn -B -o -q -pl engine test -Dtest=ReliabilityCampaignTest -D" + SeededTrials.SEED_PROPERTY + "=" +
            seed;
    }
}
