package io.datacake.storage.sqlite;

import io.datacake.storage.StorageCorruptedException;
import io.datacake.storage.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Checks, before SQLite opens it, that a database file is as long as its header says. SQLite reads a file cut short
 * (a copy interrupted, a full disk) without an error when the missing pages are not on the path of a query, so rows
 * would silently go missing.
 * <p>
 * The header (big-endian) holds the page size at 16 (1 meaning 65536), the change counter at 24, the size in pages
 * at 28 and, at 92, the change counter the size is valid for: SQLite itself trusts the size only when the two
 * counters match, and so does this check. A file that does not start with the SQLite magic is left to SQLite.
 */
final class SqliteFileHeader
{
    /** Bytes of the database header. */
    static final int HEADER_LENGTH = 100;

    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static final int PAGE_SIZE_OFFSET = 16;
    private static final int CHANGE_COUNTER_OFFSET = 24;
    private static final int PAGE_COUNT_OFFSET = 28;
    private static final int VALID_FOR_OFFSET = 92;

    private SqliteFileHeader()
    {
    }

    /**
     * @param file the database file; a missing or empty file is a new database.
     * @throws StorageCorruptedException if the file is shorter than its header, or than the pages its header counts.
     * @throws StorageException          if the file exists but cannot be read.
     */
    static void checkLength(final Path file)
    {
        if (!Files.isRegularFile(file))
        {
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long length = channel.size();
            if (0 == length)
            {
                return;
            }
            final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH);
            while (header.hasRemaining() && channel.read(header, header.position()) >= 0)
            {
                // Read until the header is full or the file ends.
            }
            if (header.hasRemaining())
            {
                throw cutShort(file, length, HEADER_LENGTH);
            }
            if (!header.slice(0, MAGIC.length).equals(ByteBuffer.wrap(MAGIC)))
            {
                return;
            }
            final int rawPageSize = header.getShort(PAGE_SIZE_OFFSET) & 0xFFFF;
            final long pageSize = 1 == rawPageSize ? 65_536 : rawPageSize;
            final long pages = header.getInt(PAGE_COUNT_OFFSET) & 0xFFFF_FFFFL;
            if (header.getInt(CHANGE_COUNTER_OFFSET) == header.getInt(VALID_FOR_OFFSET) &&
                pages * pageSize > length)
            {
                throw cutShort(file, length, pages * pageSize);
            }
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot read the SQLite file " + file, ex);
        }
    }

    private static StorageCorruptedException cutShort(final Path file, final long length, final long needed)
    {
        return new StorageCorruptedException("SQLite file " + file + " is corrupt: it is " + length +
            " bytes but its header needs " + needed + " (the file was cut short): restore it from a replica or backup",
            null);
    }
}
