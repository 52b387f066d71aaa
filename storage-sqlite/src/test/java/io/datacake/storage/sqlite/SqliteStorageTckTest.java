package io.datacake.storage.sqlite;

import io.datacake.storage.Storage;
import io.datacake.storage.tck.StorageTck;

import java.nio.file.Path;

/**
 * SQLite against the whole conformance kit.
 */
class SqliteStorageTckTest extends StorageTck
{
    protected Storage openStorage(final Path directory)
    {
        return SqliteStorage.open(new SqliteStorageConfig(directory.resolve("datacake.db"))
            .maxValueLength(2 * 1024 * 1024)
            .durability(SqliteDurability.OFF));
    }
}
