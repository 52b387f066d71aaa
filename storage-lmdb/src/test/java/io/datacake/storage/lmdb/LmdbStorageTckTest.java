package io.datacake.storage.lmdb;

import io.datacake.storage.Storage;
import io.datacake.storage.tck.StorageTck;

import java.nio.file.Path;

/**
 * LMDB against the whole conformance kit. The map starts at its minimum, so the kit's large-value, thousand-keyspace
 * and concurrent cases also exercise map growth under load.
 */
class LmdbStorageTckTest extends StorageTck
{
    protected Storage openStorage(final Path directory)
    {
        return LmdbStorage.open(new LmdbStorageConfig(directory)
            .initialMapSizeBytes(256 * 1024)
            .maxValueLength(2 * 1024 * 1024)
            .durability(LmdbDurability.NO_SYNC));
    }
}
