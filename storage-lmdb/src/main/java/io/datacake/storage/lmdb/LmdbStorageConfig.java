package io.datacake.storage.lmdb;

import io.datacake.storage.Storage;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Options for {@link LmdbStorage#open(LmdbStorageConfig)}. Setters return {@code this}; every value is checked
 * when the storage opens.
 */
public final class LmdbStorageConfig
{
    /** Default initial map size: 64 MiB. The map grows by doubling when full. */
    public static final long DEFAULT_INITIAL_MAP_SIZE_BYTES = 64L * 1024 * 1024;

    /** Default bound on map growth: 1 TiB of address space (the file only grows with the data). */
    public static final long DEFAULT_MAX_MAP_SIZE_BYTES = 1L << 40;

    /** Default bound on concurrently open read transactions (LMDB's default). */
    public static final int DEFAULT_MAX_READERS = 126;

    /** Default time a map resize waits for open read transactions to close. */
    public static final long DEFAULT_RESIZE_WAIT_TIMEOUT_MS = 10_000;

    /**
     * Default bound on the bytes of the data file read at open when read-ahead is off: half the machine's physical
     * memory as the JVM reports it (1 GiB if it reports none), so the warm-up never evicts most of the page cache.
     */
    public static final long DEFAULT_WARM_UP_MAX_BYTES = physicalMemoryBytes() / 2;

    private final Path directory;
    private long initialMapSizeBytes = DEFAULT_INITIAL_MAP_SIZE_BYTES;
    private long maxMapSizeBytes = DEFAULT_MAX_MAP_SIZE_BYTES;
    private int maxReaders = DEFAULT_MAX_READERS;
    private int maxValueLength = Storage.DEFAULT_MAX_VALUE_LENGTH;
    private long resizeWaitTimeoutMs = DEFAULT_RESIZE_WAIT_TIMEOUT_MS;
    private LmdbDurability durability = LmdbDurability.SYNC;
    private LmdbDurability refetchableDurability = LmdbDurability.NO_META_SYNC;
    private boolean readAhead = false;
    private long warmUpMaxBytes = DEFAULT_WARM_UP_MAX_BYTES;

    /**
     * @param directory directory of the environment ({@code data.mdb}, {@code lock.mdb}); created if missing.
     */
    public LmdbStorageConfig(final Path directory)
    {
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    /**
     * @return directory of the environment.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @param bytes map size to open with; an existing environment keeps its larger size.
     * @return this.
     */
    public LmdbStorageConfig initialMapSizeBytes(final long bytes)
    {
        this.initialMapSizeBytes = bytes;
        return this;
    }

    /**
     * @return initial map size in bytes.
     */
    public long initialMapSizeBytes()
    {
        return initialMapSizeBytes;
    }

    /**
     * @param bytes largest map size growth may reach; a commit that needs more fails.
     * @return this.
     */
    public LmdbStorageConfig maxMapSizeBytes(final long bytes)
    {
        this.maxMapSizeBytes = bytes;
        return this;
    }

    /**
     * @return bound on map growth in bytes.
     */
    public long maxMapSizeBytes()
    {
        return maxMapSizeBytes;
    }

    /**
     * @param maxReaders bound on read transactions open at once (each thread pools one).
     * @return this.
     */
    public LmdbStorageConfig maxReaders(final int maxReaders)
    {
        this.maxReaders = maxReaders;
        return this;
    }

    /**
     * @return bound on open read transactions.
     */
    public int maxReaders()
    {
        return maxReaders;
    }

    /**
     * @param maxValueLength largest document value in bytes.
     * @return this.
     */
    public LmdbStorageConfig maxValueLength(final int maxValueLength)
    {
        this.maxValueLength = maxValueLength;
        return this;
    }

    /**
     * @return largest document value in bytes.
     */
    public int maxValueLength()
    {
        return maxValueLength;
    }

    /**
     * @param timeoutMs how long a map resize waits for open read transactions before the commit fails.
     * @return this.
     */
    public LmdbStorageConfig resizeWaitTimeoutMs(final long timeoutMs)
    {
        this.resizeWaitTimeoutMs = timeoutMs;
        return this;
    }

    /**
     * @return how long a map resize waits for readers, in milliseconds.
     */
    public long resizeWaitTimeoutMs()
    {
        return resizeWaitTimeoutMs;
    }

    /**
     * @param durability what a returned commit promises.
     * @return this.
     */
    public LmdbStorageConfig durability(final LmdbDurability durability)
    {
        this.durability = Objects.requireNonNull(durability, "durability");
        return this;
    }

    /**
     * @return what a returned commit promises.
     */
    public LmdbDurability durability()
    {
        return durability;
    }

    /**
     * What a commit of a {@linkplain io.datacake.storage.WriteBatch#refetchable(boolean) refetchable} batch (repair
     * writes only, which a replica would send again) promises, when that is weaker than {@link #durability()}; a
     * stronger value changes nothing. Default {@link LmdbDurability#NO_META_SYNC}: data pages are still flushed,
     * so integrity holds through an OS crash or power loss, which may lose only the latest such commit (every later
     * commit flushes the meta page it left); repair fetches it again. {@link LmdbDurability#NO_SYNC} flushes nothing
     * for such commits: cheaper, but an OS crash or power loss before the next flushing commit may leave a meta page
     * on disk whose data pages are not, and the environment corrupt; only for nodes that would rejoin from nothing
     * anyway. LMDB takes these as environment flags, switched for the one transaction by the committing thread.
     *
     * @param refetchableDurability durability of refetchable commits.
     * @return this.
     */
    public LmdbStorageConfig refetchableDurability(final LmdbDurability refetchableDurability)
    {
        this.refetchableDurability = Objects.requireNonNull(refetchableDurability, "refetchableDurability");
        return this;
    }

    /**
     * @return what a commit of a refetchable batch promises at most.
     */
    public LmdbDurability refetchableDurability()
    {
        return refetchableDurability;
    }

    /**
     * Whether the OS reads ahead around a page fault in the memory map. Default false: LMDB opens with
     * {@code MDB_NORDAHEAD}, which advises the map as random access ({@code MADV_RANDOM}), so a fault reads the one
     * page it needs. The store reads and writes by key, and repair walks keys in hash order, so neighbouring pages are
     * rarely the next ones used: once the data file outgrows the page cache, read-ahead fills the cache with pages
     * nobody asked for and evicts the ones in use. True suits a node whose file fits in memory and is often scanned
     * cold in key order (a restart's rebuild of a file loaded in key order).
     *
     * @param readAhead true to let the OS read ahead.
     * @return this.
     */
    public LmdbStorageConfig readAhead(final boolean readAhead)
    {
        this.readAhead = readAhead;
        return this;
    }

    /**
     * @return whether the OS reads ahead around a page fault in the memory map.
     */
    public boolean readAhead()
    {
        return readAhead;
    }

    /**
     * Bound on the bytes of the data file read sequentially at open, from its start, when {@link #readAhead()} is off.
     * Without read-ahead a cold scan (the rebuild of a node's sets after a restart) faults one page at a time; a
     * plain read first gets the file descriptor's read-ahead and fills the page cache at disk speed. Costs one read of
     * the file (from the page cache if it is there already). 0 turns it off.
     *
     * @param bytes bound on the bytes read at open.
     * @return this.
     */
    public LmdbStorageConfig warmUpMaxBytes(final long bytes)
    {
        this.warmUpMaxBytes = bytes;
        return this;
    }

    /**
     * @return bound on the bytes of the data file read at open when read-ahead is off.
     */
    public long warmUpMaxBytes()
    {
        return warmUpMaxBytes;
    }

    void validate()
    {
        if (initialMapSizeBytes < LmdbLayout.MIN_MAP_SIZE_BYTES)
        {
            throw new IllegalArgumentException(
                "initialMapSizeBytes must be >= " + LmdbLayout.MIN_MAP_SIZE_BYTES + ": " + initialMapSizeBytes);
        }
        if (maxMapSizeBytes < initialMapSizeBytes)
        {
            throw new IllegalArgumentException("maxMapSizeBytes (" + maxMapSizeBytes +
                ") must be >= initialMapSizeBytes (" + initialMapSizeBytes + ")");
        }
        if (maxReaders < 1)
        {
            throw new IllegalArgumentException("maxReaders must be >= 1: " + maxReaders);
        }
        if (maxValueLength < 0 || maxValueLength > LmdbLayout.MAX_VALUE_LENGTH)
        {
            throw new IllegalArgumentException(
                "maxValueLength must be in [0, " + LmdbLayout.MAX_VALUE_LENGTH + "]: " + maxValueLength);
        }
        if (resizeWaitTimeoutMs < 0)
        {
            throw new IllegalArgumentException("resizeWaitTimeoutMs must be >= 0: " + resizeWaitTimeoutMs);
        }
        if (warmUpMaxBytes < 0)
        {
            throw new IllegalArgumentException("warmUpMaxBytes must be >= 0 (0 turns the warm-up off): " +
                warmUpMaxBytes);
        }
    }

    private static long physicalMemoryBytes()
    {
        final java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean)
        {
            final long bytes = ((com.sun.management.OperatingSystemMXBean)os).getTotalMemorySize();
            if (bytes > 0)
            {
                return bytes;
            }
        }
        return 2L * 1024 * 1024 * 1024;
    }
}
