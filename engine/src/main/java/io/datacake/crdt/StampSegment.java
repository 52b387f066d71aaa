package io.datacake.crdt;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static io.datacake.clock.HlcTimestamp.NULL_STAMP;

/**
 * One segment of a {@link StampTable}: a linear-probing table of {@code key -> (stamp, node id)} in one direct buffer
 * of any capacity that is a multiple of {@link #LINE_SLOTS} (not only powers of two), rehashed on its own when it
 * grows.
 * <p>
 * Keys and stamps sit in 16-byte slots at the front of the buffer, node ids in a 2-byte array behind them, so the node
 * id is read only when asked for. The buffer is 64-byte aligned, so the slots form cache lines of {@link #LINE_SLOTS}:
 * <pre>
 *   slot i:   [i * 16]              key (8) | stamp (8)
 *   node i:   [capacity * 16 + i * 2]  node id (u16)
 * </pre>
 * A key's probe starts at the first slot of the line its hash picks (not at any slot), so most keys sit in that line
 * and a lookup can compare the whole line at once and touch one cache line (see {@link StampTable#stampOf}). Probing
 * and removal are otherwise plain linear probing with back shifts: from a key's first slot up to the key, no slot is
 * empty.
 * <p>
 * A slot whose stamp is {@link io.datacake.clock.HlcTimestamp#NULL_STAMP} is empty, so every key value is usable.
 */
final class StampSegment
{
    static final int SLOT_SHIFT = 4;
    static final int STAMP_OFFSET = 8;
    static final int NODE_LENGTH = 2;

    /** Slots in one 64-byte cache line: the unit a probe starts at and a lookup compares at once. */
    static final int LINE_SLOTS = 4;

    /** Bytes a slot costs: key, stamp and node id. */
    static final int BYTES_PER_SLOT = (1 << SLOT_SHIFT) + NODE_LENGTH;

    private static final int LINE_SHIFT = 2;
    private static final int ALIGNMENT = LINE_SLOTS << SLOT_SHIFT;

    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private final int number;
    private int localDepth;
    private int capacity;
    private int nodeBase;
    private int size;
    private int growThreshold;
    private ByteBuffer byteBuffer;

    StampSegment(final int number, final int localDepth, final int capacity, final float maxLoad)
    {
        this.number = number;
        this.localDepth = localDepth;
        allocate(capacity, maxLoad);
    }

    /**
     * Exchange storage and entries with another segment: growth allocates the new storage first, so a failed
     * allocation leaves this segment intact, then swaps and re-inserts from the old storage without copying it.
     */
    void swapStorage(final StampSegment other)
    {
        final ByteBuffer byteBuffer = this.byteBuffer;
        final int capacity = this.capacity;
        final int size = this.size;
        final int growThreshold = this.growThreshold;
        final long address = buffer.addressOffset();
        final int length = buffer.capacity();

        this.byteBuffer = other.byteBuffer;
        this.buffer.wrap(other.buffer.addressOffset(), other.buffer.capacity());
        this.capacity = other.capacity;
        this.nodeBase = other.capacity << SLOT_SHIFT;
        this.size = other.size;
        this.growThreshold = other.growThreshold;

        other.byteBuffer = byteBuffer;
        other.buffer.wrap(address, length);
        other.capacity = capacity;
        other.nodeBase = capacity << SLOT_SHIFT;
        other.size = size;
        other.growThreshold = growThreshold;
    }

    /**
     * Replace the storage with an empty buffer of this capacity; the caller re-inserts what it held.
     *
     * @throws IllegalArgumentException if the capacity is not a positive multiple of {@link #LINE_SLOTS}.
     */
    void allocate(final int newCapacity, final float maxLoad)
    {
        if (newCapacity <= 0 || newCapacity % LINE_SLOTS != 0)
        {
            throw new IllegalArgumentException("segment capacity must be a positive multiple of " + LINE_SLOTS +
                " slots: " + newCapacity);
        }
        // Aligned by hand rather than with a slice, so the buffer that owns the memory is the one freed.
        final int length = newCapacity * BYTES_PER_SLOT;
        final ByteBuffer newByteBuffer = ByteBuffer.allocateDirect(length + ALIGNMENT - 1);
        final int misalignment = (int)(BufferUtil.address(newByteBuffer) & (ALIGNMENT - 1));
        free();
        byteBuffer = newByteBuffer;
        buffer.wrap(newByteBuffer, 0 == misalignment ? 0 : ALIGNMENT - misalignment, length);
        capacity = newCapacity;
        nodeBase = newCapacity << SLOT_SHIFT;
        growThreshold = Math.min(newCapacity - 1, (int)(newCapacity * (double)maxLoad));
        size = 0;
    }

