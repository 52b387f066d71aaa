package io.datacake.storage.tck;

import io.datacake.storage.MemoryStorage;
import io.datacake.storage.Storage;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An executable walk through the conformance kit: extending {@link StorageTck} runs every case of the kit against
 * your storage, and your own cases can use the kit's helpers.
 */
class TutorialTest extends StorageTck
{
    // 1. The factory: called with a fresh directory per test, and again with the same directory to reopen.
    protected Storage openStorage(final Path directory)
    {
        return new MemoryStorage();
    }

    // 2. Storages that do not survive a reopen say so; the kit then skips its durability cases.
    protected boolean isPersistent()
    {
        return false;
    }

    // 3. Add cases of your own next to the kit's, with its helpers: storage(), nextStamp(), reopen(), sortedMetadata().
    @Test
    void myStorageSpecificCase()
    {
        final long stamp = nextStamp();
        storage().put("mine", 1, stamp, 1, new byte[]{42});
        assertThat(storage().get("mine", 1).stamp()).isEqualTo(stamp);
        assertThat(sortedMetadata("mine")).hasSize(1);
    }
}
