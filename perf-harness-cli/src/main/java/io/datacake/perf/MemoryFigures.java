package io.datacake.perf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The memory a run uses, taken once at the end of the measurement while the cluster still runs. What is counted:
 * the JVM heap in use and committed (all of this JVM: nodes, stores, client threads); direct byte buffers
 * ({@code ByteBuffer.allocateDirect}, which Agrona's and Aeron's off-heap buffers use); mapped byte buffers (files
 * mapped by this JVM: Aeron's CnC and log buffers, LMDB's map); the bytes on disk of the Aeron directories (the log
 * buffers, whether mapped or not) and of the storages' data directory. Not counted: memory a storage allocates
 * natively outside byte buffers (SQLite's page cache, LMDB's own allocations) and memory taken with
 * {@code Unsafe.allocateMemory} (the ORSWOT sets' and content trees' off-heap tables).
 *
 * @param heapUsedBytes       heap in use.
 * @param heapCommittedBytes  heap the JVM has reserved from the OS.
 * @param directBufferBytes   memory held by direct byte buffers.
 * @param mappedBufferBytes   file bytes mapped by mapped byte buffers.
 * @param aeronFileBytes      bytes of the files in the Aeron directories.
 * @param dataFileBytes       bytes of the files in the storages' data directory.
 */
public record MemoryFigures(
    long heapUsedBytes,
    long heapCommittedBytes,
    long directBufferBytes,
    long mappedBufferBytes,
    long aeronFileBytes,
    long dataFileBytes)
{
    /**
     * Take the figures now.
     *
     * @param aeronDir directory holding the Aeron driver directories.
     * @param dataDir  directory holding the storages.
     * @return the figures.
     * @throws UncheckedIOException if a directory cannot be walked.
     */
    static MemoryFigures measure(final Path aeronDir, final Path dataDir)
    {
        final MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long direct = 0;
        long mapped = 0;
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if ("direct".equals(pool.getName()))
            {
                direct = pool.getMemoryUsed();
            }
            else if ("mapped".equals(pool.getName()))
            {
                mapped = pool.getMemoryUsed();
            }
        }
        return new MemoryFigures(heap.getUsed(), heap.getCommitted(), direct, mapped, bytesIn(aeronDir),
            bytesIn(dataDir));
    }

    /**
     * @return the figures by name, in bytes, for the report's data.
     */
    public Map<String, Long> asMap()
    {
        final Map<String, Long> map = new LinkedHashMap<>();
        map.put("heapUsedBytes", heapUsedBytes);
        map.put("heapCommittedBytes", heapCommittedBytes);
        map.put("directBufferBytes", directBufferBytes);
        map.put("mappedBufferBytes", mappedBufferBytes);
        map.put("aeronFileBytes", aeronFileBytes);
        map.put("dataFileBytes", dataFileBytes);
        return map;
    }

    private static long bytesIn(final Path dir)
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            return files.filter(Files::isRegularFile).mapToLong(MemoryFigures::size).sum();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot measure " + dir, ex);
        }
    }

    private static long size(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            // A file removed while walking (a closed publication's log) holds nothing any more.
            return 0;
        }
    }
}
