package io.datacake.benchmarks.store;

import io.datacake.benchmarks.ProcessStats;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.StaticClusterView;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.storage.Document;
import io.datacake.storage.StorageWriterContext;
import io.datacake.storage.WriteBatch;
import io.datacake.storage.lmdb.LmdbDurability;
import io.datacake.storage.lmdb.LmdbStorage;
import io.datacake.storage.lmdb.LmdbStorageConfig;
import io.datacake.store.ReplicatedStore;
import io.datacake.store.StoreContext;
import io.datacake.store.StoreHandle;
import io.datacake.store.StoreStatistics;
import io.datacake.transport.InProcessNetwork;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How long a node takes to catch up by repair alone, and the memory it takes, on LMDB, with two in-process nodes in
 * one JVM (node 1 the source, node 2 the one catching up):
 * <ul>
 *   <li>{@code join}: node 1 holds {@code keys} documents of {@value #VALUE_LENGTH} bytes (written straight into its
 *       LMDB before launch); node 2 joins with an empty LMDB;</li>
 *   <li>{@code restart}: both hold a base of {@code keys / 10} documents; node 2 is down while node 1 takes
 *       {@code keys} puts through its store (in batches of {@value #PUT_BATCH}, at level NONE: node 1 alone); then
 *       node 2 restarts on its LMDB and catches up.</li>
 * </ul>
 * Repair's own memory is bounded by settings, not by the keyspace: one round at a time per node, at most
 * {@link StoreContext#repairMaxSegmentsPerRound(int)} segments a round, fetches of at most
 * {@link StoreContext#repairMaxEntriesPerFetch(int)} entries and {@link StoreContext#repairMaxBytesPerFetch(int)}
 * value bytes (and one frame), {@link StoreContext#repairMaxFetchesInFlight(int)} fetches in flight and 64 a round,
 * the storage writer's in-flight bounds. What grows with the keyspace is the node's resident state (the set, the
 * tree, the segment index, all off the heap: {@link StoreStatistics#stateBytes()}), so the run completes with a
 * small fixed heap (-Xmx128m at 10M keys) given direct memory for that state ({@code -XX:MaxDirectMemorySize}).
 * The run samples, every
 * {@value #SAMPLE_INTERVAL_MS} ms, the JVM's heap in use and the process's anonymous resident memory (RssAnon: heap,
 * off-heap set and tree; LMDB's mapped file pages are RssFile and are reported apart) and prints the peaks, both
 * nodes together, and, once node 2 caught up, the heap a full collection leaves, RssAnon less both nodes' state
 * bytes, and the CPU seconds of each node's thread and storage writer.
 * <p>
 * Usage (after {@code mvn -B -q -DskipTests package}): {@code java
 * --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -Xmx128m
 * -XX:MaxDirectMemorySize=4g -cp
 * benchmarks/target/benchmarks.jar io.datacake.benchmarks.store.CatchUpRun join|restart keys [directory]}
 */
public final class CatchUpRun
{
    /** Bytes per value. */
    public static final int VALUE_LENGTH = 16;
    /** Puts per batch in the restart scenario, and documents per LMDB commit when loading directly. */
    public static final int PUT_BATCH = 1_024;
    /** Memory sampling period. */
    public static final long SAMPLE_INTERVAL_MS = 50;
    /** Time between repair rounds of an in-sync node (a node behind runs rounds back to back). */
    public static final long REPAIR_INTERVAL_MS = 100;
    /** Tree shape for large keyspaces: 1,024 × 1,024 segments. */
    public static final int TREE_BRANCHES = 1_024;
    /** Segments per branch. */
    public static final int TREE_SEGMENTS_PER_BRANCH = 1_024;
    /**
     * System property naming node 2's {@link LmdbStorageConfig#refetchableDurability(LmdbDurability)} (an
     * {@link LmdbDurability}); default the storage's default.
     */
    public static final String REFETCHABLE_DURABILITY_PROPERTY = "catchup.refetchableDurability";
    /**
     * System property setting both nodes' {@link LmdbStorageConfig#readAhead(boolean)}; default the storage's
     * default.
     */
    public static final String READ_AHEAD_PROPERTY = "catchup.readAhead";
    /** Bound on the wait for catch-up. */
    public static final long DEADLINE_MS = TimeUnit.HOURS.toMillis(2);
    /** How often a run prints a progress line while node 2 catches up. */
    public static final long PROGRESS_INTERVAL_NS = TimeUnit.SECONDS.toNanos(60);

    private static final String KEYSPACE = "catchup";
    private static final long BASE_STAMP = 1L << 40;
    private static final int SOURCE_NODE = 1;
    private static final int CATCHING_UP_NODE = 2;

    private CatchUpRun()
    {
    }

    /**
     * @param args {@code join|restart keys [directory]}.
     * @throws Exception if the run fails.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length < 2 || !Arrays.asList("join", "restart").contains(args[0]))
        {
            System.err.println("usage: CatchUpRun join|restart keys [directory]");
            System.exit(2);
        }
        final String scenario = args[0];
        final int keys = Integer.parseInt(args[1]);
        final Path directory = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("datacake-catch-up");
        final MemorySampler sampler = new MemorySampler();
        final LmdbDurability refetchable = LmdbDurability.valueOf(System.getProperty(
            REFETCHABLE_DURABILITY_PROPERTY, new LmdbStorageConfig(directory).refetchableDurability().name()));
        final boolean readAhead = Boolean.parseBoolean(System.getProperty(
            READ_AHEAD_PROPERTY, String.valueOf(new LmdbStorageConfig(directory).readAhead())));
        try (LmdbStorage one = LmdbStorage.open(new LmdbStorageConfig(directory.resolve("one")).readAhead(readAhead));
            LmdbStorage two = LmdbStorage.open(new LmdbStorageConfig(directory.resolve("two"))
                .refetchableDurability(refetchable).readAhead(readAhead)))
        {
            final long expected;
            final long prepareStartNs = System.nanoTime();
            if ("join".equals(scenario))
            {
                load(one, 0, keys);
                expected = keys;
            }
            else
            {
                final int base = keys / 10;
                load(one, 0, base);
                load(two, 0, base);
                putThroughStore(one, base, keys);
                expected = (long)base + keys;
            }
            final double prepareS = (System.nanoTime() - prepareStartNs) / 1e9;

            System.gc();
            sampler.start();
            final InProcessNetwork network = new InProcessNetwork();
            final long startNs = System.nanoTime();
            final ReplicatedStore source = newStore(one, SOURCE_NODE, true);
            final ReplicatedStore catchingUp = newStore(two, CATCHING_UP_NODE, true);
            try (Node sourceNode = launch(network, SOURCE_NODE, source);
                Node catchingUpNode = launch(network, CATCHING_UP_NODE, catchingUp))
            {
                final long launchedNs = System.nanoTime();
                final StoreStatistics statistics = catchingUp.statistics();
                final long deadlineNs = startNs + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
                long nextProgressNs = startNs + PROGRESS_INTERVAL_NS;
                while (statistics.documents() < expected)
                {
                    final long nowNs = System.nanoTime();
                    if (nowNs > deadlineNs)
                    {
                        throw new IllegalStateException("node 2 holds " + statistics.documents() + " of " +
                            expected + " documents after " + DEADLINE_MS + " ms");
                    }
                    if (nowNs > nextProgressNs)
                    {
                        // A long run says where it is, so a run stopped early still tells its rate and memory.
                        nextProgressNs = nowNs + PROGRESS_INTERVAL_NS;
                        final double elapsedS = (nowNs - startNs) / 1e9;
                        System.out.printf(Locale.ROOT,
                            "progress elapsed_s=%.0f documents=%d docs_per_s=%.0f peak_heap_after_gc_mib=%.0f " +
                            "peak_rss_anon_mib=%.0f state_mib=%.0f load=%s%n", elapsedS, statistics.documents(),
                            statistics.documents() / elapsedS, sampler.peakHeapAfterGcBytes / 1048576.0,
                            sampler.peakRssAnonKib / 1024.0,
                            (source.statistics().stateBytes() + statistics.stateBytes()) / 1048576.0,
                            ProcessStats.loadAverage().replace(' ', '/'));
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                final long doneNs = System.nanoTime();
                // The set holds every document; the writer commits the last of them to LMDB soon after.
                while (!check(one, two, expected))
                {
                    if (System.nanoTime() > deadlineNs)
                    {
                        throw new IllegalStateException("node 2's LMDB lacks documents node 1 holds");
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                final long committedNs = System.nanoTime();
                sampler.stop();
                final String threadCpu = threadCpuSeconds();
                // Both nodes still hold their state: what a full collection leaves is the heap they need.
                System.gc();
                final double liveHeapMib =
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
                final double rssAnonMib = rssKib("RssAnon:") / 1024.0;
                final double stateMib = (source.statistics().stateBytes() + statistics.stateBytes()) / 1048576.0;
                final double catchUpS = (doneNs - startNs) / 1e9;
                System.out.printf(Locale.ROOT,
                    "scenario=%s keys=%d documents=%d prepare_s=%.1f launch_s=%.2f catch_up_s=%.1f committed_s=%.1f " +
                    "missed_docs_per_s=%.0f rounds=%d entries_fetched=%d entries_applied=%d repair_bytes=%d " +
                    "peak_heap_mib=%.0f peak_heap_after_gc_mib=%.0f live_heap_mib=%.0f peak_rss_anon_mib=%.0f " +
                    "rss_anon_mib=%.0f state_mib=%.0f rss_anon_less_state_mib=%.0f peak_rss_file_mib=%.0f " +
                    "heap_max_mib=%.0f refetchable_durability=%s read_ahead=%s relaxed_commits=%d thread_cpu_s=%s " +
                    "load=%s%n",
                    scenario, keys, expected, prepareS, (launchedNs - startNs) / 1e9, catchUpS,
                    (committedNs - startNs) / 1e9,
                    keys / catchUpS, statistics.repairRounds(), statistics.repairEntriesCompared(),
                    statistics.documentsFetched(), statistics.repairBytesSent() + statistics.repairBytesCompared(),
                    sampler.peakHeapBytes / 1048576.0, sampler.peakHeapAfterGcBytes / 1048576.0, liveHeapMib,
                    sampler.peakRssAnonKib / 1024.0, rssAnonMib, stateMib, rssAnonMib - stateMib,
                    sampler.peakRssFileKib / 1024.0,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax() / 1048576.0, refetchable,
                    readAhead, two.relaxedCommits(), threadCpu, ProcessStats.loadAverage().replace(' ', '/'));
            }
        }
        finally
        {
            sampler.stop();
            if (args.length <= 2)
            {
                deleteTree(directory);
            }
        }
    }

    private static ReplicatedStore newStore(final LmdbStorage storage, final int nodeId, final boolean withPeer)
    {
        final StaticClusterView view = new StaticClusterView(nodeId, "dc", endpoint(nodeId));
        if (withPeer)
        {
            final int other = SOURCE_NODE == nodeId ? CATCHING_UP_NODE : SOURCE_NODE;
            view.addMember(other, "dc", endpoint(other));
        }
        return new ReplicatedStore(new StoreContext().storage(storage).clusterView(view)
            .writerContext(new StorageWriterContext().threadName("datacake-storage-writer-" + nodeId))
            .treeShape(TREE_BRANCHES, TREE_SEGMENTS_PER_BRANCH).repairIntervalMs(REPAIR_INTERVAL_MS));
    }

    /**
     * @return CPU seconds of the nodes' and storage writers' threads, {@code name:seconds} joined by commas.
     */
    private static String threadCpuSeconds()
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final Map<String, Double> byName = new TreeMap<>();
        for (final long id : threads.getAllThreadIds())
        {
            final var info = threads.getThreadInfo(id);
            final long cpuNs = threads.getThreadCpuTime(id);
            if (null != info && cpuNs > 0 && info.getThreadName().startsWith("datacake"))
            {
                byName.merge(info.getThreadName(), cpuNs / 1e9, Double::sum);
            }
        }
        final StringBuilder text = new StringBuilder();
        byName.forEach((name, seconds) -> text.append(text.length() > 0 ? "," : "").append(name).append(':')
            .append(String.format(Locale.ROOT, "%.1f", seconds)));
        return text.toString();
    }

    private static long rssKib(final String field)
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith(field))
                {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        catch (final IOException ex)
        {
            // No /proc (not Linux).
        }
        return 0;
    }

    private static Node launch(final InProcessNetwork network, final int nodeId, final ReplicatedStore store)
    {
        return Node.launch(new NodeContext().nodeId(nodeId).transport(network.newTransport(endpoint(nodeId)))
            .ownsTransport(true).addComponent(store));
    }

    private static String endpoint(final int nodeId)
    {
        return "node-" + nodeId;
    }

    /**
     * Write documents [from, to) straight into a storage, as if replicated there earlier.
     */
    private static void load(final LmdbStorage storage, final int from, final int to)
    {
        final WriteBatch batch = new WriteBatch(storage.maxValueLength());
        final byte[] value = new byte[VALUE_LENGTH];
        final UnsafeBuffer valueBuffer = new UnsafeBuffer(value);
        for (int key = from; key < to; key++)
        {
            fill(value, key);
            batch.put(KEYSPACE, key, BASE_STAMP + key, SOURCE_NODE, valueBuffer, 0, VALUE_LENGTH);
            if (batch.size() == PUT_BATCH)
            {
                storage.commit(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty())
        {
            storage.commit(batch);
        }
    }

    /**
     * Node 1 alone (node 2 down) takes puts of keys [from, from + count) through its store.
     */
    private static void putThroughStore(final LmdbStorage storage, final int from, final int count)
    {
        final ReplicatedStore store = newStore(storage, SOURCE_NODE, false);
        try (Node node = launch(new InProcessNetwork(), SOURCE_NODE, store))
        {
            final StoreHandle handle = store.handle(node);
            final long[] keys = new long[PUT_BATCH];
            final byte[][] values = new byte[PUT_BATCH][VALUE_LENGTH];
            for (int first = from; first < from + count; first += PUT_BATCH)
            {
                final int n = Math.min(PUT_BATCH, from + count - first);
                final long[] batchKeys = n == PUT_BATCH ? keys : new long[n];
                final byte[][] batchValues = n == PUT_BATCH ? values : new byte[n][VALUE_LENGTH];
                for (int i = 0; i < n; i++)
                {
                    batchKeys[i] = first + i;
                    fill(batchValues[i], first + i);
                }
                handle.putMany(KEYSPACE, batchKeys, batchValues, ConsistencyLevel.NONE).join();
            }
        }
    }

    private static void fill(final byte[] value, final long key)
    {
        for (int i = 0; i < VALUE_LENGTH; i++)
        {
            value[i] = (byte)(key >>> (8 * (i & 7)) ^ i);
        }
    }

    /**
     * @return whether node 2's LMDB holds node 1's document byte-exact for every 1,000th key and the last.
     * @throws IllegalStateException if a document node 2 holds differs from node 1's.
     */
    private static boolean check(final LmdbStorage one, final LmdbStorage two, final long documents)
    {
        for (long key = 0; key < documents; key += 1000)
        {
            if (!checkKey(one, two, key))
            {
                return false;
            }
        }
        return checkKey(one, two, documents - 1);
    }

    private static boolean checkKey(final LmdbStorage one, final LmdbStorage two, final long key)
    {
        final Document expected = one.get(KEYSPACE, key);
        final Document actual = two.get(KEYSPACE, key);
        if (null == actual)
        {
            return false;
        }
        if (null == expected || expected.stamp() != actual.stamp() || expected.nodeId() != actual.nodeId() ||
            !Arrays.equals(expected.value(), actual.value()))
        {
            throw new IllegalStateException("key " + key + ": node 1 " + expected + ", node 2 " + actual);
        }
        return true;
    }

    private static void deleteTree(final Path directory) throws IOException
    {
        try (var paths = Files.walk(directory))
        {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach((path) -> path.toFile().delete());
        }
    }

    /**
     * Samples heap in use and the process's anonymous and file-backed resident memory on a daemon thread.
     */
    private static final class MemorySampler implements Runnable
    {
        private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        private final Set<String> heapPools = new HashSet<>();
        private volatile boolean running;
        private volatile long peakHeapBytes;
        private volatile long peakHeapAfterGcBytes;
        private volatile long peakRssAnonKib;
        private volatile long peakRssFileKib;
        private Thread thread;

        void start()
        {
            for (final MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
            {
                if (MemoryType.HEAP == pool.getType())
                {
                    heapPools.add(pool.getName());
                }
            }
            running = true;
            thread = new Thread(this, "catch-up-memory-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop()
        {
            running = false;
            if (null != thread)
            {
                try
                {
                    thread.join();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                thread = null;
            }
        }

        public void run()
        {
            while (running)
            {
                peakHeapBytes = Math.max(peakHeapBytes, memory.getHeapMemoryUsage().getUsed());
                peakHeapAfterGcBytes = Math.max(peakHeapAfterGcBytes, heapAfterLastGc());
                try
                {
                    for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
                    {
                        if (line.startsWith("RssAnon:"))
                        {
                            peakRssAnonKib = Math.max(peakRssAnonKib, kib(line));
                        }
                        else if (line.startsWith("RssFile:"))
                        {
                            peakRssFileKib = Math.max(peakRssFileKib, kib(line));
                        }
                    }
                }
                catch (final IOException ex)
                {
                    // No /proc (not Linux): heap figures only.
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(SAMPLE_INTERVAL_MS));
            }
        }

        /**
         * @return heap in use right after the latest collection (of any collector), or 0 before the first.
         */
        private long heapAfterLastGc()
        {
            long latestEnd = -1;
            long used = 0;
            for (final GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans())
            {
                if (collector instanceof com.sun.management.GarbageCollectorMXBean)
                {
                    final var info = ((com.sun.management.GarbageCollectorMXBean)collector).getLastGcInfo();
                    if (null != info && info.getEndTime() > latestEnd)
                    {
                        latestEnd = info.getEndTime();
                        used = 0;
                        for (final Map.Entry<String, MemoryUsage> pool : info.getMemoryUsageAfterGc().entrySet())
                        {
                            if (heapPools.contains(pool.getKey()))
                            {
                                used += pool.getValue().getUsed();
                            }
                        }
                    }
                }
            }
            return used;
        }

        private static long kib(final String line)
        {
            return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
    }
}
