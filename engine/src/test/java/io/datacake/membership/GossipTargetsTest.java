package io.datacake.membership;

import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GossipTargetsTest
{
    private static final int ROUNDS = 100_000;
    private static final int[] NONE = new int[0];

    private final GossipTargets targets = new GossipTargets(GossipTargets.DEFAULT_LIVE_FANOUT);
    private final int[] out = new int[5];

    private static int[] range(final int from, final int to)
    {
        final int[] ids = new int[to - from];
        Arrays.setAll(ids, i -> from + i);
        return ids;
    }

    @Test
    void theSameSeedGivesTheSameTargets()
    {
        final long seed = SeededTrials.seed("gossip targets determinism");
        final SplittableRandom first = new SplittableRandom(seed);
        final SplittableRandom second = new SplittableRandom(seed);
        final int[] live = range(0, 20);
        final int[] dead = range(20, 30);
        final int[] seeds = { 0, 25, 40 };
        final int[] other = new int[5];
        for (int round = 0; round < 1_000; round++)
        {
            final int a = targets.select(live, 20, dead, 10, seeds, 3, first, out);
            final int b = targets.select(live, 20, dead, 10, seeds, 3, second, other);
            assertThat(Arrays.copyOf(out, a)).isEqualTo(Arrays.copyOf(other, b));
        }
    }

    @Test
    void livePeersAreDistinctAndUniformlyChosen()
    {
        final SplittableRandom random = new SplittableRandom(SeededTrials.seed("uniform live peers"));
        final int[] live = range(100, 110);
        final int[] hits = new int[10];
        for (int round = 0; round < ROUNDS; round++)
        {
            final int count = targets.select(live, 10, NONE, 0, NONE, 0, random, out);
            assertThat(count).isEqualTo(3);
            assertThat(Arrays.stream(out, 0, count).distinct().count()).isEqualTo(3);
            for (int i = 0; i < count; i++)
            {
                hits[out[i] - 100]++;
            }
        }
        for (final int hit : hits)
        {
            assertThat((double)hit / ROUNDS).isCloseTo(0.3, within(0.02));
        }
    }

    @Test
    void fewerLivePeersThanTheFanOutAreAllChosen()
    {
        final SplittableRandom random = new SplittableRandom(1);
        final int count = targets.select(new int[]{ 7, 8 }, 2, NONE, 0, NONE, 0, random, out);
        assertThat(Arrays.copyOf(out, count)).containsExactlyInAnyOrder(7, 8);
        assertThat(targets.select(NONE, 0, NONE, 0, NONE, 0, random, out)).isZero();
    }

    @Test
    void aDeadPeerIsAddedWithProbabilityDeadOverLivePlusOne()
    {
        final SplittableRandom random = new SplittableRandom(SeededTrials.seed("dead peer probability"));
        final int[] live = range(0, 4);
        final int[] dead = range(10, 12);
        int withDead = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            final int count = targets.select(live, 4, dead, 2, NONE, 0, random, out);
            if (count == 4)
            {
                assertThat(out[3]).isBetween(10, 11);
                withDead++;
            }
        }
        assertThat((double)withDead / ROUNDS).isCloseTo(2.0 / 5, within(0.02));

        int always = 0;
        for (int round = 0; round < 1_000; round++)
        {
            always += targets.select(range(0, 1), 1, range(10, 15), 5, NONE, 0, random, out) == 2 ? 1 : 0;
        }
        assertThat(always).as("more dead than live + 1: always").isEqualTo(1_000);
    }

    @Test
    void aSeedIsAddedWithProbabilitySeedsOverPeersWhenNoneWasChosen()
    {
        final SplittableRandom random = new SplittableRandom(SeededTrials.seed("seed probability"));
        final int[] live = range(0, 10);
        final int[] seeds = { 50, 51 };
        int withSeed = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            if (targets.select(live, 10, NONE, 0, seeds, 2, random, out) == 4)
            {
                assertThat(out[3]).isIn(50, 51);
                withSeed++;
            }
        }
        assertThat((double)withSeed / ROUNDS).isCloseTo(2.0 / 10, within(0.02));
    }

    @Test
    void noExtraSeedWhenTheLivePicksAlreadyIncludeOne()
    {
        final SplittableRandom random = new SplittableRandom(SeededTrials.seed("seed among live picks"));
        final int[] live = range(0, 10);
        final int[] seeds = { 0, 1 };
        int extra = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            final int count = targets.select(live, 10, NONE, 0, seeds, 2, random, out);
            assertThat(Arrays.stream(out, 0, count).distinct().count()).isEqualTo(count);
            if (count == 4)
            {
                extra++;
            }
        }
        // No seed among 3 of 10 picks: C(8,3)/C(10,3) = 56/120; then a seed with probability 2/10.
        assertThat((double)extra / ROUNDS).isCloseTo(56.0 / 120 * 0.2, within(0.01));
    }

    @Test
    void aNodeWithNoLivePeersAlwaysTriesASeed()
    {
        final SplittableRandom random = new SplittableRandom(SeededTrials.seed("isolated node"));
        for (int round = 0; round < 1_000; round++)
        {
            final int count = targets.select(NONE, 0, NONE, 0, new int[]{ 9 }, 1, random, out);
            assertThat(count).isEqualTo(1);
            assertThat(out[0]).isEqualTo(9);
        }
    }

    @Test
    void badArgumentsAreRejected()
    {
        final SplittableRandom random = new SplittableRandom(1);
        assertThatThrownBy(() -> new GossipTargets(0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("fan-out");
        assertThatThrownBy(() -> targets.select(NONE, 0, NONE, 0, NONE, 0, random, new int[4]))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("may choose 5");
        assertThatThrownBy(() -> targets.select(new int[2], 3, NONE, 0, NONE, 0, random, out))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("live count 3");
    }
}
