package io.datacake.store;

import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded pool of callback-form write slots of one {@link StoreHandle}: at most {@code capacity} writes between
 * the call and their callback. Slots are created on demand up to the bound and reused after, so a steady stream of
 * writes allocates nothing. Thread safe: application threads take slots, the node thread gives them back.
 */
final class WriteSlots
{
    private final ReplicatedStore store;
    private final int capacity;
    private final ManyToManyConcurrentArrayQueue<CallbackWriteCommand> free;
    private final AtomicInteger created = new AtomicInteger();

    WriteSlots(final ReplicatedStore store, final int capacity)
    {
        this.store = store;
        this.capacity = capacity;
        // The queue needs room for two at least; the created-count still bounds the slots to capacity.
        this.free = new ManyToManyConcurrentArrayQueue<>(Math.max(2, capacity));
    }

    /**
     * @return a free slot, or null if {@code capacity} writes are between their call and their callback.
     */
    CallbackWriteCommand acquire()
    {
        final CallbackWriteCommand slot = free.poll();
        if (null != slot)
        {
            return slot;
        }
        int count;
        while ((count = created.get()) < capacity)
        {
            if (created.compareAndSet(count, count + 1))
            {
                return new CallbackWriteCommand(store, this);
            }
        }
        // Another thread may have released one between the poll and the bound check.
        return free.poll();
    }

    void release(final CallbackWriteCommand slot)
    {
        // Never full: the queue holds at least capacity slots and no more than capacity are ever created.
        free.offer(slot);
    }

    int available()
    {
        return free.size() + capacity - created.get();
    }
}
