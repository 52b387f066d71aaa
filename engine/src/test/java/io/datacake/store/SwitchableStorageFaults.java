package io.datacake.store;

import io.datacake.sim.StorageFaults;

/**
 * Storage faults a test switches on and off: while on, every commit of one named storage fails; commits are durable
 * when they return.
 */
final class SwitchableStorageFaults implements StorageFaults
{
    private final String failingStorage;
    private boolean failing;

    SwitchableStorageFaults(final String failingStorage)
    {
        this.failingStorage = failingStorage;
    }

    void failing(final boolean failing)
    {
        this.failing = failing;
    }

    public boolean failsCommit(final String storageName, final int operationCount)
    {
        return failing && failingStorage.equals(storageName);
    }

    public long syncDelayMs(final String storageName, final int operationCount)
    {
        return 0;
    }
}
