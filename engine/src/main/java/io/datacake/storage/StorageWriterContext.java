package io.datacake.storage;

import org.agrona.BitUtil;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.util.concurrent.TimeUnit;

/**
 * Configuration of a {@link StorageWriter}: the storage it commits to, every bound it keeps, and whether it runs on
 * its own thread or is stepped by the caller. Fluent setters; {@link #conclude()} (called by
 * {@link StorageWriter#launch}) validates and fills in defaults.
 */
public final class StorageWriterContext
{
    /** Default bound on bytes submitted but not yet completed (encoded records, values included). */
    public static final int DEFAULT_MAX_IN_FLIGHT_BYTES = 8 * 1024 * 1024;
    /** Default bound on writes submitted but not yet completed. */
    public static final int DEFAULT_MAX_IN_FLIGHT_WRITES = 16 * 1024;
    /** Default bound on operations committed in one storage transaction. */
    public static final int DEFAULT_MAX_BATCH_OPERATIONS = 4 * 1024;
    /** Default bound on value bytes committed in one storage transaction. */
    public static final int DEFAULT_MAX_BATCH_VALUE_BYTES = 4 * 1024 * 1024;
    /**
     * Default bound on operations committed in one storage transaction made only of repair writes. Larger than
     * {@link #DEFAULT_MAX_BATCH_OPERATIONS}: a node catching up applies repair writes in hash order, so a larger
     * transaction shares more of the storage's pages among its writes, at the cost of the storage's transient memory
     * for the pages one transaction changes (LMDB: up to two 4 KiB pages a write) and of the wait of a client write
     * that arrives while such a transaction commits.
     */
    public static final int DEFAULT_MAX_REPAIR_BATCH_OPERATIONS = 8 * 1024;
    /** Default bound on value bytes committed in one storage transaction made only of repair writes. */
    public static final int DEFAULT_MAX_REPAIR_BATCH_VALUE_BYTES = 4 * 1024 * 1024;
    /** Default bound on committed batches waiting to be reported to the node thread. */
    public static final int DEFAULT_COMPLETION_QUEUE_CAPACITY = 64;
    /** Default bound on completion callbacks run per call of {@link StorageWriter#drainCompletions(int)}. */
    public static final int DEFAULT_COMPLETION_LIMIT = 1024;
    /** Default bound on distinct keyspace names a writer encodes. */
    public static final int DEFAULT_MAX_KEYSPACES = 1024;
    /** Largest {@link #maxInFlightBytes(int)}: the largest ring buffer the writer allocates. */
    public static final int MAX_IN_FLIGHT_BYTES_LIMIT = 1 << 30;

    private static final System.Logger LOGGER = System.getLogger(StorageWriterContext.class.getName());

    private Storage storage;
    private int maxInFlightBytes = DEFAULT_MAX_IN_FLIGHT_BYTES;
    private int maxInFlightWrites = DEFAULT_MAX_IN_FLIGHT_WRITES;
    private int maxBatchOperations = DEFAULT_MAX_BATCH_OPERATIONS;
    private int maxBatchValueBytes = DEFAULT_MAX_BATCH_VALUE_BYTES;
    private int maxRepairBatchOperations = DEFAULT_MAX_REPAIR_BATCH_OPERATIONS;
    private int maxRepairBatchValueBytes = -1;
    private int completionQueueCapacity = DEFAULT_COMPLETION_QUEUE_CAPACITY;
    private int completionLimit = DEFAULT_COMPLETION_LIMIT;
    private int maxKeyspaces = DEFAULT_MAX_KEYSPACES;
    private int maxValueLength = -1;
    private IdleStrategy idleStrategy;
    private boolean useAgentInvoker;
    private boolean commitOnClose = true;
    private boolean commitInline = true;
    private String threadName = "datacake-storage-writer";
    private ErrorHandler errorHandler;

