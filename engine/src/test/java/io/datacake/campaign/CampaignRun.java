package io.datacake.campaign;

import io.datacake.membership.ConsistencyException;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.MembershipFormingException;
import io.datacake.node.NodeBackPressureException;
import io.datacake.node.NodeClosedException;
import io.datacake.sim.Simulation;
import io.datacake.storage.Document;
import io.datacake.store.ReplicatedStore;
import io.datacake.store.StoreBackPressureException;
import io.datacake.store.StoreHandle;
import io.datacake.store.StoreInspector;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;

/**
 * One campaign seed, start to end: a cluster drawn from the seed runs a workload of puts (fresh keys, values that
 * name their operation), deletes and local reads against random nodes at random levels while the seed's faults play;
 * then every fault is healed, the operations still in flight end, the cluster must converge, and
 * {@link HistoryChecker} checks the history against the final state.
 */
final class CampaignRun
{
    /** Virtual time the cluster gets to converge after the heal. */
    static final long CONVERGENCE_BOUND_MS = 120_000;

    /** Virtual time a gossiping cluster gets to form (every node live in every view) before the workload. */
    static final long MEMBERSHIP_FORMATION_BOUND_MS = 30_000;

    /** How often convergence is checked after the heal. */
    static final long CONVERGENCE_CHECK_EVERY_MS = 10;

    /** Largest value padding, so values vary in size. */
    static final int MAX_VALUE_PADDING = 48;

    /** Header of every value: operation id, coordinator, key. */
    static final int VALUE_HEADER_LENGTH = Long.BYTES + Integer.BYTES + Long.BYTES;

    private static final ConsistencyLevel[] LEVELS = {
        ConsistencyLevel.NONE, ConsistencyLevel.ONE, ConsistencyLevel.TWO, ConsistencyLevel.QUORUM,
        ConsistencyLevel.ALL};

    private final CampaignSettings settings;
    private final SeedResult result;
    private final SplittableRandom random;
    private final CampaignNetworkFaults networkFaults;
    private final CampaignStorageFaults storageFaults;
    private final Simulation simulation;
    private final CampaignCluster cluster;
    private final FaultSchedule schedule;
    private final List<String> keyspaces = new ArrayList<>();
    private final List<Op> history = new ArrayList<>();
    private final Map<Long, Op> putByKey = new HashMap<>();
    private final Map<Long, Op> deleteByKey = new HashMap<>();
    private final List<Long> deletable = new ArrayList<>();
    private long keyCounter;
    private long steps;

    private CampaignRun(final CampaignSettings settings)
    {
        this.settings = settings;
        this.result = new SeedResult(settings);
        this.random = new SplittableRandom(settings.seed ^ 0x5DEECE66DL);
        this.networkFaults = new CampaignNetworkFaults(
            settings.seed * 31 + 7, settings.lossRate, settings.duplicateRate, settings.maxDelayMs);
        this.storageFaults = new CampaignStorageFaults(
            settings.seed * 17 + 3, settings.commitFailureRate, settings.maxSyncDelayMs);
        this.simulation = new Simulation(settings.seed, networkFaults, storageFaults);
        this.cluster = new CampaignCluster(simulation, settings);
        this.schedule = new FaultSchedule(cluster, networkFaults, storageFaults);
        for (int i = 0; i < settings.keyspaceCount; i++)
        {
            keyspaces.add("ks" + i);
        }
    }

    /**
     * Run one seed.
     *
     * @param settings the seed's settings.
     * @return what happened; {@link SeedResult#passed()} tells whether the checker found nothing.
     */
    static SeedResult run(final CampaignSettings settings)
    {
        final long startNs = System.nanoTime();
        final CampaignRun run = new CampaignRun(settings);
        try (CampaignCluster ignored = run.cluster)
        {
            run.execute();
        }
        run.result.wallMs = (System.nanoTime() - startNs) / 1_000_000;
        return run.result;
    }

