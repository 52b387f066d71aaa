package io.datacake.crdt;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static io.datacake.clock.HlcTimestamp.NULL_STAMP;

/**
 * Off-heap open-addressing hash table of {@code key (long) -> (stamp (long), node id (u16))}.
 * <p>
 * Slots are 18 bytes, laid out back to back in one direct buffer so a lookup touches one cache line (sometimes two):
 * <pre>
 *   0        8        16   18
 *   +--------+--------+----+
 *   |  key   | stamp  |node|
 *   +--------+--------+----+
 * </pre>
 * A slot whose stamp is {@link io.datacake.clock.HlcTimestamp#NULL_STAMP} is empty, so every key value is usable.
 * Linear probing over a power-of-two capacity with Fibonacci hashing; removal shifts later entries back instead of
 * leaving tombstone slots, so lookups never degrade. The table grows by doubling when it passes
 * {@link #LOAD_FACTOR}, which keeps it between 37.5% and 75% full: at 10M keys it is 2^24 slots, 30.2 bytes per key.
 * <p>
 * Not thread safe. Allocation free except when growing.
 */
final class StampTable implements AutoCloseable
{
    static final int KEY_OFFSET = 0;
    static final int STAMP_OFFSET = 8;
    static final int NODE_OFFSET = 16;
    static final int SLOT_LENGTH = 18;

    /** Grow when more than this share of slots is used. */
    static final float LOAD_FACTOR = 0.75f;

    /** Smallest capacity in slots. */
    static final int MIN_CAPACITY = 16;

    /** Largest capacity in slots: one direct buffer holds at most 2 GiB. */
    static final int MAX_CAPACITY = 1 << 26;

    /** Largest number of entries: {@link #MAX_CAPACITY} times {@link #LOAD_FACTOR}. */
    static final int MAX_SIZE = (int)(MAX_CAPACITY * (double)LOAD_FACTOR);

    private static final long GOLDEN_RATIO = 0x9E3779B97F4A7C15L;

    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private ByteBuffer byteBuffer;
    private int capacity;
    private int mask;
    private int shift;
    private int resizeThreshold;
    private int size;

    StampTable(final int initialCapacity)
    {
        allocate(capacityFor(initialCapacity));
    }

    int size()
    {
        return size;
    }

    int capacity()
    {
        return capacity;
    }

    long allocatedBytes()
    {
        return (long)capacity * SLOT_LENGTH;
    }

    /**
     * @return the slot index holding key, or -1.
     */
    int indexOf(final long key)
    {
        final UnsafeBuffer buffer = this.buffer;
        int index = idealIndex(key);
        while (true)
        {
            final int offset = index * SLOT_LENGTH;
            if (buffer.getLong(offset + STAMP_OFFSET) == NULL_STAMP)
            {
                return -1;
            }
            if (buffer.getLong(offset + KEY_OFFSET) == key)
            {
                return index;
            }
            index = (index + 1) & mask;
        }
    }

    /**
     * @return the stamp stored for key, or NULL_STAMP: one probe pass, for the read path.
     */
    long stampOf(final long key)
    {
        final UnsafeBuffer buffer = this.buffer;
        int index = idealIndex(key);
        while (true)
        {
            final int offset = index * SLOT_LENGTH;
            final long stamp = buffer.getLong(offset + STAMP_OFFSET);
            if (stamp == NULL_STAMP || buffer.getLong(offset + KEY_OFFSET) == key)
            {
                return stamp;
            }
            index = (index + 1) & mask;
        }
    }

    long keyAt(final int index)
    {
        return buffer.getLong(index * SLOT_LENGTH + KEY_OFFSET);
    }

    long stampAt(final int index)
    {
        return buffer.getLong(index * SLOT_LENGTH + STAMP_OFFSET);
    }

    int nodeAt(final int index)
    {
        return buffer.getShort(index * SLOT_LENGTH + NODE_OFFSET) & 0xFFFF;
    }