    int number()
    {
        return number;
    }

    /**
     * @return how many leading hash bits all keys of this segment share.
     */
    int localDepth()
    {
        return localDepth;
    }

    void localDepth(final int localDepth)
    {
        this.localDepth = localDepth;
    }

    int capacity()
    {
        return capacity;
    }

    int size()
    {
        return size;
    }

    /**
     * @return true when one more entry would pass the load limit: the segment must grow or split first.
     */
    boolean isFull()
    {
        return size >= growThreshold;
    }

    long allocatedBytes()
    {
        return null == byteBuffer ? 0 : byteBuffer.capacity();
    }

    int idealSlot(final long hash)
    {
        return idealSlot(hash, capacity);
    }

    /**
     * @param hash     the key's hash.
     * @param capacity the segment's capacity in slots, a multiple of {@link #LINE_SLOTS}.
     * @return the first slot to probe for a hash in a segment of this capacity: the first slot of the line that the
     * low 32 bits, scaled to the segment's line count, pick.
     */
    static int idealSlot(final long hash, final int capacity)
    {
        return (int)(((hash & 0xFFFF_FFFFL) * (capacity >>> LINE_SHIFT)) >>> 32) << LINE_SHIFT;
    }

    /**
     * @return the address of slot 0; valid until the storage changes (allocate, swap, free).
     */
    long slotsAddress()
    {
        return buffer.addressOffset();
    }

    long keyAt(final int slot)
    {
        return buffer.getLong(slot << SLOT_SHIFT);
    }

    long stampAt(final int slot)
    {
        return buffer.getLong((slot << SLOT_SHIFT) + STAMP_OFFSET);
    }

    int nodeAt(final int slot)
    {
        return buffer.getShort(nodeBase + slot * NODE_LENGTH) & 0xFFFF;
    }

    void setAt(final int slot, final long stamp, final int nodeId)
    {
        buffer.putLong((slot << SLOT_SHIFT) + STAMP_OFFSET, stamp);
        buffer.putShort(nodeBase + slot * NODE_LENGTH, (short)nodeId);
    }

    /**
     * Store a new entry in the empty slot a probe named.
     */
    void insertAt(final int slot, final long key, final long stamp, final int nodeId)
    {
        putAt(slot, key, stamp, nodeId);
        size++;
    }

    private void putAt(final int slot, final long key, final long stamp, final int nodeId)
    {
        buffer.putLong(slot << SLOT_SHIFT, key);
        setAt(slot, stamp, nodeId);
    }

    /**
     * Remove the entry in this slot, shifting later entries of its probe run back so no tombstone slot is left.
     */
    void removeAt(final int removedSlot)
    {
        final UnsafeBuffer buffer = this.buffer;
        final int capacity = this.capacity;
        int hole = removedSlot;
        int slot = removedSlot;
        while (true)
        {
            if (++slot == capacity)
            {
                slot = 0;
            }
            final int offset = slot << SLOT_SHIFT;
            if (buffer.getLong(offset + STAMP_OFFSET) == NULL_STAMP)
            {
                break;
            }

            // An entry may move back into the hole only if the hole lies between its ideal slot and where it is.
            final int ideal = idealSlot(StampTable.hash(buffer.getLong(offset)));
            final boolean stays = hole <= slot ? (hole < ideal && ideal <= slot) : (hole < ideal || ideal <= slot);
            if (!stays)
            {
                putAt(hole, buffer.getLong(offset), buffer.getLong(offset + STAMP_OFFSET), nodeAt(slot));
                hole = slot;
            }
        }
        buffer.putLong(hole << SLOT_SHIFT, 0L);
        buffer.putLong((hole << SLOT_SHIFT) + STAMP_OFFSET, NULL_STAMP);
        buffer.putShort(nodeBase + hole * NODE_LENGTH, (short)0);
        size--;
    }

    /**
     * Insert a key known to be absent, for rehashing; the caller has made room.
     */
    void insertAbsent(final long key, final long hash, final long stamp, final int nodeId)
    {
        final UnsafeBuffer buffer = this.buffer;
        int slot = idealSlot(hash);
        while (buffer.getLong((slot << SLOT_SHIFT) + STAMP_OFFSET) != NULL_STAMP)
        {
            if (++slot == capacity)
            {
                slot = 0;
            }
        }
        putAt(slot, key, stamp, nodeId);
        size++;
    }

    void clear()
    {
        if (size > 0)
        {
            buffer.setMemory(0, buffer.capacity(), (byte)0);
            size = 0;
        }
    }

    void free()
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
}
