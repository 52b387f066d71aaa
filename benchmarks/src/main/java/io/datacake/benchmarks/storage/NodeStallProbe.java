package io.datacake.benchmarks.storage;

import io.datacake.clock.HlcTimestamp;
import io.datacake.node.Component;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.node.NodeServices;
import io.datacake.storage.StorageWriter;
import io.datacake.storage.StorageWriterComponent;
import io.datacake.storage.StorageWriterContext;
import io.datacake.storage.WriteBatch;
import io.datacake.storage.WriteCompletionHandler;
import io.datacake.storage.lmdb.LmdbDurability;
import io.datacake.storage.lmdb.LmdbStorage;
import io.datacake.storage.lmdb.LmdbStorageConfig;
import io.datacake.transport.InProcessNetwork;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Node-thread stall probe: how long the node's duty cycle goes between turns while the node writes to LMDB in
 * {@code SYNC} mode (an fsync per commit). A probe component records the gap between consecutive duty cycles in an
 * HdrHistogram; a load component produces {@code writesPerMs} puts of {@value #VALUE_LENGTH} bytes per millisecond
 * and either
 * <ul>
 *   <li>{@code on-thread}: commits every duty cycle's writes as one batch with {@code storage.commit} from the duty
 *       (group commit on the node thread, so every fsync stalls the node), or</li>
 *   <li>{@code writer}: submits them to a {@link StorageWriter} whose own thread group-commits them; a refused
 *       submit (back-pressure) is counted and dropped.</li>
 * </ul>
 * A third run with the load but no storage shows the gaps of an undisturbed node (its idle strategy parks up to
 * 1 ms). All runs happen in one JVM, one after the other; ratios are against the on-thread run.
 * <p>
 * Usage: {@code java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar
 * io.datacake.benchmarks.storage.NodeStallProbe [secondsPerRun] [writesPerMs]}
 */
public final class NodeStallProbe
{
    /** Default measured seconds per run. */
    public static final int DEFAULT_SECONDS_PER_RUN = 8;
    /** Default writes produced per millisecond. */
    public static final int DEFAULT_WRITES_PER_MS = 10;
    /** Unmeasured warm-up at the start of each run. */
    public static final long WARMUP_MS = 1_000;
    /** Bytes per value. */
    public static final int VALUE_LENGTH = 100;
    /** Most writes the load produces in one duty cycle, however far behind it is. */
    public static final int MAX_WRITES_PER_CYCLE = 4_096;

    private static final long HIGHEST_GAP_US = TimeUnit.SECONDS.toMicros(60);
    private static final String KEYSPACE = "probe";
    private static final long T0 = 1_764_000_000_000L;

    private NodeStallProbe()
    {
    }

    /**
     * Run the three variants and print a markdown table.
     *
     * @param args optional {@code secondsPerRun writesPerMs}.
     * @throws InterruptedException if interrupted while a run is under way.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final int seconds = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_SECONDS_PER_RUN;
        final int writesPerMs = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_WRITES_PER_MS;
        System.out.printf(Locale.ROOT, "node stall probe: %d s per run after %d ms warm-up, %d writes/ms of %d B, " +
            "LMDB SYNC, %d cores, JDK %s%n", seconds, WARMUP_MS, writesPerMs, VALUE_LENGTH,
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

        final Result onThread = run(Mode.ON_THREAD, seconds, writesPerMs);
        final Result writer = run(Mode.WRITER, seconds, writesPerMs);
        final Result none = run(Mode.NO_STORAGE, seconds, writesPerMs);

        System.out.println();
        System.out.println("| run | duty cycles | p99 gap (µs) | p99.9 gap (µs) | max gap (µs) | p99 ratio | " +
            "p99.9 ratio | max ratio | writes acked | commits | writes refused |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (final Result result : new Result[]{ onThread, writer, none })
        {
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %d | %.3f | %.3f | %.3f | %d | %d | %d |%n",
                result.mode.label, result.gaps.getTotalCount(),
                result.p99(), result.p999(), result.max(),
                ratio(result.p99(), onThread.p99()), ratio(result.p999(), onThread.p999()),
                ratio(result.max(), onThread.max()),
                result.acked, result.commits, result.refused);
        }
    }

    private static double ratio(final long value, final long baseline)
    {
        return 0 == baseline ? Double.NaN : (double)value / baseline;
    }

    private static Result run(final Mode mode, final int seconds, final int writesPerMs) throws InterruptedException
    {
        final Path directory = BenchmarkFiles.newDirectory("stall-probe");
        final LmdbStorage storage = Mode.NO_STORAGE == mode ? null : LmdbStorage.open(
            new LmdbStorageConfig(directory).initialMapSizeBytes(1L << 30).durability(LmdbDurability.SYNC));
        final GapProbe probe = new GapProbe();
        final StorageWriterComponent writer = Mode.WRITER == mode ?
            new StorageWriterComponent(new StorageWriterContext().storage(storage).threadName("stall-probe-writer")) :
            null;
        final Load load = new Load(mode, storage, writer, writesPerMs);
        final NodeContext ctx = new NodeContext().nodeId(1).transport(new InProcessNetwork().newTransport())
            .addComponent(probe);
        if (null != writer)
        {
            ctx.addComponent(writer);
        }
        ctx.addComponent(load);
        final Node node = Node.launch(ctx);
        try
        {
            Thread.sleep(WARMUP_MS);
            node.execute((services) ->
            {
                probe.startRecording();
                load.resetCounts();
                return null;
            });
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            node.execute((services) ->
            {
                probe.stopRecording();
                return null;
            });
        }
        finally
        {
            node.close();
            if (null != storage)
            {
                storage.close();
            }
            BenchmarkFiles.delete(directory);
        }
        final Result result = new Result(mode, probe.gaps, load.acked, load.commits, load.refused);
        System.out.printf(Locale.ROOT, "%-10s cycles=%d p99=%dus p99.9=%dus max=%dus acked=%d commits=%d " +
            "refused=%d%n", mode.label, result.gaps.getTotalCount(), result.p99(), result.p999(), result.max(),
            result.acked, result.commits, result.refused);
        return result;
    }

    private enum Mode
    {
        ON_THREAD("on-thread"),
        WRITER("writer"),
        NO_STORAGE("no storage");

        final String label;

        Mode(final String label)
        {
            this.label = label;
        }
    }

    private record Result(Mode mode, Histogram gaps, long acked, long commits, long refused)
    {
        long p99()
        {
            return gaps.getValueAtPercentile(99.0);
        }

        long p999()
        {
            return gaps.getValueAtPercentile(99.9);
        }

        long max()
        {
            return gaps.getMaxValue();
        }
    }

    /** Records the gap between consecutive duty cycles while recording is on. */
    private static final class GapProbe implements Component
    {
        final Histogram gaps = new Histogram(HIGHEST_GAP_US, 3);
        private boolean recording;
        private long lastNs;

        public void onStart(final NodeServices services)
        {
        }

        void startRecording()
        {
            gaps.reset();
            recording = true;
            lastNs = 0;
        }

        void stopRecording()
        {
            recording = false;
        }

        public int doWork(final long nowMs)
        {
            final long nowNs = System.nanoTime();
            if (recording && 0 != lastNs)
            {
                gaps.recordValue(Math.min(HIGHEST_GAP_US, (nowNs - lastNs) / 1_000));
            }
            lastNs = nowNs;
            return 0;
        }
    }

    /** Produces writesPerMs puts per millisecond of wall time and commits them on the node thread or submits them. */
    private static final class Load implements Component, WriteCompletionHandler
    {
        private final Mode mode;
        private final LmdbStorage storage;
        private final StorageWriterComponent writer;
        private final int writesPerMs;
        private final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(VALUE_LENGTH));
        private WriteBatch batch;
        private long startNs;
        private long produced;
        private long stamp = HlcTimestamp.pack(T0, 0);
        private long writerCommitsAtReset;
        long acked;
        long commits;
        long refused;

        Load(final Mode mode, final LmdbStorage storage, final StorageWriterComponent writer, final int writesPerMs)
        {
            this.mode = mode;
            this.storage = storage;
            this.writer = writer;
            this.writesPerMs = writesPerMs;
        }

        public void onStart(final NodeServices services)
        {
            startNs = System.nanoTime();
            if (Mode.ON_THREAD == mode)
            {
                batch = new WriteBatch(storage.maxValueLength(), MAX_WRITES_PER_CYCLE, MAX_WRITES_PER_CYCLE *
                    VALUE_LENGTH + storage.maxValueLength());
            }
        }

        void resetCounts()
        {
            acked = 0;
            commits = 0;
            refused = 0;
            writerCommitsAtReset = null == writer ? 0 : writer.writer().commits();
        }

        public int doWork(final long nowMs)
        {
            final long due = (System.nanoTime() - startNs) / 1_000_000 * writesPerMs - produced;
            final int count = (int)Math.min(due, MAX_WRITES_PER_CYCLE);
            if (count <= 0)
            {
                return 0;
            }
            // Behind by more than a cycle's bound: skip the backlog rather than grow it without end.
            produced += due;
            for (int i = 0; i < count; i++)
            {
                final long key = (produced + i) & 0xFFFF;
                value.putLong(0, key);
                stamp++;
                if (Mode.ON_THREAD == mode)
                {
                    batch.put(KEYSPACE, key, stamp, 1, value, 0, VALUE_LENGTH);
                }
                else if (Mode.WRITER == mode)
                {
                    if (writer.writer().submitPut(KEYSPACE, key, stamp, 1, value, 0, VALUE_LENGTH, this) < 0)
                    {
                        refused++;
                    }
                }
            }
            if (Mode.ON_THREAD == mode)
            {
                storage.commit(batch);
                commits++;
                acked += count;
            }
            else if (Mode.WRITER == mode)
            {
                commits = writer.writer().commits() - writerCommitsAtReset;
            }
            return count;
        }

        public void onWriteCommitted(final long sequence)
        {
            acked++;
        }

        public void onWriteFailed(final long sequence, final Throwable cause)
        {
            throw new IllegalStateException("write " + sequence + " failed", cause);
        }
    }
}
