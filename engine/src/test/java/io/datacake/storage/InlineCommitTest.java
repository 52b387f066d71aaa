package io.datacake.storage;

import io.datacake.clock.HlcTimestamp;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Inline commits: a storage that commits without waiting is committed to on the submitting thread, and a commit that
 * would have to wait is left to the writer thread, with the same outcomes in the same order.
 */
final class InlineCommitTest
{
    private static final long STAMP = HlcTimestamp.pack(1_764_000_000_000L, 0);
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(60);

    private final MemoryStorage storage = new MemoryStorage();
    private final List<String> events = new ArrayList<>();
    private final WriteCompletionHandler recorder = new WriteCompletionHandler()
    {
        public void onWriteCommitted(final long sequence)
        {
            events.add("ok " + sequence);
        }

        public void onWriteFailed(final long sequence, final Throwable cause)
        {
            events.add("failed " + sequence);
        }
    };
    private final UnsafeBuffer value = new UnsafeBuffer(new byte[]{ 7, 8, 9 });
    private final GatedIdleStrategy gate = new GatedIdleStrategy();
    private StorageWriter writer;

    @AfterEach
    void closeAll()
    {
        gate.open();
        if (null != writer)
        {
            writer.close();
        }
        storage.close();
    }

    @Test
    void memoryStorageCommitsWithoutWaitingAndTheDefaultStorageDoesNot()
    {
        assertThat(storage.commitsWithoutWaiting()).isTrue();
        final CountingStorage counting = new CountingStorage();
        try
        {
            assertThat(counting.commitsWithoutWaiting()).isFalse();
            final WriteBatch batch = counting.newWriteBatch().put("docs", 1, STAMP, 1, value, 0, 3);
            assertThat(counting.tryCommit(batch)).isFalse();
            assertThat(batch.size()).as("a refused try leaves the batch").isEqualTo(1);
            assertThat(counting.get("docs", 1)).isNull();
        }
        finally
        {
            counting.close();
        }
    }

    @Test
    void tryCommitCommitsWhenNoReadIsOpenAndRefusesWithoutApplyingWhileOneIs() throws Exception
    {
        final WriteBatch batch = storage.newWriteBatch().put("docs", 1, STAMP, 1, value, 0, 3);
        final HeldRead held = new HeldRead(storage);
        try
        {
            assertThat(storage.tryCommit(batch)).as("another thread holds a read transaction").isFalse();
            assertThat(batch.size()).isEqualTo(1);
        }
        finally
        {
            held.release();
        }
        assertThat(storage.get("docs", 1)).isNull();

        try (ReadTransaction own = storage.beginRead())
        {
            assertThat(storage.tryCommit(batch)).as("this thread holds a read transaction").isFalse();
        }
        assertThat(storage.tryCommit(batch)).isTrue();
        assertThat(batch.isEmpty()).isTrue();
        assertThat(storage.get("docs", 1).value()).containsExactly(7, 8, 9);
    }

    @Test
    void theNodeThreadCommitsItsSubmitsItselfAndTheWriteIsReadableBeforeItsAckIsHandedOver() throws Exception
    {
        writer = StorageWriter.launch(new StorageWriterContext().storage(storage).idleStrategy(gate));
        gate.awaitHeld();
        assertThat(writer.commitsInline()).isTrue();

        assertThat(writer.submitPut("docs", 1, STAMP, 1, value, 0, 3, recorder)).isEqualTo(1);
        assertThat(writer.submitTombstone("docs", 2, STAMP, 1, recorder)).isEqualTo(2);
        assertThat(writer.commitInline()).as("both writes in one inline commit").isEqualTo(2);
        assertThat(storage.get("docs", 1).value()).containsExactly(7, 8, 9);
        assertThat(events).as("outcomes reach handlers only through drainCompletions").isEmpty();
        assertThat(writer.drainCompletions(10)).isEqualTo(2);
        assertThat(events).containsExactly("ok 1", "ok 2");
        assertThat(writer.commits()).isEqualTo(1);
        assertThat(writer.committedWrites()).isEqualTo(2);
        assertThat(writer.commitInline()).as("nothing left").isZero();
    }

