package io.datacake.benchmarks.rpc;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.node.NodeServices;
import io.datacake.node.NodeTask;
import io.datacake.transport.InProcessNetwork;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Command queue: submit a task from an application thread and wait until the node thread has run it.
 * <ul>
 *     <li>{@code nodeSubmitToComplete}: a reused {@link NodeTask} to a node on its own thread (default backoff
 *     idle strategy), completion seen through a volatile counter: allocation free.</li>
 *     <li>{@code nodeExecuteFuture}: the convenience {@code Node.execute} returning a {@link CompletableFuture}
 *     (allocates the future and a task wrapper per call).</li>
 *     <li>{@code baselineQueueToAgent}: baseline in the same run, a bare Agrona many-to-one queue drained by a bare
 *     agent on its own thread with the same idle strategy.</li>
 *     <li>{@code invokerSubmitAndInvoke} / {@code baselineQueueOfferPoll}: the same thread submits and steps the
 *     node (no hand-off), against a raw queue offer+poll.</li>
 * </ul>
 * The waiting benchmark thread backs off (spin, yield, park) like the node thread: no busy spin on a 2-core box.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
@State(Scope.Thread)
public class CommandQueueBenchmark
{
    private static final System.Logger LOGGER = System.getLogger(CommandQueueBenchmark.class.getName());

    private Node threadedNode;
    private Node invokerNode;
    private final CountingTask task = new CountingTask();

    private ManyToOneConcurrentArrayQueue<Runnable> baselineQueue;
    private AgentRunner baselineRunner;
    private final AtomicInteger baselineRan = new AtomicInteger();
    private final Runnable baselineTask = baselineRan::incrementAndGet;
    private final ManyToOneConcurrentArrayQueue<Runnable> sameThreadQueue = new ManyToOneConcurrentArrayQueue<>(1024);

    private final IdleStrategy waiter = newIdleStrategy();

    @Setup(Level.Trial)
    public void setup()
    {
        final InProcessNetwork network = new InProcessNetwork();
        threadedNode = Node.launch(new NodeContext().nodeId(1).transport(network.newTransport()));
        invokerNode = Node.launch(new NodeContext().nodeId(2).transport(network.newTransport())
            .useAgentInvoker(true));

        baselineQueue = new ManyToOneConcurrentArrayQueue<>(4096);
        baselineRunner = new AgentRunner(newIdleStrategy(), (ex) -> LOGGER.log(System.Logger.Level.ERROR,
            "baseline agent failed", ex), null, new Agent()
        {
            public int doWork()
            {
                int work = 0;
                Runnable runnable;
                while (work < 64 && null != (runnable = baselineQueue.poll()))
                {
                    runnable.run();
                    work++;
                }
                return work;
            }

            public String roleName()
            {
                return "baseline-agent";
            }
        });
        AgentRunner.startOnThread(baselineRunner);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        threadedNode.close();
        invokerNode.close();
        baselineRunner.close();
    }

    /**
     * Submit a reused task to a node thread and wait until it ran.
     *
     * @return the task count.
     */
    @Benchmark
    public int nodeSubmitToComplete()
    {
        final int before = task.ran.get();
        threadedNode.submit(task);
        waiter.reset();
        while (task.ran.get() == before)
        {
            waiter.idle();
        }
        return before;
    }

    /**
     * Run a function on the node thread through a future and wait for its result.
     *
     * @return the result.
     */
    @Benchmark
    public Integer nodeExecuteFuture()
    {
        final CompletableFuture<Integer> future = threadedNode.execute(NodeServices::nodeId);
        waiter.reset();
        while (!future.isDone())
        {
            waiter.idle();
        }
        return future.join();
    }

    /**
     * Baseline: a bare queue to a bare agent thread and back through a volatile counter.
     *
     * @return the count.
     */
    @Benchmark
    public int baselineQueueToAgent()
    {
        final int before = baselineRan.get();
        if (!baselineQueue.offer(baselineTask))
        {
            throw new IllegalStateException("queue full");
        }
        waiter.reset();
        while (baselineRan.get() == before)
        {
            waiter.idle();
        }
        return before;
    }

    /**
     * Submit a reused task and run one duty cycle on the same thread.
     *
     * @return the work done.
     */
    @Benchmark
    public int invokerSubmitAndInvoke()
    {
        invokerNode.submit(task);
        return invokerNode.invoker().invoke();
    }

    /**
     * Baseline: offer and poll a raw queue on the same thread.
     *
     * @return the count.
     */
    @Benchmark
    public int baselineQueueOfferPoll()
    {
        sameThreadQueue.offer(baselineTask);
        sameThreadQueue.poll().run();
        return baselineRan.get();
    }

    private static IdleStrategy newIdleStrategy()
    {
        return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
    }

    static final class CountingTask implements NodeTask
    {
        final AtomicInteger ran = new AtomicInteger();

        public void execute(final NodeServices services)
        {
            ran.incrementAndGet();
        }
    }
}