    void setAt(final int index, final long stamp, final int nodeId)
    {
        final int offset = index * SLOT_LENGTH;
        buffer.putLong(offset + STAMP_OFFSET, stamp);
        buffer.putShort(offset + NODE_OFFSET, (short)nodeId);
    }

    /**
     * Insert or overwrite.
     *
     * @return true if the key was new.
     */
    boolean put(final long key, final long stamp, final int nodeId)
    {
        final UnsafeBuffer buffer = this.buffer;
        int index = idealIndex(key);
        while (true)
        {
            final int offset = index * SLOT_LENGTH;
            if (buffer.getLong(offset + STAMP_OFFSET) == NULL_STAMP)
            {
                break;
            }
            if (buffer.getLong(offset + KEY_OFFSET) == key)
            {
                setAt(index, stamp, nodeId);
                return false;
            }
            index = (index + 1) & mask;
        }

        if (size >= resizeThreshold)
        {
            grow();
            return put(key, stamp, nodeId);
        }

        final int offset = index * SLOT_LENGTH;
        buffer.putLong(offset + KEY_OFFSET, key);
        setAt(index, stamp, nodeId);
        size++;
        return true;
    }

    /**
     * @return true if the key was present.
     */
    boolean remove(final long key)
    {
        final int index = indexOf(key);
        if (index < 0)
        {
            return false;
        }
        removeAt(index);
        return true;
    }

    void removeAt(final int removedIndex)
    {
        final UnsafeBuffer buffer = this.buffer;
        int hole = removedIndex;
        int index = removedIndex;
        while (true)
        {
            index = (index + 1) & mask;
            final int offset = index * SLOT_LENGTH;
            if (buffer.getLong(offset + STAMP_OFFSET) == NULL_STAMP)
            {
                break;
            }

            // An entry may move back into the hole only if the hole lies between its ideal slot and where it is.
            final int ideal = idealIndex(buffer.getLong(offset + KEY_OFFSET));
            final boolean stays = hole <= index ? (hole < ideal && ideal <= index) : (hole < ideal || ideal <= index);
            if (!stays)
            {
                buffer.putBytes(hole * SLOT_LENGTH, buffer, offset, SLOT_LENGTH);
                hole = index;
            }
        }
        buffer.setMemory(hole * SLOT_LENGTH, SLOT_LENGTH, (byte)0);
        size--;
    }

    /**
     * Visit every entry. The consumer must not modify this table.
     */
    void forEach(final EntryConsumer consumer)
    {
        final UnsafeBuffer buffer = this.buffer;
        for (int index = 0, capacity = this.capacity; index < capacity; index++)
        {
            final int offset = index * SLOT_LENGTH;
            final long stamp = buffer.getLong(offset + STAMP_OFFSET);
            if (stamp != NULL_STAMP)
            {
                consumer.accept(
                    buffer.getLong(offset + KEY_OFFSET), stamp, buffer.getShort(offset + NODE_OFFSET) & 0xFFFF);
            }
        }
    }

    /**
     * Visit the entries of at most {@code maxSlots} slots from {@code fromSlot} on, so a caller can sweep a large
     * table in bounded steps. The consumer must not modify this table. A sweep that spans changes to the table may
     * miss or revisit entries moved by a removal or a growth; the next sweep sees them.
     *
     * @return the slot to continue from, or 0 once the sweep passed the last slot.
     */
    int forEachFrom(final int fromSlot, final int maxSlots, final EntryConsumer consumer)
    {
        final UnsafeBuffer buffer = this.buffer;
        final int start = fromSlot >= 0 && fromSlot < capacity ? fromSlot : 0;
        final int end = (int)Math.min(capacity, (long)start + maxSlots);
        for (int index = start; index < end; index++)
        {
            final int offset = index * SLOT_LENGTH;
            final long stamp = buffer.getLong(offset + STAMP_OFFSET);
            if (stamp != NULL_STAMP)
            {
                consumer.accept(
                    buffer.getLong(offset + KEY_OFFSET), stamp, buffer.getShort(offset + NODE_OFFSET) & 0xFFFF);
            }
        }
        return end >= capacity ? 0 : end;
    }

