package io.datacake.store;

import java.util.Arrays;

/**
 * Which keys of a keyspace fall in each segment of its content tree, so the answering side of a repair fetch walks
 * only the asked segments' keys instead of the whole keyspace. One singly linked list per segment over growable
 * arrays: 4 bytes a segment plus 12 bytes a key, on the heap; adding a key is O(1) (and grows the arrays now and
 * then), removing one walks its segment's list. A key is in the index while the set holds it, live or tombstone.
 * Node thread only.
 */
final class SegmentIndex
{
    private static final int NONE = -1;
    private static final int INITIAL_CAPACITY = 64;

    private final int[] headBySegment;
    private long[] keys = new long[INITIAL_CAPACITY];
    private int[] next = new int[INITIAL_CAPACITY];
    private int used;
    private int freeHead = NONE;
    private int size;

    SegmentIndex(final int segmentCount)
    {
        headBySegment = new int[segmentCount];
        Arrays.fill(headBySegment, NONE);
    }

    /**
     * @return keys in the index.
     */
    int size()
    {
        return size;
    }

    /**
     * Add a key that is not in the index yet.
     */
    void add(final int segment, final long key)
    {
        final int slot;
        if (NONE != freeHead)
        {
            slot = freeHead;
            freeHead = next[slot];
        }
        else
        {
            if (used == keys.length)
            {
                keys = Arrays.copyOf(keys, used * 2);
                next = Arrays.copyOf(next, used * 2);
            }
            slot = used++;
        }
        keys[slot] = key;
        next[slot] = headBySegment[segment];
        headBySegment[segment] = slot;
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
        for (int slot = headBySegment[segment]; NONE != slot; slot = next[slot])
        {
            if (keys[slot] == key)
            {
                if (NONE == previous)
                {
                    headBySegment[segment] = next[slot];
                }
                else
                {
                    next[previous] = next[slot];
                }
                next[slot] = freeHead;
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
        return headBySegment[segment];
    }

    /**
     * @return the slot after this one in its segment's list, or -1 at its end.
     */
    int nextSlot(final int slot)
    {
        return next[slot];
    }

    /**
     * @return the key in a slot.
     */
    long keyAt(final int slot)
    {
        return keys[slot];
    }
}
