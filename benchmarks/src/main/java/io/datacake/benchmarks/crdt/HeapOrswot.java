package io.datacake.benchmarks.crdt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Baseline: the same ORSWOT rules as {@link io.datacake.crdt.Orswot}, written the obvious way on the heap with
 * {@code HashMap<Long, Stamp>} and boxed version maps. Only for benchmarks.
 */
public final class HeapOrswot
{
    /**
     * A full timestamp as an object.
     *
     * @param stamp  packed stamp.
     * @param nodeId node id.
     */
    public record Stamp(long stamp, int nodeId) implements Comparable<Stamp>
    {
        /**
         * Order by stamp, then node id.
         *
         * @param other the other timestamp.
         * @return the comparison.
         */
        public int compareTo(final Stamp other)
        {
            final int byStamp = Long.compare(stamp, other.stamp);
            return byStamp != 0 ? byStamp : Integer.compare(nodeId, other.nodeId);
        }
    }

    /**
     * Receives diff output.
     */
    public interface Sink
    {
        /**
         * @param key   document id.
         * @param stamp its timestamp.
         */
        void accept(long key, Stamp stamp);
    }

    private final Map<Long, Stamp> entries = new HashMap<>();
    private final Map<Long, Stamp> dead = new HashMap<>();
    private final List<Map<Integer, Long>> seen = new ArrayList<>();
    private final Map<Integer, Long> safe = new HashMap<>();

    /**
     * @param sources number of sources.
     */
    public HeapOrswot(final int sources)
    {
        for (int i = 0; i < sources; i++)
        {
            seen.add(new HashMap<>());
        }
    }

    /**
     * @return live entry count.
     */
    public int liveCount()
    {
        return entries.size();
    }

    /**
     * Insert through a source.
     *
     * @param source source.
     * @param key    document id.
     * @param stamp  packed stamp.
     * @param nodeId node id.
     * @return whether the entry changed.
     */
    public boolean insert(final int source, final long key, final long stamp, final int nodeId)
    {
        final Stamp ts = new Stamp(stamp, nodeId);
        if (!observe(source, ts))
        {
            return false;
        }
        final Stamp tombstone = dead.get(key);
        if (tombstone != null)
        {
            if (ts.compareTo(tombstone) < 0)
            {
                return false;
            }
            dead.remove(key);
        }
        final Stamp existing = entries.get(key);
        if (existing != null && existing.compareTo(ts) >= 0)
        {
            return false;
        }
        entries.put(key, ts);
        return true;
    }

    /**
     * Delete through a source.
     *
     * @param source source.
     * @param key    document id.
     * @param stamp  packed stamp.
     * @param nodeId node id.
     * @return whether the tombstone changed.
     */
    public boolean delete(final int source, final long key, final long stamp, final int nodeId)
    {
        final Stamp ts = new Stamp(stamp, nodeId);
        if (!observe(source, ts))
        {
            return false;
        }
        final Stamp existing = entries.get(key);
        if (existing != null)
        {
            if (ts.compareTo(existing) <= 0)
            {
                return false;
            }
            entries.remove(key);
        }
        final Stamp tombstone = dead.get(key);
        if (tombstone != null && tombstone.compareTo(ts) >= 0)
        {
            return false;
        }
        dead.put(key, ts);
        return true;
    }

    /**
     * @param key document id.
     * @return live stamp or 0.
     */
    public long get(final long key)
    {
        final Stamp ts = entries.get(key);
        return ts == null ? 0 : ts.stamp();
    }

    /**
     * What this side must apply to catch up with other.
     *
     * @param other    the other set.
     * @param changes  live entries to fetch.
     * @param removals tombstones to apply.
     */
    public void diff(final HeapOrswot other, final Sink changes, final Sink removals)
    {
        for (final Map.Entry<Long, Stamp> e : other.entries.entrySet())
        {
            if (isBehind(e.getKey(), e.getValue()))
            {
                changes.accept(e.getKey(), e.getValue());
            }
        }
        for (final Map.Entry<Long, Stamp> e : other.dead.entrySet())
        {
            if (isBehind(e.getKey(), e.getValue()))
            {
                removals.accept(e.getKey(), e.getValue());
            }
        }
    }

