package io.datacake.perf;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.store.KeyspaceHandle;
import io.datacake.store.StoreHandle;
import io.datacake.store.WriteCallback;
import io.datacake.store.WriteStatus;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The client threads of a run. Each thread issues operations through the store handles of every node in turn (each
 * node coordinates an equal share), with at most {@link WorkloadSettings#inFlightPerThread()} in flight, using the
 * handles' allocation-free forms: a put or delete is in flight until its {@link WriteCallback} runs on the
 * coordinator's node thread; a get copies the value from the coordinator's storage on the client thread. Each
 * thread is paced by an {@link OperationPacer} (a fixed schedule of intended starts with a rate, against coordinated
 * omission). Operations in flight are pooled objects. A client thread with all its operations in flight waits with a
 * {@link CompletionWait}, which each completion wakes.
 */
final class LoadGenerator
{
    private final WorkloadSettings settings;
    private final MeasurementWindow window;
    private final LatencyRecorders recorders;
    private final KeyspaceHandle[][] handles;
    private final List<Client> clients = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param storeHandles one handle per node, in node order.
     * @param settings     the workload.
     * @param window       decides which operations are warm-up and which measured, and when to stop.
     * @param recorders    where measured operations go.
     */
    LoadGenerator(
        final List<StoreHandle> storeHandles,
        final WorkloadSettings settings,
        final MeasurementWindow window,
        final LatencyRecorders recorders)
    {
        this.settings = settings;
        this.window = window;
        this.recorders = recorders;
        handles = new KeyspaceHandle[storeHandles.size()][settings.keyspaces()];
        for (int node = 0; node < handles.length; node++)
        {
            for (int k = 0; k < settings.keyspaces(); k++)
            {
                handles[node][k] = storeHandles.get(node).keyspace(WorkloadSettings.keyspaceName(k));
            }
        }
        final SplittableRandom seeds = new SplittableRandom(settings.seed());
        for (int i = 0; i < settings.threads(); i++)
        {
            final Client client = new Client(i, seeds.split());
            clients.add(client);
            final Thread thread = new Thread(client, "perf-client-" + i);
            thread.setDaemon(true);
            threads.add(thread);
        }
    }

    /**
     * Start the client threads.
     */
    void start()
    {
        threads.forEach(Thread::start);
    }

    /**
     * Wait up to a time for every client thread to have issued its last operation.
     *
     * @param timeoutMs longest wait.
     * @return true when every thread has finished issuing.
     * @throws InterruptedException if this thread is interrupted.
     */
    boolean awaitIssued(final long timeoutMs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (final Thread thread : threads)
        {
            final long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
            if (remainingMs > 0)
            {
                thread.join(remainingMs);
            }
            if (thread.isAlive())
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return operations issued and not yet completed.
     */
    int inFlight()
    {
        int inFlight = 0;
        for (final Client client : clients)
        {
            inFlight += client.inFlight();
        }
        return inFlight;
    }

    /**
     * @return the first failure that ended a client thread, or null.
     */
    Throwable failure()
    {
        for (final Client client : clients)
        {
            if (null != client.failure)
            {
                return client.failure;
            }
        }
        return null;
    }

    private final class Client implements Runnable
    {
        private final int index;
        private final SplittableRandom random;
        private final ManyToOneConcurrentArrayQueue<PendingOperation> free;
        private final CompletionWait completionWait = new CompletionWait();
        private final int poolSize;
        private final UnsafeBuffer value;
        private final byte[] readBuffer;
        private volatile Throwable failure;

        Client(final int index, final SplittableRandom random)
        {
            this.index = index;
            this.random = random;
            poolSize = settings.inFlightPerThread();
            // The queue's capacity is at least 2; it never holds more than the thread's operations.
            free = new ManyToOneConcurrentArrayQueue<>(Math.max(2, poolSize));
            for (int i = 0; i < poolSize; i++)
            {
                free.offer(new PendingOperation(free, completionWait));
            }
            final byte[] bytes = new byte[settings.valueBytes()];
            random.nextBytes(bytes);
            value = new UnsafeBuffer(bytes);
            // Every value written has the same size, so a read always fits.
            readBuffer = new byte[settings.valueBytes()];
        }

        int inFlight()
        {
            return poolSize - free.size();
        }

        public void run()
        {
            try
            {
                issue();
            }
            catch (final RuntimeException | Error ex)
            {
                failure = ex;
                window.stop();
            }
        }

        private void issue()
        {
            final OperationPacer pacer =
                new OperationPacer(window, settings.periodPerThreadNs(), index, settings.threads(), completionWait);
            final BooleanSupplier hasFree = () -> null != free.peek();
            final Supplier<PendingOperation> slots = free::poll;
            final ConsistencyLevel level = settings.consistency().level();
            final OperationMix mix = settings.mix();
            final int keyspaces = settings.keyspaces();
            final long keys = settings.keys();
            // Spread the first operations of the threads over the nodes (the pacer spreads them over the period).
            int coordinator = index % handles.length;
            PendingOperation op;
            while (null != (op = pacer.next(hasFree, slots)))
            {
                if (MeasurementWindow.END == pacer.phase())
                {
                    free.offer(op);
                    return;
                }
                final Operation operation = mix.pick(random);
                final KeyspaceHandle handle = handles[coordinator][random.nextInt(keyspaces)];
                coordinator = coordinator + 1 == handles.length ? 0 : coordinator + 1;
                op.issue(handle, operation, random.nextLong(keys), this, level, pacer.intendedNs(), pacer.actualNs(),
                    pacer.measured());
            }
        }
    }

    /**
     * One operation of a client thread, reused: issued on the client thread through the handle's allocation-free
     * forms, completed on a node thread (puts and deletes, through {@link WriteCallback}) or the client thread (gets
     * and refused writes), then returned to its thread's pool.
     */
    private final class PendingOperation implements WriteCallback
    {
        private final ManyToOneConcurrentArrayQueue<PendingOperation> pool;
        private final CompletionWait completionWait;
        private Operation operation;
        private long intendedStartNs;
        private long actualStartNs;
        private boolean measured;

        PendingOperation(
            final ManyToOneConcurrentArrayQueue<PendingOperation> pool, final CompletionWait completionWait)
        {
            this.pool = pool;
            this.completionWait = completionWait;
        }

        void issue(
            final KeyspaceHandle handle,
            final Operation operation,
            final long key,
            final Client client,
            final ConsistencyLevel level,
            final long intendedStartNs,
            final long actualStartNs,
            final boolean measured)
        {
            this.operation = operation;
            this.intendedStartNs = intendedStartNs;
            this.actualStartNs = actualStartNs;
            this.measured = measured;
            final boolean queued;
            try
            {
                switch (operation)
                {
                    case GET:
                        handle.get(key, client.readBuffer, 0);
                        complete(null);
                        return;
                    case PUT:
                        queued = handle.put(key, client.value, 0, client.value.capacity(), level, this, 0);
                        break;
                    default:
                        queued = handle.delete(key, level, this, 0);
                        break;
                }
            }
            catch (final RuntimeException ex)
            {
                complete(ErrorKind.classify(ex));
                return;
            }
            if (!queued)
            {
                // The handle's pending bound or the node's command queue was full: nothing was written.
                complete(ErrorKind.BACK_PRESSURE);
            }
        }

        public void onWriteComplete(
            final long context,
            final WriteStatus status,
            final int acknowledged,
            final int required,
            final RuntimeException failure)
        {
            complete(WriteStatus.ACKNOWLEDGED == status ? null : ErrorKind.of(status, failure));
        }

        private void complete(final ErrorKind error)
        {
            final long endNs = System.nanoTime();
            if (measured)
            {
                if (null == error)
                {
                    recorders.record(operation, intendedStartNs, actualStartNs, endNs);
                }
                else
                {
                    recorders.fail(operation, error);
                }
            }
            pool.offer(this);
            completionWait.wake();
        }
    }
}
