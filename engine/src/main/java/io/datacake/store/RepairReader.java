package io.datacake.store;

import io.datacake.storage.ReadTransaction;
import io.datacake.storage.Storage;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads repair fetches off the node thread, so that a read that waits (a lock a commit holds, a query reaching the
 * disk, a cold page faulting in) never stalls the node's duty cycle. A fixed pool of
 * {@link StoreContext#repairReaderQueueCapacity(int)} jobs bounds what it holds: the node thread claims one per
 * fetch ({@link #claim()} returns null when all are taken: the fetch is refused, never waited for), collects the
 * entries and submits it; the reader opens one read transaction per job, sizes and encodes the reply into the job's
 * off-heap staging buffer and hands the job back; the node thread sends the reply and releases the job. A read that
 * fails leaves its failure in the job, for the node thread to fail the fetch with; nothing a read throws stops the
 * reader.
 * <p>
 * Runs on its own thread, which parks when idle (its idle strategy) and which the node thread wakes on every
 * submit; the reader wakes the node thread once a reply is ready. In stepped mode (the store's writer context uses
 * an agent invoker, as in a simulation) the node thread steps it through {@link #step()} instead: reads then run on
 * the stepping thread, in a deterministic order.
 * <p>
 * {@link #claim()}, {@link #submit}, {@link #pollCompleted()}, {@link #release}, {@link #step()} and
 * {@link #close()} belong to the node thread.
 */
final class RepairReader implements Agent, AutoCloseable
{
    private final Storage storage;
    private final int maxValueBytesPerFetch;
    private final String roleName;
    private final ArrayDeque<RepairReadJob> free;
    private final OneToOneConcurrentArrayQueue<RepairReadJob> submitted;
    private final OneToOneConcurrentArrayQueue<RepairReadJob> completed;
    private final AgentRunner runner;
    private final AgentInvoker invoker;

    /**
     * @param ctx          the store's configuration: storage, fetch bounds, reader capacity and idle strategy.
     * @param localNodeId  this node's id, for the thread's name.
     * @param stepped      true to be stepped through {@link #step()}, false for a thread of its own.
     * @param errorHandler told of anything that escapes a turn (a bug: reads report their failures in the job).
     */
    RepairReader(final StoreContext ctx, final int localNodeId, final boolean stepped, final ErrorHandler errorHandler)
    {
        this.storage = ctx.storage();
        this.maxValueBytesPerFetch = ctx.repairMaxBytesPerFetch();
        this.roleName = ReplicatedStore.REPAIR_READER_THREAD_NAME_PREFIX + localNodeId;
        final int capacity = ctx.repairReaderQueueCapacity();
        this.free = new ArrayDeque<>(capacity);
        for (int i = 0; i < capacity; i++)
        {
            free.addLast(new RepairReadJob(ctx.repairMaxEntriesPerFetch()));
        }
        // Every job is in exactly one place (free, submitted, being read, completed): neither queue ever fills.
        this.submitted = new OneToOneConcurrentArrayQueue<>(capacity);
        this.completed = new OneToOneConcurrentArrayQueue<>(capacity);
        if (stepped)
        {
            this.runner = null;
            this.invoker = new AgentInvoker(errorHandler, null, this);
            invoker.start();
        }
        else
        {
            final IdleStrategy idleStrategy = ctx.repairReaderIdleStrategy();
            this.runner = new AgentRunner(idleStrategy, errorHandler, null, this);
            this.invoker = null;
            AgentRunner.startOnThread(runner);
        }
    }

    /**
     * Node thread: take a free job for a fetch.
     *
     * @return the job, or null if every job is queued or being read.
     */
    RepairReadJob claim()
    {
        return free.pollFirst();
    }

    /**
     * Node thread: hand a claimed, bound job to the reader, and wake it.
     */
    void submit(final RepairReadJob job)
    {
        if (!submitted.offer(job))
        {
            throw new IllegalStateException("repair reader queue full with a claimed job: jobs were not released");
        }
        if (null != runner)
        {
            final Thread thread = runner.thread();
            if (null != thread)
            {
                LockSupport.unpark(thread);
            }
        }
    }

    /**
     * Node thread: the next job whose reply is ready (or whose read failed).
     *
     * @return the job, or null if none is ready.
     */
    RepairReadJob pollCompleted()
    {
        return completed.poll();
    }

    /**
     * Node thread: give a completed job back once its reply was sent.
     */
    void release(final RepairReadJob job)
    {
        free.addLast(job);
    }

    /**
     * Node thread, stepped mode: read every submitted job.
     *
     * @return jobs read; 0 when the reader has a thread of its own.
     */
    int step()
    {
        return null == invoker ? 0 : invoker.invoke();
    }

    /**
     * Reader: read every submitted job, one read transaction each.
     *
     * @return jobs read.
     */
    public int doWork()
    {
        int work = 0;
        RepairReadJob job;
        while (null != (job = submitted.poll()))
        {
            read(job);
            final Thread nodeThread = job.nodeThread();
            completed.offer(job);
            if (null != nodeThread)
            {
                LockSupport.unpark(nodeThread);
            }
            work++;
        }
        return work;
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return roleName;
    }

    /**
     * Node thread: stop the reader, waiting for the job it is reading. Jobs not sent are dropped (their requesters
     * time out).
     */
    public void close()
    {
        if (null != runner)
        {
            runner.close();
        }
        else
        {
            invoker.close();
        }
    }

    private void read(final RepairReadJob job)
    {
        final RepairFetch fetch = job.fetch();
        try (ReadTransaction txn = storage.beginRead())
        {
            try
            {
                final int length = fetch.size(txn, job.roomBytes(), maxValueBytesPerFetch);
                job.staging().checkLimit(length);
                fetch.writeBody(job.staging(), 0, length);
                job.readDone(length);
            }
            finally
            {
                fetch.unbind();
            }
        }
        catch (final Throwable ex)
        {
            // Whatever the read threw (storage failure, a bug) fails this fetch only; the reader goes on.
            job.readFailed(ex);
        }
    }
}
