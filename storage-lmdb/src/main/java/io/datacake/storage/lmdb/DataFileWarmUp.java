package io.datacake.storage.lmdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a data file from its start, in {@value #CHUNK_BYTES}-byte chunks, so the page cache holds it before a node
 * scans it. The map is advised as random access (no read-ahead), which keeps a file larger than memory usable but
 * makes a cold scan fault one page at a time; a plain sequential read gets the kernel's read-ahead on the file
 * descriptor instead, which the map does not share. A hint only: a failed read stops it and the open goes on.
 */
final class DataFileWarmUp
{
    /** Bytes a single read asks for. */
    static final int CHUNK_BYTES = 1024 * 1024;

    private static final System.Logger LOGGER = System.getLogger(DataFileWarmUp.class.getName());

    private DataFileWarmUp()
    {
    }

    /**
     * @param dataFile the file to read; a new environment has none yet, and nothing is read.
     * @param maxBytes bound on the bytes read; 0 reads nothing.
     * @return the bytes read.
     */
    static long read(final Path dataFile, final long maxBytes)
    {
        if (maxBytes <= 0 || !Files.isRegularFile(dataFile))
        {
            return 0;
        }
        long read = 0;
        try (FileChannel channel = FileChannel.open(dataFile, StandardOpenOption.READ))
        {
            final long limit = Math.min(maxBytes, channel.size());
            final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES);
            while (read < limit)
            {
                chunk.clear().limit((int)Math.min(CHUNK_BYTES, limit - read));
                final int n = channel.read(chunk, read);
                if (n < 0)
                {
                    break;
                }
                read += n;
            }
        }
        catch (final IOException ex)
        {
            LOGGER.log(System.Logger.Level.WARNING, "warming up " + dataFile + " stopped after " + read +
                " bytes; the first scan reads the rest from disk page by page", ex);
        }
        return read;
    }
}
