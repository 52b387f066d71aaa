package io.datacake.perf;

import io.datacake.storage.MemoryStorage;
import io.datacake.storage.Storage;
import io.datacake.storage.lmdb.LmdbDurability;
import io.datacake.storage.lmdb.LmdbStorage;
import io.datacake.storage.lmdb.LmdbStorageConfig;
import io.datacake.storage.sqlite.SqliteDurability;
import io.datacake.storage.sqlite.SqliteStorage;
import io.datacake.storage.sqlite.SqliteStorageConfig;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The storages a node of the embedded cluster can keep its data in, named on the command line in lower case. The
 * disk storages run at the durability a replicated node suits (their data lives on other replicas too): LMDB without
 * sync, SQLite in WAL mode with NORMAL sync.
 */
public enum StorageKind
{
    /** The engine's in-memory storage. */
    MEMORY
    {
        Storage open(final Path nodeDir, final int maxValueBytes)
        {
            return new MemoryStorage(maxValueBytes);
        }
    },
    /** LMDB in the node's data directory. */
    LMDB
    {
        Storage open(final Path nodeDir, final int maxValueBytes)
        {
            return LmdbStorage.open(new LmdbStorageConfig(nodeDir.resolve("lmdb"))
                .maxValueLength(maxValueBytes)
                .durability(LmdbDurability.NO_SYNC));
        }
    },
    /** SQLite in one file in the node's data directory. */
    SQLITE
    {
        Storage open(final Path nodeDir, final int maxValueBytes)
        {
            return SqliteStorage.open(new SqliteStorageConfig(nodeDir.resolve("node.sqlite"))
                .maxValueLength(maxValueBytes)
                .durability(SqliteDurability.NORMAL));
        }
    };

    /**
     * Open a node's storage.
     *
     * @param nodeDir       the node's own existing data directory.
     * @param maxValueBytes longest value the storage must hold.
     * @return the opened storage; the caller closes it.
     * @throws io.datacake.storage.StorageException if the storage cannot be opened.
     */
    abstract Storage open(Path nodeDir, int maxValueBytes);

    /**
     * @return the name the command line uses.
     */
    @Override
    public String toString()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