    private void execute()
    {
        if (settings.gossip())
        {
            final long formingFromMs = simulation.clock().time();
            if (!simulation.runUntil(() -> null == cluster.membershipDisagreement(), MEMBERSHIP_FORMATION_BOUND_MS))
            {
                result.violation("membership did not form within " + MEMBERSHIP_FORMATION_BOUND_MS +
                    " virtual ms of the start: " + cluster.membershipDisagreement());
                return;
            }
            result.membershipFormedMs = simulation.clock().time() - formingFromMs;
        }
        final long startMs = simulation.clock().time();
        final long workloadSpanMs = Math.max(1, settings.operationCount * settings.maxOperationGapMs / 2);
        schedule.draw(random, startMs, workloadSpanMs);

        final long lastActionAtMs = schedule.lastActionAtMs();
        long nextOpAtMs = startMs;
        int issued = 0;
        while (issued < settings.operationCount || simulation.clock().time() <= lastActionAtMs)
        {
            final long nowMs = simulation.clock().time();
            schedule.applyDue(nowMs);
            while (issued < settings.operationCount && nowMs >= nextOpAtMs)
            {
                issue();
                issued++;
                nextOpAtMs = nowMs + random.nextLong(settings.maxOperationGapMs + 1);
            }
            simulation.step();
            steps++;
        }
        final long workloadSteps = steps;

        schedule.healAll();
        final long healedAtMs = simulation.clock().time();
        final long t0 = simulation.clock().time();
        awaitOperations();
        final long t1 = simulation.clock().time();
        final long convergedAtMs = awaitConvergence(healedAtMs);
        if (Boolean.getBoolean(ReliabilityCampaignTest.VERBOSE_PROPERTY))
        {
            System.out.println("seed " + settings.seed + ": workload " + workloadSteps + " steps over " +
                (t0 - startMs) + " virtual ms, operations ended " + (t1 - t0) + " ms after the heal, converged " +
                (simulation.clock().time() - t1) + " ms later, " + steps + " steps in all");
        }
        if (convergedAtMs < 0)
        {
            result.violation("the cluster did not converge within " + CONVERGENCE_BOUND_MS +
                " virtual ms after the heal: " + divergence() + "; " + differingKeys());
        }
        else
        {
            result.convergenceMs = convergedAtMs - healedAtMs;
            new HistoryChecker(cluster, history, result).check();
        }
        result.virtualMs = simulation.clock().time() - startMs;
        result.operations = history.size();
        result.faults.putAll(schedule.counts());
        result.faultLog.addAll(schedule.log());
        result.faults.put(FaultKind.FRAMES_DROPPED, simulation.network().droppedFrames());
        result.faults.put(FaultKind.FRAMES_DUPLICATED, networkFaults.duplicated());
        result.faults.put(FaultKind.FRAMES_DELAYED, networkFaults.delayed());
        long failed = 0;
        long lost = 0;
        if (CampaignSettings.StorageMode.MEMORY != settings.storageMode)
        {
            for (int id = 1; id <= settings.nodeCount; id++)
            {
                failed += simulation.storage(id).commitsFailed();
                lost += simulation.storage(id).commitsLost();
            }
        }
        result.faults.put(FaultKind.COMMITS_FAILED, failed);
        result.faults.put(FaultKind.COMMITS_LOST, lost);
        result.membersMarkedDead = cluster.membersMarkedDead();
        result.membersRevived = cluster.membersRevived();
        result.restartsDetected = cluster.restartsDetected();
        for (final Op op : history)
        {
            // Only the levels sized by the member list depend on the view holding every member.
            if (Op.Outcome.OK == op.outcome && Op.Kind.PUT == op.kind && op.level.countsMembers() &&
                op.viewMembers < settings.nodeCount)
            {
                result.writesAcknowledgedOnPartialView += op.keys.length;
            }
            if (null != op.failure && op.failure.startsWith(MembershipFormingException.class.getSimpleName()))
            {
                result.writesRefusedWhileViewForming++;
            }
        }
    }

    // ---- workload

    private void issue()
    {
        final List<Integer> running = cluster.runningNodes();
        if (running.isEmpty())
        {
            return;
        }
        final int coordinator = running.get(random.nextInt(running.size()));
        final int roll = random.nextInt(100);
        if (roll < 20)
        {
            read(coordinator);
        }
        else if (roll < 40 && !deletable.isEmpty())
        {
            delete(coordinator);
        }
        else
        {
            put(coordinator);
        }
    }

    private ConsistencyLevel level()
    {
        ConsistencyLevel level;
        do
        {
            level = LEVELS[random.nextInt(LEVELS.length)];
        }
        while (Op.acknowledgers(level, settings.nodeCount) > settings.nodeCount);
        return level;
    }

    private void put(final int coordinator)
    {
        final String keyspace = keyspaces.get(random.nextInt(keyspaces.size()));
        final int count = 1 + random.nextInt(settings.maxBatchKeys);
        final long[] keys = new long[count];
        final byte[][] values = new byte[count][];
        final int id = history.size();
        for (int i = 0; i < count; i++)
        {
            keys[i] = freshKey();
            values[i] = value(id, coordinator, keys[i]);
        }
        final Op op = new Op(id, Op.Kind.PUT, keyspace, keys, values, coordinator, cluster.incarnation(coordinator),
            level(), simulation.clock().time());
        op.viewMembers = cluster.viewMemberCount(coordinator);
        history.add(op);
        for (final long key : keys)
        {
            putByKey.put(key, op);
        }
        submit(op);
    }

