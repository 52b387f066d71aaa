package io.datacake.benchmarks.store;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.StaticClusterView;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.storage.MemoryStorage;
import io.datacake.storage.StorageWriterContext;
import io.datacake.store.KeyspaceHandle;
import io.datacake.store.ReplicatedStore;
import io.datacake.store.StoreContext;
import io.datacake.store.WriteCallback;
import io.datacake.store.WriteStatus;
import io.datacake.transport.InProcessNetwork;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One put through the replicated store's handle, from the call to its completion, in the handle's two asynchronous
 * forms: the callback form ({@link KeyspaceHandle#put(long, org.agrona.DirectBuffer, int, int, ConsistencyLevel,
 * WriteCallback, long)}, pooled command slot) and the future form ({@link KeyspaceHandle#put(long, byte[],
 * ConsistencyLevel)}, which copies the value into a new array and allocates a command and a future).
 * <p>
 * A single node at level NONE over {@link MemoryStorage}, with the node and its storage writer in invoker mode and
 * stepped by the benchmark thread until the write completes, so the whole path (handle, command queue, coordination,
 * group commit, completion) runs on the measured thread and {@code -prof gc} sees every byte it allocates. Keys cycle
 * over {@value #KEYS} documents of {@value #VALUE_LENGTH} bytes, so storage overwrites entries it already holds.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class StoreHandleBenchmark implements WriteCallback
{
    static final int KEYS = 1024;
    static final int VALUE_LENGTH = 100;
    private static final int MAX_STEPS = 1_000_000;

    private final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_LENGTH]);
    private final byte[] valueArray = new byte[VALUE_LENGTH];
    private MemoryStorage storage;
    private Node node;
    private AgentInvoker invoker;
    private KeyspaceHandle docs;
    private long completed;
    private long failed;
    private int next;

    /**
     * Launch the node in invoker mode and write every key once.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        storage = new MemoryStorage();
        final ReplicatedStore store = new ReplicatedStore(new StoreContext().storage(storage)
            .clusterView(new StaticClusterView(1, "dc", "node-1"))
            .writerContext(new StorageWriterContext().useAgentInvoker(true)));
        node = Node.launch(new NodeContext().nodeId(1).transport(new InProcessNetwork().newTransport("node-1"))
            .ownsTransport(true).useAgentInvoker(true).addComponent(store));
        invoker = node.invoker();
        docs = store.handle(node).keyspace("docs");
        for (int i = 0; i < KEYS; i++)
        {
            callbackPut();
        }
    }

    /**
     * Close the node and its storage.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        node.close();
        storage.close();
        if (0 != failed)
        {
            throw new IllegalStateException(failed + " writes failed");
        }
    }

    /**
     * The callback form: copy into a pooled slot, step the node until the callback ran.
     *
     * @return writes completed so far.
     */
    @Benchmark
    public long callbackPut()
    {
        final long key = next++ & (KEYS - 1);
        value.putLong(0, key);
        final long before = completed;
        while (!docs.put(key, value, 0, VALUE_LENGTH, ConsistencyLevel.NONE, this, key))
        {
            invoker.invoke();
        }
        for (int i = 0; completed == before; i++)
        {
            checkSteps(i);
            invoker.invoke();
        }
        return completed;
    }

    /**
     * The future form: a new command, array copy and future per write; step the node until the future is done.
     *
     * @return the completed future's value (null).
     */
    @Benchmark
    public Object futurePut()
    {
        final long key = next++ & (KEYS - 1);
        valueArray[0] = (byte)key;
        final CompletableFuture<Void> future = docs.put(key, valueArray, ConsistencyLevel.NONE);
        for (int i = 0; !future.isDone(); i++)
        {
            checkSteps(i);
            invoker.invoke();
        }
        return future.join();
    }

    /**
     * Count the outcome (node thread, which is this thread here).
     */
    public void onWriteComplete(
        final long context, final WriteStatus status, final int acknowledged, final int required,
        final RuntimeException failure)
    {
        completed++;
        if (WriteStatus.ACKNOWLEDGED != status)
        {
            failed++;
        }
    }

    private static void checkSteps(final int steps)
    {
        if (steps > MAX_STEPS)
        {
            throw new IllegalStateException("a write did not complete within " + MAX_STEPS + " node steps");
        }
    }
}
