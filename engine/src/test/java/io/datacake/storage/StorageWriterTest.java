package io.datacake.storage;

import io.datacake.clock.HlcTimestamp;
import io.datacake.testing.SeededTrials;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class StorageWriterTest
{
    private static final long STAMP = HlcTimestamp.pack(1_764_000_000_000L, 0);

    private final CountingStorage storage = new CountingStorage();
    private final Recorder recorder = new Recorder();
    private final UnsafeBuffer value = new UnsafeBuffer(new byte[4096]);
    private StorageWriter writer;

    @AfterEach
    void closeAll()
    {
        if (null != writer)
        {
            writer.close();
        }
        storage.close();
    }

    @Test
    void everyWriteSubmittedBeforeAWindowGoesIntoOneCommit()
    {
        writer = StorageWriter.launch(stepped());
        for (int i = 1; i <= 9; i++)
        {
            assertThat(put("docs", i, 3)).isEqualTo(i);
        }
        assertThat(writer.submitTombstone("docs", 100, STAMP + 1, 1, recorder)).isEqualTo(10);
        assertThat(storage.commitSizes()).isEmpty();

        assertThat(writer.invoker().invoke()).isEqualTo(10);
        assertThat(writer.invoker().invoke()).isZero();

        assertThat(storage.commitSizes()).containsExactly(10);
        assertThat(writer.commits()).isEqualTo(1);
        assertThat(storage.metadata("docs")).hasSize(10);
        assertThat(recorder.events).isEmpty();
        assertThat(writer.drainCompletions(100)).isEqualTo(10);
        assertThat(recorder.events).containsExactly(
            "ok 1", "ok 2", "ok 3", "ok 4", "ok 5", "ok 6", "ok 7", "ok 8", "ok 9", "ok 10");
        assertThat(writer.inFlightWrites()).isZero();
        assertThat(writer.inFlightBytes()).isZero();
    }

    @Test
    void onItsOwnThreadTheWriterGroupsEverythingSubmittedDuringASlowCommitIntoTheNextCommit() throws Exception
    {
        final CountDownLatch firstCommitEntered = new CountDownLatch(1);
        final CountDownLatch releaseFirstCommit = new CountDownLatch(1);
        final Storage slowFirstCommit = new ForwardingStorage(storage)
        {
            public void commit(final WriteBatch batch)
            {
                if (firstCommitEntered.getCount() > 0)
                {
                    firstCommitEntered.countDown();
                    await(releaseFirstCommit);
                }
                super.commit(batch);
            }
        };
        writer = StorageWriter.launch(new StorageWriterContext().storage(slowFirstCommit).threadName("writer-group"));
        assertThat(put("docs", 1, 8)).isEqualTo(1);
        await(firstCommitEntered);
        // The writer thread is inside its first commit (an fsync, say): everything submitted now waits for it.
        for (int i = 2; i <= 51; i++)
        {
            assertThat(put("docs", i, 8)).isEqualTo(i);
        }
        releaseFirstCommit.countDown();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (recorder.events.size() < 51)
        {
            assertThat(System.nanoTime()).as("all writes acked before the deadline").isLessThan(deadlineNs);
            writer.drainCompletions(100);
            Thread.yield();
        }
        assertThat(storage.commitSizes()).containsExactly(1, 50);
        assertThat(recorder.events.get(50)).isEqualTo("ok 51");
    }

    @Test
    void completionsComeInSubmissionOrderAcrossWindowsAndWithinTheDrainLimit()
    {
        writer = StorageWriter.launch(stepped());
        submitPuts(3);
        writer.invoker().invoke();
        submitPuts(2);
        writer.invoker().invoke();
        submitPuts(4);

        assertThat(writer.drainCompletions(2)).isEqualTo(2);
        assertThat(recorder.events).containsExactly("ok 1", "ok 2");
        assertThat(writer.drainCompletions(100)).isEqualTo(3);
        assertThat(writer.inFlightWrites()).isEqualTo(4);
        writer.invoker().invoke();
        assertThat(writer.drainCompletions(100)).isEqualTo(4);

        assertThat(storage.commitSizes()).containsExactly(3, 2, 4);
        assertThat(recorder.events).containsExactly(
            "ok 1", "ok 2", "ok 3", "ok 4", "ok 5", "ok 6", "ok 7", "ok 8", "ok 9");
    }

    @Test
    void aWindowIsBoundedByTheBatchLimits()
    {
        writer = StorageWriter.launch(stepped().maxBatchOperations(4).maxBatchValueBytes(2048).maxValueLength(1000));
        submitPuts(10);
        runUntilIdle();
        assertThat(storage.commitSizes()).containsExactly(4, 4, 2);

        for (int i = 0; i < 3; i++)
        {
            assertThat(put("big", i, 1000)).isPositive();
        }
        runUntilIdle();
        // Two 1000-byte values fit in 2048 bytes, the third opens a new window.
        assertThat(storage.commitSizes()).containsExactly(4, 4, 2, 2, 1);
        assertThat(recorder.events).hasSize(13).allMatch((e) -> e.startsWith("ok"));
    }

    @Test
    void repairWritesGoInWindowsOfTheirOwnUpToTheRepairBoundAndAreCommittedRefetchable()
    {
        writer = StorageWriter.launch(stepped().maxBatchOperations(4).maxRepairBatchOperations(6));
        for (int i = 0; i < 10; i++)
        {
            assertThat(repairPut("docs", i)).isPositive();
        }
        assertThat(writer.submitRepairTombstone("docs", 100, STAMP + 100, 2, recorder)).isPositive();
        runUntilIdle();
        assertThat(storage.commitSizes()).containsExactly(6, 5);
        assertThat(storage.commitRefetchable()).containsExactly(true, true);
        assertThat(storage.metadata("docs")).hasSize(11);
        assertThat(storage.get("docs", 100)).isNull();

        submitPuts(6);
        runUntilIdle();
        assertThat(storage.commitSizes()).containsExactly(6, 5, 4, 2);
        assertThat(storage.commitRefetchable()).containsExactly(true, true, false, false);
        assertThat(recorder.events).hasSize(17).allMatch((e) -> e.startsWith("ok"));
    }

    @Test
    void aClientWriteEndsARepairWindowAndItsOwnWindowKeepsTheClientBound()
    {
        writer = StorageWriter.launch(stepped().maxBatchOperations(2).maxRepairBatchOperations(100));
        repairPut("docs", 1);
        repairPut("docs", 2);
        repairPut("docs", 3);
        assertThat(put("docs", 4, 8)).isEqualTo(4);
        repairPut("docs", 5);
        repairPut("docs", 6);
        repairPut("docs", 7);
        runUntilIdle();
        // The client write waits behind one repair window, then opens a window with the client bound (repair writes
        // may ride along, committed with full durability); the rest forms a new repair window.
        assertThat(storage.commitSizes()).containsExactly(3, 2, 2);
        assertThat(storage.commitRefetchable()).containsExactly(true, false, true);
        assertThat(recorder.events).containsExactly("ok 1", "ok 2", "ok 3", "ok 4", "ok 5", "ok 6", "ok 7");
    }

    @Test
    void aRepairWindowIsBoundedByTheRepairValueBytes()
    {
        writer = StorageWriter.launch(stepped().maxBatchValueBytes(1000).maxValueLength(1000)
            .maxRepairBatchValueBytes(2500));
        for (int i = 0; i < 5; i++)
        {
            assertThat(writer.submitRepairPut("big", i, STAMP + i, 2, value, 0, 1000, recorder)).isPositive();
        }
        runUntilIdle();
        assertThat(storage.commitSizes()).containsExactly(2, 2, 1);
        assertThat(storage.commitRefetchable()).containsOnly(true);
    }

    @Test
    void aFailedRepairWindowFailsItsWritesAndTheNextClientWindowIsNotRefetchable()
    {
        storage.failNextCommits(1);
        writer = StorageWriter.launch(stepped());
        repairPut("docs", 1);
        runUntilIdle();
        assertThat(put("docs", 2, 8)).isEqualTo(2);
        runUntilIdle();
        assertThat(storage.commitRefetchable()).containsExactly(true, false);
        assertThat(recorder.events).hasSize(2);
        assertThat(recorder.events.get(0)).startsWith("failed 1");
        assertThat(recorder.events.get(1)).isEqualTo("ok 2");
    }

    @Test
    void aWindowTakesEverythingSubmittedAcrossTheRingsWrap()
    {
        writer = StorageWriter.launch(stepped().maxInFlightBytes(4096).maxValueLength(400));
        for (int i = 1; i <= 9; i++)
        {
            put("docs", i, 400);
        }
        runUntilIdle();
        // The ring's tail is 3960 bytes in: the next 440-byte record does not fit before the end and wraps.
        for (int i = 10; i <= 12; i++)
        {
            assertThat(put("docs", i, 400)).isEqualTo(i);
        }
        assertThat(writer.invoker().invoke()).isEqualTo(3);
        assertThat(storage.commitSizes()).containsExactly(9, 3);
    }

    @Test
    void submitsAreRefusedWhenTheInFlightBoundIsReachedAndAcceptedOnceCompletionsDrain()
    {
        writer = StorageWriter.launch(stepped().maxInFlightWrites(4));
        submitPuts(4);
        assertThat(put("docs", 99, 1)).isEqualTo(StorageWriter.BACK_PRESSURED);
        assertThat(writer.backPressuredSubmits()).isEqualTo(1);

        writer.invoker().invoke();
        // Committed but not yet acked: still in flight.
        assertThat(put("docs", 99, 1)).isEqualTo(StorageWriter.BACK_PRESSURED);
        writer.drainCompletions(100);
        assertThat(put("docs", 99, 1)).isEqualTo(5);
        assertThat(writer.backPressuredSubmits()).isEqualTo(2);
    }

    @Test
    void theInFlightByteBoundCountsValuesAndRecordHeaders()
    {
        writer = StorageWriter.launch(stepped().maxInFlightBytes(4096).maxValueLength(400));
        // Each 400-byte put takes 8 + 32 + 400 = 440 bytes of ring: nine fit in 4096, the tenth does not.
        for (int i = 1; i <= 9; i++)
        {
            assertThat(put("docs", i, 400)).isEqualTo(i);
        }
        assertThat(writer.inFlightBytes()).isEqualTo(9 * 440);
        assertThat(put("docs", 10, 400)).isEqualTo(StorageWriter.BACK_PRESSURED);
        // A smaller write still fits.
        assertThat(writer.submitTombstone("docs", 10, STAMP, 1, recorder)).isEqualTo(10);

        runUntilIdle();
        assertThat(writer.inFlightBytes()).isZero();
        assertThat(put("docs", 11, 400)).isEqualTo(11);
    }

    @Test
    void aFailedCommitFailsExactlyTheWritesOfItsWindow()
    {
        writer = StorageWriter.launch(stepped());
        submitPuts(3);
        writer.invoker().invoke();
        submitPuts(2);
        storage.failNextCommits(1);
        writer.invoker().invoke();
        submitPuts(2);
        writer.invoker().invoke();
        writer.drainCompletions(100);

        assertThat(recorder.events).containsExactly("ok 1", "ok 2", "ok 3",
            "failed 4 disk full (injected) (0 operations applied)", "failed 5 disk full (injected) (0 operations applied)",
            "ok 6", "ok 7");
        assertThat(recorder.causes).hasSize(2).allMatch((c) -> c instanceof BulkMutationException)
            .containsOnly(recorder.causes.get(0));
        assertThat(storage.metadata("docs")).extracting(Metadata::key).containsExactlyInAnyOrder(1L, 2L, 3L, 6L, 7L);
        assertThat(writer.commits()).isEqualTo(3);
        assertThat(writer.failedCommits()).isEqualTo(1);
        assertThat(writer.committedWrites()).isEqualTo(5);
    }

    @Test
    void closeCommitsAndAcksEveryWriteInFlightAndStopsTheThread() throws Exception
    {
        writer = StorageWriter.launch(new StorageWriterContext().storage(storage).threadName("writer-close-test"));
        for (int i = 1; i <= 200; i++)
        {
            assertThat(put("docs", i, 16)).isEqualTo(i);
        }
        assertThat(Thread.getAllStackTraces().keySet()).anyMatch(
            (t) -> t.getName().equals("writer-close-test") && t.isAlive());
        writer.close();

        assertThat(recorder.events).hasSize(200);
        for (int i = 1; i <= 200; i++)
        {
            assertThat(recorder.events.get(i - 1)).isEqualTo("ok " + i);
        }
        assertThat(storage.metadata("docs")).hasSize(200);
        assertThat(storage.commitSizes().stream().mapToInt(Integer::intValue).sum()).isEqualTo(200);
        assertThat(put("docs", 201, 1)).isEqualTo(StorageWriter.CLOSED);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
            (t) -> t.getName().equals("writer-close-test") && t.isAlive());
    }

    @Test
    void closeFailsTheWritesInFlightWhenTheStorageIsAlreadyClosed()
    {
        writer = StorageWriter.launch(stepped());
        submitPuts(2);
        writer.invoker().invoke();
        submitPuts(3);
        storage.close();
        writer.close();

        assertThat(recorder.events).hasSize(5);
        assertThat(recorder.events.subList(0, 2)).containsExactly("ok 1", "ok 2");
        assertThat(recorder.events.subList(2, 5)).allMatch((e) -> e.startsWith("failed"));
        assertThat(recorder.causes).allMatch((c) -> c instanceof StorageException);
    }

    @Test
    void closeWithoutCommitOnCloseFailsTheWritesNotYetCommittedAndLeavesTheStorageAlone()
    {
        writer = StorageWriter.launch(stepped().commitOnClose(false));
        submitPuts(2);
        writer.invoker().invoke();
        submitPuts(3);
        writer.close();

        assertThat(recorder.events).hasSize(5);
        assertThat(recorder.events.subList(0, 2)).containsExactly("ok 1", "ok 2");
        assertThat(recorder.events.subList(2, 5)).allMatch((e) -> e.startsWith("failed"))
            .allMatch((e) -> e.contains("commitOnClose is false"));
        assertThat(storage.commitSizes()).containsExactly(2);
        assertThat(storage.metadata("docs")).extracting(Metadata::key).containsExactlyInAnyOrder(1L, 2L);
        assertThat(writer.inFlightWrites()).isZero();
        assertThat(writer.inFlightBytes()).isZero();
    }

    @Test
    void onItsOwnThreadTheWriterCommitsEverythingUnderBackPressure() throws Exception
    {
        writer = StorageWriter.launch(new StorageWriterContext().storage(storage).maxInFlightWrites(64)
            .threadName("writer-load-test"));
        final int writes = 5_000;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int submitted = 0;
        while (recorder.events.size() < writes)
        {
            assertThat(System.nanoTime()).as("all writes acked before the deadline").isLessThan(deadlineNs);
            if (submitted < writes && put("docs", submitted + 1, 8) > 0)
            {
                submitted++;
            }
            writer.drainCompletions(1024);
            Thread.onSpinWait();
        }
        assertThat(recorder.events).allMatch((e) -> e.startsWith("ok"));
        assertThat(recorder.events.get(writes - 1)).isEqualTo("ok " + writes);
        assertThat(storage.commitSizes().stream().mapToInt(Integer::intValue).sum()).isEqualTo(writes);
        assertThat(storage.metadata("docs")).hasSize(writes);
        writer.close();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
            (t) -> t.getName().equals("writer-load-test") && t.isAlive());
    }

    @Test
    void steppedRunsReplayExactlyFromTheirSeed()
    {
        final long seed = SeededTrials.seed("StorageWriterTest stepped runs");
        final String replay = "seed " + seed + ", replay with -D" + SeededTrials.SEED_PROPERTY + "=" + seed;

        final List<String> first = steppedTrace(seed);
        final List<String> second = steppedTrace(seed);
        assertThat(second).as(replay).isEqualTo(first);
        assertThat(first).as(replay).anyMatch((e) -> e.startsWith("commit"));
    }

    @Test
    void badWritesAreRejectedAtSubmitWithNothingInFlight()
    {
        writer = StorageWriter.launch(stepped().maxValueLength(100).maxKeyspaces(2));
        assertThatThrownBy(() -> put("", 1, 1)).isInstanceOf(InvalidKeyspaceNameException.class);
        assertThatThrownBy(() -> writer.submitTombstone(null, 1, STAMP, 1, recorder))
            .isInstanceOf(InvalidKeyspaceNameException.class);
        assertThatThrownBy(() -> put("docs", 1, 101)).isInstanceOf(ValueTooLargeException.class);
        assertThatThrownBy(() -> writer.submitTombstone("docs", 1, HlcTimestamp.NULL_STAMP, 1, recorder))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stamp");
        assertThatThrownBy(() -> writer.submitPut("docs", 1, STAMP, 1, value, 4080, 50, recorder))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> writer.submitTombstone("docs", 1, STAMP, 1, null))
            .isInstanceOf(NullPointerException.class);
        put("other", 1, 1);
        assertThatThrownBy(() -> put("third", 1, 1))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxKeyspaces");
        assertThat(writer.inFlightWrites()).isEqualTo(1);
    }

    @Test
    void contextRejectsBoundsThatCannotWork()
    {
        assertThatThrownBy(() -> StorageWriter.launch(new StorageWriterContext()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storage");
        assertThatThrownBy(() -> StorageWriter.launch(stepped().maxInFlightBytes(0)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxInFlightBytes");
        assertThatThrownBy(() -> StorageWriter.launch(stepped().maxInFlightBytes(4096).maxValueLength(1000)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("raise maxInFlightBytes");
        assertThatThrownBy(() -> StorageWriter.launch(stepped().maxBatchValueBytes(10).maxValueLength(100)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBatchValueBytes");
        assertThatThrownBy(() -> StorageWriter.launch(stepped().maxRepairBatchOperations(0)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRepairBatchOperations");
        assertThatThrownBy(() -> StorageWriter.launch(stepped().maxRepairBatchValueBytes(10).maxValueLength(100)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRepairBatchValueBytes");
    }

    @Test
    void submitsAndCompletionsAllocateNothingInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        writer = StorageWriter.launch(stepped().storage(new MemoryStorage()).maxInFlightWrites(1024));
        final WriteCompletionHandler quiet = new WriteCompletionHandler()
        {
            public void onWriteCommitted(final long sequence)
            {
            }

            public void onWriteFailed(final long sequence, final Throwable cause)
            {
            }
        };
        long submitAndDrainBytes = 0;
        for (int round = 0; round < 200; round++)
        {
            final long before = threads.getThreadAllocatedBytes(threadId);
            for (int i = 0; i < 500; i++)
            {
                writer.submitPut("docs", i, STAMP + round, 1, value, 0, 64, quiet);
            }
            writer.submitTombstone("docs", 1_000, STAMP + round, 1, quiet);
            final long afterSubmit = threads.getThreadAllocatedBytes(threadId);
            writer.invoker().invoke();
            final long beforeDrain = threads.getThreadAllocatedBytes(threadId);
            writer.drainCompletions(1_000);
            final long afterDrain = threads.getThreadAllocatedBytes(threadId);
            if (round >= 100)
            {
                submitAndDrainBytes += (afterSubmit - before) + (afterDrain - beforeDrain);
            }
        }
        // 50,100 submits and as many completions measured: a per-operation allocation would be megabytes.
        assertThat(submitAndDrainBytes).isLessThan(64 * 1024);
    }

    private List<String> steppedTrace(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final CountingStorage tracedStorage = new CountingStorage();
        final List<String> trace = new ArrayList<>();
        final WriteCompletionHandler handler = new WriteCompletionHandler()
        {
            public void onWriteCommitted(final long sequence)
            {
                trace.add("ok " + sequence);
            }

            public void onWriteFailed(final long sequence, final Throwable cause)
            {
                trace.add("failed " + sequence);
            }
        };
        final StorageWriter steppedWriter = StorageWriter.launch(new StorageWriterContext().storage(tracedStorage)
            .useAgentInvoker(true).maxInFlightWrites(32).maxBatchOperations(8));
        try
        {
            for (int turn = 0; turn < 300; turn++)
            {
                final int action = random.nextInt(10);
                if (action < 6)
                {
                    final long result = steppedWriter.submitPut("ks" + random.nextInt(3), random.nextLong(100),
                        STAMP + turn, 1, value, 0, random.nextInt(100), handler);
                    trace.add("submit " + result);
                }
                else if (action < 8)
                {
                    if (random.nextInt(8) == 0)
                    {
                        tracedStorage.failNextCommits(1);
                    }
                    trace.add("commit " + steppedWriter.invoker().invoke());
                }
                else
                {
                    trace.add("drain " + steppedWriter.drainCompletions(1 + random.nextInt(10)));
                }
            }
        }
        finally
        {
            steppedWriter.close();
            tracedStorage.close();
        }
        trace.add("sizes " + tracedStorage.commitSizes());
        return trace;
    }

    private StorageWriterContext stepped()
    {
        return new StorageWriterContext().storage(storage).useAgentInvoker(true);
    }

    private long put(final String keyspace, final long key, final int length)
    {
        return writer.submitPut(keyspace, key, STAMP + key, 1, value, 0, length, recorder);
    }

    private long repairPut(final String keyspace, final long key)
    {
        return writer.submitRepairPut(keyspace, key, STAMP + key, 2, value, 0, 8, recorder);
    }

    private void submitPuts(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            assertThat(put("docs", writer.inFlightWrites() + recorder.events.size() + 1, 8)).isPositive();
        }
    }

    private void runUntilIdle()
    {
        while (writer.invoker().invoke() > 0)
        {
            writer.drainCompletions(Integer.MAX_VALUE);
        }
        writer.drainCompletions(Integer.MAX_VALUE);
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            assertThat(latch.await(60, TimeUnit.SECONDS)).as("latch released before the deadline").isTrue();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Records every completion in order. */
    private static final class Recorder implements WriteCompletionHandler
    {
        final List<String> events = new ArrayList<>();
        final List<Throwable> causes = new ArrayList<>();

        public void onWriteCommitted(final long sequence)
        {
            events.add("ok " + sequence);
        }

        public void onWriteFailed(final long sequence, final Throwable cause)
        {
            events.add("failed " + sequence + " " + cause.getMessage());
            causes.add(cause);
        }
    }
}
