package io.datacake.campaign;

import io.datacake.clock.HlcTimestamp;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.sim.NetworkFaults;
import io.datacake.sim.Simulation;
import io.datacake.sim.StorageFaults;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checker fails when it must: each test plants one anomaly in a quiet cluster, writing to a node's storage
 * behind its store's back, and expects the checker to name it.
 */
final class HistoryCheckerTest
{
    private static final String KEYSPACE = "ks0";
    private static final long KEY = 42;
    private static final long START_MS = 1_767_225_600_000L;

    private final List<Op> history = new ArrayList<>();

    @Test
    void aStoredKeyThatNoPutWroteIsReported()
    {
        final SeedResult result = check((cluster) ->
            cluster.storage(1).put(KEYSPACE, KEY, stamp(5), 1, new byte[]{1, 2, 3}));

        assertThat(result.violations).anySatisfy((violation) ->
            assertThat(violation).contains("stores key " + KEY + " that no put wrote"));
    }

    @Test
    void anAcknowledgedPutStoredNowhereIsALostWrite()
    {
        final Op put = put(ConsistencyLevel.ALL);
        put.outcome = Op.Outcome.OK;
        put.completedAtMs = START_MS + 1;

        final SeedResult result = check((cluster) -> { });

        assertThat(result.lostWrites).isEqualTo(1);
        assertThat(result.violations).anySatisfy((violation) -> assertThat(violation).startsWith("lost write"));
    }

    @Test
    void aPutThatFailedMayBeStoredNowhere()
    {
        final Op put = put(ConsistencyLevel.ALL);
        put.outcome = Op.Outcome.FAILED;
        put.completedAtMs = START_MS + 1;

        final SeedResult result = check((cluster) -> { });

        assertThat(result.lostWrites).isZero();
        assertThat(result.violations).isEmpty();
    }

    @Test
    void aKeyLiveAgainAfterItsAcknowledgedDeleteWonIsReported()
    {
        final Op put = put(ConsistencyLevel.QUORUM);
        put.outcome = Op.Outcome.OK;
        put.completedAtMs = START_MS + 1;
        put.stamp = stamp(10);
        final Op delete = new Op(1, Op.Kind.DELETE, KEYSPACE, new long[]{KEY}, null, 2, 1, ConsistencyLevel.QUORUM,
            START_MS + 2);
        delete.outcome = Op.Outcome.OK;
        delete.completedAtMs = START_MS + 3;
        delete.stamp = stamp(20);
        history.add(delete);

        final SeedResult result = check((cluster) ->
        {
            for (int id = 1; id <= cluster.nodeCount(); id++)
            {
                cluster.storage(id).put(KEYSPACE, KEY, put.stamp, put.coordinator, put.values[0]);
            }
        });

        assertThat(result.violations).anySatisfy((violation) ->
            assertThat(violation).startsWith("deleted key came back"));
    }

    @Test
    void aValueThatDiffersFromWhatThePutWroteIsReported()
    {
        final Op put = put(ConsistencyLevel.ONE);
        put.outcome = Op.Outcome.OK;
        put.completedAtMs = START_MS + 1;

        final SeedResult result = check((cluster) ->
            cluster.storage(1).put(KEYSPACE, KEY, stamp(10), put.coordinator, new byte[]{9}));

        assertThat(result.violations).anySatisfy((violation) ->
            assertThat(violation).contains("reads a value never written to it"));
    }

    private Op put(final ConsistencyLevel level)
    {
        final Op put = new Op(history.size(), Op.Kind.PUT, KEYSPACE, new long[]{KEY}, new byte[][]{{7, 7, 7}}, 1, 1,
            level, START_MS);
        history.add(put);
        return put;
    }

    private SeedResult check(final Consumer<CampaignCluster> plant)
    {
        final CampaignSettings settings = CampaignSettings.draw(3);
        final SeedResult result = new SeedResult(settings);
        try (CampaignCluster cluster = new CampaignCluster(
            new Simulation(settings.seed, NetworkFaults.NONE, StorageFaults.NONE), settings))
        {
            plant.accept(cluster);
            new HistoryChecker(cluster, history, result).check();
        }
        return result;
    }

    private static long stamp(final long millisAfterStart)
    {
        return HlcTimestamp.pack(START_MS + millisAfterStart, 0);
    }
}
