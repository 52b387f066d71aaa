package io.datacake.store;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Which keys of a keyspace fall in each segment of its content tree, so the answering side of a repair fetch walks
 * only the asked segments' keys instead of the whole keyspace. One singly linked list per segment, off the heap:
 * 4 bytes a segment for the list heads, plus 12 bytes a key (the key and the next slot) in chunks of
 * {@value #CHUNK_SLOTS} slots allocated as the index grows. Growth adds a chunk and copies nothing, so the index
 * costs its keys' bytes plus less than one chunk, never a doubled array or a copy's transient; a removed key's slot is
 * reused by the next add. Adding a key is O(1); removing one walks its segment's list. A key is in the index while
 * the set holds it, live or tombstone. Holds off-heap memory: {@link #close()} it. Node thread only.
 */
final class SegmentIndex implements AutoCloseable
{
    /** Slots per chunk: a chunk is {@code 12 × CHUNK_SLOTS} bytes (768 KiB). */
    static final int CHUNK_SLOTS = 1 << 16;

    private static final int CHUNK_SHIFT = 16;
    private static final int SLOT_MASK = CHUNK_SLOTS - 1;
    private static final int NONE = -1;
    private static final int NEXT_BASE = CHUNK_SLOTS * Long.BYTES;
    private static final int CHUNK_BYTES = CHUNK_SLOTS * (Long.BYTES + Integer.BYTES);

    private final ByteBuffer headsMemory;
    private final UnsafeBuffer heads;
    private ByteBuffer[] chunkMemory = new ByteBuffer[4];
    private UnsafeBuffer[] chunks = new UnsafeBuffer[4];
    private int chunkCount;
    private int used;
    private int freeHead = NONE;
    private int size;

    SegmentIndex(final int segmentCount)
    {
        headsMemory = ByteBuffer.allocateDirect(segmentCount * Integer.BYTES);
        heads = new UnsafeBuffer(headsMemory);
        heads.setMemory(0, heads.capacity(), (byte)0xFF);
    }

    /**
     * @return keys in the index.
     */
    int size()
    {
        return size;
    }

    /**
     * @return off-heap bytes held: the list heads and the chunks allocated so far.
     */
    long offHeapBytes()
    {
        return heads.capacity() + (long)chunkCount * CHUNK_BYTES;
    }

    /**
     * Add a key that is not in the index yet.
     *
     * @throws IllegalStateException if the index holds {@link Integer#MAX_VALUE} slots.
     */
    void add(final int segment, final long key)
    {
        final int slot;
        if (NONE != freeHead)
        {
            slot = freeHead;
            freeHead = nextSlot(slot);
        }
        else
        {
            if (used == Integer.MAX_VALUE)
            {
                throw new IllegalStateException("segment index is full: " + used + " keys");
            }
            if ((used >>> CHUNK_SHIFT) == chunkCount)
            {
                addChunk();
            }
            slot = used++;
        }
        final UnsafeBuffer chunk = chunks[slot >>> CHUNK_SHIFT];
        final int index = slot & SLOT_MASK;
        chunk.putLong(index * Long.BYTES, key);
        chunk.putInt(NEXT_BASE + index * Integer.BYTES, firstSlot(segment));
        heads.putInt(segment * Integer.BYTES, slot);
        size++;
    }

    /**
     * Remove a key from its segment's list.
     *
     * @return true if it was there.
     */
    boolean remove(final int segment, final long key)
    {
        int previous = NONE;
        for (int slot = firstSlot(segment); NONE != slot; slot = nextSlot(slot))
        {
            if (keyAt(slot) == key)
            {
                final int next = nextSlot(slot);
                if (NONE == previous)
                {
                    heads.putInt(segment * Integer.BYTES, next);
                }
                else
                {
                    next(previous, next);
                }
                next(slot, freeHead);
                freeHead = slot;
                size--;
                return true;
            }
            previous = slot;
        }
        return false;
    }

    /**
     * @return the first slot of a segment's list, or -1 if it is empty; walk on with {@link #nextSlot}.
     */
    int firstSlot(final int segment)
    {
        return heads.getInt(segment * Integer.BYTES);
    }

    /**
     * @return the slot after this one in its segment's list, or -1 at its end.
     */
    int nextSlot(final int slot)
    {
        return chunks[slot >>> CHUNK_SHIFT].getInt(NEXT_BASE + (slot & SLOT_MASK) * Integer.BYTES);
    }

    /**
     * @return the key in a slot.
     */
    long keyAt(final int slot)
    {
        return chunks[slot >>> CHUNK_SHIFT].getLong((slot & SLOT_MASK) * Long.BYTES);
    }

    /**
     * Free the off-heap memory. Idempotent; the index must not be used afterwards.
     */
    public void close()
    {
        for (int i = 0; i < chunkCount; i++)
        {
            BufferUtil.free(chunkMemory[i]);
            chunkMemory[i] = null;
            chunks[i] = null;
        }
        chunkCount = 0;
        used = 0;
        freeHead = NONE;
        size = 0;
        if (heads.capacity() > 0)
        {
            BufferUtil.free(headsMemory);
            heads.wrap(0, 0);
        }
    }

    private void next(final int slot, final int next)
    {
        chunks[slot >>> CHUNK_SHIFT].putInt(NEXT_BASE + (slot & SLOT_MASK) * Integer.BYTES, next);
    }

    private void addChunk()
    {
        if (chunkCount == chunks.length)
        {
            chunks = Arrays.copyOf(chunks, chunkCount * 2);
            chunkMemory = Arrays.copyOf(chunkMemory, chunkCount * 2);
        }
        final ByteBuffer memory = ByteBuffer.allocateDirect(CHUNK_BYTES);
        chunkMemory[chunkCount] = memory;
        chunks[chunkCount] = new UnsafeBuffer(memory);
        chunkCount++;
    }
}
