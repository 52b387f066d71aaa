package io.datacake.storage.tck;

import io.datacake.storage.MemoryStorage;
import io.datacake.storage.Storage;

import java.nio.file.Path;

/**
 * The engine's {@link MemoryStorage} against the whole conformance kit (it lives here because the engine cannot
 * depend on the kit). Memory storage is not persistent, so the reopen cases are skipped.
 */
class MemoryStorageTckTest extends StorageTck
{
    protected Storage openStorage(final Path directory)
    {
        return new MemoryStorage(2 * 1024 * 1024);
    }

    protected boolean isPersistent()
    {
        return false;
    }
}
