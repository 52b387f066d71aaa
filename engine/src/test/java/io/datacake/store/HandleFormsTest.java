package io.datacake.store;

import io.datacake.membership.ConsistencyException;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.StaticClusterView;
import io.datacake.node.Node;
import io.datacake.node.NodeClosedException;
import io.datacake.node.NodeContext;
import io.datacake.storage.MemoryStorage;
import io.datacake.storage.CountingStorage;
import io.datacake.storage.Storage;
import io.datacake.storage.StorageWriterContext;
import io.datacake.storage.ValueTooLargeException;
import io.datacake.transport.InProcessNetwork;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The handle's allocation-free callback form of put and delete and its in-place and copy-into reads, on one node
 * stepped in the test thread (node and storage writer in invoker mode), so every outcome is exact.
 */
final class HandleFormsTest
{
    private static final int MAX_STEPS = 100_000;
    private static final int MAX_VALUE_LENGTH = 1024;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Outcomes outcomes = new Outcomes();
    private Node node;
    private ReplicatedStore store;
    private StoreHandle handle;
    private KeyspaceHandle docs;

    @AfterEach
    void close() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @Test
    void aCallbackPutIsAcknowledgedWithItsContextAndReadsBackAsWritten()
    {
        start(new StoreContext(), new NodeContext());
        final UnsafeBuffer value = text("  hello  ");

        assertThat(docs.put(42, value, 2, 5, ConsistencyLevel.NONE, outcomes, 1234)).isTrue();
        value.putStringWithoutLengthAscii(0, "XXXXXXXXX"); // the value was copied before return
        stepUntil(() -> outcomes.count() == 1);

        assertThat(outcomes.describe(0)).isEqualTo("1234 ACKNOWLEDGED 1/1 null");
        assertThat(string(docs.get(42).value())).isEqualTo("hello");
        assertThat(handle.freeWriteSlots()).as("the slot went back to its pool").isEqualTo(4);
    }

    @Test
    void aCallbackDeleteLeavesATombstone()
    {
        start(new StoreContext(), new NodeContext());
        putStepped(7, "seven");

        assertThat(docs.delete(7, ConsistencyLevel.NONE, outcomes, 99)).isTrue();
        stepUntil(() -> outcomes.count() == 1);

        assertThat(outcomes.describe(0)).isEqualTo("99 ACKNOWLEDGED 1/1 null");
        assertThat(docs.get(7)).isNull();
    }

    @Test
    void theCallbackFormAllocatesNothingInSteadyState()
    {
        start(new StoreContext(), new NodeContext());
        final UnsafeBuffer value = new UnsafeBuffer(new byte[100]);
        final int[] acknowledged = new int[1];
        final WriteCallback callback = (context, status, acks, required, failure) ->
        {
            if (WriteStatus.ACKNOWLEDGED == status)
            {
                acknowledged[0]++;
            }
        };
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

        writeAndStep(value, callback, 20_000); // warm-up: slots, buffers, the keys' storage entries
        final long before = threads.getCurrentThreadAllocatedBytes();
        writeAndStep(value, callback, 10_000);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(acknowledged[0]).isEqualTo(30_000);
        assertThat(allocated).as("bytes allocated by 10,000 callback puts, node and storage writer included")
            .isLessThan(10_000);
    }

    @Test
    void pastTheSlotBoundACallbackWriteIsRefusedWithFalseAndNotCalledBack()
    {
        start(new StoreContext().maxPendingWrites(2), new NodeContext());
        final UnsafeBuffer value = text("v");

        assertThat(docs.put(1, value, 0, 1, ConsistencyLevel.NONE, outcomes, 1)).isTrue();
        assertThat(docs.delete(2, ConsistencyLevel.NONE, outcomes, 2)).isTrue();
        assertThat(docs.put(3, value, 0, 1, ConsistencyLevel.NONE, outcomes, 3)).as("both slots in use").isFalse();
        stepUntil(() -> outcomes.count() == 2);
        stepIdle();

        assertThat(outcomes.contexts()).containsExactly(1L, 2L);
        assertThat(docs.get(3)).isNull();
        assertThat(docs.put(3, value, 0, 1, ConsistencyLevel.NONE, outcomes, 3)).as("slots came back").isTrue();
        stepUntil(() -> outcomes.count() == 3);
        assertThat(docs.get(3)).isNotNull();
    }

