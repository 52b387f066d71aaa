package io.datacake.membership;

import java.util.random.RandomGenerator;

/**
 * Chooses the peers to gossip with in one round, by the scuttlebutt fan-out rule:
 * <ol>
 *   <li>up to {@code liveFanout} distinct live peers, uniformly at random;</li>
 *   <li>plus one random dead peer with probability {@code dead / (live + 1)}, so dead peers are retried (and a
 *   partition heals) without a large cluster wasting many rounds on them;</li>
 *   <li>plus one random seed, if no seed was chosen already or there are fewer live peers than seeds, with
 *   probability {@code seeds / (live + dead)}, and always when no peer is live, so a node that lost everyone
 *   (or just started) finds its way back through the seeds.</li>
 * </ol>
 * A peer is never chosen twice. Callers pass peer ids without this node. The choice is a pure function of the
 * inputs and the random generator: the same seed gives the same targets. Allocation free.
 */
public final class GossipTargets
{
    /** Default number of live peers per round. */
    public static final int DEFAULT_LIVE_FANOUT = 3;

    /** Targets beyond the live fan-out: one dead peer and one seed. */
    public static final int EXTRA_TARGETS = 2;

    private final int liveFanout;

    /**
     * @param liveFanout live peers per round, >= 1.
     * @throws IllegalArgumentException if the fan-out is below 1.
     */
    public GossipTargets(final int liveFanout)
    {
        if (liveFanout < 1)
        {
            throw new IllegalArgumentException("live fan-out must be >= 1, got " + liveFanout);
        }
        this.liveFanout = liveFanout;
    }

    /**
     * @return the most targets one round can produce: the live fan-out plus {@link #EXTRA_TARGETS}.
     */
    public int maxTargets()
    {
        return liveFanout + EXTRA_TARGETS;
    }

    /**
     * Choose this round's targets.
     *
     * @param live      ids of live peers, distinct, in {@code live[0..liveCount)}.
     * @param liveCount number of live peers.
     * @param dead      ids of dead peers, distinct, in {@code dead[0..deadCount)}.
     * @param deadCount number of dead peers.
     * @param seeds     ids of seed peers (live, dead or not yet known), in {@code seeds[0..seedCount)}.
     * @param seedCount number of seeds.
     * @param random    the source of randomness.
     * @param out       receives the targets; must hold at least {@link #maxTargets()}.
     * @return the number of targets written.
     * @throws IllegalArgumentException if a count is negative or beyond its array, or {@code out} is too short.
     */
    public int select(
        final int[] live,
        final int liveCount,
        final int[] dead,
        final int deadCount,
        final int[] seeds,
        final int seedCount,
        final RandomGenerator random,
        final int[] out)
    {
        checkCount(live, liveCount, "live");
        checkCount(dead, deadCount, "dead");
        checkCount(seeds, seedCount, "seed");
        if (out.length < maxTargets())
        {
            throw new IllegalArgumentException("output holds " + out.length + " targets, a round may choose " +
                maxTargets());
        }

        // Floyd's sampling: a uniform subset of k live peers without a scratch array.
        int count = 0;
        final int k = Math.min(liveFanout, liveCount);
        for (int j = liveCount - k; j < liveCount; j++)
        {
            final int candidate = live[random.nextInt(j + 1)];
            final int chosen = contains(out, count, candidate) ? live[j] : candidate;
            out[count++] = chosen;
        }

        if (deadCount > 0 && random.nextDouble() < (double)deadCount / (liveCount + 1))
        {
            final int candidate = dead[random.nextInt(deadCount)];
            if (!contains(out, count, candidate))
            {
                out[count++] = candidate;
            }
        }

        if (seedCount > 0 && (!containsAny(out, count, seeds, seedCount) || liveCount < seedCount))
        {
            final int peers = liveCount + deadCount;
            if (0 == liveCount || random.nextDouble() < (double)seedCount / peers)
            {
                final int candidate = seeds[random.nextInt(seedCount)];
                if (!contains(out, count, candidate))
                {
                    out[count++] = candidate;
                }
            }
        }
        return count;
    }

    private static boolean contains(final int[] ids, final int count, final int id)
    {
        for (int i = 0; i < count; i++)
        {
            if (ids[i] == id)
            {
                return true;
            }
        }
        return false;
    }

    private static boolean containsAny(
        final int[] ids, final int count, final int[] candidates, final int candidateCount)
    {
        for (int i = 0; i < count; i++)
        {
            if (contains(candidates, candidateCount, ids[i]))
            {
                return true;
            }
        }
        return false;
    }

    private static void checkCount(final int[] ids, final int count, final String what)
    {
        if (count < 0 || count > ids.length)
        {
            throw new IllegalArgumentException(what + " count " + count + " is outside 0.." + ids.length);
        }
    }
}
