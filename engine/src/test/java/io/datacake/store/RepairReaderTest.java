package io.datacake.store;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.StaticClusterView;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.storage.MemoryStorage;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.Transport;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Repair fetches read storage off the node thread: node 1 holds documents node 2 lacks, node 2 pulls them, and node
 * 1's storage holds or fails its reads. While a fetch's read is held, node 1 still coordinates writes, answers other
 * RPCs and runs its timers; a fetch that finds the reader full is refused and counted, a failed read fails the fetch
 * and is counted, and once reads go on, node 2 converges. Every wait is for a condition, with a generous deadline.
 */
final class RepairReaderTest
{
    private static final String KEYSPACE = "docs";
    private static final String OTHER_KEYSPACE = "other";
    private static final int KEYS = 300;
    private static final long DEADLINE_MS = 60_000;
    private static final long POLL_INTERVAL_NS = 1_000_000;
    private static final byte[] VALUE = "v".getBytes(StandardCharsets.UTF_8);

    @Test
    void aHeldStorageReadDoesNotStopTheNodeWritingAnsweringRpcsOrRunningTimers() throws Exception
    {
        try (Pair pair = new Pair(false, (ctx) -> { }, (ctx) -> { }))
        {
            pair.awaitCondition(() -> pair.storage1.heldReads() > 0, "node 2's fetch holds a read of node 1");

            pair.store1.handle(pair.node1).put(OTHER_KEYSPACE, 1, VALUE, ConsistencyLevel.ONE)
                .get(DEADLINE_MS, TimeUnit.MILLISECONDS);
            pair.store2.handle(pair.node2).put(OTHER_KEYSPACE, 2, VALUE, ConsistencyLevel.ALL)
                .get(DEADLINE_MS, TimeUnit.MILLISECONDS);
            final long rounds = pair.store1.statistics().repairRounds();
            pair.awaitCondition(() -> pair.store1.statistics().repairRounds() > rounds + 2,
                "node 1 starts repair rounds on its timer");
            assertThat(pair.storage1.lastHeldThreadName()).as("the held read's thread")
                .isEqualTo(ReplicatedStore.REPAIR_READER_THREAD_NAME_PREFIX + 1);

            pair.storage1.releaseReads();
            pair.awaitCondition(pair::node2HoldsAll, "node 2 holds every document");
            assertThat(StoreSimCluster.counter(pair.node1, ReplicatedStore.REPAIR_REPLIES_STAGED_LABEL)).as("read by the reader")
                .isPositive();
            assertThat(StoreSimCluster.counter(pair.node1, ReplicatedStore.REPAIR_REPLIES_IN_PLACE_LABEL)).as("in place").isZero();
        }
    }

    @Test
    void aFetchArrivingWhileTheReaderHoldsItsBoundIsRefusedWithoutReadingAndCounted()
    {
        try (Pair pair = new Pair(false, (ctx) -> ctx.repairReaderQueueCapacity(1), (ctx) -> ctx.requestTimeoutMs(200)))
        {
            pair.awaitCondition(() -> pair.storage1.heldReads() > 0, "node 2's fetch holds a read of node 1");
            pair.awaitCondition(() -> pair.store1.statistics().repairFetchesRefusedReaderBusy() > 0,
                "a later fetch of node 2 is refused");
            assertThat(pair.storage1.heldReads()).as("reads begun: the refused fetches read nothing").isEqualTo(1);
            assertThat(StoreSimCluster.counter(pair.node1, StoreStatistics.REPAIR_FETCHES_READER_BUSY_LABEL))
                .as("the node counter behind the statistic").isPositive();

            pair.storage1.releaseReads();
            pair.awaitCondition(pair::node2HoldsAll, "node 2 holds every document");
        }
    }

