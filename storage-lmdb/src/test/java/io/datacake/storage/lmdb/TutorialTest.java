package io.datacake.storage.lmdb;

import io.datacake.clock.HybridLogicalClock;
import io.datacake.crdt.Orswot;
import io.datacake.storage.KeyspaceStateLoader;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.WriteBatch;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An executable walk through the LMDB storage: open it, write in batches, read values in place from the mmap'd
 * file, reopen it and rebuild the ORSWOT.
 */
class TutorialTest
{
    @TempDir
    Path directory;

    @Test
    void walkThroughTheLmdbStorage()
    {
        final int nodeId = 1;
        final HybridLogicalClock clock = new HybridLogicalClock(nodeId, new SystemEpochClock());

        // 1. Open: a directory (created if missing) and options. The map starts small and doubles when full;
        //    NO_SYNC trades power-loss durability for speed (a process crash still loses nothing).
        final LmdbStorageConfig config = new LmdbStorageConfig(directory.resolve("node-1"))
            .initialMapSizeBytes(1024 * 1024)
            .durability(LmdbDurability.NO_SYNC)
            .maxValueLength(1024 * 1024);

        try (LmdbStorage storage = LmdbStorage.open(config))
        {
            // 2. Write through a reusable batch: one LMDB write transaction per commit.
            final WriteBatch batch = storage.newWriteBatch();
            final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
            for (long key = 0; key < 100; key++)
            {
                value.putLong(0, key * key);
                batch.put("squares", key, clock.send(), nodeId, value, 0, 8);
            }
            storage.commit(batch);

            // 3. Read in place: the handler gets a buffer pointing into the mmap'd page, no byte[] in between.
            //    Copy out what must outlive the scope; never write through the buffer.
            final long[] sum = new long[1];
            try (ReadTransaction txn = storage.beginRead())
            {
                txn.getMany("squares", new long[]{3, 4, 5}, 0, 3,
                    (key, stamp, node, buffer, offset, length) -> sum[0] += buffer.getLong(offset));
            }
            assertThat(sum[0]).isEqualTo(9 + 16 + 25);

            // 4. Metadata comes in key order, without reading values.
            final long[] previous = {-1};
            try (ReadTransaction txn = storage.beginRead())
            {
                txn.forEachMetadata("squares", (key, stamp, node, tombstone) ->
                {
                    assertThat(key).isGreaterThan(previous[0]);
                    previous[0] = key;
                });
            }
            storage.markTombstone("squares", 0, clock.send(), nodeId);
        }

        // 5. Reopen: every committed write is there, and the keyspace's ORSWOT is rebuilt from the metadata.
        try (LmdbStorage storage = LmdbStorage.open(config);
            Orswot set = new KeyspaceStateLoader().load(storage, "squares"))
        {
            assertThat(set.liveCount()).isEqualTo(99);
            assertThat(set.tombstoneCount()).isEqualTo(1);
            assertThat(storage.get("squares", 12).value()).hasSize(8);
        }
    }
}
