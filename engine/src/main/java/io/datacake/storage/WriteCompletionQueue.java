package io.datacake.storage;

import org.agrona.BitUtil;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Finished commits on their way from the writer thread to the node thread: one entry per commit window (its first
 * and last sequence and its failure, null for success), in preallocated arrays, so publishing allocates nothing.
 * One producer (the writer), one consumer (the node thread).
 */
final class WriteCompletionQueue
{
    private final int mask;
    private final long[] firstSequences;
    private final long[] lastSequences;
    private final Throwable[] failures;
    private final AtomicLong producerPosition = new AtomicLong();
    private final AtomicLong consumerPosition = new AtomicLong();
    private long polledFirst;
    private long polledLast;
    private Throwable polledFailure;

    WriteCompletionQueue(final int capacity)
    {
        final int length = BitUtil.findNextPositivePowerOfTwo(capacity);
        this.mask = length - 1;
        this.firstSequences = new long[length];
        this.lastSequences = new long[length];
        this.failures = new Throwable[length];
    }

    /** Writer side: whether a commit's outcome can be published now. */
    boolean hasRoom()
    {
        return producerPosition.getPlain() - consumerPosition.getAcquire() <= mask;
    }

    /** Writer side: publish a commit's outcome; call only after {@link #hasRoom()} said yes. */
    void publish(final long firstSequence, final long lastSequence, final Throwable failure)
    {
        final long position = producerPosition.getPlain();
        final int index = (int)position & mask;
        firstSequences[index] = firstSequence;
        lastSequences[index] = lastSequence;
        failures[index] = failure;
        producerPosition.setRelease(position + 1);
    }

    /** Consumer side: take the oldest entry into {@link #polledFirst()} and friends. */
    boolean poll()
    {
        final long position = consumerPosition.getPlain();
        if (position == producerPosition.getAcquire())
        {
            return false;
        }
        final int index = (int)position & mask;
        polledFirst = firstSequences[index];
        polledLast = lastSequences[index];
        polledFailure = failures[index];
        failures[index] = null;
        consumerPosition.setRelease(position + 1);
        return true;
    }

    boolean isEmpty()
    {
        return consumerPosition.getPlain() == producerPosition.getAcquire();
    }

    long polledFirst()
    {
        return polledFirst;
    }

    long polledLast()
    {
        return polledLast;
    }

    Throwable polledFailure()
    {
        return polledFailure;
    }
}
