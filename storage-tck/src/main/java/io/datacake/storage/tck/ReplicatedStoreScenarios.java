package io.datacake.storage.tck;

import io.datacake.membership.ClusterMember;
import io.datacake.membership.ConsistencyException;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.MembershipComponent;
import io.datacake.membership.MembershipContext;
import io.datacake.membership.StaticClusterView;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.storage.Document;
import io.datacake.storage.Storage;
import io.datacake.store.KeyspaceHandle;
import io.datacake.store.ReplicatedStore;
import io.datacake.store.ReplicationException;
import io.datacake.store.StoreContext;
import io.datacake.store.StoreHandle;
import io.datacake.store.WriteStatus;
import io.datacake.transport.InProcessNetwork;
import org.agrona.CloseHelper;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The replicated store's scenarios over a storage: extend it with a factory method, as for {@link StorageTck}, to
 * check that a storage carries the store (nodes on their own threads, in-process transport):
 * <ul>
 *   <li>a single node writes, reads (copy, in place, into a caller's buffer) and deletes;</li>
 *   <li>three nodes write and delete at each consistency level; an acknowledged write reads back on its coordinator
 *       at once and reaches every node; a level the cluster cannot meet is refused before anything is written;</li>
 *   <li>every node closed and started again on its storage holds exactly what was acknowledged, and takes new
 *       writes;</li>
 *   <li>several keyspaces hold the same keys apart, through a restart;</li>
 *   <li>with gossip membership, a node that joins late, leaves, misses writes and rejoins on its storage catches up
 *       through repair.</li>
 * </ul>
 * Waits for replication, gossip and repair are conditions polled against a generous deadline, never timing
 * assertions. A storage that does not survive a reopen (in-memory) overrides {@link #isPersistent()}: its node then
 * restarts on the same open instance.
 */
public abstract class ReplicatedStoreScenarios
{
    private static final long DEADLINE_MS = 60_000;
    private static final long POLL_INTERVAL_NS = 1_000_000;
    private static final int KEYS = 60;
    private static final String DOCS = "docs";

    @TempDir
    private Path directory;

    private final Map<Integer, Storage> storages = new TreeMap<>();
    private final Map<Integer, Node> nodes = new TreeMap<>();
    private final Map<Integer, StoreHandle> handles = new TreeMap<>();
    private final Map<Integer, MembershipComponent> memberships = new TreeMap<>();
    private final InProcessNetwork network = new InProcessNetwork();

    /**
     * Open the storage of one node, empty on the first call for a directory, holding what was committed on later
     * calls for the same directory.
     *
     * @param directory the node's own directory (exists, empty at first).
     * @return the storage, open.
     */
    protected abstract Storage openStorage(Path directory);

    /**
     * Whether the storage survives being closed and opened again on its directory.
     *
     * @return false for an in-memory storage: a restarted node then keeps the same open instance.
     */
    protected boolean isPersistent()
    {
        return true;
    }

    /**
     * Close every node, then every storage.
     */
    @AfterEach
    void closeAll()
    {
        nodes.values().forEach(CloseHelper::quietClose);
        nodes.clear();
        storages.values().forEach(CloseHelper::quietClose);
        storages.clear();
    }

    @Test
    void aSingleNodeWritesReadsAndDeletes()
    {
        startStatic(1);
        final KeyspaceHandle docs = handle(1).keyspace(DOCS);

        docs.putAndWait(42, bytes("hello"), ConsistencyLevel.NONE);
        assertThat(text(docs.get(42))).isEqualTo("hello");
        final String[] inPlace = new String[1];
        assertThat(docs.read(42, (key, stamp, nodeId, value) ->
            inPlace[0] = value.getStringWithoutLengthAscii(0, value.capacity()))).isTrue();
        assertThat(inPlace[0]).isEqualTo("hello");
        final ExpandableArrayBuffer copy = new ExpandableArrayBuffer(1);
        assertThat(docs.get(42, copy, 3)).isEqualTo(5);
        assertThat(copy.getStringWithoutLengthAscii(3, 5)).isEqualTo("hello");

        docs.deleteAndWait(42, ConsistencyLevel.NONE);
        assertThat(docs.get(42)).isNull();
        assertThat(docs.get(42, copy, 0)).isEqualTo(StoreHandle.NOT_FOUND);
        assertThat(handle(1).keyspaces()).containsExactly(DOCS);
    }

    @ParameterizedTest
    @EnumSource(value = ConsistencyLevel.class, names = "THREE", mode = EnumSource.Mode.EXCLUDE)
    void threeNodesWriteAndDeleteAtEachLevel(final ConsistencyLevel level)
    {
        startStatic(3);
        for (int key = 0; key < KEYS; key++)
        {
            final StoreHandle coordinator = handle(1 + key % 3);
            coordinator.putAndWait(DOCS, key, value(key), level);
            assertThat(text(coordinator.get(DOCS, key))).as("read on the coordinator after the ack")
                .isEqualTo("value-" + key);
        }
        for (int key = 0; key < KEYS; key += 3)
        {
            handle(1 + key % 2).deleteAndWait(DOCS, key, level);
        }
        for (final StoreHandle handle : handles.values())
        {
            awaitCondition(() -> holdsExpected(handle, 0, KEYS, 3),
                "node " + handle.nodeId() + " holds every write at " + level);
        }
    }

    @Test
    void aLevelTheClusterCannotMeetIsRefusedBeforeAnythingIsWritten()
    {
        startStatic(3);
        assertThatThrownBy(() -> handle(1).putAndWait(DOCS, 1, bytes("x"), ConsistencyLevel.THREE))
            .isInstanceOf(ConsistencyException.class).hasMessageContaining("needs 3 other live member");
        for (final StoreHandle handle : handles.values())
        {
            assertThat(handle.get(DOCS, 1)).isNull();
        }
    }

    @Test
    void acknowledgedWritesSurviveARestartOfEveryNode()
    {
        startStatic(3);
        for (int key = 0; key < KEYS; key++)
        {
            handle(1 + key % 3).putAndWait(DOCS, key, value(key), ConsistencyLevel.ALL);
        }
        for (int key = 0; key < KEYS; key += 4)
        {
            handle(1 + key % 3).deleteAndWait(DOCS, key, ConsistencyLevel.ALL);
        }

        restartAll(3);

        for (final StoreHandle handle : handles.values())
        {
            assertThat(handle.keyspaces()).containsExactly(DOCS);
            assertThat(holdsExpected(handle, 0, KEYS, 4)).as("node %d after restart", handle.nodeId()).isTrue();
        }
        // The rebuilt sets take new writes: a put of a deleted key wins over its older tombstone everywhere.
        handle(3).putAndWait(DOCS, 0, value(0), ConsistencyLevel.ALL);
        for (final StoreHandle handle : handles.values())
        {
            assertThat(text(handle.get(DOCS, 0))).as("node %d", handle.nodeId()).isEqualTo("value-0");
        }
    }

    @Test
    void keyspacesHoldTheSameKeysApartThroughARestart() throws InterruptedException
    {
        startStatic(3);
        final String[] names = {"users", "orders", "événements"};
        final CountDownLatch acknowledged = new CountDownLatch(names.length * KEYS);
        final AtomicInteger failures = new AtomicInteger();
        for (int i = 0; i < names.length; i++)
        {
            final KeyspaceHandle keyspace = handle(1 + i).keyspace(names[i]);
            for (int key = 0; key < KEYS; key++)
            {
                final UnsafeBuffer value = new UnsafeBuffer(bytes(names[i] + "-" + key));
                // The callback form: pooled slots, outcome on the node thread.
                while (!keyspace.put(key, value, 0, value.capacity(), ConsistencyLevel.ALL,
                    (context, status, acks, required, failure) ->
                    {
                        if (WriteStatus.ACKNOWLEDGED != status)
                        {
                            failures.incrementAndGet();
                        }
                        acknowledged.countDown();
                    }, key))
                {
                    Thread.onSpinWait();
                }
            }
        }
        assertThat(acknowledged.await(DEADLINE_MS, TimeUnit.MILLISECONDS)).as("every write completed").isTrue();
        assertThat(failures.get()).isZero();

        restartAll(3);

        for (final StoreHandle handle : handles.values())
        {
            assertThat(handle.keyspaces()).containsExactlyInAnyOrder(names);
            for (final String name : names)
            {
                for (int key = 0; key < KEYS; key++)
                {
                    assertThat(text(handle.get(name, key))).as("node %d %s %d", handle.nodeId(), name, key)
                        .isEqualTo(name + "-" + key);
                }
            }
        }
    }

    @Test
    void aNodeThatJoinsLeavesAndRejoinsCatchesUpThroughRepair()
    {
        startGossip(1);
        startGossip(2);
        awaitLiveMembers(2);
        for (int key = 0; key < KEYS; key++)
        {
            handle(1).putAndWait(DOCS, key, value(key), ConsistencyLevel.ALL);
        }

        // Join: the new node gets what was written before it existed through repair.
        startGossip(3);
        awaitLiveMembers(3);
        awaitCondition(() -> holdsExpected(handle(3), 0, KEYS, -1), "node 3 repaired after joining");
        writeUntilAcknowledged(() -> handle(3).putAndWait(DOCS, KEYS, value(KEYS), ConsistencyLevel.ALL));

        // Leave: the others carry on at QUORUM once they see it gone (ALL counts every member, dead ones too, until
        // a dead member is forgotten), and write what it will miss. Gossip may still carry a heartbeat of the gone
        // node for a moment and revive it, so a write is retried as an application would.
        stop(3);
        awaitLiveMembers(2);
        for (int key = KEYS + 1; key < 2 * KEYS; key++)
        {
            final int written = key;
            writeUntilAcknowledged(() ->
                handle(1 + written % 2).putAndWait(DOCS, written, value(written), ConsistencyLevel.QUORUM));
        }
        for (int key = 0; key < 2 * KEYS; key += 5)
        {
            final int deleted = key;
            writeUntilAcknowledged(() -> handle(2).deleteAndWait(DOCS, deleted, ConsistencyLevel.QUORUM));
        }

        // Rejoin on its own storage: repair brings the writes and deletes it missed.
        startGossip(3);
        awaitLiveMembers(3);
        for (final int id : new int[]{1, 2, 3})
        {
            awaitCondition(() -> holdsExpected(handle(id), 0, 2 * KEYS, 5), "node " + id + " holds every write");
        }
    }

    // ---- cluster management

    private void startStatic(final int count)
    {
        for (int id = 1; id <= count; id++)
        {
            final StaticClusterView view = new StaticClusterView(id, "dc", endpoint(id));
            for (int other = 1; other <= count; other++)
            {
                if (other != id)
                {
                    view.addMember(other, "dc", endpoint(other));
                }
            }
            launch(id, view, null);
        }
    }

    private void startGossip(final int id)
    {
        final MembershipContext context = new MembershipContext().gossipIntervalMs(50);
        final MembershipComponent membership = new MembershipComponent(
            1 == id ? context.bootstrap(true) : context.seeds(endpoint(1)));
        memberships.put(id, membership);
        launch(id, null, membership);
    }

    private void launch(final int id, final StaticClusterView view, final MembershipComponent membership)
    {
        final Storage storage = storages.computeIfAbsent(id, (node) -> openStorage(nodeDirectory(node)));
        final ReplicatedStore store = new ReplicatedStore(new StoreContext().storage(storage)
            .clusterView(null != view ? view : membership).requestTimeoutMs(30_000).repairIntervalMs(100));
        final NodeContext context = new NodeContext().nodeId(id).transport(network.newTransport(endpoint(id)))
            .ownsTransport(true);
        if (null != membership)
        {
            context.addComponent(membership);
        }
        final Node node = Node.launch(context.addComponent(store));
        nodes.put(id, node);
        handles.put(id, store.handle(node));
    }

    private void stop(final int id)
    {
        nodes.remove(id).close();
        handles.remove(id);
        memberships.remove(id);
        if (isPersistent())
        {
            storages.remove(id).close();
        }
    }

    private void restartAll(final int count)
    {
        for (int id = 1; id <= count; id++)
        {
            stop(id);
        }
        startStatic(count);
    }

    private Path nodeDirectory(final int id)
    {
        try
        {
            return Files.createDirectories(directory.resolve("node-" + id));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private StoreHandle handle(final int id)
    {
        return handles.get(id);
    }

    private void awaitLiveMembers(final int count)
    {
        awaitCondition(() -> memberships.values().stream().allMatch((m) ->
            m.members().stream().filter(ClusterMember::live).count() == count),
            "every running node sees " + count + " live members");
    }

    /**
     * Repeat an idempotent write until it is acknowledged: while membership settles a replica may be chosen that is
     * gone ({@link ReplicationException}) or the level may not be met yet ({@link ConsistencyException}).
     */
    private static void writeUntilAcknowledged(final Runnable write)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (true)
        {
            try
            {
                write.run();
                return;
            }
            catch (final ReplicationException | ConsistencyException ex)
            {
                assertThat(System.nanoTime() - deadlineNs).as("a write acknowledged within %d ms; last failure: %s",
                    DEADLINE_MS, ex).isNegative();
                LockSupport.parkNanos(POLL_INTERVAL_NS);
            }
        }
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
     * @param deletedEvery every key divisible by it is expected deleted; -1 for none.
     * @return whether the node holds exactly value-key for the live keys and nothing for the deleted ones.
     */
    private static boolean holdsExpected(
        final StoreHandle handle, final int fromKey, final int toKey, final int deletedEvery)
    {
        for (int key = fromKey; key < toKey; key++)
        {
            final String stored = text(handle.get(DOCS, key));
            final boolean deleted = deletedEvery > 0 && 0 == key % deletedEvery;
            if (deleted ? null != stored : !("value-" + key).equals(stored))
            {
                return false;
            }
        }
        return true;
    }

    private static String endpoint(final int id)
    {
        return "node-" + id;
    }

    private static byte[] value(final int key)
    {
        return bytes("value-" + key);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(final Document document)
    {
        return null == document ? null : new String(document.value(), StandardCharsets.UTF_8);
    }
}
