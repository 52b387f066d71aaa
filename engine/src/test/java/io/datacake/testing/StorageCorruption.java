package io.datacake.testing;

import io.datacake.clock.HlcTimestamp;
import io.datacake.storage.Document;
import io.datacake.storage.Storage;
import io.datacake.storage.StorageException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Opens a storage from copies of its files with bytes flipped or the data file truncated, and sorts what happens
 * into {@link Outcome}s. Anything else is a failure naming the seed and trial: an exception that is not a
 * {@link StorageException}, or a refusal whose message does not name the storage's path.
 * <p>
 * The storage to corrupt is written by the caller (keys {@code 0..keysPerKeyspace-1} in each keyspace, the value
 * of key k being {@link #value(String, long)}) and closed before the trials start.
 */
public final class StorageCorruption
{
    /** Bound on the bytes one trial flips. */
    public static final int MAX_FLIPPED_BYTES = 8;

    /** What one corrupted copy did. */
    public enum Outcome
    {
        /** Opening failed with a StorageException naming the path. */
        REFUSED_AT_OPEN,
        /** It opened, but reading failed with a StorageException. */
        REFUSED_AT_READ,
        /** It opened and every entry read back as written (the damage hit unused or redundant bytes). */
        READ_INTACT,
        /** It opened and read without an error, but some entries were missing or different: silent damage. */
        READ_CHANGED
    }

    private StorageCorruption()
    {
    }

    /**
     * Write {@code keys} documents (keys 0 .. keys - 1, values from {@link #value}) into each keyspace: the data a
     * corruption trial later expects to read back intact.
     *
     * @param storage   the storage to fill.
     * @param keyspaces the keyspaces to write.
     * @param keys      documents per keyspace.
     */
    public static void fill(final Storage storage, final List<String> keyspaces, final int keys)
    {
        for (final String keyspace : keyspaces)
        {
            final List<Document> documents = new ArrayList<>();
            for (long key = 0; key < keys; key++)
            {
                documents.add(new Document(key, HlcTimestamp.pack(1_764_000_000_000L, (int)key), 1,
                    value(keyspace, key)));
            }
            storage.putMany(keyspace, documents);
        }
    }

    /**
     * The value the caller writes for a key, so the trials can check what reads back.
     *
     * @param keyspace the keyspace.
     * @param key      the key.
     * @return its value.
     */
    public static byte[] value(final String keyspace, final long key)
    {
        final byte[] value = new byte[16 + (int)(key % 48)];
        Arrays.fill(value, (byte)(key * 31 + keyspace.hashCode()));
        return value;
    }

    /**
     * Run the trials.
     *
     * @param target          what is corrupted, for the messages.
     * @param directory       holds every file of the storage; restored before each trial.
     * @param dataFile        the file that is corrupted, inside {@code directory}.
     * @param pathInMessages  what a refusal's message must name.
     * @param open            opens the storage at the directory.
     * @param keyspaces       the keyspaces written.
     * @param keysPerKeyspace the keys written to each.
     * @param trials          how many corrupted copies.
     * @param truncate        true to truncate the data file, false to flip bytes in it.
     * @param flipRegionBytes flips land in the first this many bytes of the file (or anywhere in a shorter one).
     * @return how many trials ended in each outcome.
     * @throws AssertionError naming the seed and trial of an unexpected failure.
     */
    public static Map<Outcome, Integer> run(
        final String target,
        final Path directory,
        final Path dataFile,
        final String pathInMessages,
        final Function<Path, Storage> open,
        final List<String> keyspaces,
        final int keysPerKeyspace,
        final int trials,
        final boolean truncate,
        final int flipRegionBytes)
    {
        final long seed = SeededTrials.seed(target);
        final SplittableRandom random = new SplittableRandom(seed);
        final Map<Path, byte[]> pristine = snapshot(directory);
        final byte[] data = pristine.get(dataFile);
        final Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
        for (int trial = 0; trial < trials; trial++)
        {
            final byte[] corrupted = truncate ?
                Arrays.copyOf(data, random.nextInt(data.length)) : flip(data, flipRegionBytes, random);
            restore(directory, pristine);
            write(dataFile, corrupted);
            try
            {
                outcomes.merge(trial(open, directory, pathInMessages, keyspaces, keysPerKeyspace), 1, Integer::sum);
            }
            catch (final AssertionError | RuntimeException ex)
            {
                throw new AssertionError(target + " trial " + trial + " of seed " + seed + " (replay with -D" +
                    SeededTrials.SEED_PROPERTY + "=" + seed + ") failed", ex);
            }
        }
        restore(directory, pristine);
        System.out.println(target + ": " + trials + " trials " + outcomes);
        return outcomes;
    }

    private static Outcome trial(
        final Function<Path, Storage> open,
        final Path directory,
        final String pathInMessages,
        final List<String> keyspaces,
        final int keysPerKeyspace)
    {
        final Storage storage;
        try
        {
            storage = open.apply(directory);
        }
        catch (final StorageException ex)
        {
            if (!ex.getMessage().contains(pathInMessages))
            {
                throw new AssertionError("the refusal does not name " + pathInMessages + ": " + ex.getMessage(), ex);
            }
            return Outcome.REFUSED_AT_OPEN;
        }
        try
        {
            boolean intact = storage.keyspaces().containsAll(keyspaces);
            for (final String keyspace : keyspaces)
            {
                for (long key = 0; key < keysPerKeyspace; key++)
                {
                    final Document document = storage.get(keyspace, key);
                    intact &= null != document && Arrays.equals(document.value(), value(keyspace, key));
                }
            }
            return intact ? Outcome.READ_INTACT : Outcome.READ_CHANGED;
        }
        catch (final StorageException ex)
        {
            return Outcome.REFUSED_AT_READ;
        }
        finally
        {
            try
            {
                storage.close();
            }
            catch (final StorageException ignore)
            {
                // A damaged storage may also fail to close; the outcome is already known.
            }
        }
    }

    private static byte[] flip(final byte[] data, final int regionBytes, final SplittableRandom random)
    {
        final byte[] corrupted = data.clone();
        final int region = Math.min(regionBytes, corrupted.length);
        final int flips = 1 + random.nextInt(MAX_FLIPPED_BYTES);
        for (int i = 0; i < flips; i++)
        {
            corrupted[random.nextInt(region)] ^= (byte)(1 + random.nextInt(255));
        }
        return corrupted;
    }

    private static Map<Path, byte[]> snapshot(final Path directory)
    {
        final Map<Path, byte[]> files = new HashMap<>();
        try (Stream<Path> list = Files.list(directory))
        {
            for (final Path file : (Iterable<Path>)list::iterator)
            {
                if (Files.isRegularFile(file))
                {
                    files.put(file, Files.readAllBytes(file));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return files;
    }

    private static void restore(final Path directory, final Map<Path, byte[]> pristine)
    {
        try (Stream<Path> list = Files.list(directory))
        {
            for (final Path file : (Iterable<Path>)list::iterator)
            {
                if (!pristine.containsKey(file))
                {
                    Files.delete(file);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        pristine.forEach(StorageCorruption::write);
    }

    private static void write(final Path file, final byte[] bytes)
    {
        try
        {
            Files.write(file, bytes);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
