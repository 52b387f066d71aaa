package io.datacake.sim;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The hundred-node campaign of {@link HundredNodeTest} over many seeds ({@code -Ddatacake.sim.firstSeed},
 * {@code -Ddatacake.sim.seeds}). Excluded from the default run; {@code mvn -B -pl engine verify -Psoak}. A failing
 * seed is named with the command that replays it alone: the same campaign, so the replay fails the same way.
 */
@Tag("soak")
final class HundredNodeSoakTest
{
    /** Default number of seeds per campaign. */
    static final int DEFAULT_SEEDS = 200;

    @Test
    void acknowledgedPutsSurviveCrashesAcrossManySeeds()
    {
        final long firstSeed = Long.getLong("datacake.sim.firstSeed", 5_000L);
        final int seeds = Integer.getInteger("datacake.sim.seeds", DEFAULT_SEEDS);
        for (long seed = firstSeed; seed < firstSeed + seeds; seed++)
        {
            try
            {
                HundredNodeCampaign.run(seed, HundredNodeTest.PUTS, HundredNodeTest.CRASH_RATE);
            }
            catch (final AssertionError | RuntimeException ex)
            {
                final String command = ReplayOnFailure.replayCommand(
                    HundredNodeTest.class, "acknowledgedPutsSurviveCrashesAndTheSameSeedReplaysTheSameRun", seed);
                System.err.println("campaign failed with seed " + seed + "; replay: " + command);
                throw new AssertionError("seed " + seed + " failed; replay: " + command, ex);
            }
        }
    }
}
