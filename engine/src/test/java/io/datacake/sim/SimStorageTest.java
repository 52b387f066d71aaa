package io.datacake.sim;

import io.datacake.clock.HlcTimestamp;
import io.datacake.storage.BulkMutationException;
import io.datacake.storage.Document;
import io.datacake.storage.MemoryStorage;
import io.datacake.storage.Metadata;
import io.datacake.storage.Storage;
import io.datacake.storage.StorageException;
import io.datacake.storage.WriteBatch;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SimStorage} against a model: the engine's {@link MemoryStorage} fed only the commits that the storage
 * acknowledged and a crash did not lose, so the last-write-wins rules are checked by an independent implementation
 * and durability by the fault plan's own decisions.
 */
@ExtendWith(ReplayOnFailure.class)
final class SimStorageTest
{
    private static final String[] KEYSPACES = {"a", "b", "c"};
    private static final int KEYS = 40;

    private final SimClock clock = new SimClock();

    @Test
    void faultsCrashesAndRestartsMatchTheModel(@ReplaySeed(20261129L) final long seed)
    {
        final RecordingFaults faults = new RecordingFaults(new RandomStorageFaults(seed, 0.1, 0, 40));
        final SimStorage storage = new SimStorage("s", clock, faults);
        final SplittableRandom random = new SplittableRandom(seed);
        final List<Commit> commits = new ArrayList<>();
        long stamp = HlcTimestamp.pack(clock.time(), 0);
        int crashes = 0;
        int failures = 0;
        long lastDurableAtMs = 0;

        for (int round = 0; round < 600; round++)
        {
            clock.advanceMs(random.nextInt(8));
            final int action = random.nextInt(100);
            if (action < 4)
            {
                final long nowMs = clock.time();
                final int lost = storage.crash();
                int expectedLost = 0;
                for (final Commit commit : commits)
                {
                    if (!commit.lost && commit.durableAtMs > nowMs)
                    {
                        commit.lost = true;
                        expectedLost++;
                    }
                }
                assertThat(lost).as("commits lost at crash %d", crashes).isEqualTo(expectedLost);
                // The lost commits no longer hold back the durability of later ones.
                lastDurableAtMs = Math.min(lastDurableAtMs, nowMs);
                assertThatThrownBy(storage::keyspaces).isInstanceOf(StorageException.class);
                storage.reopen();
                crashes++;
                assertSameState(storage, commits, "after crash " + crashes);
                continue;
            }

            final List<Op> ops = randomOps(random, stamp);
            stamp += 1L << HlcTimestamp.COUNTER_BITS;
            final WriteBatch batch = storage.newWriteBatch();
            for (final Op op : ops)
            {
                op.addTo(batch);
            }
            final int decisions = faults.decisions.size();
            try
            {
                storage.commit(batch);
                final long delayMs = faults.decisions.get(decisions + 1);
                lastDurableAtMs = Math.max(lastDurableAtMs, clock.time() + Math.max(0, delayMs));
                final Commit commit = new Commit(ops, storage.lastCommitSequence(), lastDurableAtMs);
                commits.add(commit);
                assertThat(batch.isEmpty()).isTrue();
                assertThat(storage.lastCommitDurableAtMs()).isEqualTo(lastDurableAtMs);
            }
            catch (final BulkMutationException ex)
            {
                failures++;
                assertThat(faults.decisions.get(decisions)).as("the plan failed it").isEqualTo(1L);
                assertThat(ex.appliedCount()).isZero();
                assertThat(batch.size()).as("a failed batch is left untouched").isEqualTo(ops.size());
            }
            for (final Commit commit : commits)
            {
                assertThat(storage.isDurable(commit.sequence)).as("commit %d durable", commit.sequence)
                    .isEqualTo(!commit.lost && commit.durableAtMs <= clock.time());
            }
            if (round % 20 == 0)
            {
                assertSameState(storage, commits, "round " + round);
            }
        }
        assertSameState(storage, commits, "end");
        assertThat(crashes).isPositive();
        assertThat(failures).isPositive();
        assertThat(commits.stream().filter((c) -> c.lost).count()).as("some commits were lost").isPositive();
        assertThat(storage.commitsFailed()).isEqualTo(failures);
    }

    @Test
    void aFailedCommitAppliesNothingAndLeavesTheBatch()
    {
        final StorageFaults failAll = new FixedFaults(true, 0);
        final SimStorage storage = new SimStorage("s", clock, failAll);
        final WriteBatch batch = storage.newWriteBatch().put("k", 1, stamp(), 1, value(7), 0, 1);
        assertThatThrownBy(() -> storage.commit(batch)).isInstanceOf(BulkMutationException.class)
            .hasMessageContaining("simulated commit failure")
            .satisfies((ex) -> assertThat(((BulkMutationException)ex).appliedCount()).isZero());
        assertThat(batch.size()).isEqualTo(1);
        assertThat(storage.keyspaces()).isEmpty();
        assertThat(storage.lastCommitSequence()).isZero();
        assertThat(storage.commitsFailed()).isEqualTo(1);
    }

