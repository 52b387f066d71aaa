package io.datacake.campaign;

import io.datacake.clock.HybridLogicalClock;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * The faults of one seed, drawn up front as actions at virtual times: partitions, swizzles, crashes with their
 * restarts, windows of network and storage faults, writer stalls and clock steps (within and beyond the HLC's maximum
 * drift). {@link #applyDue} runs the actions whose time came; {@link #healAll} ends every fault still in force (the
 * clocks keep their skew). Counts each fault by kind as it starts.
 */
final class FaultSchedule
{
    /** Longest a fault lasts. */
    static final long MAX_FAULT_MS = 2_000;

    /**
     * Largest clock step within the maximum drift, either way: a minute. Timers and deadlines run on each node's
     * monotonic clock, so a step moves the node's stamps and synced times, never its timeouts or repair rounds.
     */
    static final long MAX_CLOCK_STEP_MS = 60_000;

    /** Largest drift rate drawn. */
    static final long MAX_DRIFT_PPM = 50_000;

    private final CampaignCluster cluster;
    private final CampaignNetworkFaults networkFaults;
    private final CampaignStorageFaults storageFaults;
    private final PriorityQueue<Action> actions = new PriorityQueue<>();
    private final EnumMap<FaultKind, Long> counts = new EnumMap<>(FaultKind.class);
    private final List<String> log = new ArrayList<>();
    private long[] clockBaseMs;
    private int networkWindows;
    private int storageWindows;
    private long sequence;

    FaultSchedule(final CampaignCluster cluster, final CampaignNetworkFaults networkFaults,
        final CampaignStorageFaults storageFaults)
    {
        this.cluster = cluster;
        this.networkFaults = networkFaults;
        this.storageFaults = storageFaults;
    }

    /**
     * Draw the seed's faults over a span of virtual time.
     */
    void draw(final SplittableRandom random, final long startMs, final long spanMs)
    {
        final int n = cluster.nodeCount();
        clockBaseMs = new long[n + 1];
        for (int i = 0; i < cluster.settings.faultEventCount; i++)
        {
            final long at = startMs + random.nextLong(spanMs);
            final long lastsMs = 1 + random.nextLong(MAX_FAULT_MS);
            final int roll = random.nextInt(100);
            if (roll < 15)
            {
                partition(random, at, lastsMs, n);
            }
            else if (roll < 25)
            {
                swizzle(random, at, n);
            }
            else if (roll < 45)
            {
                final int nodeId = 1 + random.nextInt(n);
                add(at, () -> crash(nodeId));
                add(at + random.nextLong(MAX_FAULT_MS), () -> restart(nodeId));
            }
            else if (roll < 60)
            {
                add(at, () -> networkWindow(true));
                add(at + lastsMs, () -> networkWindow(false));
            }
            else if (roll < 72)
            {
                add(at, () -> storageWindow(true));
                add(at + lastsMs, () -> storageWindow(false));
            }
            else if (roll < 82)
            {
                final int nodeId = 1 + random.nextInt(n);
                add(at, () ->
                {
                    if (cluster.isRunning(nodeId))
                    {
                        count(FaultKind.WRITER_STALL);
                        cluster.holdWriter(nodeId, true);
                        note("stall writer of node " + nodeId);
                    }
                });
                add(at + lastsMs, () ->
                {
                    if (cluster.holdWriter(nodeId, false))
                    {
                        note("resume writer of node " + nodeId);
                    }
                });
            }
            else if (roll < 96)
            {
                final int nodeId = 1 + random.nextInt(n);
                final long stepMs = random.nextLong(-MAX_CLOCK_STEP_MS, MAX_CLOCK_STEP_MS + 1);
                final long driftPpm = random.nextLong(-MAX_DRIFT_PPM, MAX_DRIFT_PPM + 1);
                add(at, () ->
                {
                    count(FaultKind.CLOCK_SKEW);
                    cluster.simulation.nodeClock(nodeId).offsetMs(clockBaseMs[nodeId] + stepMs).driftPpm(driftPpm);
                    note("clock of node " + nodeId + " offset " + stepMs + " ms drift " + driftPpm + " ppm");
                });
            }
            else
            {
                final int nodeId = 1 + random.nextInt(n);
                final long aheadMs = HybridLogicalClock.DEFAULT_MAX_DRIFT_MS + 1 + random.nextLong(600_000);
                // Either the running node's clock jumps ahead, or the node reboots with it set ahead, as after a
                // bad clock at boot.
                final boolean reboot = random.nextBoolean();
                add(at, () ->
                {
                    count(FaultKind.CLOCK_BEYOND_DRIFT);
                    if (reboot)
                    {
                        crash(nodeId);
                    }
                    // Never stepped back from there: a clock stepped back by more than the maximum drift leaves its
                    // node unable to stamp for the whole step (over an hour).
                    clockBaseMs[nodeId] += aheadMs;
                    cluster.simulation.nodeClock(nodeId).offsetMs(clockBaseMs[nodeId]);
                    note("clock of node " + nodeId + " offset " + clockBaseMs[nodeId] +
                        " ms (beyond the maximum drift)" + (reboot ? " at reboot" : ""));
                });
                if (reboot)
                {
                    add(at + random.nextLong(MAX_FAULT_MS), () -> restart(nodeId));
                }
            }
        }
    }

