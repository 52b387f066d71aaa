package io.datacake.membership;

import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

/**
 * The membership measurement campaign, one test per section, each printing its table lines (not part of the default
 * run): {@code mvn -B -o -pl engine test -Psoak -Dtest=MembershipCampaignSoakTest}. Figures are virtual time, so
 * they do not depend on the machine.
 */
@Tag("soak")
final class MembershipCampaignSoakTest
{
    /**
     * The component's defaults (gossip interval aside), or overrides for tuning runs:
     * {@code -Ddatacake.membership.initialIntervalMs}, {@code .phiThreshold}, {@code .localHealthMaxScore},
     * {@code .liveFanout}.
     */
    private static final Consumer<MembershipContext> DEFAULTS = MembershipCampaignSoakTest::overrides;

    private static void overrides(final MembershipContext ctx)
    {
        final String prefix = "datacake.membership.";
        final String initialIntervalMs = System.getProperty(prefix + "initialIntervalMs");
        if (null != initialIntervalMs)
        {
            ctx.initialIntervalMs(Long.parseLong(initialIntervalMs));
        }
        final String phiThreshold = System.getProperty(prefix + "phiThreshold");
        if (null != phiThreshold)
        {
            ctx.phiThreshold(Double.parseDouble(phiThreshold));
        }
        final String localHealthMaxScore = System.getProperty(prefix + "localHealthMaxScore");
        if (null != localHealthMaxScore)
        {
            ctx.localHealthMaxScore(Integer.parseInt(localHealthMaxScore));
        }
        final String liveFanout = System.getProperty(prefix + "liveFanout");
        if (null != liveFanout)
        {
            ctx.liveFanout(Integer.parseInt(liveFanout));
        }
    }

    private static MembershipCampaign campaign()
    {
        final long masterSeed = SeededTrials.seed("MembershipCampaignSoakTest", MembershipCampaign.DEFAULT_MASTER_SEED);
        return new MembershipCampaign(System.out, masterSeed,
            Integer.getInteger(MembershipCampaign.SEEDS_PROPERTY, MembershipCampaign.DEFAULT_SEEDS));
    }

    @Test
    void convergence()
    {
        final MembershipCampaign campaign = campaign();
        for (final int nodes : new int[]{3, 10, 100})
        {
            final int runs = nodes >= 100 ? Math.max(1, campaign.runs() / 4) : campaign.runs();
            campaign.convergence(nodes, false, runs, DEFAULTS);
            campaign.convergence(nodes, true, runs, DEFAULTS);
        }
    }

    @Test
    void detection()
    {
        final MembershipCampaign campaign = campaign();
        campaign.detection(100, 0, DEFAULTS);
        campaign.detection(100, 0.5, DEFAULTS);
    }

    @Test
    void falseDeaths()
    {
        final MembershipCampaign campaign = campaign();
        final int runs = Math.max(1, campaign.runs() / 4);
        campaign.falseDeaths(100, 0.5, runs, DEFAULTS);
        for (final int slowFactor : new int[]{10, 30})
        {
            campaign.slowNode(100, slowFactor, runs, "local health on", DEFAULTS);
            campaign.slowNode(100, slowFactor, runs, "local health off",
                DEFAULTS.andThen((ctx) -> ctx.localHealthMaxScore(0)));
        }
    }

    @Test
    void cost()
    {
        final MembershipCampaign campaign = campaign();
        for (final int nodes : new int[]{3, 10, 20, 40, 100})
        {
            campaign.cost(nodes, Math.max(1, campaign.runs() / 10), DEFAULTS);
        }
    }
}
