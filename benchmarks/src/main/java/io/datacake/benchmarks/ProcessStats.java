package io.datacake.benchmarks;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Figures a long-running probe prints next to its results, read from {@code /proc} and the platform MXBeans: the
 * machine's load average (benchmarks here share the machine, so every figure needs it), this process's resident and
 * peak resident memory, its anonymous huge pages, and the JVM's heap and direct memory. Linux only; a figure that
 * cannot be read is -1.
 */
public final class ProcessStats
{
    private ProcessStats()
    {
    }

    /**
     * @return the 1, 5 and 15 minute load averages as {@code /proc/loadavg} prints them, or "?" if unreadable.
     */
    public static String loadAverage()
    {
        try
        {
            final String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (final IOException | RuntimeException ex)
        {
            return "?";
        }
    }

    /**
     * @return resident set size of this process in bytes ({@code VmRSS}).
     */
    public static long residentBytes()
    {
        return statusKb("VmRSS:") * 1024;
    }

    /**
     * @return peak resident set size of this process in bytes ({@code VmHWM}).
     */
    public static long peakResidentBytes()
    {
        return statusKb("VmHWM:") * 1024;
    }

    /**
     * @return bytes of this process's memory backed by transparent huge pages ({@code AnonHugePages}).
     */
    public static long anonHugePageBytes()
    {
        return fileKb(Path.of("/proc/self/smaps_rollup"), "AnonHugePages:") * 1024;
    }

    /**
     * @return bytes of the heap in use now.
     */
    public static long usedHeapBytes()
    {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * @return the sum of the heap pools' peak usage since the JVM started: an upper bound on the peak heap in use.
     */
    public static long peakHeapBytes()
    {
        long bytes = 0;
        for (final MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
        {
            if (pool.getType() == MemoryType.HEAP)
            {
                bytes += pool.getPeakUsage().getUsed();
            }
        }
        return bytes;
    }

    /**
     * @return bytes held by direct buffers ({@code ByteBuffer.allocateDirect}), or -1 if the pool is not found.
     */
    public static long directBytes()
    {
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if ("direct".equals(pool.getName()))
            {
                return pool.getMemoryUsed();
            }
        }
        return -1;
    }

    /**
     * @return one line with the load average, RSS, peak RSS, heap, peak heap, direct memory and huge pages, in MiB.
     */
    public static String summary()
    {
        return String.format("load %s, RSS %,d MiB (peak %,d), heap used %,d MiB (pool peaks %,d), direct %,d MiB, " +
            "anon huge pages %,d MiB", loadAverage(), residentBytes() >> 20, peakResidentBytes() >> 20,
            usedHeapBytes() >> 20, peakHeapBytes() >> 20, directBytes() >> 20, anonHugePageBytes() >> 20);
    }

    private static long statusKb(final String field)
    {
        return fileKb(Path.of("/proc/self/status"), field);
    }

    private static long fileKb(final Path file, final String field)
    {
        try
        {
            final List<String> lines = Files.readAllLines(file);
            for (final String line : lines)
            {
                if (line.startsWith(field))
                {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
            return -1;
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }
}