    /**
     * Run every action due by now.
     */
    void applyDue(final long nowMs)
    {
        Action action;
        while (null != (action = actions.peek()) && action.atMs <= nowMs)
        {
            actions.poll();
            action.run.run();
        }
    }

    /**
     * Time of the last action drawn.
     */
    long lastActionAtMs()
    {
        long last = 0;
        for (final Action action : actions)
        {
            last = Math.max(last, action.atMs);
        }
        return last;
    }

    /**
     * End every fault: pending actions dropped, links restored, fault windows closed, writers resumed, crashed
     * nodes restarted. Clocks within the maximum drift keep their offsets and drift. A clock set beyond it stays
     * there, and every clock behind it steps forward to meet it (as if the operators took the broken clock's time for
     * the truth): the others refuse the entries stamped beyond their drift bound, so only once their clocks come
     * within it can those entries spread, and waiting for that in virtual time would take over an hour.
     */
    void healAll()
    {
        actions.clear();
        networkWindows = 0;
        storageWindows = 0;
        networkFaults.on(false);
        storageFaults.on(false);
        cluster.simulation.network().heal();
        note("heal all");
        long aheadMs = 0;
        for (int id = 1; id <= cluster.nodeCount(); id++)
        {
            aheadMs = Math.max(aheadMs, clockBaseMs[id]);
        }
        for (int id = 1; id <= cluster.nodeCount(); id++)
        {
            if (clockBaseMs[id] < aheadMs)
            {
                clockBaseMs[id] = aheadMs;
                cluster.simulation.nodeClock(id).offsetMs(aheadMs);
                note("clock of node " + id + " stepped forward to offset " + aheadMs + " ms at the heal");
            }
        }
        for (int id = 1; id <= cluster.nodeCount(); id++)
        {
            if (cluster.isRunning(id))
            {
                cluster.holdWriter(id, false);
            }
            else
            {
                cluster.restart(id);
            }
        }
    }

    EnumMap<FaultKind, Long> counts()
    {
        return counts;
    }

    private void partition(final SplittableRandom random, final long at, final long lastsMs, final int n)
    {
        final List<String> sideA = new ArrayList<>();
        final List<String> sideB = new ArrayList<>();
        final int pivot = 1 + random.nextInt(n - 1);
        final List<Integer> ids = shuffledIds(random, n);
        for (int i = 0; i < n; i++)
        {
            (i < pivot ? sideA : sideB).add(CampaignCluster.endpoint(ids.get(i)));
        }
        add(at, () ->
        {
            count(FaultKind.PARTITION);
            cluster.simulation.network().partition(sideA, sideB);
            note("partition " + sideA + " / " + sideB);
        });
        add(at + lastsMs, () ->
        {
            cluster.simulation.network().heal(sideA, sideB);
            note("heal " + sideA + " / " + sideB);
        });
    }