    @Test
    void aFullCommandQueueRefusesACallbackWriteWithFalseAndKeepsTheSlot()
    {
        start(new StoreContext(), new NodeContext().commandQueueCapacity(2));
        final UnsafeBuffer value = text("v");

        assertThat(docs.put(1, value, 0, 1, ConsistencyLevel.NONE, outcomes, 1)).isTrue();
        assertThat(docs.put(2, value, 0, 1, ConsistencyLevel.NONE, outcomes, 2)).isTrue();
        assertThat(docs.put(3, value, 0, 1, ConsistencyLevel.NONE, outcomes, 3)).as("queue full").isFalse();
        assertThat(handle.freeWriteSlots()).as("the refused write's slot is free again").isEqualTo(4 - 2);
        stepUntil(() -> outcomes.count() == 2);
        assertThat(outcomes.contexts()).containsExactly(1L, 2L);
    }

    @Test
    void tooFewMembersReachesTheCallbackAndWritesNothing()
    {
        start(new StoreContext(), new NodeContext());

        assertThat(docs.put(5, text("x"), 0, 1, ConsistencyLevel.ONE, outcomes, 5)).isTrue();
        stepUntil(() -> outcomes.count() == 1);

        assertThat(outcomes.status(0)).isEqualTo(WriteStatus.TOO_FEW_MEMBERS);
        assertThat(outcomes.failure(0)).isInstanceOf(ConsistencyException.class)
            .hasMessageContaining("needs 1 other live member");
        assertThat(docs.get(5)).isNull();
        assertThat(handle.freeWriteSlots()).isEqualTo(4);
    }

    @Test
    void aStoreBoundOnTheNodeThreadReachesTheCallbackAsBackPressure()
    {
        // Writer held: the first write stays in flight, the second passes the writer's one-write bound.
        start(new StoreContext().maxBatchEntries(1)
            .writerContext(new StorageWriterContext().useAgentInvoker(true).maxInFlightWrites(1)), new NodeContext());
        store().holdWriter(true);
        assertThat(docs.put(1, text("a"), 0, 1, ConsistencyLevel.NONE, outcomes, 1)).isTrue();
        assertThat(docs.put(2, text("b"), 0, 1, ConsistencyLevel.NONE, outcomes, 2)).isTrue();
        stepUntil(() -> outcomes.count() == 1);

        assertThat(outcomes.describe(0)).startsWith("2 BACK_PRESSURED 0/0 ");
        assertThat(outcomes.failure(0)).isInstanceOf(StoreBackPressureException.class)
            .hasMessageContaining("maxInFlightWrites");
        store().holdWriter(false);
        stepUntil(() -> outcomes.count() == 2);
        assertThat(outcomes.describe(1)).isEqualTo("1 ACKNOWLEDGED 1/1 null");
        assertThat(docs.get(2)).as("refused before anything was written").isNull();
    }

    @Test
    void aWriteQueuedWhenTheNodeClosesHearsNodeClosedAndLaterCallsThrow()
    {
        start(new StoreContext(), new NodeContext());
        assertThat(docs.put(1, text("a"), 0, 1, ConsistencyLevel.NONE, outcomes, 11)).isTrue();

        node.close();

        assertThat(outcomes.describe(0)).startsWith("11 NODE_CLOSED 0/0 ");
        assertThat(outcomes.failure(0)).isInstanceOf(NodeClosedException.class);
        assertThatThrownBy(() -> docs.put(2, text("b"), 0, 1, ConsistencyLevel.NONE, outcomes, 12))
            .isInstanceOf(NodeClosedException.class);
        assertThatThrownBy(() -> docs.put(2, new byte[1], ConsistencyLevel.NONE))
            .isInstanceOf(NodeClosedException.class);
        assertThat(handle.freeWriteSlots()).isEqualTo(4);
    }

    @Test
    void aCallbackThatThrowsStillReturnsItsSlot()
    {
        start(new StoreContext(), new NodeContext());
        final WriteCallback throwing = (context, status, acknowledged, required, failure) ->
        {
            throw new IllegalStateException("application bug");
        };

        assertThat(docs.put(1, text("a"), 0, 1, ConsistencyLevel.NONE, throwing, 0)).isTrue();
        stepIdle();

        assertThat(handle.freeWriteSlots()).isEqualTo(4);
        assertThat(string(docs.get(1).value())).isEqualTo("a");
    }

    @Test
    void anOversizeValueIsRefusedByEveryFormNamingTheLimit()
    {
        start(new StoreContext(), new NodeContext());
        final int tooLong = MAX_VALUE_LENGTH + 1;

        assertThatThrownBy(() -> docs.put(1, new UnsafeBuffer(new byte[tooLong]), 0, tooLong, ConsistencyLevel.NONE,
            outcomes, 0))
            .isInstanceOf(ValueTooLargeException.class).hasMessageContaining(String.valueOf(MAX_VALUE_LENGTH));
        assertThatThrownBy(() -> handle.put("docs", 1, new byte[tooLong], ConsistencyLevel.NONE))
            .isInstanceOf(ValueTooLargeException.class).hasMessageContaining(String.valueOf(MAX_VALUE_LENGTH));
        assertThatThrownBy(() -> docs.put(1, new UnsafeBuffer(new byte[4]), 2, 3, ConsistencyLevel.NONE, outcomes, 0))
            .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("capacity 4");
        assertThat(handle.freeWriteSlots()).isEqualTo(4);
        stepIdle();
        assertThat(outcomes.count()).isZero();
        assertThat(docs.get(1)).isNull();
    }

