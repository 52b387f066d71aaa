package io.datacake.kv;

import io.datacake.transport.aeron.AeronDriverSettings;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A node's data directory, held with an exclusive file lock for the node's life so that two nodes never share one
 * (the OS releases the lock when a killed process goes). It holds the storage and the embedded Aeron driver's
 * directories; a driver directory left behind by a killed process is deleted on open, which is safe under the lock.
 * A temporary directory (no data directory given) is deleted on close.
 */
final class DataDirectory implements AutoCloseable
{
    static final String LOCK_FILE = "node.lock";
    static final String AERON_DIR = "aeron";
    static final String LMDB_DIR = "lmdb";
    static final String SQLITE_FILE = "kv.sqlite";

    private final Path directory;
    private final boolean temporary;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDirectory(final Path directory, final boolean temporary, final FileChannel lockChannel,
        final FileLock lock)
    {
        this.directory = directory;
        this.temporary = temporary;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Create (if needed) and lock the directory, and clear stale driver directories.
     *
     * @param directory the data directory, or null for a new temporary one.
     * @return the locked directory.
     * @throws IllegalStateException if another node holds the directory.
     * @throws UncheckedIOException  if it cannot be created or locked.
     */
    static DataDirectory open(final Path directory)
    {
        final boolean temporary = null == directory;
        final Path path;
        FileChannel channel = null;
        try
        {
            path = temporary ? Files.createTempDirectory("datacake-kv-") : Files.createDirectories(directory);
            channel = FileChannel.open(
                path.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            final FileLock lock = tryLock(channel, path);
            final Path aeron = Files.createDirectories(path.resolve(AERON_DIR));
            deleteStaleDrivers(aeron);
            return new DataDirectory(path, temporary, channel, lock);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot open the data directory " + directory + ": " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(channel);
            throw ex;
        }
    }

    private static FileLock tryLock(final FileChannel channel, final Path path) throws IOException
    {
        FileLock lock = null;
        try
        {
            lock = channel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            // Held by another node in this JVM: the same answer as another process.
        }
        if (null == lock)
        {
            throw new IllegalStateException("the data directory " + path + " is in use by another running node " +
                "(" + LOCK_FILE + " is locked): give each node its own --data-dir");
        }
        return lock;
    }

    private static void deleteStaleDrivers(final Path aeron) throws IOException
    {
        final File[] children = aeron.toFile().listFiles();
        if (null != children)
        {
            for (final File child : children)
            {
                if (child.getName().startsWith(AeronDriverSettings.EMBEDDED_DIRECTORY_PREFIX))
                {
                    IoUtil.delete(child, true);
                }
            }
        }
    }

    Path path()
    {
        return directory;
    }

    Path aeronBase()
    {
        return directory.resolve(AERON_DIR);
    }

    Path lmdbDirectory()
    {
        return directory.resolve(LMDB_DIR);
    }

    Path sqliteFile()
    {
        return directory.resolve(SQLITE_FILE);
    }

    /**
     * Release the lock; delete the directory if it is temporary.
     */
    public void close()
    {
        try
        {
            lock.release();
        }
        catch (final IOException ignore)
        {
            // Closing the channel releases it as well.
        }
        closeQuietly(lockChannel);
        if (temporary)
        {
            IoUtil.delete(directory.toFile(), true);
        }
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // Nothing more to release.
            }
        }
    }
}
