package io.datacake.perf;

import io.datacake.clock.HlcTimestamp;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica of the perf-harness keyspace outside any cluster: what it stores, what it skips, and what counts as
 * converged.
 */
class ReplicaTest
{
    private static final long BASE_MS = 1_764_061_731_000L;
    private static final UnsafeBuffer VALUE = new UnsafeBuffer(new byte[] { 1, 2, 3 });

    private static long ts(final long ms)
    {
        return HlcTimestamp.pack(BASE_MS + ms, 0);
    }

    private static void put(final Replica replica, final long key, final long stamp, final int nodeId)
    {
        replica.apply(key, stamp, nodeId, VALUE, 0, VALUE.capacity());
    }

    @Test
    void replicasWithEqualDataButDifferentSeenStampsCountAsConverged()
    {
        try (Replica a = new Replica(); Replica b = new Replica())
        {
            // a gets node 1's newer write first and skips node 2's older one without recording it; b gets both.
            put(a, 7, ts(5), 1);
            put(a, 7, ts(3), 2);
            put(b, 7, ts(3), 2);
            put(b, 7, ts(5), 1);

            final Replica.ReplicaSummary sa = a.summary();
            final Replica.ReplicaSummary sb = b.summary();
            assertThat(sa.skipped()).isEqualTo(1);
            assertThat(sb.applied()).isEqualTo(2);
            assertThat(sa.sameDataAs(sb)).isTrue();
            assertThat(sb.sameDataAs(sa)).isTrue();

            put(b, 8, ts(6), 2);
            assertThat(a.summary().sameDataAs(b.summary())).isFalse();
        }
    }

    @Test
    void aWriteStaleInSourceOrderIsNeitherStoredNorInserted()
    {
        try (Replica replica = new Replica())
        {
            put(replica, 1, ts(5), 1);
            put(replica, 2, ts(3), 1);

            final Replica.ReplicaSummary summary = replica.summary();
            assertThat(summary.applied()).isEqualTo(1);
            assertThat(summary.staleRejected()).isEqualTo(1);
            assertThat(summary.skipped()).isZero();
            assertThat(summary.liveKeys()).isEqualTo(1);
            assertThat(summary.storedKeys()).as("storage holds what the set holds").isEqualTo(1);
            assertThat(summary.storageDigest()).isEqualTo(summary.dataDigest());
        }
    }
}
