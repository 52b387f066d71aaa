package io.datacake.storage.lmdb;

import io.datacake.membership.StaticClusterView;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.storage.Document;
import io.datacake.storage.DocumentHandler;
import io.datacake.storage.ForwardingStorage;
import io.datacake.storage.MetadataHandler;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.Storage;
import io.datacake.store.ReplicatedStore;
import io.datacake.store.StoreContext;
import io.datacake.transport.InProcessNetwork;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Repair fetches from LMDB: a node that starts empty pulls every document of a peer byte-exact, and the peer's
 * answers read storage off the node thread without a byte[]: its repair reader reads the values as views of the
 * mapped pages through the storage's handler read, never copied into a byte[], and encodes each reply into an
 * off-heap staging buffer, which the node thread copies once into the transport's frame (LMDB reads may fault a cold
 * page in, so no reply is written on the node thread straight from the pages).
 */
final class LmdbRepairFetchTest
{
    private static final String KEYSPACE = "docs";
    private static final int KEYS = 2_000;
    private static final long DEADLINE_MS = 60_000;
    private static final long POLL_INTERVAL_NS = 1_000_000;

    @TempDir
    Path directory;

    @Test
    void anEmptyNodePullsEveryValueByteExactAndThePeerReadsTheMappedPagesOffTheNodeThreadWithoutAByteArray()
    {
        try (LmdbStorage sourceStorage = LmdbStorage.open(directory.resolve("one"));
            LmdbStorage targetStorage = LmdbStorage.open(directory.resolve("two")))
        {
            for (int key = 0; key < KEYS; key++)
            {
                sourceStorage.put(KEYSPACE, key, 1_000_000L + key, 1, value(key));
            }
            final CountingStorage counting = new CountingStorage(sourceStorage);
            final InProcessNetwork network = new InProcessNetwork();
            try (Node one = launch(network, 1, counting);
                Node two = launch(network, 2, targetStorage))
            {
                awaitCondition(() -> holdsAll(targetStorage), "node 2 holds every document");
                for (int key = 0; key < KEYS; key++)
                {
                    final Document expected = sourceStorage.get(KEYSPACE, key);
                    final Document actual = targetStorage.get(KEYSPACE, key);
                    assertThat(actual.stamp()).as("key %d", key).isEqualTo(expected.stamp());
                    assertThat(actual.nodeId()).as("key %d", key).isEqualTo(expected.nodeId());
                    assertThat(actual.value()).as("key %d", key).isEqualTo(value(key));
                }
                assertThat(counter(one, ReplicatedStore.REPAIR_REPLIES_STAGED_LABEL))
                    .as("fetch replies read by the repair reader into its off-heap staging buffer").isPositive();
                assertThat(counter(one, ReplicatedStore.REPAIR_REPLIES_IN_PLACE_LABEL))
                    .as("fetch replies written on the node thread").isZero();
                assertThat(counting.handlerReads.get()).as("values read through the view handler")
                    .isGreaterThanOrEqualTo(KEYS);
                assertThat(counting.readerThreadReads.get()).as("values read on node 1's repair reader thread")
                    .isEqualTo(counting.handlerReads.get());
                assertThat(counting.offHeapViews.get()).as("every value handed out was off-heap (the mapped page)")
                    .isEqualTo(counting.handlerReads.get());
                assertThat(counting.arrayCopies.get()).as("values copied into a byte[]").isZero();
            }
        }
    }

    private static Node launch(final InProcessNetwork network, final int id, final Storage storage)
    {
        final StaticClusterView view = new StaticClusterView(id, "dc", endpoint(id));
        view.addMember(3 - id, "dc", endpoint(3 - id));
        final ReplicatedStore store = new ReplicatedStore(new StoreContext().storage(storage).clusterView(view)
            .repairIntervalMs(20));
        return Node.launch(new NodeContext().nodeId(id).transport(network.newTransport(endpoint(id)))
            .ownsTransport(true).addComponent(store));
    }

    private static String endpoint(final int id)
    {
        return "node-" + id;
    }

