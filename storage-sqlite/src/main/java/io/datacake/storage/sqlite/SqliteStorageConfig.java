package io.datacake.storage.sqlite;

import io.datacake.storage.Storage;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Options for {@link SqliteStorage#open(SqliteStorageConfig)}. Setters return {@code this}; values are checked
 * when the storage opens.
 */
public final class SqliteStorageConfig
{
    /** Default time a connection waits on a lock held by another connection. */
    public static final int DEFAULT_BUSY_TIMEOUT_MS = 5_000;

    private final Path file;
    private int maxValueLength = Storage.DEFAULT_MAX_VALUE_LENGTH;
    private int busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS;
    private SqliteDurability durability = SqliteDurability.NORMAL;

    /**
     * @param file the database file; created (with its parent directories) if missing.
     */
    public SqliteStorageConfig(final Path file)
    {
        this.file = Objects.requireNonNull(file, "file");
    }

    /**
     * @return the database file.
     */
    public Path file()
    {
        return file;
    }

    /**
     * @param maxValueLength largest document value in bytes, up to 10^9 (SQLite's default blob limit).
     * @return this.
     */
    public SqliteStorageConfig maxValueLength(final int maxValueLength)
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
     * @param timeoutMs how long a connection waits for a lock before failing.
     * @return this.
     */
    public SqliteStorageConfig busyTimeoutMs(final int timeoutMs)
    {
        this.busyTimeoutMs = timeoutMs;
        return this;
    }

    /**
     * @return how long a connection waits for a lock, in milliseconds.
     */
    public int busyTimeoutMs()
    {
        return busyTimeoutMs;
    }

    /**
     * @param durability what a returned commit promises.
     * @return this.
     */
    public SqliteStorageConfig durability(final SqliteDurability durability)
    {
        this.durability = Objects.requireNonNull(durability, "durability");
        return this;
    }

    /**
     * @return what a returned commit promises.
     */
    public SqliteDurability durability()
    {
        return durability;
    }

    void validate()
    {
        if (maxValueLength < 0 || maxValueLength > SqliteSchema.MAX_VALUE_LENGTH)
        {
            throw new IllegalArgumentException(
                "maxValueLength must be in [0, " + SqliteSchema.MAX_VALUE_LENGTH + "]: " + maxValueLength);
        }
        if (busyTimeoutMs < 0)
        {
            throw new IllegalArgumentException("busyTimeoutMs must be >= 0: " + busyTimeoutMs);
        }
    }
}
