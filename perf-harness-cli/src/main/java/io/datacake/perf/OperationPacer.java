package io.datacake.perf;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * When a client thread issues its next operation: with a rate, at the thread's next intended start on a fixed
 * schedule (latency is then also measured from it, so a stall shows in the corrected series instead of hiding);
 * in any case once the thread has a free in-flight slot, waiting for one with a {@link CompletionWait} that each
 * completion wakes; and in which phase of the {@link MeasurementWindow}. One per client thread, used by that thread
 * only; allocation free.
 */
final class OperationPacer
{
    private final MeasurementWindow window;
    private final long periodNs;
    private final CompletionWait completionWait;
    private final BooleanSupplier stopped;
    private long nextStartNs;
    private long intendedNs;
    private long actualNs;
    private int phase;

    /**
     * @param window   decides the phase of each operation, and when to stop.
     * @param periodNs time between two intended starts of this thread, 0 for as fast as slots free up.
     * @param index    this thread's index: the threads' first starts are spread over one period.
     * @param threads  how many client threads there are.
     * @param completionWait woken by every completion of this thread's operations.
     */
    OperationPacer(
        final MeasurementWindow window,
        final long periodNs,
        final int index,
        final int threads,
        final CompletionWait completionWait)
    {
        this.window = window;
        this.completionWait = completionWait;
        stopped = window::stopped;
        this.periodNs = periodNs;
        nextStartNs = System.nanoTime() + periodNs * index / threads;
    }

    /**
     * Wait for the next operation's start and a free slot, then decide its phase.
     *
     * @param hasSlot whether a slot is free, without taking it.
     * @param slots   takes a free slot; called once {@code hasSlot} said there is one.
     * @param <T>     the slot's type.
     * @return the slot, or null if the window stopped first; when not null, {@link #phase()} may still be
     * {@link MeasurementWindow#END}, and the slot is then the caller's to give back.
     */
    <T> T next(final BooleanSupplier hasSlot, final Supplier<T> slots)
    {
        intendedNs = nextStartNs;
        if (periodNs > 0)
        {
            nextStartNs += periodNs;
            if (!window.awaitStart(intendedNs))
            {
                return null;
            }
        }
        if (!completionWait.await(hasSlot, stopped))
        {
            return null;
        }
        // Only this thread takes slots, so the one the wait saw is still there.
        final T slot = slots.get();
        actualNs = System.nanoTime();
        if (0 == periodNs)
        {
            intendedNs = actualNs;
        }
        phase = window.next(intendedNs);
        return slot;
    }

    /**
     * @return the phase of the operation {@link #next} admitted: warm-up, measured, or past the end.
     */
    int phase()
    {
        return phase;
    }

    /**
     * @return whether the admitted operation is measured.
     */
    boolean measured()
    {
        return MeasurementWindow.MEASURE == phase;
    }

    /**
     * @return when the admitted operation was meant to start: its scheduled start with a rate, else its actual start.
     */
    long intendedNs()
    {
        return intendedNs;
    }

    /**
     * @return when the admitted operation actually started (its slot was free).
     */
    long actualNs()
    {
        return actualNs;
    }
}