    /**
     * Merge other into this (same rules as Orswot.merge).
     *
     * @param other the other set.
     */
    public void merge(final HeapOrswot other)
    {
        entries.entrySet().removeIf(e -> !other.entries.containsKey(e.getKey()) &&
            !other.dead.containsKey(e.getKey()) && other.isObserved(e.getValue()));
        dead.entrySet().removeIf(e -> !other.entries.containsKey(e.getKey()) &&
            !other.dead.containsKey(e.getKey()) && other.isObserved(e.getValue()));
        for (final Map.Entry<Long, Stamp> e : other.entries.entrySet())
        {
            mergeRecord(other, e.getKey(), e.getValue(), false);
        }
        for (final Map.Entry<Long, Stamp> e : other.dead.entrySet())
        {
            mergeRecord(other, e.getKey(), e.getValue(), true);
        }
        for (int s = 0; s < seen.size(); s++)
        {
            final Map<Integer, Long> mine = seen.get(s);
            for (final Map.Entry<Integer, Long> e : other.seen.get(s).entrySet())
            {
                mine.merge(e.getKey(), e.getValue(), Math::max);
                recomputeSafe(e.getKey());
            }
        }
    }

    private void mergeRecord(final HeapOrswot other, final Long key, final Stamp theirs, final boolean tombstone)
    {
        Stamp mine = entries.get(key);
        boolean mineDead = false;
        if (mine == null)
        {
            mine = dead.get(key);
            mineDead = mine != null;
        }
        if (mine == null)
        {
            if (!isObserved(theirs))
            {
                (tombstone ? dead : entries).put(key, theirs);
            }
            return;
        }
        if (mine.equals(theirs) && mineDead == tombstone)
        {
            return;
        }
        final boolean mineSurvives = !other.isObserved(mine);
        final boolean theirsSurvives = !isObserved(theirs);
        if (mineSurvives && theirsSurvives)
        {
            final int order = theirs.compareTo(mine);
            if (order > 0 || (order == 0 && !tombstone))
            {
                replace(key, mineDead, theirs, tombstone);
            }
        }
        else if (theirsSurvives)
        {
            replace(key, mineDead, theirs, tombstone);
        }
        else if (!mineSurvives)
        {
            (mineDead ? dead : entries).remove(key);
        }
    }

    private void replace(final Long key, final boolean mineDead, final Stamp theirs, final boolean tombstone)
    {
        (mineDead ? dead : entries).remove(key);
        (tombstone ? dead : entries).put(key, theirs);
    }

    private boolean isBehind(final Long key, final Stamp ts)
    {
        final Stamp live = entries.get(key);
        if (live != null)
        {
            return live.compareTo(ts) < 0;
        }
        final Stamp tombstone = dead.get(key);
        if (tombstone != null)
        {
            return tombstone.compareTo(ts) < 0;
        }
        return !isObserved(ts);
    }

    private boolean isObserved(final Stamp ts)
    {
        final Long safeStamp = safe.get(ts.nodeId());
        return safeStamp != null && ts.stamp() < safeStamp;
    }

    private boolean observe(final int source, final Stamp ts)
    {
        final Map<Integer, Long> seenBySource = seen.get(source);
        final Long max = seenBySource.get(ts.nodeId());
        if (max != null && ts.stamp() < max)
        {
            return false;
        }
        if (max == null || ts.stamp() > max)
        {
            seenBySource.put(ts.nodeId(), ts.stamp());
            recomputeSafe(ts.nodeId());
        }
        return true;
    }

    private void recomputeSafe(final Integer nodeId)
    {
        long lowest = Long.MAX_VALUE;
        for (final Map<Integer, Long> bySource : seen)
        {
            lowest = Math.min(lowest, bySource.getOrDefault(nodeId, 0L));
        }
        safe.put(nodeId, lowest);
    }
}
