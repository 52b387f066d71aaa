package io.datacake.storage.lmdb;

import io.datacake.storage.StorageCorruptedException;
import io.datacake.storage.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Checks, before LMDB maps it, that a data file is as long as its newest meta page says and that this meta page
 * claims a page size LMDB could have written. LMDB maps the file and follows page numbers into it: a file cut short
 * (a copy interrupted, a full disk) or a damaged page size makes it read past the end of the mapping, which kills the
 * JVM with SIGBUS instead of failing the open.
 * <p>
 * Reads the two meta pages of LMDB's 64-bit layout: after the 16-byte page header, {@code mm_magic} and
 * {@code mm_version}, the page size in the free-page database's {@code md_pad} at 40, {@code mm_last_pg} at 136 and
 * {@code mm_txnid} at 144. A file whose meta pages do not carry the magic is left to LMDB, which refuses it.
 */
final class LmdbDataFile
{
    /** LMDB's data file inside the environment directory. */
    static final String NAME = "data.mdb";

    private static final int MAGIC = 0xBEEFC0DE;
    private static final int MAGIC_OFFSET = 16;
    private static final int PAGE_SIZE_OFFSET = 40;
    private static final int LAST_PAGE_OFFSET = 136;
    private static final int TXN_ID_OFFSET = 144;
    private static final int META_READ_LENGTH = TXN_ID_OFFSET + Long.BYTES;
    /** LMDB refuses page sizes outside these; a meta page claiming another is not trusted. */
    private static final int MIN_PAGE_SIZE = 512;
    private static final int MAX_PAGE_SIZE = 64 * 1024;

    private LmdbDataFile()
    {
    }

    /**
     * @param directory the environment directory.
     * @throws StorageCorruptedException if the data file is shorter than the pages its newest meta page uses, or
     *                                   that meta page's page size is not one LMDB writes.
     * @throws StorageException          if the file exists but cannot be read.
     */
    static void checkLength(final Path directory)
    {
        final Path file = directory.resolve(NAME);
        if (!Files.isRegularFile(file))
        {
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long length = channel.size();
            final ByteBuffer first = read(channel, 0);
            if (null == first || MAGIC != first.getInt(MAGIC_OFFSET))
            {
                return;
            }
            final int firstPageSize = first.getInt(PAGE_SIZE_OFFSET);
            if (!isPageSize(firstPageSize))
            {
                return;
            }
            final ByteBuffer second = read(channel, firstPageSize);
            final ByteBuffer newest = null != second && MAGIC == second.getInt(MAGIC_OFFSET) &&
                second.getLong(TXN_ID_OFFSET) > first.getLong(TXN_ID_OFFSET) ? second : first;
            // LMDB pages the whole map with the newest meta page's own page size, so that one is checked too.
            final int pageSize = newest.getInt(PAGE_SIZE_OFFSET);
            if (!isPageSize(pageSize))
            {
                throw new StorageCorruptedException("LMDB environment at " + directory + " is corrupt: the newest " +
                    "meta page of " + NAME + " claims a page size of " + pageSize + " bytes: restore it from a " +
                    "replica or backup", null);
            }
            final long lastPage = newest.getLong(LAST_PAGE_OFFSET);
            final long needed = lastPage < 0 || lastPage > Long.MAX_VALUE / pageSize - 1 ?
                Long.MAX_VALUE : (lastPage + 1) * pageSize;
            if (length < needed)
            {
                throw new StorageCorruptedException("LMDB environment at " + directory + " is corrupt: " + NAME +
                    " is " + length + " bytes but its meta page uses " + needed + " (the file was cut short): " +
                    "restore it from a replica or backup", null);
            }
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot read the LMDB data file " + file, ex);
        }
    }

    private static boolean isPageSize(final int pageSize)
    {
        return pageSize >= MIN_PAGE_SIZE && pageSize <= MAX_PAGE_SIZE && Integer.bitCount(pageSize) == 1;
    }

    private static ByteBuffer read(final FileChannel channel, final long position) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(META_READ_LENGTH).order(ByteOrder.nativeOrder());
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer, position + buffer.position()) < 0)
            {
                return null;
            }
        }
        return buffer;
    }
}