    private void delete(final int coordinator)
    {
        final long first = deletable.remove(random.nextInt(deletable.size()));
        final String keyspace = putByKey.get(first).keyspace;
        final List<Long> keys = new ArrayList<>();
        keys.add(first);
        final int more = random.nextInt(settings.maxBatchKeys);
        for (int i = deletable.size() - 1; i >= 0 && keys.size() <= more; i--)
        {
            if (putByKey.get(deletable.get(i)).keyspace.equals(keyspace))
            {
                keys.add(deletable.remove(i));
            }
        }
        final long[] keyArray = keys.stream().mapToLong(Long::longValue).toArray();
        final Op op = new Op(history.size(), Op.Kind.DELETE, keyspace, keyArray, null, coordinator,
            cluster.incarnation(coordinator), level(), simulation.clock().time());
        op.viewMembers = cluster.viewMemberCount(coordinator);
        history.add(op);
        for (final long key : keyArray)
        {
            deleteByKey.put(key, op);
        }
        submit(op);
    }

    private void read(final int nodeId)
    {
        if (putByKey.isEmpty())
        {
            return;
        }
        // Mostly keys written so far, sometimes a key never written.
        final long key = 0 == random.nextInt(8) ? mix(~keyCounter) : mix(random.nextLong(keyCounter) + 1);
        final Op put = putByKey.get(key);
        final String keyspace = null == put ? keyspaces.get(0) : put.keyspace;
        final Document document = cluster.handle(nodeId).get(keyspace, key);
        result.readsChecked++;
        if (null != document)
        {
            final String problem = HistoryChecker.checkDocument(document, put);
            if (null != problem)
            {
                result.violation("read on node " + nodeId + " at " + simulation.clock().time() + ": " + problem);
            }
        }
    }

    private void submit(final Op op)
    {
        final StoreHandle handle = cluster.handle(op.coordinator);
        final ReplicatedStore store = cluster.store(op.coordinator);
        try
        {
            (Op.Kind.PUT == op.kind ? handle.putMany(op.keyspace, op.keys, op.values, op.level) :
                handle.deleteMany(op.keyspace, op.keys, op.level))
                .whenComplete((ignored, error) -> onComplete(op, store, error));
        }
        catch (final NodeBackPressureException | NodeClosedException ex)
        {
            ended(op, Op.Outcome.REFUSED, ex);
        }
    }

    /**
     * On the coordinator's node thread: note the outcome and the stamp the coordinator's set shows for the write.
     */
    private void onComplete(final Op op, final ReplicatedStore store, final Throwable error)
    {
        final Throwable cause = error instanceof CompletionException && null != error.getCause() ?
            error.getCause() : error;
        if (null == cause)
        {
            ended(op, Op.Outcome.OK, null);
        }
        else if (cause instanceof ConsistencyException || cause instanceof StoreBackPressureException ||
            cause instanceof NodeBackPressureException)
        {
            ended(op, Op.Outcome.REFUSED, cause);
        }
        else
        {
            ended(op, Op.Outcome.FAILED, cause);
        }
        if (Op.Outcome.REFUSED == op.outcome)
        {
            return;
        }
        final int expectedKind = Op.Kind.PUT == op.kind ? StoreInspector.LIVE : StoreInspector.TOMBSTONE;
        for (final long key : op.keys)
        {
            if (StoreInspector.kind(store, op.keyspace, key) != expectedKind ||
                StoreInspector.nodeId(store, op.keyspace, key) != op.coordinator)
            {
                if (Op.Kind.DELETE == op.kind && Op.Outcome.OK == op.outcome)
                {
                    // An older-stamped put from a clock ahead beat the delete: last write wins by stamp.
                    result.deletesSuperseded++;
                }
                continue;
            }
            final long stamp = StoreInspector.stamp(store, op.keyspace, key);
            if (!op.stampKnown())
            {
                op.stamp = stamp;
            }
            else if (op.stamp != stamp)
            {
                result.violation(op + ": its keys carry different stamps on the coordinator");
            }
        }
        if (Op.Kind.PUT == op.kind)
        {
            for (final long key : op.keys)
            {
                deletable.add(key);
            }
        }
    }

