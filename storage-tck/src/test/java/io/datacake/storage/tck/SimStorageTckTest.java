package io.datacake.storage.tck;

import io.datacake.sim.RandomStorageFaults;
import io.datacake.sim.SimClock;
import io.datacake.sim.SimStorage;
import io.datacake.storage.Storage;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The simulation's {@link SimStorage} against the whole conformance kit (it lives here because the engine cannot
 * depend on the kit), with commits that become durable late: a clean close makes them durable, so a reopened
 * storage holds every committed write, as the kit requires. One simulated disk per test directory.
 */
class SimStorageTckTest extends StorageTck
{
    private final SimClock clock = new SimClock();
    private final Map<Path, SimStorage> diskByDirectory = new HashMap<>();

    protected Storage openStorage(final Path directory)
    {
        final SimStorage existing = diskByDirectory.get(directory);
        if (null != existing)
        {
            existing.reopen();
            return existing;
        }
        final SimStorage storage = new SimStorage("tck", clock, new RandomStorageFaults(7, 0, 0, 50),
            2 * 1024 * 1024, SimStorage.DEFAULT_MAX_PENDING_COMMITS);
        diskByDirectory.put(directory, storage);
        return storage;
    }
}