    private void swizzle(final SplittableRandom random, final long at, final int n)
    {
        final int cut = 1 + random.nextInt(n - 1);
        final long stepMs = 1 + random.nextLong(MAX_FAULT_MS / (2L * cut));
        final List<Integer> ids = shuffledIds(random, n);
        final List<Integer> cutOrder = ids.subList(0, cut);
        final List<Integer> healOrder = new ArrayList<>(cutOrder);
        Collections.shuffle(healOrder, new java.util.Random(random.nextLong()));
        add(at, () -> count(FaultKind.SWIZZLE));
        for (int i = 0; i < cut; i++)
        {
            final List<String> one = List.of(CampaignCluster.endpoint(cutOrder.get(i)));
            final List<String> rest = othersThan(cutOrder.get(i), n);
            add(at + i * stepMs, () ->
            {
                cluster.simulation.network().partition(one, rest);
                note("swizzle cut " + one);
            });
        }
        for (int i = 0; i < cut; i++)
        {
            final List<String> one = List.of(CampaignCluster.endpoint(healOrder.get(i)));
            final List<String> rest = othersThan(healOrder.get(i), n);
            add(at + (cut + i) * stepMs, () ->
            {
                cluster.simulation.network().heal(one, rest);
                note("swizzle heal " + one);
            });
        }
    }

    private void crash(final int nodeId)
    {
        if (cluster.isRunning(nodeId))
        {
            count(FaultKind.CRASH);
            note("crash node " + nodeId + " losing " + cluster.crash(nodeId) + " commits");
        }
    }

    private void restart(final int nodeId)
    {
        if (!cluster.isRunning(nodeId))
        {
            cluster.restart(nodeId);
            note("restart node " + nodeId);
        }
    }

    private void networkWindow(final boolean open)
    {
        if (open)
        {
            count(FaultKind.NETWORK_FAULTS);
        }
        networkWindows += open ? 1 : -1;
        networkFaults.on(networkWindows > 0);
        note("network faults " + (networkWindows > 0 ? "on" : "off"));
    }

    private void storageWindow(final boolean open)
    {
        if (open)
        {
            count(FaultKind.STORAGE_FAULTS);
        }
        storageWindows += open ? 1 : -1;
        storageFaults.on(storageWindows > 0);
        note("storage faults " + (storageWindows > 0 ? "on" : "off"));
    }

    private static List<Integer> shuffledIds(final SplittableRandom random, final int n)
    {
        final List<Integer> ids = new ArrayList<>();
        for (int id = 1; id <= n; id++)
        {
            ids.add(id);
        }
        Collections.shuffle(ids, new java.util.Random(random.nextLong()));
        return ids;
    }

    private static List<String> othersThan(final int nodeId, final int n)
    {
        final List<String> others = new ArrayList<>();
        for (int id = 1; id <= n; id++)
        {
            if (id != nodeId)
            {
                others.add(CampaignCluster.endpoint(id));
            }
        }
        return others;
    }

    private void count(final FaultKind kind)
    {
        counts.merge(kind, 1L, Long::sum);
    }

    private void note(final String event)
    {
        // Bounded like the schedule itself: a few events per fault drawn.
        log.add(cluster.simulation.clock().time() + " " + event);
    }

    /**
     * What the schedule did, one line per event with its virtual time, for replaying a failure.
     */
    List<String> log()
    {
        return log;
    }

    private void add(final long atMs, final Runnable run)
    {
        actions.add(new Action(atMs, sequence++, run));
    }

    private static final class Action implements Comparable<Action>
    {
        final long atMs;
        final long sequence;
        final Runnable run;

        Action(final long atMs, final long sequence, final Runnable run)
        {
            this.atMs = atMs;
            this.sequence = sequence;
            this.run = run;
        }

        public int compareTo(final Action other)
        {
            final int byTime = Long.compare(atMs, other.atMs);
            return 0 != byTime ? byTime : Long.compare(sequence, other.sequence);
        }
    }
}