    @Test
    void aSlowCommitIsReadAtOnceDurableAtItsTimeAndLostInACrashBefore()
    {
        final SimStorage storage = new SimStorage("s", clock, new FixedFaults(false, 100));
        storage.put("k", 1, stamp(), 1, new byte[]{1});
        final long sequence = storage.lastCommitSequence();
        assertThat(storage.get("k", 1).value()).containsExactly(1);
        assertThat(storage.lastCommitDurableAtMs()).isEqualTo(clock.time() + 100);
        assertThat(storage.nextDurableAtMs()).isEqualTo(clock.time() + 100);
        clock.advanceMs(99);
        assertThat(storage.isDurable(sequence)).isFalse();
        assertThat(storage.crash()).isEqualTo(1);
        storage.reopen();
        assertThat(storage.get("k", 1)).isNull();
        assertThat(storage.keyspaces()).as("the keyspace was never durable").isEmpty();
        assertThat(storage.isDurable(sequence)).isFalse();

        storage.put("k", 2, stamp(), 1, new byte[]{2});
        clock.advanceMs(100);
        assertThat(storage.isDurable(storage.lastCommitSequence())).isTrue();
        assertThat(storage.crash()).isZero();
        storage.reopen();
        assertThat(storage.get("k", 2).value()).containsExactly(2);
        assertThat(storage.isDurable(sequence)).as("a lost commit never becomes durable").isFalse();
        assertThat(storage.commitsLost()).isEqualTo(1);
        assertThat(storage.crashCount()).isEqualTo(2);
    }

    @Test
    void commitsBecomeDurableInCommitOrder()
    {
        final ArrayDeque<Long> delays = new ArrayDeque<>(List.of(100L, 10L));
        final SimStorage storage = new SimStorage("s", clock, new StorageFaults()
        {
            public boolean failsCommit(final String storageName, final int operationCount)
            {
                return false;
            }

            public long syncDelayMs(final String storageName, final int operationCount)
            {
                return delays.poll();
            }
        });
        storage.put("k", 1, stamp(), 1, new byte[]{1});
        final long firstDurableAtMs = storage.lastCommitDurableAtMs();
        storage.put("k", 2, stamp(), 1, new byte[]{2});
        assertThat(storage.lastCommitDurableAtMs()).as("not before the earlier commit").isEqualTo(firstDurableAtMs);
        clock.advanceMs(50);
        assertThat(storage.durableSequence()).isZero();
        assertThat(storage.crash()).isEqualTo(2);
    }

    @Test
    void closeMakesEverythingDurableAndUseWhileDownFails()
    {
        final SimStorage storage = new SimStorage("s", clock, new FixedFaults(false, 1_000));
        storage.put("k", 1, stamp(), 1, new byte[]{1});
        storage.close();
        storage.close();
        assertThatThrownBy(() -> storage.get("k", 1)).isInstanceOf(StorageException.class)
            .hasMessageContaining("reopen()");
        assertThatThrownBy(() -> storage.put("k", 2, stamp(), 1, new byte[]{2}))
            .isInstanceOf(StorageException.class);
        assertThat(storage.crash()).isZero();
        storage.reopen();
        assertThatThrownBy(storage::reopen).isInstanceOf(IllegalStateException.class);
        assertThat(storage.get("k", 1).value()).containsExactly(1);
    }