    @Test
    void aBadKeyspaceNameIsRefusedSayingWhatIsAllowed()
    {
        start(new StoreContext(), new NodeContext());

        assertThatThrownBy(() -> handle.keyspace(""))
            .isInstanceOf(io.datacake.storage.InvalidKeyspaceNameException.class)
            .hasMessageContaining("1 to 255 bytes");
        assertThatThrownBy(() -> handle.keyspace("x".repeat(256)))
            .isInstanceOf(io.datacake.storage.InvalidKeyspaceNameException.class)
            .hasMessageContaining("1 to 255 bytes");
        assertThatThrownBy(() -> handle.put("", 1, new byte[1], ConsistencyLevel.NONE))
            .isInstanceOf(io.datacake.storage.InvalidKeyspaceNameException.class)
            .hasMessageContaining("1 to 255 bytes");
    }

    @Test
    void aReaderSeesTheStoredBytesInPlaceAndTheViewIsDetachedAfterwards()
    {
        start(new StoreContext(), new NodeContext());
        putStepped(3, "three");
        final DirectBuffer[] kept = new DirectBuffer[1];
        final String[] seen = new String[1];

        assertThat(docs.read(3, (key, stamp, nodeId, value) ->
        {
            seen[0] = key + "/" + nodeId + "/" + value.getStringWithoutLengthAscii(0, value.capacity());
            assertThat(stamp).isPositive();
            kept[0] = value;
        })).isTrue();

        assertThat(seen[0]).isEqualTo("3/1/three");
        assertThat(kept[0].capacity()).as("detached once the reader returned").isZero();
        assertThatThrownBy(() -> kept[0].getByte(0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(docs.read(4, (key, stamp, nodeId, value) -> seen[0] = "called")).isFalse();
        assertThat(seen[0]).as("not called for a missing key").isEqualTo("3/1/three");
    }

    @Test
    void getIntoACallersBufferReturnsTheLengthOrNotFound()
    {
        start(new StoreContext(), new NodeContext());
        putStepped(3, "three");
        putStepped(4, "four");
        docs.delete(4, ConsistencyLevel.NONE, outcomes, 0);
        stepUntil(() -> outcomes.count() == 1);

        final UnsafeBuffer fixed = new UnsafeBuffer(new byte[8]);
        assertThat(docs.get(3, fixed, 1)).isEqualTo(5);
        assertThat(fixed.getStringWithoutLengthAscii(1, 5)).isEqualTo("three");
        final ExpandableArrayBuffer growing = new ExpandableArrayBuffer(2);
        assertThat(handle.get("docs", 3, growing, 10)).isEqualTo(5);
        assertThat(growing.getStringWithoutLengthAscii(10, 5)).isEqualTo("three");
        final byte[] array = new byte[5];
        assertThat(docs.get(3, array, 0)).isEqualTo(5);
        assertThat(new String(array, StandardCharsets.US_ASCII)).isEqualTo("three");

        assertThat(docs.get(4, fixed, 0)).as("deleted").isEqualTo(StoreHandle.NOT_FOUND);
        assertThat(docs.get(5, array, 0)).as("missing").isEqualTo(StoreHandle.NOT_FOUND);
        assertThatThrownBy(() -> docs.get(3, fixed, 4))
            .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("is 5 bytes, the buffer has 4");
        assertThatThrownBy(() -> docs.get(3, new byte[4], 0))
            .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("is 5 bytes, the buffer has 4");
        assertThatThrownBy(() -> docs.get(3, array, -1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void aFailedStorageCommitReachesTheCallerThroughBothFormsAndReadsAgreeWithStorage()
    {
        final CountingStorage storage = new CountingStorage();
        start(new StoreContext(), new NodeContext(), storage);
        storage.failNextCommits(Integer.MAX_VALUE);

        final CompletableFuture<Void> future = docs.put(1, "a".getBytes(StandardCharsets.US_ASCII),
            ConsistencyLevel.NONE);
        assertThat(docs.put(2, text("b"), 0, 1, ConsistencyLevel.NONE, outcomes, 2)).isTrue();
        stepUntil(() -> future.isDone() && outcomes.count() == 1);

        assertThatThrownBy(future::join).hasCauseInstanceOf(ReplicationException.class)
            .hasMessageContaining("the local storage commit failed").hasMessageContaining("disk full (injected)");
        assertThat(outcomes.describe(0)).startsWith("2 NOT_ACKNOWLEDGED 0/1 ");
        assertThat(outcomes.failure(0)).hasMessageContaining("the local storage commit failed");
        assertThat(docs.get(1)).as("nothing stored").isNull();
        assertThat(docs.get(2)).as("nothing stored").isNull();

        // The storage recovers: the same keys take new writes, which read back.
        storage.failNextCommits(0);
        putStepped(1, "a2");
        assertThat(docs.put(2, text("b2"), 0, 2, ConsistencyLevel.NONE, outcomes, 22)).isTrue();
        stepUntil(() -> outcomes.count() == 2);
        assertThat(outcomes.describe(1)).isEqualTo("22 ACKNOWLEDGED 1/1 null");
        assertThat(string(docs.get(1).value())).isEqualTo("a2");
        assertThat(string(docs.get(2).value())).isEqualTo("b2");
        assertThat(handle.freeWriteSlots()).isEqualTo(4);
    }

    // ---- helpers

    private void start(final StoreContext storeContext, final NodeContext nodeContext)
    {
        start(storeContext, nodeContext, new MemoryStorage(MAX_VALUE_LENGTH));
    }

    private void start(final StoreContext storeContext, final NodeContext nodeContext, final Storage storage)
    {
        final InProcessNetwork network = new InProcessNetwork();
        resources.add(storage);
        if (null == storeContext.writerContext())
        {
            storeContext.writerContext(new StorageWriterContext().useAgentInvoker(true));
        }
        if (storeContext.maxPendingWrites() == StoreContext.DEFAULT_MAX_PENDING_WRITES)
        {
            storeContext.maxPendingWrites(4);
        }
        final ReplicatedStore store = new ReplicatedStore(
            storeContext.storage(storage).clusterView(new StaticClusterView(1, "dc", "node-1")));
        node = Node.launch(nodeContext.nodeId(1).transport(network.newTransport("node-1")).ownsTransport(true)
            .useAgentInvoker(true).addComponent(store));
        resources.add(node);
        handle = store.handle(node);
        docs = handle.keyspace("docs");
        this.store = store;
    }

    private ReplicatedStore store()
    {
        return store;
    }

    private void putStepped(final long key, final String value)
    {
        final CompletableFuture<Void> future =
            docs.put(key, value.getBytes(StandardCharsets.US_ASCII), ConsistencyLevel.NONE);
        stepUntil(future::isDone);
        future.join();
    }

    private void stepUntil(final BooleanSupplier condition)
    {
        for (int i = 0; i < MAX_STEPS; i++)
        {
            if (condition.getAsBoolean())
            {
                return;
            }
            node.invoker().invoke();
        }
        assertThat(condition.getAsBoolean()).as("condition reached within " + MAX_STEPS + " steps").isTrue();
    }

    private void stepIdle()
    {
        for (int i = 0; i < 100; i++)
        {
            node.invoker().invoke();
        }
    }

    private void writeAndStep(final UnsafeBuffer value, final WriteCallback callback, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            value.putInt(0, i);
            while (!docs.put(i & 63, value, 0, value.capacity(), ConsistencyLevel.NONE, callback, i))
            {
                node.invoker().invoke();
            }
            node.invoker().invoke();
        }
        stepUntil(() -> handle.freeWriteSlots() == 4);
    }

    private static UnsafeBuffer text(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String string(final byte[] bytes)
    {
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /**
     * Records every callback outcome in order.
     */
    private static final class Outcomes implements WriteCallback
    {
        private final List<Object[]> calls = new ArrayList<>();

        public void onWriteComplete(
            final long context, final WriteStatus status, final int acknowledged, final int required,
            final RuntimeException failure)
        {
            calls.add(new Object[]{context, status, acknowledged, required, failure});
        }

        int count()
        {
            return calls.size();
        }

        WriteStatus status(final int index)
        {
            return (WriteStatus)calls.get(index)[1];
        }

        RuntimeException failure(final int index)
        {
            return (RuntimeException)calls.get(index)[4];
        }

        List<Long> contexts()
        {
            final List<Long> contexts = new ArrayList<>();
            calls.forEach((call) -> contexts.add((Long)call[0]));
            return contexts;
        }

        String describe(final int index)
        {
            final Object[] call = calls.get(index);
            return call[0] + " " + call[1] + " " + call[2] + "/" + call[3] + " " + call[4];
        }
    }
}
