package io.datacake.testing;

import io.datacake.sim.Simulation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The seed policy: fixed seeds by default, one seed replayed when given, fresh seeds when exploring.
 */
final class SeededTrialsTest
{
    private static final List<String> PROPERTIES =
        List.of(SeededTrials.SEED_PROPERTY, SeededTrials.SEEDS_PROPERTY, Simulation.SEED_PROPERTY);

    private static final long FIXED_SEED_OF_EXAMPLE = 6036309948867749824L;

    private final Map<String, String> saved = new HashMap<>();

    @BeforeEach
    void clearSeedProperties()
    {
        for (final String property : PROPERTIES)
        {
            saved.put(property, System.getProperty(property));
            System.clearProperty(property);
        }
    }

    @AfterEach
    void restoreSeedProperties()
    {
        saved.forEach((property, value) ->
        {
            if (null == value)
            {
                System.clearProperty(property);
            }
            else
            {
                System.setProperty(property, value);
            }
        });
    }

    @Test
    void theFixedSeedIsAPureFunctionOfTheName()
    {
        // A literal (checked against the formula by hand): a changed hash would silently change every input.
        assertThat(SeededTrials.fixedSeed("a")).isEqualTo(SeededTrials.fixedSeed("a"));
        assertThat(SeededTrials.fixedSeed("OrswotPropertyTest merge laws")).isEqualTo(FIXED_SEED_OF_EXAMPLE);
        assertThat(SeededTrials.fixedSeed("a")).isNotEqualTo(SeededTrials.fixedSeed("b"));
    }

    @Test
    void byDefaultEveryRunGetsTheFixedSeedOfItsName()
    {
        assertThat(SeededTrials.seed("some property")).isEqualTo(SeededTrials.fixedSeed("some property"));
        assertThat(SeededTrials.seed("other property")).isEqualTo(SeededTrials.fixedSeed("other property"));
        assertThat(SeededTrials.seed("tuned scenario", 42)).isEqualTo(42);
        assertThat(trialInputs("trials", 5)).isEqualTo(trialInputs("trials", 5)).hasSize(5).doesNotHaveDuplicates();
    }

    @Test
    void aGivenSeedIsReplayedExactlyAndOnce()
    {
        System.setProperty(SeededTrials.SEED_PROPERTY, " 1234 ");

        assertThat(SeededTrials.replaying()).isTrue();
        assertThat(SeededTrials.seed("some property")).isEqualTo(1234);
        assertThat(SeededTrials.seed("tuned scenario", 42)).isEqualTo(1234);
        assertThat(trialInputs("trials", 5)).containsExactly(nextIntOf(1234));
    }

    @Test
    void theSimulationsSeedPropertyReplaysToo()
    {
        System.setProperty(Simulation.SEED_PROPERTY, "77");

        assertThat(SeededTrials.seed("some property")).isEqualTo(77);
        assertThat(SeededTrials.seed("tuned scenario", 42)).isEqualTo(77);
    }

    @Test
    void exploringDrawsSeedsThatAreNeitherFixedNorDefault()
    {
        System.setProperty(SeededTrials.SEEDS_PROPERTY, SeededTrials.FRESH);

        assertThat(SeededTrials.exploring()).isTrue();
        assertThat(SeededTrials.seed("some property")).isNotEqualTo(SeededTrials.fixedSeed("some property"));
        assertThat(SeededTrials.seed("tuned scenario", 42)).isNotEqualTo(42);
    }

    @Test
    void aReplayedSeedWinsOverExploring()
    {
        System.setProperty(SeededTrials.SEEDS_PROPERTY, SeededTrials.FRESH);
        System.setProperty(SeededTrials.SEED_PROPERTY, "5");

        assertThat(SeededTrials.seed("some property")).isEqualTo(5);
    }

    @Test
    void anUnknownPolicyOrASeedThatIsNoNumberIsRefusedSayingWhatWorks()
    {
        System.setProperty(SeededTrials.SEEDS_PROPERTY, "random");
        assertThatThrownBy(() -> SeededTrials.seed("some property"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("-Ddatacake.seeds=random")
            .hasMessageContaining(SeededTrials.FRESH);

        System.clearProperty(SeededTrials.SEEDS_PROPERTY);
        System.setProperty(SeededTrials.SEED_PROPERTY, "0x12");
        assertThatThrownBy(() -> SeededTrials.seed("some property"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("-Ddatacake.seed=0x12");
    }

    @Test
    void aFailingTrialNamesTheSeedThatReplaysTheSameInput()
    {
        final List<Long> inputs = new ArrayList<>();
        final Throwable failure = catchThrowable(() -> SeededTrials.run("failing", 3, (random) ->
        {
            inputs.add((long)random.nextInt());
            if (2 == inputs.size())
            {
                throw new IllegalStateException("boom");
            }
        }));
        assertThat(failure).isInstanceOf(AssertionError.class).hasMessageContaining("-Ddatacake.seed=");
        final Matcher seed = Pattern.compile("failed with seed (-?\\d+);").matcher(failure.getMessage());
        assertThat(seed.find()).as(failure.getMessage()).isTrue();

        System.setProperty(SeededTrials.SEED_PROPERTY, seed.group(1));

        assertThat(trialInputs("failing", 3)).containsExactly(inputs.get(1));
    }

    /**
     * @return the first int of each trial's random: what identifies the input a trial got.
     */
    private static List<Long> trialInputs(final String property, final int trials)
    {
        final List<Long> firsts = new ArrayList<>();
        SeededTrials.run(property, trials, (random) -> firsts.add((long)random.nextInt()));
        return firsts;
    }

    private static long nextIntOf(final long seed)
    {
        return new SplittableRandom(seed).nextInt();
    }
}