    @Test
    void aFullWriteBackQueueFailsTheCommitUntilTimePasses()
    {
        final SimStorage storage = new SimStorage("s", clock, new FixedFaults(false, 10), 1024, 2);
        storage.put("k", 1, stamp(), 1, new byte[]{1});
        storage.put("k", 2, stamp(), 1, new byte[]{2});
        assertThatThrownBy(() -> storage.put("k", 3, stamp(), 1, new byte[]{3}))
            .isInstanceOf(BulkMutationException.class).hasMessageContaining("maxPendingCommits");
        clock.advanceMs(10);
        storage.put("k", 3, stamp(), 1, new byte[]{3});
        assertThat(storage.get("k", 3)).isNotNull();
        assertThatThrownBy(() -> new SimStorage("s", clock, StorageFaults.NONE, 1024, 0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RandomStorageFaults(1, 2.0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RandomStorageFaults(1, 0.5, 5, 1))
            .isInstanceOf(IllegalArgumentException.class);
    }

    private long stamp()
    {
        clock.advanceMs(1);
        return HlcTimestamp.pack(clock.time(), 0);
    }

    private static UnsafeBuffer value(final int b)
    {
        return new UnsafeBuffer(new byte[]{(byte)b});
    }

    private static List<Op> randomOps(final SplittableRandom random, final long baseStamp)
    {
        final int count = 1 + random.nextInt(6);
        final List<Op> ops = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final String keyspace = KEYSPACES[random.nextInt(KEYSPACES.length)];
            final long key = random.nextInt(KEYS);
            // Stamps older and newer than earlier writes, and equal ones, so every last-write-wins rule is hit.
            final long stamp = Math.max(1, baseStamp - random.nextInt(4) * (1L << HlcTimestamp.COUNTER_BITS) +
                random.nextInt(3));
            final int nodeId = random.nextInt(3);
            final int kind = random.nextInt(10);
            if (kind < 6)
            {
                final byte[] value = new byte[random.nextInt(12)];
                random.nextBytes(value);
                ops.add(new Op(WriteBatch.PUT, keyspace, key, stamp, nodeId, value));
            }
            else if (kind < 9)
            {
                ops.add(new Op(WriteBatch.TOMBSTONE, keyspace, key, stamp, nodeId, null));
            }
            else
            {
                ops.add(new Op(WriteBatch.REMOVE_TOMBSTONE, keyspace, key, 0, 0, null));
            }
        }
        return ops;
    }

    private static void assertSameState(final SimStorage storage, final List<Commit> commits, final String when)
    {
        try (MemoryStorage model = new MemoryStorage())
        {
            for (final Commit commit : commits)
            {
                if (!commit.lost)
                {
                    final WriteBatch batch = model.newWriteBatch();
                    for (final Op op : commit.ops)
                    {
                        op.addTo(batch);
                    }
                    model.commit(batch);
                }
            }
            assertThat(sorted(storage.keyspaces())).as("keyspaces %s", when).isEqualTo(sorted(model.keyspaces()));
            for (final String keyspace : KEYSPACES)
            {
                assertThat(sortedMetadata(storage, keyspace)).as("metadata of %s %s", keyspace, when)
                    .isEqualTo(sortedMetadata(model, keyspace));
                final long[] keys = new long[KEYS];
                for (int i = 0; i < KEYS; i++)
                {
                    keys[i] = i;
                }
                assertThat(storage.getMany(keyspace, keys)).as("documents of %s %s", keyspace, when)
                    .isEqualTo(model.getMany(keyspace, keys));
            }
        }
    }

    private static List<String> sorted(final List<String> names)
    {
        final List<String> copy = new ArrayList<>(names);
        copy.sort(Comparator.naturalOrder());
        return copy;
    }

    private static List<Metadata> sortedMetadata(final Storage storage, final String keyspace)
    {
        final List<Metadata> entries = new ArrayList<>(storage.metadata(keyspace));
        entries.sort(Comparator.comparingLong(Metadata::key));
        return entries;
    }

    private static final class Op
    {
        final byte type;
        final String keyspace;
        final long key;
        final long stamp;
        final int nodeId;
        final byte[] value;

        Op(final byte type, final String keyspace, final long key, final long stamp, final int nodeId,
            final byte[] value)
        {
            this.type = type;
            this.keyspace = keyspace;
            this.key = key;
            this.stamp = stamp;
            this.nodeId = nodeId;
            this.value = value;
        }

        void addTo(final WriteBatch batch)
        {
            if (WriteBatch.PUT == type)
            {
                batch.put(keyspace, key, stamp, nodeId, new UnsafeBuffer(value), 0, value.length);
            }
            else if (WriteBatch.TOMBSTONE == type)
            {
                batch.tombstone(keyspace, key, stamp, nodeId);
            }
            else
            {
                batch.removeTombstone(keyspace, key);
            }
        }
    }

    private static final class Commit
    {
        final List<Op> ops;
        final long sequence;
        final long durableAtMs;
        boolean lost;

        Commit(final List<Op> ops, final long sequence, final long durableAtMs)
        {
            this.ops = ops;
            this.sequence = sequence;
            this.durableAtMs = durableAtMs;
        }
    }

    /**
     * Passes the decisions of another plan through and records them: 1 or 0 for each failure decision, then the
     * delay of each commit that went through.
     */
    private static final class RecordingFaults implements StorageFaults
    {
        final List<Long> decisions = new ArrayList<>();
        final StorageFaults delegate;

        RecordingFaults(final StorageFaults delegate)
        {
            this.delegate = delegate;
        }

        public boolean failsCommit(final String storageName, final int operationCount)
        {
            final boolean fails = delegate.failsCommit(storageName, operationCount);
            decisions.add(fails ? 1L : 0L);
            return fails;
        }

        public long syncDelayMs(final String storageName, final int operationCount)
        {
            final long delayMs = delegate.syncDelayMs(storageName, operationCount);
            decisions.add(delayMs);
            return delayMs;
        }
    }

    private static final class FixedFaults implements StorageFaults
    {
        final boolean fail;
        final long delayMs;

        FixedFaults(final boolean fail, final long delayMs)
        {
            this.fail = fail;
            this.delayMs = delayMs;
        }

        public boolean failsCommit(final String storageName, final int operationCount)
        {
            return fail;
        }

        public long syncDelayMs(final String storageName, final int operationCount)
        {
            return delayMs;
        }
    }
}
