package io.datacake.crdt;

import io.datacake.clock.HlcTimestamp;
import io.datacake.clock.HybridLogicalClock;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Executable documentation: the clock and the set, step by step.
 */
class TutorialTest
{
    @Test
    void tutorial()
    {
        // 1. Every node owns a hybrid logical clock. Physical time comes in through Agrona's EpochClock, so a
        //    simulation can drive it; production code passes a SystemEpochClock.
        final CachedEpochClock time = new CachedEpochClock();
        time.update(1_764_061_731_000L);
        final HybridLogicalClock clockA = new HybridLogicalClock(1, time);
        final HybridLogicalClock clockB = new HybridLogicalClock(2, time);

        // 2. A stamp is one long (milliseconds << 16 | counter); the node id travels beside it and breaks ties.
        final long stampA = clockA.send();
        assertThat(HlcTimestamp.toString(stampA, clockA.nodeId())).isEqualTo("2025-11-25T09:08:51Z/0000/1");

        // 3. When B hears from A it merges A's stamp, so B's next event is ordered after A's.
        clockB.recv(stampA, clockA.nodeId());
        final long stampB = clockB.send();
        assertThat(HlcTimestamp.compare(stampB, 2, stampA, 1)).isPositive();

        // 4. Each keyspace keeps an ORSWOT per replica: document id -> timestamp of the live entry or tombstone,
        //    off-heap. Close it when done (try-with-resources).
        try (Orswot replicaA = new Orswot(); Orswot replicaB = new Orswot())
        {
            replicaA.insert(42, stampA, 1);           // A writes document 42
            replicaB.insert(42, stampB, 2);           // B writes it too, later
            replicaB.delete(7, clockB.send(), 2);     // and deletes document 7, which A never had

            // 5. Anti-entropy: A asks what it lacks compared with B, then fetches and applies it.
            final int[] toFetch = { 0 };
            final int[] toDelete = { 0 };
            replicaA.diff(replicaB, (key, stamp, node) -> toFetch[0]++, (key, stamp, node) -> toDelete[0]++);
            assertThat(toFetch[0]).isEqualTo(1);
            assertThat(toDelete[0]).isEqualTo(1);

            // 6. Or ship the whole state: encode into a buffer (the wire or a snapshot), decode into a scratch set
            //    on the other side, and merge. Merge is commutative, associative and idempotent.
            final ExpandableDirectByteBuffer wire = new ExpandableDirectByteBuffer(256);
            final int length = OrswotCodec.encode(replicaB, wire, 0);
            try (Orswot received = new Orswot())
            {
                OrswotCodec.decode(wire, 0, length, received);
                replicaA.merge(received);
            }
            assertThat(replicaA.get(42)).isEqualTo(stampB);      // last write wins
            assertThat(replicaA.getTombstone(7)).isPositive();   // the delete arrived as a tombstone

            // 7. Tombstones go once every source has seen later operations from their node (and the forgiveness
            //    period has passed); the caller then removes them from storage.
            time.advance(Orswot.DEFAULT_FORGIVENESS_MS + 1);
            replicaA.insert(Orswot.CONSISTENCY_SOURCE, 8, clockB.send(), 2);
            replicaA.insert(Orswot.REPAIR_SOURCE, 9, clockB.send(), 2);
            assertThat(replicaA.purgeOldDeletes((key, stamp, node) -> assertThat(key).isEqualTo(7))).isEqualTo(1);
        }
    }
}