    /**
     * Lengths 0..300 bytes, so fetch replies mix empty, short and longer values.
     */
    private static byte[] value(final int key)
    {
        final byte[] value = new byte[key % 301];
        for (int i = 0; i < value.length; i++)
        {
            value[i] = (byte)(key * 31 + i);
        }
        return value;
    }

    private static boolean holdsAll(final Storage storage)
    {
        final int[] count = {0};
        try (ReadTransaction txn = storage.beginRead())
        {
            txn.forEachMetadata(KEYSPACE, (key, stamp, nodeId, tombstone) -> count[0]++);
        }
        return KEYS == count[0];
    }

    private static long counter(final Node node, final String label)
    {
        final CountersReader reader = node.counters().reader();
        final long[] value = {-1};
        reader.forEach((counterId, typeId, keyBuffer, counterLabel) ->
        {
            if (counterLabel.equals(label))
            {
                value[0] = reader.getCounterValue(counterId);
            }
        });
        return value[0];
    }

    private static void awaitCondition(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (!condition.getAsBoolean())
        {
            assertThat(System.nanoTime() - deadlineNs).as("%s within %d ms", what, DEADLINE_MS).isNegative();
            LockSupport.parkNanos(POLL_INTERVAL_NS); // a poll interval, not a guess at how long it takes
        }
    }

    /**
     * Counts how reads reach the values: handler reads, whether the view handed out is off-heap, and any copy of a
     * value into a byte[] (through the view's array getters).
     */
    private static final class CountingStorage extends ForwardingStorage
    {
        final AtomicLong handlerReads = new AtomicLong();
        final AtomicLong readerThreadReads = new AtomicLong();
        final AtomicLong offHeapViews = new AtomicLong();
        final AtomicLong arrayCopies = new AtomicLong();

        CountingStorage(final Storage delegate)
        {
            super(delegate);
        }

        public ReadTransaction beginRead()
        {
            final ReadTransaction txn = super.beginRead();
            final CountingView view = new CountingView(arrayCopies);
            return new ReadTransaction()
            {
                public boolean get(final String keyspace, final long key, final DocumentHandler handler)
                {
                    return txn.get(keyspace, key, (k, stamp, nodeId, buffer, offset, length) ->
                    {
                        handlerReads.incrementAndGet();
                        if (Thread.currentThread().getName().equals(
                            ReplicatedStore.REPAIR_READER_THREAD_NAME_PREFIX + 1))
                        {
                            readerThreadReads.incrementAndGet();
                        }
                        if (null == buffer.byteArray())
                        {
                            offHeapViews.incrementAndGet();
                        }
                        view.wrap(buffer, offset, length);
                        handler.onDocument(k, stamp, nodeId, view, 0, length);
                    });
                }

                public int getMany(
                    final String keyspace, final long[] keys, final int offset, final int count,
                    final DocumentHandler handler)
                {
                    return txn.getMany(keyspace, keys, offset, count, handler);
                }

                public int forEachMetadata(final String keyspace, final MetadataHandler handler)
                {
                    return txn.forEachMetadata(keyspace, handler);
                }

                public void close()
                {
                    txn.close();
                }
            };
        }
    }

    /**
     * A view of a value that counts every copy of it into a byte[] or a heap ByteBuffer.
     */
    private static final class CountingView extends UnsafeBuffer
    {
        private final AtomicLong arrayCopies;

        CountingView(final AtomicLong arrayCopies)
        {
            super(new byte[0]);
            this.arrayCopies = arrayCopies;
        }

        public void getBytes(final int index, final byte[] dst)
        {
            arrayCopies.incrementAndGet();
            super.getBytes(index, dst);
        }

        public void getBytes(final int index, final byte[] dst, final int offset, final int length)
        {
            arrayCopies.incrementAndGet();
            super.getBytes(index, dst, offset, length);
        }

        public void getBytes(final int index, final ByteBuffer dstBuffer, final int length)
        {
            arrayCopies.incrementAndGet();
            super.getBytes(index, dstBuffer, length);
        }

        public void getBytes(final int index, final ByteBuffer dstBuffer, final int dstOffset, final int length)
        {
            arrayCopies.incrementAndGet();
            super.getBytes(index, dstBuffer, dstOffset, length);
        }
    }
}
