package io.datacake.crdt;

import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded randomized properties of {@link Orswot}: convergence under any delivery order and duplication, and the
 * join laws of merge. Replay a failure with {@code -Ddatacake.seed=<seed>}.
 */
class OrswotPropertyTest
{
    /**
     * @return trials per property; the soak variant runs many more.
     */
    int trials()
    {
        return DEFAULT_TRIALS;
    }

    private static final int DEFAULT_TRIALS = 200;
    private final List<Orswot> sets = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        sets.forEach(Orswot::close);
        sets.clear();
    }

    private Orswot newSet(final int sources)
    {
        final Orswot set = new Orswot(sources, 0, 16);
        sets.add(set);
        return set;
    }

    private static OperationHistory history(final SplittableRandom random)
    {
        return OperationHistory.generate(random, 2 + random.nextInt(4), 20 + random.nextInt(200),
            1 + random.nextInt(40));
    }

    /** A replica that received a random per-source, per-node prefix of the history. */
    private Orswot replica(final OperationHistory history, final int sources, final SplittableRandom random)
    {
        final Orswot set = newSet(sources);
        final int[][] prefixes = new int[sources][];
        for (int s = 0; s < sources; s++)
        {
            prefixes[s] = history.randomPrefix(random);
        }
        history.deliver(set, prefixes, random, 10);
        return set;
    }

    private Orswot fullReplica(final OperationHistory history, final int sources, final SplittableRandom random)
    {
        final Orswot set = newSet(sources);
        final int[][] prefixes = new int[sources][];
        for (int s = 0; s < sources; s++)
        {
            prefixes[s] = history.fullPrefix();
        }
        history.deliver(set, prefixes, random, 15);
        return set;
    }

    private Orswot copyOf(final Orswot set)
    {
        final Orswot copy = newSet(set.sourceCount());
        copy.merge(set);
        return copy;
    }

    private static void assertSameState(final Orswot actual, final Orswot expected)
    {
        assertThat(actual.contentEquals(expected))
            .as("state %s differs from %s", actual, expected)
            .isTrue();
        assertThat(actual.contentDigest()).isEqualTo(expected.contentDigest());
    }

    @Test
    void replicasReceivingTheSameOperationsInAnyOrderWithDuplicatesConverge()
    {
        SeededTrials.run("convergence", trials(), random ->
        {
            final OperationHistory history = history(random);
            final int sources = 1 + random.nextInt(2);
            final Orswot first = fullReplica(history, sources, random);
            for (int r = 0; r < 3; r++)
            {
                assertSameState(fullReplica(history, sources, random), first);
            }
            tearDown();
        });
    }

    @Test
    void replicasStillAgreeAfterEachPurgesOnceEverythingIsDelivered()
    {
        SeededTrials.run("purge convergence", trials(), random ->
        {
            final OperationHistory history = history(random);
            final Orswot a = fullReplica(history, 2, random);
            final Orswot b = fullReplica(history, 2, random);
            final int purgedA = a.purgeOldDeletes((k, s, n) -> { });
            final int purgedB = b.purgeOldDeletes((k, s, n) -> { });
            assertThat(purgedA).isEqualTo(purgedB);
            assertSameState(a, b);
            tearDown();
        });
    }

    @Test
    void mergeIsCommutative()
    {
        SeededTrials.run("commutativity", trials(), random ->
        {
            final OperationHistory history = history(random);
            final int sources = 1 + random.nextInt(2);
            final Orswot a = replica(history, sources, random);
            final Orswot b = replica(history, sources, random);
            maybePurge(a, random, a, b);
            maybePurge(b, random, a, b);

            final Orswot ab = copyOf(a);
            ab.merge(b);
            final Orswot ba = copyOf(b);
            ba.merge(a);
            assertSameState(ab, ba);
            tearDown();
        });
    }

    @Test
    void mergeIsAssociative()
    {
        SeededTrials.run("associativity", trials(), random ->
        {
            final OperationHistory history = history(random);
            final int sources = 1 + random.nextInt(2);
            final Orswot a = replica(history, sources, random);
            final Orswot b = replica(history, sources, random);
            final Orswot c = replica(history, sources, random);
            maybePurge(a, random, a, b, c);
            maybePurge(b, random, a, b, c);
            maybePurge(c, random, a, b, c);

            final Orswot left = copyOf(a);
            left.merge(b);
            left.merge(c);

            final Orswot bc = copyOf(b);
            bc.merge(c);
            final Orswot right = copyOf(a);
            right.merge(bc);
            assertSameState(left, right);
            tearDown();
        });
    }

    @Test
    void mergeIsIdempotent()
    {
        SeededTrials.run("idempotence", trials(), random ->
        {
            final OperationHistory history = history(random);
            final Orswot a = replica(history, 1 + random.nextInt(2), random);
            maybePurge(a, random, a);
            final Orswot copy = copyOf(a);
            assertSameState(copy, a);
            copy.merge(a);
            assertSameState(copy, a);
            a.merge(a);
            assertSameState(copy, a);
            tearDown();
        });
    }

    @Test
    void mergingPartialReplicasEqualsReceivingTheUnionOfTheirOperations()
    {
        SeededTrials.run("merge equals union", trials(), random ->
        {
            final OperationHistory history = history(random);
            final int[] prefixA = history.randomPrefix(random);
            final int[] prefixB = history.randomPrefix(random);
            final int[] union = new int[prefixA.length];
            for (int i = 0; i < union.length; i++)
            {
                union[i] = Math.max(prefixA[i], prefixB[i]);
            }
            final Orswot a = newSet(1);
            history.deliver(a, new int[][]{ prefixA }, random, 10);
            final Orswot b = newSet(1);
            history.deliver(b, new int[][]{ prefixB }, random, 10);
            final Orswot expected = newSet(1);
            history.deliver(expected, new int[][]{ union }, random, 10);

            a.merge(b);
            assertSameState(a, expected);
            tearDown();
        });
    }

    @Test
    void diffAppliedThroughTheRepairSourceCatchesUp()
    {
        SeededTrials.run("diff catches up", trials(), random ->
        {
            final OperationHistory history = history(random);
            final int[] none = new int[history.nodes()];
            final Orswot a = newSet(2);
            history.deliver(a, new int[][]{ history.randomPrefix(random), none }, random, 10);
            final Orswot b = newSet(2);
            history.deliver(b, new int[][]{ history.randomPrefix(random), none }, random, 10);
            final Orswot merged = copyOf(a);
            merged.merge(b);

            // Repair applies b's diff to a through the repair source in stamp order, as anti-entropy does.
            final List<OperationHistory.Operation> repairs = new ArrayList<>();
            a.diff(b,
                (key, stamp, nodeId) -> repairs.add(new OperationHistory.Operation(nodeId, true, key, stamp)),
                (key, stamp, nodeId) -> repairs.add(new OperationHistory.Operation(nodeId, false, key, stamp)));
            repairs.sort((x, y) -> Long.compare(x.stamp(), y.stamp()));
            repairs.forEach(op -> op.applyTo(a, Orswot.REPAIR_SOURCE));

            merged.forEachLive((key, stamp, nodeId) ->
                assertThat(a.get(key)).as("live key %d", key).isEqualTo(stamp));
            merged.forEachTombstone((key, stamp, nodeId) ->
                assertThat(a.getTombstone(key)).as("tombstone %d", key).isEqualTo(stamp));
            assertThat(a.liveCount()).isEqualTo(merged.liveCount());
            tearDown();
        });
    }

    @Test
    void localPurgeCanBreakAssociativity()
    {
        // Why purges must be bounded cluster-wide: C purged key 1's tombstone (every source saw a later operation
        // from node 2), A still holds the older insert from node 1, which C never received.
        final long t1 = io.datacake.clock.HlcTimestamp.pack(OperationHistory.BASE_MS + 1, 0);
        final long t2 = io.datacake.clock.HlcTimestamp.pack(OperationHistory.BASE_MS + 2, 0);
        final long t3 = io.datacake.clock.HlcTimestamp.pack(OperationHistory.BASE_MS + 3, 0);
        final Orswot a = newSet(1);
        a.insert(1, t1, 1);
        final Orswot b = newSet(1);
        b.delete(1, t2, 2);
        final Orswot c = newSet(1);
        c.delete(1, t2, 2);
        c.insert(9, t3, 2);

        final Orswot unbounded = copyOf(c);
        assertThat(unbounded.purgeOldDeletes((k, s, n) -> { })).isEqualTo(1);
        final Orswot left = copyOf(a);
        left.merge(b);
        left.merge(unbounded);
        final Orswot bc = copyOf(b);
        bc.merge(unbounded);
        final Orswot right = copyOf(a);
        right.merge(bc);
        assertThat(left.get(1)).isZero();
        assertThat(right.get(1)).as("resurrected by the unbounded purge").isEqualTo(t1);

        // Bounded by the replicas' lowest safe stamp, C keeps the tombstone: A and B have not observed t2's successor.
        final Orswot bounded = copyOf(c);
        assertThat(bounded.purgeOldDeletes((k, s, n) -> { },
            nodeId -> Math.min(Math.min(a.safeStamp(nodeId), b.safeStamp(nodeId)), c.safeStamp(nodeId)))).isZero();
    }

    /**
     * Purge (sometimes) what every replica has observed: the bound the replication layer gives. A purge by the local
     * rule alone is not a join-preserving operation (see {@link #localPurgeCanBreakAssociativity}).
     */
    private static void maybePurge(final Orswot set, final SplittableRandom random, final Orswot... replicas)
    {
        if (random.nextBoolean())
        {
            set.purgeOldDeletes((k, s, n) -> { }, nodeId ->
            {
                long lowest = Long.MAX_VALUE;
                for (final Orswot replica : replicas)
                {
                    lowest = Math.min(lowest, replica.safeStamp(nodeId));
                }
                return lowest;
            });
        }
    }
}
