package io.datacake.storage.lmdb;

import io.datacake.storage.Storage;

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

    private final Path directory;
    private long initialMapSizeBytes = DEFAULT_INITIAL_MAP_SIZE_BYTES;
    private long maxMapSizeBytes = DEFAULT_MAX_MAP_SIZE_BYTES;
    private int maxReaders = DEFAULT_MAX_READERS;
    private int maxValueLength = Storage.DEFAULT_MAX_VALUE_LENGTH;
    private long resizeWaitTimeoutMs = DEFAULT_RESIZE_WAIT_TIMEOUT_MS;
    private LmdbDurability durability = LmdbDurability.SYNC;
    private LmdbDurability refetchableDurability = LmdbDurability.NO_META_SYNC;

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
    }
}
