package io.datacake.storage.tck;

import io.datacake.clock.HlcTimestamp;
import io.datacake.crdt.Orswot;
import io.datacake.storage.BulkMutationException;
import io.datacake.storage.Document;
import io.datacake.storage.DocumentView;
import io.datacake.storage.InvalidKeyspaceNameException;
import io.datacake.storage.KeyspaceStateLoader;
import io.datacake.storage.Metadata;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.Storage;
import io.datacake.storage.StorageException;
import io.datacake.storage.ValueTooLargeException;
import io.datacake.storage.WriteBatch;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The conformance kit: every rule of the {@link Storage} contract as a test. Extend it with a factory method and
 * run it with JUnit 5:
 * <pre>{@code
 * class MyStorageTest extends StorageTck
 * {
 *     protected Storage openStorage(final Path directory)
 *     {
 *         return MyStorage.open(directory);
 *     }
 * }
 * }</pre>
 * Each test gets a fresh, empty directory. Persistent storages are reopened on the same directory to check
 * durability; an in-memory storage overrides {@link #isPersistent()} to return false and skips those cases.
 * <p>
 * The randomized case prints its seed on failure; set the system property {@value #SEED_PROPERTY} to replay it.
 */
public abstract class StorageTck
{
    /** System property that fixes the seed of the randomized model test. */
    public static final String SEED_PROPERTY = "datacake.tck.seed";

    /** Bound on the operations of the randomized model test. */
    static final int MODEL_BATCHES = 300;

    /** Trials of the soak variant of the model test (run with -Psoak). */
    static final int SOAK_TRIALS = 50;

    /** Bound on the commits of the concurrent-readers test. */
    static final int CONCURRENT_COMMITS = 200;

    /** Bound on how long the concurrent-readers test waits for its threads; a guard, not a timing assertion. */
    static final long CONCURRENT_JOIN_TIMEOUT_S = 60;

    private static final long T0_MILLIS = 1_764_000_000_000L;
    private static final Comparator<Metadata> UNSIGNED_KEY_ORDER = (a, b) -> Long.compareUnsigned(a.key(), b.key());
    private static final int NODE = 1;

    @TempDir
    private Path directory;

    private Storage storage;
    private Path storageDirectory;
    private int counter;

    /**
     * Open (or reopen) the storage under test on a directory. The kit closes what it opens.
     *
     * @param directory a directory private to the current test; empty the first time.
     * @return the storage.
     */
    protected abstract Storage openStorage(Path directory);

    /**
     * @return true if a storage reopened on the same directory must hold every committed write (default true).
     */
    protected boolean isPersistent()
    {
        return true;
    }

    @BeforeEach
    void openForTest()
    {
        storageDirectory = directory;
        storage = openStorage(storageDirectory);
    }

    @AfterEach
    void closeAfterTest()
    {
        if (null != storage)
        {
            storage.close();
        }
    }

    /**
     * @return the storage opened for the current test.
     */
    protected final Storage storage()
    {
        return storage;
    }

    /**
     * Close the storage and open it again on the same directory (persistent implementations only).
     *
     * @return the reopened storage, also returned by {@link #storage()} from now on.
     */
    protected final Storage reopen()
    {
        storage.close();
        storage = null;
        storage = openStorage(storageDirectory);
        return storage;
    }

    /**
     * @return a strictly increasing stamp, like one HLC on one node.
     */
    protected final long nextStamp()
    {
        return HlcTimestamp.pack(T0_MILLIS, ++counter);
    }

    // ---------------------------------------------------------------------------------------------------------
    // datacake's run_test_suite, phase 1: keyspace semantics
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void keyspaceSemantics()
    {
        assertThat(storage.metadata("first-keyspace")).isEmpty();
        assertThat(storage.metadata("first-keyspace")).isEmpty();
        assertThat(storage.keyspaces()).as("reads never create keyspaces").isEmpty();

        storage.put("first-keyspace", 1, nextStamp(), NODE, new byte[0]);
        storage.put("first-keyspace", 2, nextStamp(), NODE, new byte[0]);

        assertThat(storage.metadata("first-keyspace")).hasSize(2);
        assertThat(storage.keyspaces()).containsExactly("first-keyspace");
        assertThat(storage.metadata("second-keyspace")).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------
    // datacake's run_test_suite, phase 2: basic persistence
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void basicPersistence()
    {
        final String ks = "persistence-test-keyspace";
        assertThat(storage.get(ks, 1)).isNull();
        assertThat(storage.getMany(ks, 1, 2, 3)).isEmpty();

        final Document doc1 = doc(1, "Hello, world!");
        put(ks, doc1);
        assertThat(storage.get(ks, 1)).isEqualTo(doc1);

        final Document doc3 = doc(3, "Hello, world 3!");
        final Document doc2 = doc(2, "");
        storage.putMany(ks, List.of(doc3, doc2));
        assertThat(storage.getMany(ks, 1, 2, 3)).containsExactlyInAnyOrder(doc1, doc2, doc3);

        final Document doc3Updated = doc(3, "Hello, world 3 updated!");
        put(ks, doc3Updated);
        assertThat(storage.get(ks, 3)).isEqualTo(doc3Updated);

        storage.markTombstone(ks, 2, nextStamp(), NODE);
        assertThat(storage.get(ks, 2)).isNull();

        final long t = nextStamp();
        storage.markManyTombstones(ks, List.of(tomb(1, t), tomb(2, t), tomb(4, t)));
        assertThat(storage.getMany(ks, 1, 2, 3)).containsExactly(doc3Updated);

        storage.markTombstone(ks, 3, nextStamp(), NODE);
        assertThat(storage.getMany(ks, 1, 2, 3)).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------
    // datacake's run_test_suite, phase 3: basic metadata
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void basicMetadata()
    {
        final String ks = "metadata-test-keyspace";
        final Document d1 = doc(1, "a");
        final Document d2 = doc(2, "b");
        final Document d3 = doc(3, "c");
        storage.putMany(ks, List.of(d1, d2, d3));
        final long t3 = nextStamp();
        storage.markTombstone(ks, 3, t3, NODE);
        assertThat(sortedMetadata(ks)).containsExactly(
            live(d1), live(d2), new Metadata(3, t3, NODE, true));

        final long t12 = nextStamp();
        storage.markManyTombstones(ks, List.of(tomb(1, t12), tomb(2, t12)));
        assertThat(sortedMetadata(ks)).containsExactly(
            new Metadata(1, t12, NODE, true), new Metadata(2, t12, NODE, true), new Metadata(3, t3, NODE, true));

        storage.removeTombstones(ks, 1, 2);
        assertThat(sortedMetadata(ks)).containsExactly(new Metadata(3, t3, NODE, true));

        final Document n1 = doc(1, "a2");
        final Document n2 = doc(2, "b2");
        final Document n3 = doc(3, "c2");
        storage.putMany(ks, List.of(n1, n2, n3));
        assertThat(sortedMetadata(ks)).as("a re-put clears the tombstone flag")
            .containsExactly(live(n1), live(n2), live(n3));

        final long tAll = nextStamp();
        storage.markManyTombstones(ks, List.of(tomb(1, tAll), tomb(2, tAll), tomb(3, tAll)));
        storage.removeTombstones(ks, 1, 2, 3);
        assertThat(storage.metadata(ks)).isEmpty();

        final long tNew = nextStamp();
        storage.markManyTombstones(ks, List.of(tomb(1, tNew), tomb(2, tNew), tomb(3, tNew), tomb(4, tNew)));
        assertThat(sortedMetadata(ks)).containsExactly(
            new Metadata(1, tNew, NODE, true), new Metadata(2, tNew, NODE, true),
            new Metadata(3, tNew, NODE, true), new Metadata(4, tNew, NODE, true));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Beyond datacake's suite
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void metadataIsVisitedInUnsignedKeyOrder()
    {
        // Keys are 64-bit ids: 2^63 and above are negative as a Java long and come after Long.MAX_VALUE.
        final long[] keys = {
            -1L, 0L, Long.MIN_VALUE, 1L, Long.MAX_VALUE, -2L, Long.MIN_VALUE + 1, 42L, 1L << 62, -(1L << 62), 7L,
            0xFFFF_FFFFL, -0xFFFF_FFFFL };
        final WriteBatch batch = storage.newWriteBatch();
        final UnsafeBuffer value = new UnsafeBuffer(new byte[1]);
        for (int i = 0; i < keys.length; i++)
        {
            if (i % 3 == 0)
            {
                batch.tombstone("order", keys[i], nextStamp(), NODE);
            }
            else
            {
                batch.put("order", keys[i], nextStamp(), NODE, value, 0, 1);
            }
        }
        storage.commit(batch);

        final long[] expected = unsignedSorted(keys);
        assertThat(visitedKeys("order")).as("keys in visiting order").containsExactly(expected);
        if (isPersistent())
        {
            reopen();
            assertThat(visitedKeys("order")).as("keys in visiting order after reopen").containsExactly(expected);
        }
    }

    @Test
    void reopenAfterCloseKeepsEveryCommittedWrite()
    {
        assumeThat(isPersistent()).as("persistent storage").isTrue();

        final Document a = doc(1, "alpha");
        final Document b = doc(2, "");
        put("ks-a", a);
        put("ks-b", b);
        final long tomb = nextStamp();
        storage.markTombstone("ks-a", 7, tomb, 3);
        storage.markTombstone("ks-purged", 9, nextStamp(), NODE);
        storage.removeTombstones("ks-purged", 9);

        reopen();

        assertThat(storage.keyspaces()).containsExactlyInAnyOrder("ks-a", "ks-b", "ks-purged");
        assertThat(storage.get("ks-a", 1)).isEqualTo(a);
        assertThat(storage.get("ks-b", 2)).isEqualTo(b);
        assertThat(sortedMetadata("ks-a")).containsExactly(live(a), new Metadata(7, tomb, 3, true));
        assertThat(storage.metadata("ks-purged")).isEmpty();

        // and the reopened storage keeps accepting writes under last-write-wins
        final Document a2 = doc(1, "alpha-2");
        put("ks-a", a2);
        assertThat(storage.get("ks-a", 1)).isEqualTo(a2);
    }

    @Test
    void largeValuesRoundTrip()
    {
        final int oneMiB = 1024 * 1024;
        assumeThat(storage.maxValueLength()).as("max value length").isGreaterThanOrEqualTo(oneMiB);
        final byte[] big = new byte[oneMiB];
        new SplittableRandom(42).nextBytes(big);
        final long stamp = nextStamp();
        storage.put("large", 5, stamp, NODE, big);
        final byte[] bigger = Arrays.copyOf(big, oneMiB);
        bigger[oneMiB - 1] ^= 0x5A;
        final long stamp2 = nextStamp();
        storage.put("large", 6, stamp2, NODE, bigger);

        assertThat(storage.get("large", 5)).isEqualTo(new Document(5, stamp, NODE, big));
        assertThat(storage.get("large", 6)).isEqualTo(new Document(6, stamp2, NODE, bigger));

        if (isPersistent())
        {
            reopen();
            assertThat(storage.get("large", 5)).isEqualTo(new Document(5, stamp, NODE, big));
        }
    }

    @Test
    void thousandKeyspaces()
    {
        final int count = 1000;
        final WriteBatch batch = storage.newWriteBatch();
        final UnsafeBuffer value = new UnsafeBuffer(new byte[8]);
        final long stamp = nextStamp();
        final List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final String name = "keyspace-" + i;
            names.add(name);
            value.putLong(0, i);
            batch.put(name, i, stamp, NODE, value, 0, 8);
        }
        storage.commit(batch);

        assertThat(storage.keyspaces()).containsExactlyInAnyOrderElementsOf(names);
        if (isPersistent())
        {
            reopen();
            assertThat(storage.keyspaces()).containsExactlyInAnyOrderElementsOf(names);
        }
        final DocumentView view = new DocumentView();
        try (ReadTransaction txn = storage.beginRead())
        {
            for (int i = 0; i < count; i++)
            {
                assertThat(txn.get(names.get(i), i, view)).isTrue();
                assertThat(view.value().getLong(0)).isEqualTo(i);
                assertThat(txn.get(names.get(i), i + 1, view)).isFalse();
            }
        }
    }

    @Test
    void emptyAndMissingKeyspaces()
    {
        final DocumentView view = new DocumentView();
        try (ReadTransaction txn = storage.beginRead())
        {
            assertThat(txn.get("missing", 1, view)).isFalse();
            assertThat(txn.getMany("missing", new long[]{1, 2, 3}, 0, 3, view)).isZero();
            assertThat(txn.forEachMetadata("missing", (k, s, n, t) -> { throw new AssertionError("entry"); }))
                .isZero();
        }
        assertThat(storage.keyspaces()).isEmpty();

        // a keyspace whose every entry was purged still exists, and is empty
        storage.markTombstone("emptied", 1, nextStamp(), NODE);
        storage.removeTombstones("emptied", 1);
        assertThat(storage.keyspaces()).containsExactly("emptied");
        assertThat(storage.metadata("emptied")).isEmpty();
        assertThat(storage.get("emptied", 1)).isNull();

        // removing tombstones of a missing keyspace is not an error and creates nothing
        storage.removeTombstones("never-written", 1, 2);
        assertThat(storage.keyspaces()).containsExactly("emptied");
    }

    @Test
    void emptyValueIsLiveNotTombstone()
    {
        final long stamp = nextStamp();
        storage.put("ks", 1, stamp, NODE, new byte[0]);
        assertThat(storage.get("ks", 1)).isEqualTo(new Document(1, stamp, NODE, new byte[0]));
        assertThat(storage.metadata("ks")).containsExactly(new Metadata(1, stamp, NODE, false));
    }

    @Test
    void lastWriteWinsWhenWritesArriveOutOfOrder()
    {
        final long t1 = nextStamp();
        final long t2 = nextStamp();
        final long t3 = nextStamp();
        final long t4 = nextStamp();

        storage.put("lww", 1, t2, NODE, bytes("newer"));
        storage.put("lww", 1, t1, NODE, bytes("older"));
        assertThat(storage.get("lww", 1)).isEqualTo(new Document(1, t2, NODE, bytes("newer")));

        // an older delete does not remove a newer document
        storage.markTombstone("lww", 1, t1, NODE);
        assertThat(storage.get("lww", 1)).isEqualTo(new Document(1, t2, NODE, bytes("newer")));

        // an older put does not resurrect a newer delete
        storage.markTombstone("lww", 1, t4, NODE);
        storage.put("lww", 1, t3, NODE, bytes("stale"));
        assertThat(storage.get("lww", 1)).isNull();
        assertThat(storage.metadata("lww")).containsExactly(new Metadata(1, t4, NODE, true));

        // equal stamps break ties by node id; the same timestamp replayed changes nothing
        final long t5 = nextStamp();
        storage.put("lww", 2, t5, 5, bytes("node-5"));
        storage.put("lww", 2, t5, 4, bytes("node-4"));
        storage.put("lww", 2, t5, 5, bytes("replayed"));
        assertThat(storage.get("lww", 2)).isEqualTo(new Document(2, t5, 5, bytes("node-5")));
        storage.put("lww", 2, t5, 6, bytes("node-6"));
        assertThat(storage.get("lww", 2)).isEqualTo(new Document(2, t5, 6, bytes("node-6")));

        // on exactly the same timestamp a put beats a tombstone, in either order (the ORSWOT's tie rule)
        final long tie = nextStamp();
        storage.markTombstone("lww", 4, tie, NODE);
        storage.put("lww", 4, tie, NODE, bytes("put-wins"));
        storage.markTombstone("lww", 4, tie, NODE);
        assertThat(storage.get("lww", 4)).isEqualTo(new Document(4, tie, NODE, bytes("put-wins")));

        // the same rules hold inside one batch, applied in order
        final WriteBatch batch = storage.newWriteBatch();
        final long t6 = nextStamp();
        final long t7 = nextStamp();
        final UnsafeBuffer value = new UnsafeBuffer(bytes("in-batch-new"));
        batch.put("lww", 3, t7, NODE, value, 0, value.capacity());
        batch.put("lww", 3, t6, NODE, new UnsafeBuffer(bytes("in-batch-old")), 0, 12);
        storage.commit(batch);
        assertThat(storage.get("lww", 3)).isEqualTo(new Document(3, t7, NODE, bytes("in-batch-new")));
    }

    @Test
    void tombstoneThenRePut()
    {
        final Document first = doc(1, "first");
        put("ks", first);
        final long deleted = nextStamp();
        storage.markTombstone("ks", 1, deleted, NODE);
        assertThat(storage.get("ks", 1)).isNull();
        assertThat(storage.metadata("ks")).containsExactly(new Metadata(1, deleted, NODE, true));

        final Document again = doc(1, "again");
        put("ks", again);
        assertThat(storage.get("ks", 1)).isEqualTo(again);
        assertThat(storage.metadata("ks")).containsExactly(live(again));

        // a live document is not removed by a tombstone removal
        storage.removeTombstones("ks", 1);
        assertThat(storage.get("ks", 1)).isEqualTo(again);
    }

    @Test
    void batchAppliesInOrderAcrossKeyspacesAndIsReusable()
    {
        final WriteBatch batch = storage.newWriteBatch();
        final UnsafeBuffer value = new UnsafeBuffer(new byte[16]);
        value.putStringWithoutLengthAscii(0, "first-value-0000");
        final long t1 = nextStamp();
        batch.put("a", 1, t1, NODE, value, 0, 16);
        value.putStringWithoutLengthAscii(0, "overwritten-buf!"); // the batch copied the bytes already
        batch.tombstone("b", 2, t1, NODE);
        final long t2 = nextStamp();
        batch.tombstone("a", 1, t2, NODE);
        final long t3 = nextStamp();
        batch.put("a", 1, t3, NODE, value, 0, 5);
        batch.removeTombstone("b", 2);
        assertThat(batch.size()).isEqualTo(5);

        storage.commit(batch);
        assertThat(batch.isEmpty()).as("a successful commit clears the batch").isTrue();
        assertThat(storage.get("a", 1)).isEqualTo(new Document(1, t3, NODE, bytes("overw")));
        assertThat(storage.metadata("b")).isEmpty();
        assertThat(storage.keyspaces()).containsExactlyInAnyOrder("a", "b");

        // the same batch object, reused
        final long t4 = nextStamp();
        batch.put("c", 9, t4, NODE, value, 0, 16);
        storage.commit(batch);
        assertThat(storage.get("c", 9)).isEqualTo(new Document(9, t4, NODE, bytes("overwritten-buf!")));

        storage.commit(batch); // an empty batch is a no-op
        assertThat(storage.keyspaces()).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void readsAreViewsInsideTheScopeAndMultiGetKeepsKeyOrder()
    {
        final Document d1 = doc(1, "one");
        final Document d2 = doc(2, "two");
        final Document d3 = doc(3, "three");
        storage.putMany("ks", List.of(d1, d2, d3));
        storage.markTombstone("ks", 2, nextStamp(), NODE);

        final List<Document> seen = new ArrayList<>();
        final long[] keys = {99, 3, 2, 1, 3};
        try (ReadTransaction txn = storage.beginRead())
        {
            final int found = txn.getMany("ks", keys, 1, 3, (key, stamp, nodeId, buffer, offset, length) ->
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                seen.add(new Document(key, stamp, nodeId, bytes));
            });
            assertThat(found).isEqualTo(2);

            final DocumentView view = new DocumentView();
            assertThat(txn.get("ks", 3, view)).isTrue();
            assertThat(view.key()).isEqualTo(3);
            assertThat(view.stamp()).isEqualTo(d3.stamp());
            assertThat(view.valueBytes()).isEqualTo(bytes("three"));
            assertThat(view.value().getStringWithoutLengthAscii(0, view.valueLength())).isEqualTo("three");

            assertThatThrownBy(() -> txn.getMany("ks", keys, 3, 3, view))
                .isInstanceOf(IndexOutOfBoundsException.class);
        }
        assertThat(seen).containsExactly(d3, d1);
    }

    @Test
    void readTransactionSeesASnapshot()
    {
        final Document before = doc(1, "before");
        put("ks", before);
        try (ReadTransaction txn = storage.beginRead())
        {
            final DocumentView view = new DocumentView();
            assertThat(txn.get("ks", 1, view)).isTrue();
            assertThat(view.valueBytes()).isEqualTo(bytes("before"));
        }

        final Document after = doc(1, "after");
        put("ks", after);
        try (ReadTransaction txn = storage.beginRead())
        {
            final DocumentView view = new DocumentView();
            assertThat(txn.get("ks", 1, view)).isTrue();
            assertThat(view.valueBytes()).isEqualTo(bytes("after"));
        }
    }

    @Test
    void concurrentReadersWhileTheNodeThreadWrites() throws InterruptedException
    {
        // Every commit writes the same version into all keys at once; a reader must never see two versions in one
        // transaction, nor a version older than one it saw before.
        final int keyCount = 32;
        final int readerCount = 2;
        final long[] keys = new long[keyCount];
        for (int i = 0; i < keyCount; i++)
        {
            keys[i] = i * 7919L;
        }
        final AtomicBoolean done = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CountDownLatch started = new CountDownLatch(readerCount);
        final List<Thread> readers = new ArrayList<>();
        final long[] readsByReader = new long[readerCount];

        for (int r = 0; r < readerCount; r++)
        {
            final int readerIndex = r;
            final Thread reader = new Thread(() ->
            {
                started.countDown();
                long lastVersion = -1;
                final long[] versions = new long[1];
                try
                {
                    while (!done.get() || readsByReader[readerIndex] == 0)
                    {
                        versions[0] = -1;
                        try (ReadTransaction txn = storage.beginRead())
                        {
                            final int found = txn.getMany("concurrent", keys, 0, keyCount,
                                (key, stamp, nodeId, buffer, offset, length) ->
                                {
                                    final long version = buffer.getLong(offset);
                                    if (versions[0] == -1)
                                    {
                                        versions[0] = version;
                                    }
                                    else if (versions[0] != version)
                                    {
                                        throw new AssertionError(
                                            "torn read: versions " + versions[0] + " and " + version);
                                    }
                                });
                            if (found != 0 && found != keyCount)
                            {
                                throw new AssertionError("torn read: " + found + " of " + keyCount + " keys");
                            }
                        }
                        if (versions[0] < lastVersion)
                        {
                            throw new AssertionError("went back from version " + lastVersion + " to " + versions[0]);
                        }
                        lastVersion = versions[0];
                        readsByReader[readerIndex]++;
                        Thread.yield();
                    }
                }
                catch (final Throwable t)
                {
                    failure.compareAndSet(null, t);
                }
            }, "tck-reader-" + r);
            reader.setDaemon(true);
            readers.add(reader);
            reader.start();
        }

        started.await(CONCURRENT_JOIN_TIMEOUT_S, TimeUnit.SECONDS);
        final WriteBatch batch = storage.newWriteBatch();
        final UnsafeBuffer value = new UnsafeBuffer(new byte[64]);
        for (long version = 0; version < CONCURRENT_COMMITS && null == failure.get(); version++)
        {
            value.putLong(0, version);
            final long stamp = nextStamp();
            for (final long key : keys)
            {
                batch.put("concurrent", key, stamp, NODE, value, 0, 8 + (int)(version % 56));
            }
            storage.commit(batch);
        }
        done.set(true);
        for (final Thread reader : readers)
        {
            reader.join(TimeUnit.SECONDS.toMillis(CONCURRENT_JOIN_TIMEOUT_S));
            assertThat(reader.isAlive()).as("reader finished").isFalse();
        }
        assertThat(failure.get()).isNull();
        assertThat(readsByReader).doesNotContain(0L);
        assertThat(storage.get("concurrent", keys[0]).value()).startsWith(
            longBytes(CONCURRENT_COMMITS - 1));
    }

    @Test
    void badInputIsRejectedWithSpecificErrorsAndChangesNothing()
    {
        final WriteBatch batch = storage.newWriteBatch();
        final UnsafeBuffer small = new UnsafeBuffer(new byte[4]);
        final long stamp = nextStamp();

        assertThatThrownBy(() -> batch.put("", 1, stamp, NODE, small, 0, 4))
            .isInstanceOf(InvalidKeyspaceNameException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> batch.tombstone(null, 1, stamp, NODE))
            .isInstanceOf(InvalidKeyspaceNameException.class);
        final String maxName = "k".repeat(Storage.MAX_KEYSPACE_NAME_BYTES);
        final String tooLong = maxName + "k";
        assertThatThrownBy(() -> batch.put(tooLong, 1, stamp, NODE, small, 0, 4))
            .isInstanceOf(InvalidKeyspaceNameException.class)
            .hasMessageContaining(String.valueOf(Storage.MAX_KEYSPACE_NAME_BYTES));
        // the limit counts UTF-8 bytes, not characters: 128 two-byte characters are 256 bytes
        assertThatThrownBy(() -> batch.removeTombstone("é".repeat(128), 1))
            .isInstanceOf(InvalidKeyspaceNameException.class);
        assertThatThrownBy(() -> batch.tombstone("bad\uD800name", 1, stamp, NODE))
            .isInstanceOf(InvalidKeyspaceNameException.class).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> storage.get("", 1)).isInstanceOf(InvalidKeyspaceNameException.class);
        assertThatThrownBy(() -> storage.metadata(tooLong)).isInstanceOf(InvalidKeyspaceNameException.class);

        final int max = storage.maxValueLength();
        final UnsafeBuffer tooBig = new UnsafeBuffer(new byte[max + 1]);
        assertThatThrownBy(() -> batch.put("ks", 1, stamp, NODE, tooBig, 0, max + 1))
            .isInstanceOfSatisfying(ValueTooLargeException.class, ex ->
            {
                assertThat(ex.length()).isEqualTo(max + 1);
                assertThat(ex.maxLength()).isEqualTo(max);
            });
        assertThatThrownBy(() -> batch.put("ks", 1, stamp, NODE, small, 2, 4))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> batch.put("ks", 1, HlcTimestamp.NULL_STAMP, NODE, small, 0, 4))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> batch.tombstone("ks", 1, stamp, HlcTimestamp.MAX_NODE_ID + 1))
            .isInstanceOf(IllegalArgumentException.class);
        assertThat(batch.isEmpty()).as("rejected operations are not added").isTrue();

        final WriteBatch tooPermissive = new WriteBatch(max + 1);
        assertThatThrownBy(() -> storage.commit(tooPermissive)).isInstanceOf(IllegalArgumentException.class);

        // the limits themselves are accepted
        batch.put(maxName, 1, stamp, NODE, new UnsafeBuffer(new byte[max]), 0, max);
        storage.commit(batch);
        assertThat(storage.keyspaces()).containsExactly(maxName);
        assertThat(storage.get(maxName, 1).valueLength()).isEqualTo(max);
    }

    @Test
    void batchBoundsAreEnforced()
    {
        final WriteBatch batch = new WriteBatch(storage.maxValueLength(), 2, storage.maxValueLength());
        batch.tombstone("ks", 1, nextStamp(), NODE).tombstone("ks", 2, nextStamp(), NODE);
        assertThat(batch.remainingOperations()).isZero();
        assertThatThrownBy(() -> batch.tombstone("ks", 3, nextStamp(), NODE))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("commit");
        storage.commit(batch);
        assertThat(storage.metadata("ks")).hasSize(2);
        assertThat(batch.remainingOperations()).isEqualTo(2);
    }

    @Test
    void useAfterCloseFails()
    {
        storage.close();
        storage.close(); // twice is harmless
        assertThatThrownBy(() -> storage.keyspaces()).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> storage.beginRead()).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> storage.markTombstone("ks", 1, nextStamp(), NODE))
            .isInstanceOf(StorageException.class);
        storage = null;
    }

    @Test
    void bulkMutationErrorReportsAppliedOperations()
    {
        // The contract only says what a failure reports; check the report's own rules here.
        final BulkMutationException nothing = BulkMutationException.nothingApplied("failed", null);
        assertThat(nothing.appliedCount()).isZero();
        final BulkMutationException partial =
            new BulkMutationException("failed", null, new int[]{0, 2}, new long[]{10, 30});
        assertThat(partial.isApplied(0)).isTrue();
        assertThat(partial.isApplied(1)).isFalse();
        assertThat(partial.appliedKeys()).containsExactly(10, 30);
    }

    @Test
    void orswotRebuiltFromMetadataHoldsTheStoredSetsAndSurvivesReopen()
    {
        // Several nodes write overlapping keys out of order, so key order and timestamp order disagree.
        final SplittableRandom random = new SplittableRandom(11);
        final WriteBatch batch = storage.newWriteBatch();
        final UnsafeBuffer value = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < 2000; i++)
        {
            final long key = random.nextInt(500);
            final long stamp = HlcTimestamp.pack(T0_MILLIS + random.nextInt(1000), random.nextInt(8));
            final int nodeId = random.nextInt(4);
            if (random.nextInt(3) == 0)
            {
                batch.tombstone("crdt", key, stamp, nodeId);
            }
            else
            {
                batch.put("crdt", key, stamp, nodeId, value, 0, 8);
            }
        }
        storage.commit(batch);
        final List<Metadata> stored = sortedMetadata("crdt");

        final KeyspaceStateLoader loader = new KeyspaceStateLoader();
        try (Orswot before = loader.load(storage, "crdt"))
        {
            assertThat(setEntries(before)).isEqualTo(stored);
            if (isPersistent())
            {
                reopen();
                try (Orswot after = loader.load(storage, "crdt"))
                {
                    assertThat(after.contentEquals(before)).as("the reopened storage yields the same set").isTrue();
                    assertThat(setEntries(after)).isEqualTo(stored);
                }
            }
        }
    }

    private static List<Metadata> setEntries(final Orswot set)
    {
        final List<Metadata> entries = new ArrayList<>();
        set.forEachLive((key, stamp, nodeId) -> entries.add(new Metadata(key, stamp, nodeId, false)));
        set.forEachTombstone((key, stamp, nodeId) -> entries.add(new Metadata(key, stamp, nodeId, true)));
        entries.sort(UNSIGNED_KEY_ORDER);
        return entries;
    }

    @Test
    void randomizedOperationsMatchTheReferenceModel()
    {
        final long seed = Long.getLong(SEED_PROPERTY, System.nanoTime());
        try
        {
            runModel(seed);
        }
        catch (final Throwable t)
        {
            throw new AssertionError("model test failed; replay with -D" + SEED_PROPERTY + "=" + seed, t);
        }
    }

    @Test
    @Tag("soak")
    void randomizedOperationsMatchTheReferenceModelForManySeeds()
    {
        final SplittableRandom seeds = new SplittableRandom(Long.getLong(SEED_PROPERTY, System.nanoTime()));
        for (int trial = 0; trial < SOAK_TRIALS; trial++)
        {
            final long seed = seeds.nextLong();
            try
            {
                runModel(seed);
            }
            catch (final Throwable t)
            {
                throw new AssertionError("model trial " + trial + " failed; replay the single trial with -D" +
                    SEED_PROPERTY + "=" + seed + " and -Dtest=<class>#randomizedOperationsMatchTheReferenceModel", t);
            }
            // every trial starts from an empty storage in a directory of its own
            storage.close();
            storage = null;
            storageDirectory = freshDirectory(trial);
            storage = openStorage(storageDirectory);
        }
    }

    private Path freshDirectory(final int trial)
    {
        final Path trialDirectory = directory.resolve("soak-" + trial);
        try
        {
            return java.nio.file.Files.createDirectories(trialDirectory);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private void runModel(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final StorageModel model = new StorageModel();
        final String[] names = {"m-a", "m-b", "m-c"};
        final WriteBatch batch = storage.newWriteBatch();
        final WriteBatch copy = storage.newWriteBatch();
        final UnsafeBuffer value = new UnsafeBuffer(new byte[300]);

        for (int b = 0; b < MODEL_BATCHES; b++)
        {
            final int ops = 1 + random.nextInt(20);
            for (int i = 0; i < ops; i++)
            {
                final String name = names[random.nextInt(names.length)];
                // includes ids of 2^63 and above (negative longs), whose unsigned order differs from signed
                final long key = random.nextInt(8) == 0 ? Long.MIN_VALUE + random.nextInt(5) : random.nextInt(40) - 5;
                final long stamp = HlcTimestamp.pack(T0_MILLIS, 1 + random.nextInt(200));
                final int nodeId = random.nextInt(3);
                final int choice = random.nextInt(10);
                if (choice < 6)
                {
                    final int length = random.nextInt(value.capacity() + 1);
                    for (int j = 0; j < length; j++)
                    {
                        value.putByte(j, (byte)random.nextInt());
                    }
                    batch.put(name, key, stamp, nodeId, value, 0, length);
                    copy.put(name, key, stamp, nodeId, value, 0, length);
                }
                else if (choice < 9)
                {
                    batch.tombstone(name, key, stamp, nodeId);
                    copy.tombstone(name, key, stamp, nodeId);
                }
                else
                {
                    batch.removeTombstone(name, key);
                    copy.removeTombstone(name, key);
                }
            }
            model.apply(copy);
            copy.clear();
            storage.commit(batch);

            if (b % 50 == 49)
            {
                assertSameAs(model, names);
            }
        }

        if (isPersistent())
        {
            reopen();
        }
        assertSameAs(model, names);
    }

    private void assertSameAs(final StorageModel model, final String[] names)
    {
        final List<String> keyspaces = new ArrayList<>(storage.keyspaces());
        keyspaces.sort(Comparator.naturalOrder());
        assertThat(keyspaces).isEqualTo(model.keyspaces());
        for (final String name : names)
        {
            assertThat(storage.metadata(name)).as("metadata of %s, in unsigned key order", name)
                .isEqualTo(model.metadata(name));
            final long[] keys = model.keys(name);
            final List<Document> documents = new ArrayList<>(storage.getMany(name, keys));
            documents.sort((a, b) -> Long.compareUnsigned(a.key(), b.key()));
            assertThat(documents).as("documents of %s", name).isEqualTo(model.documents(name));
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /**
     * @param keyspace keyspace name.
     * @return the keyspace's metadata sorted by unsigned key, the order every storage visits it in.
     */
    protected final List<Metadata> sortedMetadata(final String keyspace)
    {
        final List<Metadata> entries = new ArrayList<>(storage.metadata(keyspace));
        entries.sort(UNSIGNED_KEY_ORDER);
        return entries;
    }

    private long[] visitedKeys(final String keyspace)
    {
        final List<Long> visited = new ArrayList<>();
        try (ReadTransaction txn = storage.beginRead())
        {
            final int count = txn.forEachMetadata(keyspace, (key, stamp, nodeId, tombstone) -> visited.add(key));
            assertThat(count).isEqualTo(visited.size());
        }
        return visited.stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] unsignedSorted(final long[] keys)
    {
        // flipping the sign bit maps unsigned order onto signed order
        final long[] sorted = new long[keys.length];
        for (int i = 0; i < keys.length; i++)
        {
            sorted[i] = keys[i] ^ Long.MIN_VALUE;
        }
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++)
        {
            sorted[i] ^= Long.MIN_VALUE;
        }
        return sorted;
    }

    private Document doc(final long key, final String value)
    {
        return new Document(key, nextStamp(), NODE, bytes(value));
    }

    private void put(final String keyspace, final Document document)
    {
        storage.put(keyspace, document.key(), document.stamp(), document.nodeId(), document.value());
    }

    private static Metadata tomb(final long key, final long stamp)
    {
        return new Metadata(key, stamp, NODE, true);
    }

    private static Metadata live(final Document document)
    {
        return new Metadata(document.key(), document.stamp(), document.nodeId(), false);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] longBytes(final long value)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        buffer.putLong(0, value);
        return buffer.byteArray();
    }
}
