package io.datacake.sim;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many seeds of the lossy RPC scenario (loss, duplication, reordering, streamed bodies). Excluded from the default
 * run; {@code mvn -B verify -Psoak}. A failure names its seed; replay it with {@code -Ddatacake.sim.seed=<seed>} on
 * {@link SimulationTest}.
 */
@Tag("soak")
final class SimulationSoakTest
{
    /** Seeds per campaign. */
    static final int SEEDS = 300;

    @Test
    void everyCallCompletesOrTimesOutExactlyOnceAcrossManySeeds()
    {
        final long firstSeed = Long.getLong("datacake.sim.firstSeed", 1_000L);
        for (long seed = firstSeed; seed < firstSeed + SEEDS; seed++)
        {
            final double loss = (seed % 5) * 0.075;
            final SimulationTest.Outcome outcome = SimulationTest.runLossyScenario(seed, loss, 0.05, 30, 300);
            assertThat(outcome.outcomes).as(outcome.replayHint).hasSize(300).allMatch(
                (o) -> o.equals("OK") || o.equals("TIMEOUT"));
        }
    }
}