    private void ended(final Op op, final Op.Outcome outcome, final Throwable cause)
    {
        op.outcome = outcome;
        op.completedAtMs = simulation.clock().time();
        if (null != cause)
        {
            op.failure = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
    }

    private long freshKey()
    {
        return mix(++keyCounter);
    }

    private static byte[] value(final int opId, final int coordinator, final long key)
    {
        final int padding = (int)Long.remainderUnsigned(mix(key ^ opId), MAX_VALUE_PADDING + 1);
        final ByteBuffer buffer = ByteBuffer.allocate(VALUE_HEADER_LENGTH + padding);
        buffer.putLong(opId).putInt(coordinator).putLong(key);
        for (int i = 0; i < padding; i++)
        {
            buffer.put((byte)(key >>> (8 * (i & 7))));
        }
        return buffer.array();
    }

    /**
     * A bijection on 64-bit values (splitmix64's finalizer): distinct counters give distinct, well spread keys.
     */
    static long mix(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    // ---- after the heal

    private void awaitOperations()
    {
        final long boundMs = 10 * settings.requestTimeoutMs + 10_000;
        simulation.runUntil(this::noneInFlight, boundMs);
        for (final Op op : history)
        {
            if (Op.Outcome.PENDING == op.outcome)
            {
                if (cluster.incarnation(op.coordinator) == op.incarnation)
                {
                    result.violation(op + ": still pending " + boundMs + " virtual ms after the heal on a live " +
                        "coordinator (" + cluster.store(op.coordinator) + ")");
                }
                op.outcome = Op.Outcome.UNKNOWN;
            }
        }
    }

    private boolean noneInFlight()
    {
        for (int i = history.size() - 1; i >= 0; i--)
        {
            final Op op = history.get(i);
            if (Op.Outcome.PENDING == op.outcome && cluster.incarnation(op.coordinator) == op.incarnation)
            {
                return false;
            }
        }
        return true;
    }

    private long awaitConvergence(final long healedAtMs)
    {
        final long deadlineMs = healedAtMs + CONVERGENCE_BOUND_MS;
        long nextCheckMs = simulation.clock().time();
        while (simulation.clock().time() < deadlineMs)
        {
            if (simulation.clock().time() >= nextCheckMs)
            {
                if (null == divergence())
                {
                    return simulation.clock().time();
                }
                nextCheckMs = simulation.clock().time() + CONVERGENCE_CHECK_EVERY_MS;
            }
            simulation.step();
            steps++;
        }
        return -1;
    }

    /**
     * @return the first keys of the history whose set entry or stored entry differs between nodes, for the report.
     */
    private String differingKeys()
    {
        final StringBuilder out = new StringBuilder();
        int found = 0;
        for (final Op op : history)
        {
            for (final long key : op.keys)
            {
                final StringBuilder line = new StringBuilder();
                boolean differs = false;
                String first = null;
                for (int id = 1; id <= settings.nodeCount; id++)
                {
                    final ReplicatedStore store = cluster.store(id);
                    final Document stored = cluster.storage(id).get(op.keyspace, key);
                    final String state = StoreInspector.kind(store, op.keyspace, key) + "/" +
                        StoreInspector.stamp(store, op.keyspace, key) + "/" +
                        StoreInspector.nodeId(store, op.keyspace, key) + " stored " +
                        (null == stored ? "no live document" : stored.stamp() + "/" + stored.nodeId());
                    differs |= null != first && !first.equals(state);
                    first = null == first ? state : first;
                    line.append(" node ").append(id).append(": ").append(state);
                }
                if (differs && found++ < 3)
                {
                    out.append("key ").append(key).append(" of ").append(op).append(':').append(line).append("; ");
                }
            }
        }
        for (int id = 1; id <= settings.nodeCount; id++)
        {
            out.append("node ").append(id).append(" repair: ").append(StoreInspector.repairSummary(cluster.store(id)))
                .append("; ");
        }
        return found + " keys differ: " + out;
    }

    /**
     * @return what differs between node 1 and another node (membership, tree root, set digest, stored data), or null
     * if nothing.
     */
    private String divergence()
    {
        final String membership = cluster.membershipDisagreement();
        if (null != membership)
        {
            return "membership: " + membership;
        }
        final List<String> names = new ArrayList<>();
        for (int id = 1; id <= settings.nodeCount; id++)
        {
            for (final String name : StoreInspector.keyspaces(cluster.store(id)))
            {
                if (!names.contains(name))
                {
                    names.add(name);
                }
            }
        }
        for (final String name : names)
        {
            final long root = StoreInspector.treeRoot(cluster.store(1), name);
            final long digest = StoreInspector.dataDigest(cluster.store(1), name);
            for (int id = 2; id <= settings.nodeCount; id++)
            {
                if (StoreInspector.treeRoot(cluster.store(id), name) != root)
                {
                    return "keyspace " + name + ": tree root of node " + id + " differs from node 1's";
                }
                if (StoreInspector.dataDigest(cluster.store(id), name) != digest)
                {
                    return "keyspace " + name + ": set of node " + id + " differs from node 1's (same tree root)";
                }
            }
        }
        final long fingerprint = HistoryChecker.storageFingerprint(cluster.storage(1), names);
        for (int id = 2; id <= settings.nodeCount; id++)
        {
            if (HistoryChecker.storageFingerprint(cluster.storage(id), names) != fingerprint)
            {
                return "stored data of node " + id + " differs from node 1's (same sets and trees)";
            }
        }
        return null;
    }
}
