package io.datacake.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hundred nodes, each with its own faulty storage, stepped in one thread with traffic, crashes and restarts.
 */
@ExtendWith(ReplayOnFailure.class)
final class HundredNodeTest
{
    static final int PUTS = 1_500;
    static final double CRASH_RATE = 0.02;

    @Test
    void acknowledgedPutsSurviveCrashesAndTheSameSeedReplaysTheSameRun(@ReplaySeed(20261130L) final long seed)
    {
        final HundredNodeCampaign.Result first = HundredNodeCampaign.run(seed, PUTS, CRASH_RATE);
        final HundredNodeCampaign.Result second = HundredNodeCampaign.run(seed, PUTS, CRASH_RATE);
        System.out.println("hundred-node campaign: " + first);

        assertThat(second).as("same seed, same run").isEqualTo(first);
        assertThat(first.crashes()).as("nodes crashed").isPositive();
        assertThat(first.acknowledged()).as("puts acknowledged").isGreaterThan(PUTS / 2);
        assertThat(first.failed()).as("puts failed (timeouts, commit failures)").isPositive();
        assertThat(first.lostCommits()).as("crashes lost commits that were not durable").isPositive();
        assertThat(first.clockErrors()).as("stamps from the node beyond the maximum drift refused").isPositive();
    }

    @Test
    void anotherSeedGivesAnotherRun(@ReplaySeed(20261130L) final long seed)
    {
        final HundredNodeCampaign.Result result = HundredNodeCampaign.run(seed, 200, CRASH_RATE);
        assertThat(HundredNodeCampaign.run(seed + 1, 200, CRASH_RATE).digest()).isNotEqualTo(result.digest());
    }
}
