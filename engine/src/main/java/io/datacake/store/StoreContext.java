package io.datacake.store;

import io.datacake.membership.ClusterView;
import io.datacake.membership.ReplicaSelectorFactory;
import io.datacake.storage.Storage;
import io.datacake.storage.StorageWriterContext;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * Configuration of a {@link ReplicatedStore}, in the style of Aeron's contexts: fluent setters, defaults that suit
 * a small machine, and {@link #conclude()} (called when the store starts) to validate. Every bound the store keeps
 * is set here.
 */
public final class StoreContext
{
    /** Default time a write waits for its replicas' acknowledgements before it fails. */
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
    /** Default bound on keyspaces a store holds. */
    public static final int DEFAULT_MAX_KEYSPACES = 1_024;
    /** Default bound on writes coordinated by this node and still waiting for acknowledgements. */
    public static final int DEFAULT_MAX_PENDING_WRITES = 4_096;
    /** Default bound on entries of one {@code putMany} or {@code deleteMany}. */
    public static final int DEFAULT_MAX_BATCH_ENTRIES = 1_024;
    /** Default bound on storage completions handed to their writes per duty cycle. */
    public static final int DEFAULT_COMPLETION_LIMIT = 1_024;

    /** Default time between two repair rounds of a node: 10 s. */
    public static final long DEFAULT_REPAIR_INTERVAL_MS = 10_000;

    /** Default bound on the mismatched segments one repair round repairs. */
    public static final int DEFAULT_REPAIR_MAX_SEGMENTS_PER_ROUND = TictacExchange.DEFAULT_MAX_SEGMENTS_PER_ROUND;

    /** Default bound on the entries one repair fetch carries. */
    public static final int DEFAULT_REPAIR_MAX_ENTRIES_PER_FETCH = 256;

    /** Default bound on the bytes of values one repair fetch carries: 256 KiB. */
    public static final int DEFAULT_REPAIR_MAX_BYTES_PER_FETCH = 256 * 1024;

    /** Default bound on the repair fetches the store's repair reader holds (waiting or being read). */
    public static final int DEFAULT_REPAIR_READER_QUEUE_CAPACITY = 4;

    /** Default bound on the repair fetches one node has in flight at once, to one peer. */
    public static final int DEFAULT_REPAIR_MAX_FETCHES_IN_FLIGHT = 4;

    /** Largest bound on the repair fetches in flight at once. */
    public static final int MAX_REPAIR_FETCHES_IN_FLIGHT = 64;

    /** Default minimum age of a tombstone, past the moment every live member last synced, before it is purged. */
    public static final long DEFAULT_TOMBSTONE_GRACE_MS = 3_600_000;

    /** Default time between two purge steps of a node: 1 s. */
    public static final long DEFAULT_PURGE_INTERVAL_MS = 1_000;

    /** Default bound on the tombstones one purge step removes. */
    public static final int DEFAULT_PURGE_MAX_ENTRIES_PER_STEP = 256;

    /** Default bound on the entries one batched broadcast message carries. */
    public static final int DEFAULT_BROADCAST_MAX_ENTRIES = 256;

    /** Default bound on the bytes of one batched broadcast message: 64 KiB (less if the transport's frame is). */
    public static final int DEFAULT_BROADCAST_MAX_BYTES = 64 * 1024;

    private Storage storage;
    private ClusterView clusterView;
    private ReplicaSelectorFactory replicaSelectorFactory = ReplicaSelectorFactory.DEFAULT;
    private StorageWriterContext writerContext;
    private long requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
    private int maxKeyspaces = DEFAULT_MAX_KEYSPACES;
    private int maxPendingWrites = DEFAULT_MAX_PENDING_WRITES;
    private int maxBatchEntries = DEFAULT_MAX_BATCH_ENTRIES;
    private int completionLimit = DEFAULT_COMPLETION_LIMIT;
    private int treeBranchCount = TictacTree.SMALL_BRANCH_COUNT;
    private int treeSegmentsPerBranch = TictacTree.SMALL_SEGMENTS_PER_BRANCH;
    private long repairIntervalMs = DEFAULT_REPAIR_INTERVAL_MS;
    private int repairMaxSegmentsPerRound = DEFAULT_REPAIR_MAX_SEGMENTS_PER_ROUND;
    private int repairMaxEntriesPerFetch = DEFAULT_REPAIR_MAX_ENTRIES_PER_FETCH;
    private int repairMaxBytesPerFetch = DEFAULT_REPAIR_MAX_BYTES_PER_FETCH;
    private int repairReaderQueueCapacity = DEFAULT_REPAIR_READER_QUEUE_CAPACITY;
    private IdleStrategy repairReaderIdleStrategy;
    private int repairMaxFetchesInFlight = DEFAULT_REPAIR_MAX_FETCHES_IN_FLIGHT;
    private long tombstoneGraceMs = DEFAULT_TOMBSTONE_GRACE_MS;
    private long purgeIntervalMs = DEFAULT_PURGE_INTERVAL_MS;
    private int purgeMaxEntriesPerStep = DEFAULT_PURGE_MAX_ENTRIES_PER_STEP;
    private int broadcastMaxEntries = DEFAULT_BROADCAST_MAX_ENTRIES;
    private int broadcastMaxBytes = DEFAULT_BROADCAST_MAX_BYTES;

    /**
     * Validate the configuration and fill in defaults: a writer context over the storage if none was given, and
     * the storage of the writer context if it has none.
     *
     * @return this.
     * @throws IllegalArgumentException if a value is out of range, a required value is missing, or the writer
     *                                  context names another storage or fewer keyspaces than the store.
     */
    public StoreContext conclude()
    {
        if (null == storage)
        {
            throw new IllegalArgumentException("storage must be set (the node's Storage)");
        }
        if (null == clusterView)
        {
            throw new IllegalArgumentException(
                "clusterView must be set (the membership component's view, or a StaticClusterView)");
        }
        if (null == writerContext)
        {
            writerContext = new StorageWriterContext();
        }
        if (null == writerContext.storage())
        {
            writerContext.storage(storage);
        }
        if (writerContext.storage() != storage)
        {
            throw new IllegalArgumentException("writerContext commits to " + writerContext.storage() +
                ", not to the store's storage " + storage);
        }
        writerContext.conclude();
        checkPositive(requestTimeoutMs, "requestTimeoutMs");
        checkPositive(maxKeyspaces, "maxKeyspaces");
        checkPositive(maxPendingWrites, "maxPendingWrites");
        checkPositive(maxBatchEntries, "maxBatchEntries");
        checkPositive(completionLimit, "completionLimit");
        if (writerContext.maxKeyspaces() < maxKeyspaces)
        {
            throw new IllegalArgumentException("writerContext.maxKeyspaces (" + writerContext.maxKeyspaces() +
                ") must be at least the store's maxKeyspaces (" + maxKeyspaces + ")");
        }
        if (writerContext.maxInFlightWrites() < maxBatchEntries)
        {
            throw new IllegalArgumentException("writerContext.maxInFlightWrites (" +
                writerContext.maxInFlightWrites() + ") must hold one batch of maxBatchEntries (" + maxBatchEntries +
                ")");
        }
        TictacTree.checkShape(treeBranchCount, treeSegmentsPerBranch);
        checkPositive(repairIntervalMs, "repairIntervalMs");
        checkPositive(repairMaxEntriesPerFetch, "repairMaxEntriesPerFetch");
        checkPositive(repairMaxBytesPerFetch, "repairMaxBytesPerFetch");
        checkPositive(repairReaderQueueCapacity, "repairReaderQueueCapacity");
        if (null == repairReaderIdleStrategy)
        {
            // Parks soon: the node thread wakes the reader on every fetch it hands over, so parking costs no latency
            // and an idle reader costs nothing on a small machine.
            repairReaderIdleStrategy = new BackoffIdleStrategy(1, 1, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(1));
        }
        if (repairMaxFetchesInFlight < 1 || repairMaxFetchesInFlight > MAX_REPAIR_FETCHES_IN_FLIGHT)
        {
            throw new IllegalArgumentException("repairMaxFetchesInFlight must be in [1, " +
                MAX_REPAIR_FETCHES_IN_FLIGHT + "]: " + repairMaxFetchesInFlight);
        }
        if (tombstoneGraceMs < 0)
        {
            throw new IllegalArgumentException("tombstoneGraceMs must not be negative: " + tombstoneGraceMs);
        }
        checkPositive(purgeIntervalMs, "purgeIntervalMs");
        checkPositive(purgeMaxEntriesPerStep, "purgeMaxEntriesPerStep");
        checkPositive(broadcastMaxEntries, "broadcastMaxEntries");
        checkPositive(broadcastMaxBytes, "broadcastMaxBytes");
        if (repairMaxSegmentsPerRound < 1 || repairMaxSegmentsPerRound > TictacCodec.MAX_SEGMENT_IDS_PER_MESSAGE)
        {
            throw new IllegalArgumentException("repairMaxSegmentsPerRound must be in [1, " +
                TictacCodec.MAX_SEGMENT_IDS_PER_MESSAGE + "]: " + repairMaxSegmentsPerRound);
        }
        return this;
    }

    /**
     * The storage the store reads from and, through its writer, writes to.
     *
     * @param storage the node's storage, opened; the store does not close it.
     * @return this.
     */
    public StoreContext storage(final Storage storage)
    {
        this.storage = storage;
        return this;
    }

    /**
     * The storage.
     *
     * @return the storage, null if not set.
     */
    public Storage storage()
    {
        return storage;
    }

    /**
     * Where the store reads membership: which members exist, which are live, and their endpoints. Read on the node
     * thread only.
     *
     * @param clusterView the view.
     * @return this.
     */
    public StoreContext clusterView(final ClusterView clusterView)
    {
        this.clusterView = clusterView;
        return this;
    }

    /**
     * The cluster view.
     *
     * @return the view, null if not set.
     */
    public ClusterView clusterView()
    {
        return clusterView;
    }

    /**
     * How the store chooses the replicas that must acknowledge each write at a consistency level; the default is a
     * data-centre aware {@link io.datacake.membership.ReplicaSelector}.
     *
     * @param replicaSelectorFactory makes the node's selection once the store starts.
     * @return this.
     * @throws IllegalArgumentException if the factory is null.
     */
    public StoreContext replicaSelectorFactory(final ReplicaSelectorFactory replicaSelectorFactory)
    {
        if (null == replicaSelectorFactory)
        {
            throw new IllegalArgumentException("replicaSelectorFactory must not be null; " +
                "use ReplicaSelectorFactory.DEFAULT for the default selection");
        }
        this.replicaSelectorFactory = replicaSelectorFactory;
        return this;
    }

    /**
     * The replica selection factory.
     *
     * @return the factory, {@link ReplicaSelectorFactory#DEFAULT} unless set.
     */
    public ReplicaSelectorFactory replicaSelectorFactory()
    {
        return replicaSelectorFactory;
    }

    /**
     * The configuration of the store's storage writer. Set {@code useAgentInvoker(true)} on it when the node runs
     * in invoker mode (a simulation): the store then steps the writer on every turn of the node, so a run replays.
     *
     * @param writerContext the writer's configuration (its storage defaults to the store's).
     * @return this.
     */
    public StoreContext writerContext(final StorageWriterContext writerContext)
    {
        this.writerContext = writerContext;
        return this;
    }

    /**
     * The writer configuration.
     *
     * @return the configuration, null until set or concluded.
     */
    public StorageWriterContext writerContext()
    {
        return writerContext;
    }

    /**
     * How long a write waits for each selected replica's acknowledgement before it fails.
     *
     * @param requestTimeoutMs milliseconds.
     * @return this.
     */
    public StoreContext requestTimeoutMs(final long requestTimeoutMs)
    {
        this.requestTimeoutMs = requestTimeoutMs;
        return this;
    }

    /**
     * The write timeout.
     *
     * @return milliseconds.
     */
    public long requestTimeoutMs()
    {
        return requestTimeoutMs;
    }

    /**
     * Bound on keyspaces; a write to one more fails with {@link IllegalStateException}.
     *
     * @param maxKeyspaces keyspaces.
     * @return this.
     */
    public StoreContext maxKeyspaces(final int maxKeyspaces)
    {
        this.maxKeyspaces = maxKeyspaces;
        return this;
    }

    /**
     * Keyspace bound.
     *
     * @return keyspaces.
     */
    public int maxKeyspaces()
    {
        return maxKeyspaces;
    }

    /**
     * Bound on writes this node coordinates that still wait for acknowledgements; one more fails at once with
     * {@link StoreBackPressureException}.
     *
     * @param maxPendingWrites writes.
     * @return this.
     */
    public StoreContext maxPendingWrites(final int maxPendingWrites)
    {
        this.maxPendingWrites = maxPendingWrites;
        return this;
    }

    /**
     * Pending write bound.
     *
     * @return writes.
     */
    public int maxPendingWrites()
    {
        return maxPendingWrites;
    }

    /**
     * Bound on the entries of one {@code putMany} or {@code deleteMany}; larger batches are rejected with
     * {@link IllegalArgumentException}.
     *
     * @param maxBatchEntries entries.
     * @return this.
     */
    public StoreContext maxBatchEntries(final int maxBatchEntries)
    {
        this.maxBatchEntries = maxBatchEntries;
        return this;
    }

    /**
     * Batch bound.
     *
     * @return entries.
     */
    public int maxBatchEntries()
    {
        return maxBatchEntries;
    }

    /**
     * Bound on storage completions handed to their writes per duty cycle.
     *
     * @param completionLimit completions per duty cycle.
     * @return this.
     */
    public StoreContext completionLimit(final int completionLimit)
    {
        this.completionLimit = completionLimit;
        return this;
    }

    /**
     * Completions per duty cycle.
     *
     * @return the bound.
     */
    public int completionLimit()
    {
        return completionLimit;
    }

    /**
     * Shape of each keyspace's {@link TictacTree}; every replica must use the same shape. Default
     * {@link TictacTree#SMALL_BRANCH_COUNT} × {@link TictacTree#SMALL_SEGMENTS_PER_BRANCH} (512 KiB a keyspace).
     *
     * @param branchCount       branches, a power of two.
     * @param segmentsPerBranch segments per branch, a power of two.
     * @return this.
     */
    public StoreContext treeShape(final int branchCount, final int segmentsPerBranch)
    {
        this.treeBranchCount = branchCount;
        this.treeSegmentsPerBranch = segmentsPerBranch;
        return this;
    }

    /**
     * Branches of each keyspace's tree.
     *
     * @return the count.
     */
    public int treeBranchCount()
    {
        return treeBranchCount;
    }

    /**
     * Segments per branch of each keyspace's tree.
     *
     * @return the count.
     */
    public int treeSegmentsPerBranch()
    {
        return treeSegmentsPerBranch;
    }

    /**
     * How often this node runs a repair round: one round against one live peer and one keyspace.
     *
     * @param repairIntervalMs time between the starts of two rounds, positive.
     * @return this.
     */
    public StoreContext repairIntervalMs(final long repairIntervalMs)
    {
        this.repairIntervalMs = repairIntervalMs;
        return this;
    }

    /**
     * @return time between the starts of two repair rounds.
     */
    public long repairIntervalMs()
    {
        return repairIntervalMs;
    }

    /**
     * Bound on the mismatched segments one repair round finds and fetches; the rest are found by later rounds (a
     * round that changed this node is followed at once by the next).
     *
     * @param repairMaxSegmentsPerRound 1..{@link TictacCodec#MAX_SEGMENT_IDS_PER_MESSAGE}.
     * @return this.
     */
    public StoreContext repairMaxSegmentsPerRound(final int repairMaxSegmentsPerRound)
    {
        this.repairMaxSegmentsPerRound = repairMaxSegmentsPerRound;
        return this;
    }

    /**
     * @return bound on the mismatched segments one repair round fetches.
     */
    public int repairMaxSegmentsPerRound()
    {
        return repairMaxSegmentsPerRound;
    }

    /**
     * Bound on the entries one repair fetch reply carries; a round fetches the segments' other entries in further
     * fetches (at most 64 a round), the rest come in later rounds.
     *
     * @param repairMaxEntriesPerFetch positive; the same on every node, and best no more than the writer's in-flight
     *                                 writes: a fetch the writer has no room for is refused (and counted) whole.
     * @return this.
     */
    public StoreContext repairMaxEntriesPerFetch(final int repairMaxEntriesPerFetch)
    {
        this.repairMaxEntriesPerFetch = repairMaxEntriesPerFetch;
        return this;
    }

    /**
     * @return bound on the entries one repair fetch carries.
     */
    public int repairMaxEntriesPerFetch()
    {
        return repairMaxEntriesPerFetch;
    }

    /**
     * Bound on the value bytes one repair fetch reply carries; a reply always carries at least one entry.
     *
     * @param repairMaxBytesPerFetch positive.
     * @return this.
     */
    public StoreContext repairMaxBytesPerFetch(final int repairMaxBytesPerFetch)
    {
        this.repairMaxBytesPerFetch = repairMaxBytesPerFetch;
        return this;
    }

    /**
     * @return bound on the value bytes one repair fetch carries.
     */
    public int repairMaxBytesPerFetch()
    {
        return repairMaxBytesPerFetch;
    }

    /**
     * Bound on the repair fetches this store's repair reader holds at once, waiting or being read. The reader reads
     * fetched values off the node thread (unless the storage {@linkplain Storage#readsWithoutBlocking() reads
     * without blocking}); a fetch that arrives while it holds this many is refused at once, counted
     * ({@link StoreStatistics#repairFetchesRefusedReaderBusy()}), and the peer asks again in a later round. Each
     * slot keeps a fetch's worth of arrays and an off-heap staging buffer of at least one frame's reply.
     *
     * @param repairReaderQueueCapacity positive.
     * @return this.
     */
    public StoreContext repairReaderQueueCapacity(final int repairReaderQueueCapacity)
    {
        this.repairReaderQueueCapacity = repairReaderQueueCapacity;
        return this;
    }

    /**
     * Bound on the repair fetches this node has in flight at once (all to the round's peer). A round splits its
     * mismatched segments into groups of about one fetch's worth of entries and fetches up to this many groups at
     * once, so the peer answers one fetch while this node applies another. A fetch is sent only while the storage
     * writer has room for the largest replies of every fetch in flight
     * ({@link #repairMaxEntriesPerFetch(int)} entries and {@link #repairMaxBytesPerFetch(int)} value bytes each):
     * repair holds at most this many fetch replies' worth of writes in the writer.
     *
     * @param repairMaxFetchesInFlight 1..{@link #MAX_REPAIR_FETCHES_IN_FLIGHT}; 1 fetches one group at a time.
     * @return this.
     */
    public StoreContext repairMaxFetchesInFlight(final int repairMaxFetchesInFlight)
    {
        this.repairMaxFetchesInFlight = repairMaxFetchesInFlight;
        return this;
    }

    /**
     * @return bound on the repair fetches the repair reader holds at once.
     */
    public int repairReaderQueueCapacity()
    {
        return repairReaderQueueCapacity;
    }

    /**
     * How the repair reader's thread waits for work. The node thread wakes it (unparks it) on every fetch it hands
     * over, so a strategy that parks adds no latency. Ignored when the reader is stepped with the node (the writer
     * context uses an agent invoker).
     *
     * @param repairReaderIdleStrategy the strategy, used by this store's reader only (an idle strategy keeps state),
     *                                 or null for the default: back off to parking up to 1 ms.
     * @return this.
     */
    public StoreContext repairReaderIdleStrategy(final IdleStrategy repairReaderIdleStrategy)
    {
        this.repairReaderIdleStrategy = repairReaderIdleStrategy;
        return this;
    }

    /**
     * @return the repair reader's idle strategy; set by {@link #conclude()} if none was given.
     */
    public IdleStrategy repairReaderIdleStrategy()
    {
        return repairReaderIdleStrategy;
    }

    /**
     * @return bound on the repair fetches in flight at once.
     */
    public int repairMaxFetchesInFlight()
    {
        return repairMaxFetchesInFlight;
    }

    /**
     * Minimum age of a tombstone before it is purged, counted from the moment every live member had last found its
     * copy of the keyspace equal to each other live member's (the cluster-wide synced time, see
     * {@link ReplicatedStore}): the analogue of Cassandra's {@code gc_grace_seconds}. It is the margin for clock skew
     * between nodes and for a write still in flight, and the longest a member may be unreachable and still come
     * back safely: a member that is not live while the others purge misses the purge, and if it also missed the
     * delete, it keeps its stale copy (the others refuse to take it back), so wipe a member that was away for longer
     * than this before it rejoins.
     *
     * @param tombstoneGraceMs milliseconds, 0 or more.
     * @return this.
     */
    public StoreContext tombstoneGraceMs(final long tombstoneGraceMs)
    {
        this.tombstoneGraceMs = tombstoneGraceMs;
        return this;
    }

    /**
     * @return minimum age of a tombstone past the cluster-wide synced time before it is purged, in milliseconds.
     */
    public long tombstoneGraceMs()
    {
        return tombstoneGraceMs;
    }

    /**
     * How often this node takes one purge step: one keyspace, at most {@link #purgeMaxEntriesPerStep(int)}
     * tombstones removed.
     *
     * @param purgeIntervalMs time between two purge steps, positive.
     * @return this.
     */
    public StoreContext purgeIntervalMs(final long purgeIntervalMs)
    {
        this.purgeIntervalMs = purgeIntervalMs;
        return this;
    }

    /**
     * @return time between two purge steps.
     */
    public long purgeIntervalMs()
    {
        return purgeIntervalMs;
    }

    /**
     * Bound on the tombstones one purge step removes; one step also looks at no more than four times as many slots
     * of the keyspace's tombstone table, so a step costs O(this) whatever the keyspace's size.
     *
     * @param purgeMaxEntriesPerStep positive; removals the storage writer has no room for wait for a later step.
     * @return this.
     */
    public StoreContext purgeMaxEntriesPerStep(final int purgeMaxEntriesPerStep)
    {
        this.purgeMaxEntriesPerStep = purgeMaxEntriesPerStep;
        return this;
    }

    /**
     * @return bound on the tombstones one purge step removes.
     */
    public int purgeMaxEntriesPerStep()
    {
        return purgeMaxEntriesPerStep;
    }

    /**
     * Bound on the entries of one batched broadcast message: the writes of one duty cycle go to each live member that
     * was not a selected replica in as few messages as this bound and {@link #broadcastMaxBytes(int)} allow.
     *
     * @param broadcastMaxEntries positive; a receiver refuses a message of more than its
     *                            {@link #maxBatchEntries(int)}, so keep it no larger than that.
     * @return this.
     */
    public StoreContext broadcastMaxEntries(final int broadcastMaxEntries)
    {
        this.broadcastMaxEntries = broadcastMaxEntries;
        return this;
    }

    /**
     * @return bound on the entries of one broadcast message.
     */
    public int broadcastMaxEntries()
    {
        return broadcastMaxEntries;
    }

    /**
     * Bound on the bytes of one batched broadcast message, headers included; the store also keeps it within the
     * transport's one-way body length (one-way messages are not streamed). A message always carries at least one
     * entry; a single entry too long for one frame is dropped (counted) and left to repair.
     *
     * @param broadcastMaxBytes positive.
     * @return this.
     */
    public StoreContext broadcastMaxBytes(final int broadcastMaxBytes)
    {
        this.broadcastMaxBytes = broadcastMaxBytes;
        return this;
    }

    /**
     * @return bound on the bytes of one broadcast message.
     */
    public int broadcastMaxBytes()
    {
        return broadcastMaxBytes;
    }

    private static void checkPositive(final long value, final String name)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
