package io.datacake.benchmarks.storage;

import io.datacake.benchmarks.ProcessStats;
import io.datacake.storage.WriteBatch;
import io.datacake.storage.lmdb.LmdbDurability;
import io.datacake.storage.lmdb.LmdbStorage;
import io.datacake.storage.lmdb.LmdbStorageConfig;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What one LMDB put of a joining node costs: {@code fill} writes {@code count} documents with keys spread over the
 * whole 64-bit key space (as repair brings them: in no key order; committed in key-sorted batches without
 * flushing), then {@code put} (a fresh JVM) commits {@code puts} new documents with keys spread
 * the same way, in batches of {@code batch} operations in random order at the given durability, and prints the
 * committing thread's CPU time per put, split into user and kernel time (from {@code /proc/thread-self/stat}), wall
 * time per put and commits per second. A file filled once serves many runs of {@code put} if each starts at ids no
 * earlier run wrote ({@code firstId}): a put of an id already stored with the same stamp changes nothing.
 * <p>
 * Usage:
 * <pre>
 * java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -Xmx256m \
 *   -cp benchmarks/target/benchmarks.jar io.datacake.benchmarks.storage.LmdbWriteCostProbe fill DIR COUNT
 * java ... LmdbWriteCostProbe put DIR FIRST_ID PUTS BATCH DURABILITY
 * </pre>
 * DURABILITY is an {@link LmdbDurability} for the environment, or {@code refetchable:} and one for a {@code SYNC}
 * environment whose batches are all marked refetchable
 * ({@link LmdbStorageConfig#refetchableDurability(LmdbDurability)}).
 */
public final class LmdbWriteCostProbe
{
    static final String KEYSPACE = "probe";
    static final int VALUE_LENGTH = 16;
    static final int NODE_ID = 1;
    private static final long KEY_MULTIPLIER = 0x9E3779B97F4A7C15L;
    private static final int FILL_BATCH = 65_536;
    private static final long CLOCK_TICKS_PER_SECOND = 100;
    private static final String REFETCHABLE = "refetchable:";

    private LmdbWriteCostProbe()
    {
    }

    /**
     * @param args {@code fill DIR COUNT} or {@code put DIR FIRST_ID PUTS BATCH DURABILITY}.
     * @throws IOException if /proc cannot be read.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length == 3 && "fill".equals(args[0]))
        {
            final long startNs = System.nanoTime();
            write(Path.of(args[1]), 0, Integer.parseInt(args[2]), FILL_BATCH, LmdbDurability.NO_SYNC, false, true);
            System.out.printf(Locale.ROOT, "fill count=%s s=%.1f%n", args[2], (System.nanoTime() - startNs) / 1e9);
        }
        else if (args.length == 6 && "put".equals(args[0]))
        {
            final boolean refetchable = args[5].startsWith(REFETCHABLE);
            final LmdbDurability durability =
                LmdbDurability.valueOf(refetchable ? args[5].substring(REFETCHABLE.length()) : args[5]);
            write(Path.of(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                durability, refetchable, false);
        }
        else
        {
            System.err.println("usage: LmdbWriteCostProbe fill DIR COUNT | put DIR FIRST_ID PUTS BATCH DURABILITY");
            System.exit(2);
        }
    }

    /**
     * The key of document id {@code id}: a bijection of the ids spread over the whole key space.
     */
    static long keyOf(final long id)
    {
        return id * KEY_MULTIPLIER;
    }

    private static void write(
        final Path directory,
        final long firstId,
        final int count,
        final int batchSize,
        final LmdbDurability durability,
        final boolean refetchable,
        final boolean fill) throws IOException
    {
        final LmdbStorageConfig config = refetchable ?
            new LmdbStorageConfig(directory).refetchableDurability(durability) :
            new LmdbStorageConfig(directory).durability(durability);
        try (LmdbStorage storage = LmdbStorage.open(config))
        {
            final WriteBatch batch = new WriteBatch(
                storage.maxValueLength(), batchSize, Math.max(storage.maxValueLength(), batchSize * VALUE_LENGTH));
            final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_LENGTH]);
            final long[] ticksBefore = threadTicks();
            final long startNs = System.nanoTime();
            long commits = 0;
            for (long id = firstId, end = firstId + count; id < end; id++)
            {
                value.putLong(0, id);
                batch.put(KEYSPACE, keyOf(id), id + 1, NODE_ID, value, 0, VALUE_LENGTH);
                if (batch.size() == batchSize || id == end - 1)
                {
                    batch.refetchable(refetchable);
                    storage.commit(batch);
                    commits++;
                }
            }
            final double wallS = (System.nanoTime() - startNs) / 1e9;
            final long[] ticksAfter = threadTicks();
            if (!fill)
            {
                final double userUs = (ticksAfter[0] - ticksBefore[0]) * 1e6 / CLOCK_TICKS_PER_SECOND / count;
                final double systemUs = (ticksAfter[1] - ticksBefore[1]) * 1e6 / CLOCK_TICKS_PER_SECOND / count;
                System.out.printf(Locale.ROOT,
                    "put durability=%s%s batch=%d puts=%d first_id=%d cpu_us_per_put=%.1f user_us=%.1f " +
                    "system_us=%.1f wall_us_per_put=%.1f commits_per_s=%.1f map_mib=%d load=%s%n",
                    refetchable ? REFETCHABLE : "", durability, batchSize, count, firstId, userUs + systemUs, userUs,
                    systemUs, wallS * 1e6 / count, commits / wallS, storage.mapSizeBytes() >> 20,
                    ProcessStats.loadAverage().replace(' ', '/'));
            }
        }
    }

    /**
     * @return the calling thread's user and kernel CPU time in clock ticks.
     */
    private static long[] threadTicks() throws IOException
    {
        final String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // After the command: state is field 3 of the full line, utime field 14 and stime field 15.
        return new long[]{ Long.parseLong(fields[11]), Long.parseLong(fields[12]) };
    }
}
