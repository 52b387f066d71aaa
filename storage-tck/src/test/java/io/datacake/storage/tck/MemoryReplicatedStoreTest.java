package io.datacake.storage.tck;

import io.datacake.storage.MemoryStorage;
import io.datacake.storage.Storage;

import java.nio.file.Path;

/**
 * The replicated store's scenarios over the in-memory storage: a restarted node keeps its open storage instance.
 */
class MemoryReplicatedStoreTest extends ReplicatedStoreScenarios
{
    protected Storage openStorage(final Path directory)
    {
        return new MemoryStorage();
    }

    protected boolean isPersistent()
    {
        return false;
    }
}