    void clear()
    {
        if (size > 0)
        {
            buffer.setMemory(0, buffer.capacity(), (byte)0);
            size = 0;
        }
    }

    /**
     * Make room for at least expectedSize entries without further growth.
     */
    void ensureCapacity(final int expectedSize)
    {
        final int required = capacityFor(expectedSize);
        if (required > capacity)
        {
            rehash(required);
        }
    }

    public void close()
    {
        if (null != byteBuffer)
        {
            BufferUtil.free(byteBuffer);
            byteBuffer = null;
            buffer.wrap(0, 0);
            capacity = 0;
            size = 0;
        }
    }

    private int idealIndex(final long key)
    {
        return (int)((key * GOLDEN_RATIO) >>> shift);
    }

    private void grow()
    {
        if (capacity >= MAX_CAPACITY)
        {
            throw new IllegalStateException("ORSWOT table full at " + size + " entries: the limit is " + MAX_SIZE +
                " keys per keyspace and state kind; split the data over more keyspaces");
        }
        rehash(capacity << 1);
    }

    private void rehash(final int newCapacity)
    {
        final ByteBuffer oldByteBuffer = byteBuffer;
        final UnsafeBuffer old = new UnsafeBuffer(oldByteBuffer);
        final int oldCapacity = capacity;

        allocate(newCapacity);
        for (int index = 0; index < oldCapacity; index++)
        {
            final int offset = index * SLOT_LENGTH;
            final long stamp = old.getLong(offset + STAMP_OFFSET);
            if (stamp != NULL_STAMP)
            {
                final long key = old.getLong(offset + KEY_OFFSET);
                int newIndex = idealIndex(key);
                while (buffer.getLong(newIndex * SLOT_LENGTH + STAMP_OFFSET) != NULL_STAMP)
                {
                    newIndex = (newIndex + 1) & mask;
                }
                buffer.putBytes(newIndex * SLOT_LENGTH, old, offset, SLOT_LENGTH);
                size++;
            }
        }
        BufferUtil.free(oldByteBuffer);
    }

    private void allocate(final int newCapacity)
    {
        final long bytes = (long)newCapacity * SLOT_LENGTH;
        if (newCapacity > MAX_CAPACITY || bytes > Integer.MAX_VALUE)
        {
            throw new IllegalStateException("ORSWOT table of " + newCapacity + " slots (" + bytes + " bytes) exceeds " +
                "the limit of " + MAX_CAPACITY + " slots in one direct buffer");
        }
        byteBuffer = ByteBuffer.allocateDirect((int)bytes);
        buffer.wrap(byteBuffer);
        capacity = newCapacity;
        mask = newCapacity - 1;
        shift = Long.SIZE - Integer.numberOfTrailingZeros(newCapacity);
        resizeThreshold = (int)resizeThresholdOf(newCapacity);
        size = 0;
    }

    /**
     * The smallest power-of-two capacity whose resize threshold holds expectedSize entries, in long arithmetic so
     * {@link #MAX_SIZE} maps to exactly {@link #MAX_CAPACITY}.
     */
    static int capacityFor(final int expectedSize)
    {
        if (expectedSize < 0 || expectedSize > MAX_SIZE)
        {
            throw new IllegalArgumentException("expected size out of range [0, " + MAX_SIZE + "]: " + expectedSize +
                " (the limit per keyspace and state kind; split the data over more keyspaces)");
        }
        long capacity = MIN_CAPACITY;
        while (resizeThresholdOf(capacity) < expectedSize)
        {
            capacity <<= 1;
        }
        if (capacity > MAX_CAPACITY)
        {
            throw new IllegalStateException("capacity " + capacity + " for " + expectedSize + " entries exceeds " +
                MAX_CAPACITY + " slots");
        }
        return (int)capacity;
    }

    /**
     * @return how many entries a table of this capacity holds before it grows (always leaves empty slots).
     */
    static long resizeThresholdOf(final long capacity)
    {
        return (long)(capacity * (double)LOAD_FACTOR);
    }
}
