package io.datacake.membership;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The membership goals at ten nodes and a 300 ms gossip interval, so a regression in convergence, detection or
 * accuracy fails the build; {@link MembershipCampaignSoakTest} measures the same scenarios at scale. Every bound is
 * virtual time. Each test prints its seed, replayable with {@code -Ddatacake.sim.seed=<seed>}.
 */
final class MembershipScaleTest
{
    private static final int NODES = 10;

    /** 2·log2(10) = 6.6 rounds, plus two rounds of slack: a member is classified live on the round after it is heard. */
    private static final long MAX_CONVERGE_ROUNDS = 9;

    /**
     * Virtual time from a crash until every other node marks it dead: under 5 s. The default phi threshold of 4 on an
     * exponential model is crossed 4·ln(10) = 9.2 mean heartbeat intervals after the last heartbeat, 2.8 s at 300 ms,
     * plus the time the last heartbeat took to reach every node; chitchat's threshold 8 needs 5.5 s of silence alone.
     */
    private static final long MAX_DETECT_MS = 5_000;

    /** The same with half the frames lost. */
    private static final long MAX_DETECT_MS_LOSSY = 15_000;

    private static long seed(final String test, final long defaultSeed)
    {
        return MembershipScenarios.seed("MembershipScaleTest." + test, defaultSeed);
    }

    @Test
    void tenNodesStartedTogetherConvergeWithinTwiceLog2NRounds()
    {
        final long ms = MembershipScenarios.convergeAllAtOnce(seed("allAtOnce", 301), NODES, (ctx) -> {});
        assertThat(ms).as("virtual ms to converge").isNotNegative();
        assertThat(MembershipCampaign.rounds(ms)).isLessThanOrEqualTo(MAX_CONVERGE_ROUNDS);
    }

    @Test
    void tenNodesJoiningOneByOneConvergeWithinTwiceLog2NRoundsOfTheLast()
    {
        final long ms = MembershipScenarios.convergeOneByOne(seed("oneByOne", 302), NODES, (ctx) -> {});
        assertThat(ms).as("virtual ms to converge").isNotNegative();
        assertThat(MembershipCampaign.rounds(ms)).isLessThanOrEqualTo(MAX_CONVERGE_ROUNDS);
    }

    @Test
    void aCrashIsDetectedByEveryNodeWithinTheBoundWithoutFalseDeaths()
    {
        final MembershipScenarios.Detection detection =
            MembershipScenarios.detectCrash(seed("detect", 303), NODES, 0, (ctx) -> {});
        assertThat(detection.detectedMs()).as("virtual ms to detect").isBetween(0L, MAX_DETECT_MS);
        assertThat(detection.falseDeaths()).isZero();
    }

    @Test
    void aCrashIsDetectedByEveryNodeUnderHalfTheFramesLost()
    {
        final MembershipScenarios.Detection detection =
            MembershipScenarios.detectCrash(seed("detectLossy", 304), NODES, 0.5, (ctx) -> {});
        assertThat(detection.detectedMs()).as("virtual ms to detect").isBetween(0L, MAX_DETECT_MS_LOSSY);
    }

    @Test
    void noNodeIsMarkedDeadOverThirtySecondsOfHalfTheFramesLost()
    {
        assertThat(MembershipScenarios.falseDeathsUnderLoss(seed("loss", 305), NODES, 0.5, 30_000, (ctx) -> {}))
            .as("death events of running nodes").isZero();
    }

    @Test
    void aNodeSteppingTenTimesSlowerAccusesNoHealthyNode()
    {
        final MembershipScenarios.SlowNode result =
            MembershipScenarios.slowNode(seed("slow", 306), NODES, 30_000, 10, (ctx) -> {});
        assertThat(result.deathsBySlowNode()).as("deaths reported by the slow node").isZero();
        assertThat(result.healthyAccused()).as("healthy nodes accused by anyone").isZero();
    }

    /**
     * Steps of 30 rounds (9 s) outlast the detection time, so without local health the slow node accuses its
     * peers on every step; with it, it doubts itself instead.
     */
    @Test
    void aNodeSteppingThirtyTimesSlowerAccusesNoHealthyNodeThanksToLocalHealth()
    {
        final MembershipScenarios.SlowNode result =
            MembershipScenarios.slowNode(seed("slower", 307), NODES, 30_000, 30, (ctx) -> {});
        assertThat(result.deathsBySlowNode()).as("deaths reported by the slow node").isZero();
        assertThat(result.healthyAccused()).as("healthy nodes accused by anyone").isZero();

        final MembershipScenarios.SlowNode withoutLocalHealth = MembershipScenarios.slowNode(
            seed("slowerWithoutLocalHealth", 307), NODES, 30_000, 30, (ctx) -> ctx.localHealthMaxScore(0));
        assertThat(withoutLocalHealth.deathsBySlowNode()).as("the scenario exercises local health").isPositive();
    }
}
