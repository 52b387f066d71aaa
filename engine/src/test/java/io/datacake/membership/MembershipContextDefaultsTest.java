package io.datacake.membership;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The failure detector's prior interval follows the gossip interval unless set: a fixed 5 s prior at a 300 ms
 * gossip interval more than doubled the time to detect a crash for minutes after a member joined.
 */
final class MembershipContextDefaultsTest
{
    @Test
    void theInitialIntervalIsTheGossipIntervalUnlessSet()
    {
        final MembershipContext ctx = new MembershipContext().bootstrap(true).gossipIntervalMs(300);
        assertThat(ctx.initialIntervalMs()).isEqualTo(300);
        ctx.gossipIntervalMs(1_000);
        assertThat(ctx.initialIntervalMs()).isEqualTo(1_000);
        ctx.initialIntervalMs(5_000).conclude();
        assertThat(ctx.initialIntervalMs()).isEqualTo(5_000);
        ctx.initialIntervalMs(MembershipContext.DERIVED_INITIAL_INTERVAL_MS).conclude();
        assertThat(ctx.initialIntervalMs()).isEqualTo(1_000);
    }

    @Test
    void aNegativeInitialIntervalIsRejected()
    {
        assertThatThrownBy(() -> new MembershipContext().bootstrap(true).initialIntervalMs(-1).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initial interval");
    }
}