    @Test
    void aWindowARefusedTryHeldIsCommittedByTheNextTurnBeforeLaterWrites() throws Exception
    {
        writer = StorageWriter.launch(new StorageWriterContext().storage(storage).idleStrategy(gate));
        gate.awaitHeld();
        final HeldRead held = new HeldRead(storage);
        assertThat(writer.submitPut("docs", 1, STAMP, 1, value, 0, 3, recorder)).isEqualTo(1);
        assertThat(writer.commitInline()).as("a reader holds the storage").isZero();
        assertThat(writer.submitPut("docs", 2, STAMP, 1, value, 0, 3, recorder)).isEqualTo(2);
        held.release();

        assertThat(writer.commitInline()).as("the held window alone").isEqualTo(1);
        assertThat(writer.commitInline()).isEqualTo(1);
        assertThat(writer.drainCompletions(10)).isEqualTo(2);
        assertThat(events).containsExactly("ok 1", "ok 2");
        assertThat(writer.commits()).isEqualTo(2);
    }

    @Test
    void inlineCommitsAreCountedLikeTheWriterThreadsOnes()
    {
        writer = StorageWriter.launch(new StorageWriterContext().storage(storage).threadName("writer-inline"));
        int committedHere = 0;
        for (int i = 1; i <= 20; i++)
        {
            assertThat(writer.submitPut("docs", i, STAMP, 1, value, 0, 3, recorder)).isEqualTo(i);
            committedHere += writer.commitInline();
        }
        awaitCompletions(20);
        assertThat(events.get(19)).isEqualTo("ok 20");
        assertThat(writer.committedWrites()).isEqualTo(20);
        assertThat(committedHere).isBetween(0, 20);
        assertThat(storage.metadata("docs")).hasSize(20);
    }

    @Test
    void aWindowTheNodeThreadCouldNotCommitIsCommittedByTheWriterThreadInOrder() throws Exception
    {
        writer = StorageWriter.launch(new StorageWriterContext().storage(storage).threadName("writer-fallback"));
        final HeldRead held = new HeldRead(storage);
        for (int i = 1; i <= 3; i++)
        {
            assertThat(writer.submitPut("docs", i, STAMP, 1, value, 0, 3, recorder)).isEqualTo(i);
            assertThat(writer.commitInline()).as("a reader holds the storage").isZero();
        }
        held.release();

        awaitCompletions(3);
        assertThat(events).containsExactly("ok 1", "ok 2", "ok 3");
        assertThat(storage.metadata("docs")).hasSize(3);
    }

    @Test
    void inlineCommitsAreOffWhenTurnedOffWhenSteppedAndForStoragesThatMayWait()
    {
        writer = StorageWriter.launch(new StorageWriterContext().storage(storage).commitInline(false));
        assertThat(writer.commitsInline()).isFalse();
        assertThat(writer.submitPut("docs", 1, STAMP, 1, value, 0, 3, recorder)).isEqualTo(1);
        assertThat(writer.commitInline()).isZero();
        writer.close();

        writer = StorageWriter.launch(new StorageWriterContext().storage(storage).useAgentInvoker(true));
        assertThat(writer.commitsInline()).isFalse();
        assertThat(writer.submitPut("docs", 2, STAMP, 1, value, 0, 3, recorder)).isEqualTo(1);
        assertThat(writer.commitInline()).as("a stepped writer commits only when stepped").isZero();
        assertThat(storage.get("docs", 2)).isNull();
        writer.close();

        final CountingStorage mayWait = new CountingStorage();
        try
        {
            writer = StorageWriter.launch(new StorageWriterContext().storage(mayWait).useAgentInvoker(true));
            assertThat(writer.commitsInline()).isFalse();
            writer.close();
        }
        finally
        {
            writer = null;
            mayWait.close();
        }
        assertThat(new StorageWriterContext().commitInline()).as("on by default").isTrue();
    }

    /**
     * A read transaction held open by another thread (read locks belong to the thread that took them).
     */
    private static final class HeldRead
    {
        private final CountDownLatch opened = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private final Thread thread;

        HeldRead(final Storage storage) throws InterruptedException
        {
            thread = new Thread(() ->
            {
                try (ReadTransaction ignored = storage.beginRead())
                {
                    opened.countDown();
                    release.await();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            });
            thread.start();
            assertThat(opened.await(60, TimeUnit.SECONDS)).as("read transaction open").isTrue();
        }

        void release() throws InterruptedException
        {
            release.countDown();
            thread.join();
        }
    }


    private void awaitCompletions(final int count)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (events.size() < count)
        {
            assertThat(System.nanoTime()).as("all writes acked before the deadline").isLessThan(deadlineNs);
            writer.drainCompletions(100);
            Thread.yield();
        }
    }
}
