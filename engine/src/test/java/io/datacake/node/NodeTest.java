package io.datacake.node;

import io.datacake.sim.SimClock;
import io.datacake.transport.InProcessNetwork;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class NodeTest
{
    private static final long HOUR_MS = 3_600_000;

    private final InProcessNetwork network = new InProcessNetwork();

    @Test
    void launchRejectsAnIncompleteContext()
    {
        assertThatThrownBy(() -> Node.launch(new NodeContext().transport(network.newTransport())))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nodeId");
        assertThatThrownBy(() -> Node.launch(new NodeContext().nodeId(1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transport");
        assertThatThrownBy(() -> Node.launch(new NodeContext().nodeId(70_000).transport(network.newTransport())))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nodeId");
        assertThatThrownBy(() -> Node.launch(
            new NodeContext().nodeId(1).transport(network.newTransport()).commandQueueCapacity(0)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("commandQueueCapacity");
    }

    @Test
    void tasksRunOnTheNodeThread() throws Exception
    {
        try (Node node = Node.launch(new NodeContext().nodeId(7).transport(network.newTransport())))
        {
            final String threadName = node.execute((s) -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS);
            assertThat(threadName).isEqualTo("datacake-node-7");
            assertThat(node.execute(NodeServices::nodeId).get(10, TimeUnit.SECONDS)).isEqualTo(7);
        }
    }

    @Test
    void executeFailsTheFutureWithTheFunctionsException()
    {
        try (Node node = invokerNode(1, new SimClock()))
        {
            final CompletableFuture<Object> future = node.execute((s) ->
            {
                throw new IllegalStateException("nope");
            });
            node.invoker().invoke();
            assertThat(future).isCompletedExceptionally();
            assertThatThrownBy(future::get).hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("nope");
        }
    }

    @Test
    void fullCommandQueueGivesBackPressureNotASilentDrop()
    {
        try (Node node = Node.launch(new NodeContext().nodeId(1).transport(network.newTransport())
            .useAgentInvoker(true).commandQueueCapacity(4)))
        {
            final AtomicInteger ran = new AtomicInteger();
            final NodeTask task = (s) -> ran.incrementAndGet();
            for (int i = 0; i < 4; i++)
            {
                node.submit(task);
            }
            assertThat(node.offer(task)).isEqualTo(Node.QUEUE_FULL);
            assertThatThrownBy(() -> node.submit(task))
                .isInstanceOf(NodeBackPressureException.class).hasMessageContaining("capacity 4");
            final CompletableFuture<Integer> rejected = node.execute((s) -> 1);
            assertThat(rejected).isCompletedExceptionally();
            assertThatThrownBy(rejected::get).hasCauseInstanceOf(NodeBackPressureException.class);
            assertThat(node.counters().commandsRejected.get()).isEqualTo(3);

            node.invoker().invoke();
            assertThat(ran.get()).isEqualTo(4);
            assertThat(node.offer(task)).isEqualTo(Node.OFFERED);
        }
    }

    @Test
    void commandLimitBoundsTheWorkOfOneDutyCycle()
    {
        try (Node node = Node.launch(new NodeContext().nodeId(1).transport(network.newTransport())
            .useAgentInvoker(true).commandLimit(3)))
        {
            final AtomicInteger ran = new AtomicInteger();
            for (int i = 0; i < 10; i++)
            {
                node.submit((s) -> ran.incrementAndGet());
            }
            node.invoker().invoke();
            assertThat(ran.get()).isEqualTo(3);
        }
    }

    @Test
    void timersFireWhenTheInjectedClockReachesTheirDeadline()
    {
        final SimClock clock = new SimClock();
        try (Node node = invokerNode(1, clock))
        {
            final List<Long> fired = new ArrayList<>();
            final long[] cancelled = new long[1];
            node.submit((s) ->
            {
                s.timers().scheduleAfter(100, (id, now) -> fired.add(now));
                cancelled[0] = s.timers().scheduleAfter(50, (id, now) -> fired.add(-1L));
            });
            node.invoker().invoke();
            node.submit((s) -> assertThat(s.timers().cancel(cancelled[0])).isTrue());
            node.invoker().invoke();

            clock.advanceMs(99);
            node.invoker().invoke();
            assertThat(fired).isEmpty();

            clock.advanceMs(1);
            node.invoker().invoke();
            assertThat(fired).containsExactly(SimClock.DEFAULT_START_MS + 100);
            assertThat(node.counters().timersExpired.get()).isEqualTo(1);
        }
    }

    @Test
    void timersAndTheDutyCycleFollowTheMonotonicClockWhateverTheWallClockDoes()
    {
        final SimClock monotonic = new SimClock();
        final CachedEpochClock wall = new CachedEpochClock();
        wall.update(SimClock.DEFAULT_START_MS);
        try (Node node = Node.launch(new NodeContext().nodeId(1).transport(network.newTransport())
            .epochClock(wall).nanoClock(monotonic).useAgentInvoker(true)))
        {
            final List<Long> fired = new ArrayList<>();
            final List<Long> dutyTimes = new ArrayList<>();
            node.submit((s) ->
            {
                s.timers().scheduleAfter(100, (id, monotonicMs) -> fired.add(monotonicMs));
                s.addDuty((monotonicMs) ->
                {
                    dutyTimes.add(monotonicMs);
                    return 0;
                });
            });
            node.invoker().invoke();

            wall.advance(HOUR_MS);
            node.invoker().invoke();
            assertThat(fired).as("a wall clock an hour ahead fires nothing").isEmpty();
            final CompletableFuture<long[]> clocks = node.execute((s) -> new long[]{s.monotonicMs(), s.epochMs()});
            node.invoker().invoke();
            assertThat(clocks.join()).containsExactly(SimClock.DEFAULT_START_MS, SimClock.DEFAULT_START_MS + HOUR_MS);

            wall.advance(-2 * HOUR_MS);
            monotonic.advanceMs(100);
            node.invoker().invoke();
            assertThat(fired).as("a wall clock an hour behind delays nothing")
                .containsExactly(SimClock.DEFAULT_START_MS + 100);
            assertThat(dutyTimes).as("duties get the monotonic time").isNotEmpty()
                .allMatch((timeMs) -> timeMs >= SimClock.DEFAULT_START_MS && timeMs <= SimClock.DEFAULT_START_MS + 100)
                .endsWith(SimClock.DEFAULT_START_MS + 100);
        }
    }

    @Test
    void aNodeWithoutAMonotonicClockIsRefused()
    {
        final NodeContext ctx = new NodeContext().nodeId(1).transport(network.newTransport()).nanoClock(null);
        assertThatThrownBy(ctx::conclude).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("nanoClock");
    }

    @Test
    void manyTimersInOneTickGrowTheWheelAndEachFiresItsOwnListenerOnce()
    {
        final SimClock clock = new SimClock();
        try (Node node = invokerNode(1, clock))
        {
            final List<Integer> fired = new ArrayList<>();
            final int[] scheduled = new int[1];
            node.submit((s) ->
            {
                final long[] ids = new long[100];
                for (int i = 0; i < 100; i++)
                {
                    final int index = i;
                    ids[i] = s.timers().scheduleAfter(10, (id, now) -> fired.add(index));
                }
                for (int i = 1; i < 100; i += 2)
                {
                    assertThat(s.timers().cancel(ids[i])).isTrue();
                    assertThat(s.timers().cancel(ids[i])).isFalse();
                }
                scheduled[0] = s.timers().size();
            });
            node.invoker().invoke();
            assertThat(scheduled[0]).isEqualTo(50);
            clock.advanceMs(10);
            for (int i = 0; i < 5; i++)
            {
                node.invoker().invoke();
            }
            assertThat(fired).hasSize(50).doesNotHaveDuplicates().allMatch((i) -> i % 2 == 0);
            final CompletableFuture<Integer> remaining = node.execute((s) -> s.timers().size());
            node.invoker().invoke();
            assertThat(remaining.join()).isZero();
        }
    }

    @Test
    void timerFarInTheFutureWrapsTheWheelAndStillFiresOnTime()
    {
        final SimClock clock = new SimClock();
        try (Node node = invokerNode(1, clock))
        {
            final List<Long> fired = new ArrayList<>();
            node.submit((s) -> s.timers().scheduleAfter(5_000, (id, now) -> fired.add(now)));
            node.invoker().invoke();
            for (int i = 0; i < 4_999; i++)
            {
                clock.advanceMs(1);
                node.invoker().invoke();
            }
            assertThat(fired).isEmpty();
            clock.advanceMs(1);
            node.invoker().invoke();
            assertThat(fired).containsExactly(SimClock.DEFAULT_START_MS + 5_000);
        }
    }

    @Test
    @SuppressWarnings("try") // closes inside try-with-resources on purpose: close is idempotent
    void dutiesRunEveryCycleAndTheirErrorsAreCountedNotFatal()
    {
        final List<Throwable> errors = new ArrayList<>();
        try (Node node = Node.launch(new NodeContext().nodeId(1).transport(network.newTransport())
            .useAgentInvoker(true).errorHandler(errors::add)))
        {
            final AtomicInteger turns = new AtomicInteger();
            final boolean[] closed = new boolean[1];
            node.submit((s) -> s.addDuty(new Duty()
            {
                public int doWork(final long nowMs)
                {
                    if (turns.incrementAndGet() == 2)
                    {
                        throw new IllegalStateException("duty failed once");
                    }
                    return 0;
                }

                public void onClose()
                {
                    closed[0] = true;
                }
            }));
            node.submit((s) ->
            {
                throw new IllegalArgumentException("task failed");
            });
            for (int i = 0; i < 5; i++)
            {
                node.invoker().invoke();
            }
            assertThat(turns.get()).isEqualTo(5);
            assertThat(node.counters().dutyCycleErrors.get()).isEqualTo(2);
            assertThat(errors).extracting(Throwable::getMessage).containsExactly("task failed", "duty failed once");
            node.close();
            assertThat(closed[0]).isTrue();
        }
    }

    @Test
    void closeRejectsQueuedTasksAndLaterSubmissions()
    {
        final Node node = invokerNode(1, new SimClock());
        final List<NodeClosedException> rejections = new ArrayList<>();
        node.submit(new NodeTask()
        {
            public void execute(final NodeServices services)
            {
                throw new AssertionError("must not run after close");
            }

            public void onRejected(final NodeClosedException reason)
            {
                rejections.add(reason);
            }
        });
        final CompletableFuture<Integer> queued = node.execute((s) -> 1);
        node.close();
        node.close();
        assertThat(rejections).hasSize(1);
        assertThat(rejections.get(0)).hasMessage("node 1 is closed");
        assertThatThrownBy(queued::get).isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(NodeClosedException.class);
        assertThat(node.offer((s) -> {})).isEqualTo(Node.CLOSED);
        assertThatThrownBy(() -> node.submit((s) -> {})).isInstanceOf(NodeClosedException.class);
        assertThat(node.execute((s) -> 1)).isCompletedExceptionally();
    }

    @Test
    void submittersRacingCloseNeverLeaveAFutureHanging() throws Exception
    {
        for (int round = 0; round < 20; round++)
        {
            final Node node = Node.launch(new NodeContext().nodeId(1).transport(network.newTransport()));
            final List<CompletableFuture<Integer>> futures = java.util.Collections.synchronizedList(new ArrayList<>());
            final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(3);
            final List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < 3; t++)
            {
                final Thread thread = new Thread(() ->
                {
                    started.countDown();
                    for (int i = 0; i < 2_000; i++)
                    {
                        futures.add(node.execute((s) -> 1));
                    }
                });
                submitters.add(thread);
                thread.start();
            }
            started.await();
            node.close();
            for (final Thread thread : submitters)
            {
                thread.join();
            }
            for (final CompletableFuture<Integer> future : futures)
            {
                // Either it ran, or it was rejected (closed or queue full): never left pending.
                assertThat(future).isDone();
            }
        }
    }

    @Test
    void closeStopsTheThreadAndClosesAnOwnedTransport() throws Exception
    {
        final io.datacake.transport.Transport transport = network.newTransport();
        final Node node = Node.launch(new NodeContext().nodeId(3).transport(transport));
        final Thread thread = node.execute((s) -> Thread.currentThread()).get(10, TimeUnit.SECONDS);
        assertThat(thread.isAlive()).isTrue();
        node.close();
        assertThat(thread.isAlive()).isFalse();
        assertThat(transport.isClosed()).isTrue();
        node.close();
    }

    @Test
    @SuppressWarnings("try") // the close inside must be rejected; try-with-resources closes for real
    void closingFromTheNodeThreadIsRejectedInsteadOfDeadlocking() throws Exception
    {
        try (Node node = Node.launch(new NodeContext().nodeId(4).transport(network.newTransport())))
        {
            final CompletableFuture<Object> attempt = new CompletableFuture<>();
            node.submit((s) ->
            {
                try
                {
                    node.close();
                    attempt.complete("closed");
                }
                catch (final IllegalStateException ex)
                {
                    attempt.complete(ex.getMessage());
                }
            });
            assertThat(attempt.get(10, TimeUnit.SECONDS)).asString().contains("cannot be closed from its own thread");
            assertThat(node.isClosed()).isFalse();
        }
    }

    @Test
    void aTransportNotOwnedByTheNodeStaysOpen()
    {
        final io.datacake.transport.Transport transport = network.newTransport();
        Node.launch(new NodeContext().nodeId(3).transport(transport).ownsTransport(false).useAgentInvoker(true))
            .close();
        assertThat(transport.isClosed()).isFalse();
        transport.close();
    }

    @Test
    void manyNodesLaunchedAndClosedLeakNoThreadsAndNoOffHeapMemory() throws Exception
    {
        final BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter((pool) -> pool.getName().equals("direct")).findFirst().orElseThrow();
        settleDirectMemory(direct, Long.MAX_VALUE);
        final long baselineBytes = direct.getMemoryUsed();

        for (int round = 0; round < 40; round++)
        {
            final Node node = Node.launch(new NodeContext().nodeId(100 + round).transport(network.newTransport()));
            node.execute((s) -> 1).get(10, TimeUnit.SECONDS);
            node.close();
        }

        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
            (t) -> t.getName().startsWith("datacake-node-") && t.isAlive());
        // 40 nodes held 40+ MiB of inboxes and counters; once closed, all of it must be collectable.
        final long slackBytes = 8L * 1024 * 1024;
        settleDirectMemory(direct, baselineBytes + slackBytes);
        assertThat(direct.getMemoryUsed()).isLessThanOrEqualTo(baselineBytes + slackBytes);
    }

    private static void settleDirectMemory(final BufferPoolMXBean direct, final long targetBytes)
        throws InterruptedException
    {
        // Direct buffers are freed by their cleaner after a GC; give it a bounded number of chances.
        for (int i = 0; i < 50 && direct.getMemoryUsed() > targetBytes || i < 3; i++)
        {
            System.gc();
            Thread.sleep(20);
        }
    }

    private Node invokerNode(final int nodeId, final SimClock clock)
    {
        return Node.launch(new NodeContext().nodeId(nodeId).transport(network.newTransport())
            .epochClock(clock).nanoClock(clock).useAgentInvoker(true));
    }
}