    /**
     * Validate the configuration and fill in defaults. Called by {@link StorageWriter#launch}.
     *
     * @return this.
     * @throws IllegalArgumentException if a value is out of range or the storage is missing.
     */
    public StorageWriterContext conclude()
    {
        if (null == storage)
        {
            throw new IllegalArgumentException("storage must be set (e.g. new MemoryStorage())");
        }
        checkPositive(maxInFlightBytes, "maxInFlightBytes");
        if (maxInFlightBytes > MAX_IN_FLIGHT_BYTES_LIMIT)
        {
            throw new IllegalArgumentException(
                "maxInFlightBytes must be at most " + MAX_IN_FLIGHT_BYTES_LIMIT + ": " + maxInFlightBytes);
        }
        checkPositive(maxInFlightWrites, "maxInFlightWrites");
        checkPositive(maxBatchOperations, "maxBatchOperations");
        checkPositive(maxRepairBatchOperations, "maxRepairBatchOperations");
        checkPositive(completionQueueCapacity, "completionQueueCapacity");
        checkPositive(completionLimit, "completionLimit");
        checkPositive(maxKeyspaces, "maxKeyspaces");
        // The ring buffer takes records up to an eighth of its capacity.
        final int largestValue = ringCapacity() / 8 - WriteRecord.RECORD_HEADER_LENGTH - WriteRecord.VALUE_OFFSET;
        if (maxValueLength < 0)
        {
            maxValueLength = Math.min(storage.maxValueLength(), Math.min(largestValue, maxBatchValueBytes));
        }
        if (maxValueLength > storage.maxValueLength())
        {
            throw new IllegalArgumentException("maxValueLength " + maxValueLength + " is above the storage's " +
                storage.maxValueLength());
        }
        if (maxValueLength > largestValue)
        {
            throw new IllegalArgumentException("maxValueLength " + maxValueLength + " does not fit in an eighth of " +
                "maxInFlightBytes (" + maxInFlightBytes + "): raise maxInFlightBytes to at least " +
                8L * (maxValueLength + WriteRecord.RECORD_HEADER_LENGTH + WriteRecord.VALUE_OFFSET));
        }
        if (maxBatchValueBytes < maxValueLength)
        {
            throw new IllegalArgumentException("maxBatchValueBytes (" + maxBatchValueBytes + ") must hold the " +
                "largest value (maxValueLength " + maxValueLength + ")");
        }
        if (maxRepairBatchValueBytes < 0)
        {
            maxRepairBatchValueBytes = Math.max(DEFAULT_MAX_REPAIR_BATCH_VALUE_BYTES, maxBatchValueBytes);
        }
        if (maxRepairBatchValueBytes < maxValueLength)
        {
            throw new IllegalArgumentException("maxRepairBatchValueBytes (" + maxRepairBatchValueBytes +
                ") must hold the largest value (maxValueLength " + maxValueLength + ")");
        }
        if (null == idleStrategy)
        {
            // Spins a little, yields, then parks up to 1 ms: commits start soon after a submit, an idle writer costs
            // almost nothing and never starves the node thread of a core.
            idleStrategy = new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(1));
        }
        if (null == errorHandler)
        {
            errorHandler = (throwable) -> LOGGER.log(System.Logger.Level.WARNING, "storage writer error", throwable);
        }
        return this;
    }

    /**
     * The storage every commit goes to. The writer does not close it: close the writer first, then the storage.
     *
     * @param storage an open storage; after launch only the writer commits to it.
     * @return this.
     */
    public StorageWriterContext storage(final Storage storage)
    {
        this.storage = storage;
        return this;
    }

    /**
     * The storage.
     *
     * @return the storage, null if not set.
     */
    public Storage storage()
    {
        return storage;
    }

    /**
     * Bound on the bytes of writes submitted and not yet completed (each counts its value plus a 40-byte record
     * header, rounded up to 8). A submit past it is refused with {@link StorageWriter#BACK_PRESSURED}. Also sizes
     * the ring buffer the writes travel in (the next power of two), and a value may take at most an eighth of it.
     *
     * @param maxInFlightBytes bytes, 1..2^30.
     * @return this.
     */
    public StorageWriterContext maxInFlightBytes(final int maxInFlightBytes)
    {
        this.maxInFlightBytes = maxInFlightBytes;
        return this;
    }

    /**
     * Bound on in-flight bytes.
     *
     * @return bytes.
     */
    public int maxInFlightBytes()
    {
        return maxInFlightBytes;
    }

    /**
     * Bound on writes submitted and not yet completed; a submit past it is refused with
     * {@link StorageWriter#BACK_PRESSURED}. Rounded up to a power of two.
     *
     * @param maxInFlightWrites writes.
     * @return this.
     */
    public StorageWriterContext maxInFlightWrites(final int maxInFlightWrites)
    {
        this.maxInFlightWrites = maxInFlightWrites;
        return this;
    }

    /**
     * Bound on in-flight writes.
     *
     * @return writes.
     */
    public int maxInFlightWrites()
    {
        return maxInFlightWrites;
    }

    /**
     * Bound on the operations of one commit window: one window takes everything submitted so far, up to this many,
     * into one storage transaction.
     *
     * @param maxBatchOperations operations.
     * @return this.
     */
    public StorageWriterContext maxBatchOperations(final int maxBatchOperations)
    {
        this.maxBatchOperations = maxBatchOperations;
        return this;
    }

    /**
     * Bound on operations per commit.
     *
     * @return operations.
     */
    public int maxBatchOperations()
    {
        return maxBatchOperations;
    }

    /**
     * Bound on the value bytes of one commit window; at least the largest value.
     *
     * @param maxBatchValueBytes bytes.
     * @return this.
     */
    public StorageWriterContext maxBatchValueBytes(final int maxBatchValueBytes)
    {
        this.maxBatchValueBytes = maxBatchValueBytes;
        return this;
    }

    /**
     * Bound on value bytes per commit.
     *
     * @return bytes.
     */
    public int maxBatchValueBytes()
    {
        return maxBatchValueBytes;
    }

    /**
     * Bound on the operations of one commit window made only of repair writes
     * ({@link StorageWriter#submitRepairPut}, {@link StorageWriter#submitRepairTombstone}): such a window is committed
     * as one {@linkplain WriteBatch#refetchable(boolean) refetchable} transaction. A window holding any other write
     * keeps {@link #maxBatchOperations(int)}, and a repair window ends at the first other write, so a client write
     * waits behind at most one repair window. Also bounded by {@link #maxInFlightWrites(int)}.
     *
     * @param maxRepairBatchOperations operations.
     * @return this.
     */
    public StorageWriterContext maxRepairBatchOperations(final int maxRepairBatchOperations)
    {
        this.maxRepairBatchOperations = maxRepairBatchOperations;
        return this;
    }

    /**
     * Bound on operations per repair-only commit.
     *
     * @return operations.
     */
    public int maxRepairBatchOperations()
    {
        return maxRepairBatchOperations;
    }

    /**
     * Bound on the value bytes of one commit window made only of repair writes; at least the largest value. Default:
     * the larger of {@link #DEFAULT_MAX_REPAIR_BATCH_VALUE_BYTES} and {@link #maxBatchValueBytes(int)}.
     *
     * @param maxRepairBatchValueBytes bytes.
     * @return this.
     */
    public StorageWriterContext maxRepairBatchValueBytes(final int maxRepairBatchValueBytes)
    {
        this.maxRepairBatchValueBytes = maxRepairBatchValueBytes;
        return this;
    }

    /**
     * Bound on value bytes per repair-only commit.
     *
     * @return bytes, -1 until set or concluded.
     */
    public int maxRepairBatchValueBytes()
    {
        return maxRepairBatchValueBytes;
    }

    /**
     * Bound on finished commits waiting for the node thread to hear of them; the writer holds off its next commit
     * while the queue is full. Rounded up to a power of two.
     *
     * @param completionQueueCapacity commits.
     * @return this.
     */
    public StorageWriterContext completionQueueCapacity(final int completionQueueCapacity)
    {
        this.completionQueueCapacity = completionQueueCapacity;
        return this;
    }

    /**
     * Completion queue bound.
     *
     * @return commits.
     */
    public int completionQueueCapacity()
    {
        return completionQueueCapacity;
    }

    /**
     * Bound on completion callbacks a {@link StorageWriterComponent} runs per turn of the node's duty cycle.
     *
     * @param completionLimit callbacks per turn.
     * @return this.
     */
    public StorageWriterContext completionLimit(final int completionLimit)
    {
        this.completionLimit = completionLimit;
        return this;
    }

    /**
     * Callbacks per turn.
     *
     * @return the bound.
     */
    public int completionLimit()
    {
        return completionLimit;
    }

    /**
     * Bound on distinct keyspace names written through the writer (each is encoded once, as a small id).
     *
     * @param maxKeyspaces keyspaces.
     * @return this.
     */
    public StorageWriterContext maxKeyspaces(final int maxKeyspaces)
    {
        this.maxKeyspaces = maxKeyspaces;
        return this;
    }

    /**
     * Keyspace bound.
     *
     * @return keyspaces.
     */
    public int maxKeyspaces()
    {
        return maxKeyspaces;
    }

    /**
     * Largest value a submit accepts. Default: the smallest of the storage's maximum, an eighth of the ring buffer
     * and {@link #maxBatchValueBytes(int)}.
     *
     * @param maxValueLength bytes.
     * @return this.
     */
    public StorageWriterContext maxValueLength(final int maxValueLength)
    {
        this.maxValueLength = maxValueLength;
        return this;
    }

    /**
     * Largest value.
     *
     * @return bytes, -1 until set or concluded.
     */
    public int maxValueLength()
    {
        return maxValueLength;
    }

    /**
     * How the writer thread waits when there is nothing to commit.
     *
     * @param idleStrategy the strategy (default: back off to parking up to 1 ms).
     * @return this.
     */
    public StorageWriterContext idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /**
     * The idle strategy.
     *
     * @return the strategy, null until set or concluded.
     */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * Step the writer from the caller's loop through {@link StorageWriter#invoker()} instead of starting a thread:
     * a simulation drives commits one window at a time, deterministically.
     *
     * @param useAgentInvoker true for stepped mode (default false: a dedicated thread).
     * @return this.
     */
    public StorageWriterContext useAgentInvoker(final boolean useAgentInvoker)
    {
        this.useAgentInvoker = useAgentInvoker;
        return this;
    }

    /**
     * Whether the writer is stepped.
     *
     * @return true in stepped mode.
     */
    public boolean useAgentInvoker()
    {
        return useAgentInvoker;
    }

    /**
     * What {@link StorageWriter#close()} does with writes submitted but not yet taken into a commit window: commit
     * them (default), or fail them without touching the storage, as a crash would lose them (a simulation uses this
     * to model a node that stops with writes in flight). Either way every write gets exactly one outcome before
     * close returns.
     *
     * @param commitOnClose true to commit in-flight writes on close, false to fail them.
     * @return this.
     */
    public StorageWriterContext commitOnClose(final boolean commitOnClose)
    {
        this.commitOnClose = commitOnClose;
        return this;
    }

    /**
     * Whether close commits in-flight writes.
     *
     * @return true to commit them, false to fail them.
     */
    public boolean commitOnClose()
    {
        return commitOnClose;
    }

    /**
     * Let the node thread commit the writes it submitted when the storage can do so without waiting
     * ({@link Storage#commitsWithoutWaiting()}, true for {@link MemoryStorage}), through
     * {@link StorageWriter#commitInline()}: acks then cost no hand-off to the writer thread and back. What a commit
     * promises does not change (a {@link MemoryStorage} write is readable once its ack arrives, and nothing is
     * durable); only the commit's CPU work, bounded by {@link #maxBatchOperations(int)} and
     * {@link #maxBatchValueBytes(int)}, moves to the node thread. Ignored in stepped mode and for storages that may
     * wait (LMDB, SQLite), which always commit on the writer thread.
     *
     * @param commitInline true (default) to commit inline when the storage allows it, false to always hand commits
     *                     to the writer thread.
     * @return this.
     */
    public StorageWriterContext commitInline(final boolean commitInline)
    {
        this.commitInline = commitInline;
        return this;
    }

    /**
     * Whether the node thread commits inline when the storage allows it.
     *
     * @return true if inline commits are allowed.
     */
    public boolean commitInline()
    {
        return commitInline;
    }

    /**
     * Name of the writer thread.
     *
     * @param threadName the name (default {@code datacake-storage-writer}).
     * @return this.
     */
    public StorageWriterContext threadName(final String threadName)
    {
        this.threadName = threadName;
        return this;
    }

    /**
     * Name of the writer thread.
     *
     * @return the name.
     */
    public String threadName()
    {
        return threadName;
    }

    /**
     * Where exceptions thrown by completion handlers (and unexpected writer errors) go; the writer keeps running.
     *
     * @param errorHandler the handler (default: log at WARNING through {@link System.Logger}).
     * @return this.
     */
    public StorageWriterContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    /**
     * The error handler.
     *
     * @return the handler, null until set or concluded.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    int ringCapacity()
    {
        return BitUtil.findNextPositivePowerOfTwo(maxInFlightBytes);
    }

    int ringBufferLength()
    {
        return ringCapacity() + RingBufferDescriptor.TRAILER_LENGTH;
    }

    private static void checkPositive(final long value, final String name)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
