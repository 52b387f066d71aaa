package io.datacake.perf;

import io.datacake.perf.compare.CompareTarget;
import io.datacake.perf.compare.ReplicaView;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Puts against one {@link CompareTarget} from client threads, then a check that every member holds every key's last
 * written value. Each thread owns the keys congruent to its index modulo the thread count and writes each key
 * through one member (key modulo members), so a key's puts are issued in one order to one member and its last
 * written value is well defined. The first {@link #TAG_BYTES} bytes of every value hold a tag unique to the put
 * (its thread and sequence number); the check compares those tags. Values are new arrays per put because some
 * targets keep the array they were given. A client thread with all its puts in flight waits with a
 * {@link CompletionWait}, which each completion wakes (a synchronous put, like Hazelcast's, never waits there).
 */
final class CompareLoad
{
    /** Bytes at the start of each value that identify the put; values must be at least this long. */
    static final int TAG_BYTES = Long.BYTES;

    /** Most client threads: the tag keeps the thread index in its low byte. */
    static final int MAX_THREADS = 256;

    private final CompareTarget target;
    private final WorkloadSettings settings;
    private final MeasurementWindow window;
    private final LatencyRecorders recorders = new LatencyRecorders();
    private final long[] lastTags;
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<Client> clients = new ArrayList<>();

    /**
     * @param target   what to put to, started and ready.
     * @param settings threads, in-flight bound, keys, value size, rate and seed; keyspaces, mix and consistency
     *                 are the caller's business (every operation here is a put).
     * @param window   which puts warm up, which are measured, when to stop.
     */
    CompareLoad(final CompareTarget target, final WorkloadSettings settings, final MeasurementWindow window)
    {
        this.target = target;
        this.settings = settings;
        this.window = window;
        lastTags = new long[Math.toIntExact(settings.keys())];
        final SplittableRandom seeds = new SplittableRandom(settings.seed());
        for (int i = 0; i < settings.threads(); i++)
        {
            clients.add(new Client(i, seeds.split()));
        }
    }

    /**
     * Put until the window ends, wait for the puts in flight, then poll the members until they hold every last
     * written value or the convergence timeout passes.
     *
     * @param drainTimeoutNs   longest wait for puts in flight after the last was issued.
     * @param convergeTimeoutNs longest wait for convergence after the drain; 0 skips the check.
     * @return what was measured.
     * @throws IllegalStateException if a client thread failed.
     * @throws InterruptedException  if this thread is interrupted while waiting for the client threads.
     */
    CompareResult run(final long drainTimeoutNs, final long convergeTimeoutNs) throws InterruptedException
    {
        final List<Thread> threads = new ArrayList<>();
        for (final Client client : clients)
        {
            final Thread thread = new Thread(client, "compare-client-" + client.index);
            thread.setDaemon(true);
            threads.add(thread);
        }
        window.start(System.nanoTime());
        threads.forEach(Thread::start);
        for (final Thread thread : threads)
        {
            // The client threads end by the window: its duration or count, or a stop.
            thread.join();
        }
        final Deadline drain = new Deadline(System.nanoTime() + drainTimeoutNs);
        while (inFlight() > 0 && drain.pause())
        {
            // Polled.
        }
        final long drainEndNs = System.nanoTime();
        for (final Client client : clients)
        {
            if (null != client.failure)
            {
                throw new IllegalStateException("a client thread failed", client.failure);
            }
        }
        final long measuredNs = window.measuring() ? drainEndNs - window.measureStartNs() : 0;

        long convergenceMs = RunResult.NOT_CHECKED;
        long stale = -1;
        if (convergeTimeoutNs > 0 && !window.stopped())
        {
            final Deadline converge = new Deadline(drainEndNs + convergeTimeoutNs);
            while ((stale = staleKeys()) != 0 && converge.pause())
            {
                // Polled.
            }
            convergenceMs = 0 == stale ?
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainEndNs) : RunResult.NOT_CONVERGED;
        }
        long keysWritten = 0;
        for (final long tag : lastTags)
        {
            keysWritten += 0 == tag ? 0 : 1;
        }
        return new CompareResult(target.name(), target.members(), succeeded.get(), failed.get(), inFlight(),
            measuredNs, recorders.takeInterval(Operation.PUT, true, null), convergenceMs, keysWritten, stale,
            window.stopped());
    }

    /**
     * Keys whose last written value some member does not hold, summed over the members.
     */
    long staleKeys()
    {
        long stale = 0;
        for (int member = 0; member < target.members(); member++)
        {
            final ReplicaView view = target.view(member);
            for (int key = 0; key < lastTags.length; key++)
            {
                final long tag = lastTags[key];
                if (0 != tag)
                {
                    final byte[] value = view.get(key);
                    if (null == value || value.length < TAG_BYTES || tagOf(value) != tag)
                    {
                        stale++;
                    }
                }
            }
        }
        return stale;
    }

    private int inFlight()
    {
        int inFlight = 0;
        for (final Client client : clients)
        {
            inFlight += client.inFlight.get();
        }
        return inFlight;
    }

    static long tagOf(final byte[] value)
    {
        return ByteBuffer.wrap(value, 0, TAG_BYTES).order(ByteOrder.BIG_ENDIAN).getLong();
    }

    private final class Client implements Runnable
    {
        private final int index;
        private final SplittableRandom random;
        private final AtomicInteger inFlight = new AtomicInteger();
        private final CompletionWait completionWait = new CompletionWait();
        private final byte[] template;
        private volatile Throwable failure;

        Client(final int index, final SplittableRandom random)
        {
            this.index = index;
            this.random = random;
            template = new byte[settings.valueBytes()];
            random.nextBytes(template);
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
            final int threads = settings.threads();
            final OperationPacer pacer =
                new OperationPacer(window, settings.periodPerThreadNs(), index, threads, completionWait);
            final long ownedKeys = (settings.keys() - index + threads - 1) / threads;
            final int members = target.members();
            final int maxInFlight = settings.inFlightPerThread();
            // The slot is the in-flight count's room, taken by put().
            final BooleanSupplier hasRoom = () -> inFlight.get() < maxInFlight;
            final Supplier<Client> slots = () -> this;
            long sequence = 0;
            while (null != pacer.next(hasRoom, slots) && MeasurementWindow.END != pacer.phase())
            {
                final long key = index + (long)threads * random.nextLong(ownedKeys);
                final long tag = (++sequence << 8) | index;
                final byte[] value = template.clone();
                ByteBuffer.wrap(value).order(ByteOrder.BIG_ENDIAN).putLong(0, tag);
                lastTags[(int)key] = tag;
                put((int)(key % members), key, value, pacer.intendedNs(), pacer.actualNs(), pacer.measured());
            }
        }

        private void put(
            final int member,
            final long key,
            final byte[] value,
            final long intendedNs,
            final long actualNs,
            final boolean measured)
        {
            inFlight.incrementAndGet();
            CompletionStage<?> stage;
            try
            {
                stage = target.put(member, key, value);
            }
            catch (final RuntimeException ex)
            {
                complete(ex, intendedNs, actualNs, measured);
                return;
            }
            stage.whenComplete((ignored, ex) -> complete(ex, intendedNs, actualNs, measured));
        }

        private void complete(final Throwable failure, final long intendedNs, final long actualNs, final boolean measured)
        {
            final long endNs = System.nanoTime();
            if (measured)
            {
                if (null == failure)
                {
                    recorders.record(Operation.PUT, intendedNs, actualNs, endNs);
                    succeeded.incrementAndGet();
                }
                else
                {
                    recorders.fail(Operation.PUT, ErrorKind.classify(failure));
                    failed.incrementAndGet();
                }
            }
            inFlight.decrementAndGet();
            completionWait.wake();
        }
    }
}