    @Test
    void aFailedStorageReadFailsTheFetchIsCountedAndTheNodeCarriesOn() throws Exception
    {
        try (Pair pair = new Pair(false, (ctx) -> { }, (ctx) -> { }))
        {
            pair.storage1.releaseReads();
            pair.storage1.failReads(true);
            pair.awaitCondition(() -> pair.store1.statistics().repairFetchReadFailures() > 0,
                "a fetch of node 2 fails reading node 1's storage");
            assertThat(pair.storage1.failedReads()).isPositive();
            pair.store1.handle(pair.node1).put(OTHER_KEYSPACE, 1, VALUE, ConsistencyLevel.ALL)
                .get(DEADLINE_MS, TimeUnit.MILLISECONDS);

            pair.storage1.failReads(false);
            pair.awaitCondition(pair::node2HoldsAll, "node 2 holds every document");
            assertThat(StoreSimCluster.counter(pair.node1, StoreStatistics.REPAIR_FETCH_READ_FAILURES_LABEL))
                .isEqualTo(pair.store1.statistics().repairFetchReadFailures());
        }
    }

    @Test
    void aStorageThatReadsWithoutBlockingIsAnsweredInPlaceOnTheNodeThread()
    {
        try (Pair pair = new Pair(true, (ctx) -> { }, (ctx) -> { }))
        {
            pair.storage1.releaseReads();
            pair.awaitCondition(pair::node2HoldsAll, "node 2 holds every document");
            assertThat(StoreSimCluster.counter(pair.node1, ReplicatedStore.REPAIR_REPLIES_IN_PLACE_LABEL)).as("in place")
                .isPositive();
            assertThat(StoreSimCluster.counter(pair.node1, ReplicatedStore.REPAIR_REPLIES_STAGED_LABEL)).as("staged").isZero();
            assertThat(Thread.getAllStackTraces().keySet()).as("no repair reader thread")
                .noneMatch((thread) -> thread.getName().equals(ReplicatedStore.REPAIR_READER_THREAD_NAME_PREFIX + 1));
        }
    }

    /**
     * Node 1 over a {@link HeldReadStorage} holding {@link #KEYS} documents, launched first; then its reads are held;
     * then node 2, empty, which pulls them every 20 ms.
     */
    private static final class Pair implements AutoCloseable
    {
        final MemoryStorage memory1 = new MemoryStorage();
        final MemoryStorage storage2 = new MemoryStorage();
        final HeldReadStorage storage1;
        final ReplicatedStore store1;
        final ReplicatedStore store2;
        final Node node1;
        final Node node2;

        Pair(final boolean readsWithoutBlocking, final Consumer<StoreContext> customize1,
            final Consumer<StoreContext> customize2)
        {
            for (int key = 0; key < KEYS; key++)
            {
                memory1.put(KEYSPACE, key, 1_000_000L + key, 1, VALUE);
            }
            storage1 = new HeldReadStorage(memory1, readsWithoutBlocking);
            final InProcessNetwork network = new InProcessNetwork();
            final Transport transport1 = network.newTransport();
            final Transport transport2 = network.newTransport();
            final StoreContext ctx1 = new StoreContext().storage(storage1).repairIntervalMs(20).clusterView(
                new StaticClusterView(1, "dc", transport1.localEndpoint()).addMember(2, "dc", transport2.localEndpoint()));
            customize1.accept(ctx1);
            final StoreContext ctx2 = new StoreContext().storage(storage2).repairIntervalMs(20).clusterView(
                new StaticClusterView(2, "dc", transport2.localEndpoint()).addMember(1, "dc", transport1.localEndpoint()));
            customize2.accept(ctx2);
            store1 = new ReplicatedStore(ctx1);
            store2 = new ReplicatedStore(ctx2);
            node1 = Node.launch(new NodeContext().nodeId(1).transport(transport1).ownsTransport(true)
                .addComponent(store1));
            storage1.holdReads();
            node2 = Node.launch(new NodeContext().nodeId(2).transport(transport2).ownsTransport(true)
                .addComponent(store2));
        }

        boolean node2HoldsAll()
        {
            return KEYS == storage2.metadata(KEYSPACE).size();
        }

        void awaitCondition(final BooleanSupplier condition, final String what)
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
            while (!condition.getAsBoolean())
            {
                assertThat(System.nanoTime() - deadlineNs).as("%s within %d ms", what, DEADLINE_MS).isNegative();
                LockSupport.parkNanos(POLL_INTERVAL_NS); // a poll interval, not a guess at how long it takes
            }
        }

        public void close()
        {
            storage1.releaseReads();
            try (MemoryStorage closing1 = memory1;
                MemoryStorage closing2 = storage2;
                Node closingNode1 = node1;
                Node closingNode2 = node2)
            {
                storage1.failReads(false);
            }
        }
    }
}
