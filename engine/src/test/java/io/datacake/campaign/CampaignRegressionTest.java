package io.datacake.campaign;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Campaign seeds that found a bug, replayed whole: each must pass from the fix on. The reduced scenarios are in the
 * store's own tests ({@code StoreFaultRegressionTest}) where one could be written.
 */
final class CampaignRegressionTest
{
    /**
     * Three nodes, node 3 holding writes the others lacked: the others took turns pulling from nodes 2 and 3, and the
     * repair fetch skip one peer left was used against the other, so the entries node 3 held beyond the skip were
     * never fetched and the cluster never converged.
     */
    @Test
    void seed1138RepairFetchSkipIsKeptPerPeer()
    {
        // Found with static views, before membership was drawn: replayed as found.
        assertPasses(CampaignSettings.forSeed(1138).withMembership(CampaignSettings.MembershipMode.STATIC));
    }

    /**
     * Gossip membership, a node crashed and restarted before its peers found it silent: they kept it live in its old
     * generation, never reported the restart, and their views never agreed with the running node.
     */
    @Test
    void seed14ARestartBeforeDetectionIsSeenInTheNewGeneration()
    {
        assertPasses(14);
    }

    /**
     * Gossip membership, node 1 restarted with its clock stepped back a few seconds: its new generation, taken from
     * the clock, was lower than its old one, so peers ignored the new life and held node 1 dead for good.
     */
    @Test
    void seed13ARestartWithTheClockSteppedBackRejoins()
    {
        assertPasses(13);
    }

    /**
     * Gossip membership, nodes 2 and 3 restarted during a partition from nodes 1 and 4 with wall clocks over an hour
     * ahead: each knew only the other, took their match as every live member's, raised its purge floor above every
     * tombstone and then refused nodes 1 and 4's tombstones for good, so the cluster never converged.
     */
    @Test
    void seed24NodesRestartedInAPartitionPurgeNothingUntilTheirViewsAreComplete()
    {
        assertPasses(24);
    }

    private static void assertPasses(final long seed)
    {
        assertPasses(CampaignSettings.forSeed(seed));
    }

    private static void assertPasses(final CampaignSettings settings)
    {
        final long seed = settings.seed;
        final SeedResult result = CampaignRun.run(settings);
        assertThat(result.violations).as("seed %d; replay: %s", seed, ReliabilityCampaignTest.replayCommand(seed))
            .isEmpty();
    }
}
