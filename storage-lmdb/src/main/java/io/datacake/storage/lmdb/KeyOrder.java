package io.datacake.storage.lmdb;

import io.datacake.storage.WriteBatch;

/**
 * The order in which a commit applies a batch's operations: by document key as LMDB orders it (unsigned), and in
 * batch order among operations of the same key, so the outcome is the batch order's (operations on different keys
 * touch different records). Applying in key order makes each operation's B-tree descent follow the last one's
 * pages instead of jumping across the tree: a batch of writes in random key order (repair's, by tree segment)
 * costs markedly less CPU per write, and more so the larger the batch. A stable merge sort of operation indices;
 * its arrays grow to the largest batch seen and are reused, so a steady-state commit allocates nothing.
 * Single-threaded: the committing thread's.
 */
final class KeyOrder
{
    private static final int INITIAL_CAPACITY = 64;
    private static final int INSERTION_SORT_LENGTH = 16;

    private int[] order = new int[INITIAL_CAPACITY];
    private int[] scratch = new int[INITIAL_CAPACITY];
    private long[] keys = new long[INITIAL_CAPACITY];

    /**
     * Sort the batch's operation indices.
     *
     * @param batch the batch about to be committed.
     * @return the indices in the order to apply them; valid until the next call.
     */
    int[] sort(final WriteBatch batch)
    {
        final int size = batch.size();
        if (order.length < size)
        {
            final int capacity = Math.max(size, order.length * 2);
            order = new int[capacity];
            scratch = new int[capacity];
            keys = new long[capacity];
        }
        boolean sorted = true;
        for (int i = 0; i < size; i++)
        {
            order[i] = i;
            keys[i] = batch.key(i);
            sorted &= 0 == i || Long.compareUnsigned(keys[i - 1], keys[i]) <= 0;
        }
        if (!sorted)
        {
            mergeSort(0, size);
        }
        return order;
    }

    private void mergeSort(final int from, final int to)
    {
        if (to - from <= INSERTION_SORT_LENGTH)
        {
            insertionSort(from, to);
            return;
        }
        final int middle = (from + to) >>> 1;
        mergeSort(from, middle);
        mergeSort(middle, to);
        if (!before(order[middle], order[middle - 1]))
        {
            return;
        }
        System.arraycopy(order, from, scratch, from, to - from);
        int left = from;
        int right = middle;
        for (int i = from; i < to; i++)
        {
            // Ties take the left run first: equal keys keep their batch order.
            if (right >= to || (left < middle && !before(scratch[right], scratch[left])))
            {
                order[i] = scratch[left++];
            }
            else
            {
                order[i] = scratch[right++];
            }
        }
    }

    private void insertionSort(final int from, final int to)
    {
        for (int i = from + 1; i < to; i++)
        {
            final int index = order[i];
            int j = i - 1;
            while (j >= from && before(index, order[j]))
            {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = index;
        }
    }

    /**
     * @return true if operation {@code a} goes strictly before operation {@code b}: a lower key.
     */
    private boolean before(final int a, final int b)
    {
        return Long.compareUnsigned(keys[a], keys[b]) < 0;
    }
}
