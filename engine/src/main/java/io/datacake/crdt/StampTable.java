package io.datacake.crdt;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static io.datacake.clock.HlcTimestamp.NULL_STAMP;

/**
 * Off-heap hash table of {@code key (long) -> (stamp (long), node id (u16))} split into {@link StampSegment}s, so it
 * grows a segment at a time and is not bounded by the 2 GiB of one direct buffer.
 * <p>
 * Extendible hashing: the top bits of a key's hash pick a directory entry, which names the segment holding the key;
 * the low 32 bits pick the cache line inside the segment where the key's linear probe starts (over any capacity that
 * is a whole number of {@link StampSegment#LINE_SLOTS}-slot lines). A segment that passes
 * {@link #MAX_LOAD} is rehashed alone into one {@link #GROWTH_FACTOR} times larger, or, once at
 * {@link #DEFAULT_MAX_SEGMENT_SLOTS}, split in two by the next hash bit (doubling the small on-heap directory when
 * needed). Either way the entries it held end up at {@link #MAX_LOAD} / {@link #GROWTH_FACTOR} = 64% load, so the
 * whole table stays between 64% and 80% full at every size: 18 bytes a slot is 22.5 to 28.1 bytes per entry, and no
 * insert rehashes more than one segment (at most {@link #DEFAULT_MAX_SEGMENT_SLOTS} slots, about 1.2 MB).
 * <p>
 * An entry is addressed by an index that packs its segment number and slot; an index stays valid until the next
 * insert of a new key or removal.
 * <p>
 * Lookups by key ({@link #stampOf}, {@link #indexOf}, {@link #put}) go through a flat route array beside the
 * directory: each directory entry's segment address and capacity in lines, side by side in one {@code long[]}. A
 * lookup reads that pair (the array is small and stays in cache) and then the slot memory itself, instead of chasing
 * the directory to a segment object and on to its buffer object. The routes are rewritten whenever a segment's
 * storage changes.
 * {@link #stampOf} compares the probe's first line as a whole, so a get usually costs the route read and one cache
 * line.
 * <p>
 * Not thread safe. Allocation free except when a segment grows.
 */
final class StampTable implements AutoCloseable
{
    /** A segment grows when more than this share of its slots is used. */
    static final float MAX_LOAD = 0.8f;

    /** A growing segment's capacity is multiplied by this. */
    static final float GROWTH_FACTOR = 1.25f;

    /** Smallest capacity of a segment in slots. */
    static final int MIN_SEGMENT_SLOTS = 16;

    /** Largest capacity of a segment in slots: bounds the work of one growth step. */
    static final int DEFAULT_MAX_SEGMENT_SLOTS = 1 << 16;

    /** Largest number of entries. */
    static final int MAX_SIZE = 1 << 28;

    /** Keys whose first lines {@link #stampsOf} touches before it compares any: misses in flight at once. */
    static final int LOOKUP_BATCH = 16;

    private static final double TARGET_LOAD = MAX_LOAD / GROWTH_FACTOR;

    /** Longs per directory entry in {@link #routes}: slot memory address, capacity in lines. */
    private static final int ROUTE_LONGS = 2;

    /** log2 of the bytes of one route: a route's byte offset in {@link #routes} is its entry number shifted by this. */
    private static final int ROUTE_BYTES_SHIFT = 4;

    /** log2 of the bytes of one line of slots. */
    private static final int LINE_BYTES_SHIFT = StampSegment.SLOT_SHIFT + 2;

    private static final int SLOT_BYTES = 1 << StampSegment.SLOT_SHIFT;
    private static final long ROUTES_BASE = UnsafeApi.arrayBaseOffset(long[].class);

    /** One empty line (all zero: null stamps) that the routes of a closed table point at, so a get finds nothing. */
    private static final ByteBuffer EMPTY_LINE = ByteBuffer.allocateDirect(StampSegment.LINE_SLOTS * SLOT_BYTES);
    private static final long EMPTY_LINE_ADDRESS = BufferUtil.address(EMPTY_LINE);
    private static final long MIX = 0x9E3779B97F4A7C15L;

    private final int maxSegmentSlots;
    private final int slotBits;
    private final int slotMask;
    private final int maxDepth;
    private StampSegment[] directory;
    private long[] routes;
    private final long[] batchLines = new long[LOOKUP_BATCH];
    private StampSegment[] segments;
    private int segmentCount;
    private long totalSlots;
    private int depth;
    private int routeShift;
    private int size;
    private long touchedSum;

    StampTable(final int expectedSize)
    {
        this(expectedSize, DEFAULT_MAX_SEGMENT_SLOTS);
    }

    /**
     * @param expectedSize    entries to make room for up front.
     * @param maxSegmentSlots largest segment in slots, a power of two; small values let tests cross many segment
     *                        boundaries and growth steps with few keys.
     */
    StampTable(final int expectedSize, final int maxSegmentSlots)
    {
        if (maxSegmentSlots < MIN_SEGMENT_SLOTS || Integer.bitCount(maxSegmentSlots) != 1 ||
            maxSegmentSlots > DEFAULT_MAX_SEGMENT_SLOTS)
        {
            throw new IllegalArgumentException("maxSegmentSlots must be a power of two in [" + MIN_SEGMENT_SLOTS + ", " +
                DEFAULT_MAX_SEGMENT_SLOTS + "]: " + maxSegmentSlots);
        }
        checkSize(expectedSize);
        this.maxSegmentSlots = maxSegmentSlots;
        this.slotBits = Integer.numberOfTrailingZeros(maxSegmentSlots);
        this.slotMask = maxSegmentSlots - 1;
        this.maxDepth = Integer.SIZE - 1 - slotBits;
        // The directory starts at depth 1 (two entries naming the one segment), so a route is always the hash
        // shifted right by less than 64 bits: Java would shift a long by 64 by nothing.
        final StampSegment first = new StampSegment(0, 0, MIN_SEGMENT_SLOTS, MAX_LOAD);
        directory = new StampSegment[]{ first, first };
        routes = new long[2 * ROUTE_LONGS];
        depth = 1;
        routeShift = Long.SIZE - depth;
        route(first);
        segments = directory.clone();
        segmentCount = 1;
        totalSlots = MIN_SEGMENT_SLOTS;
        ensureCapacity(expectedSize);
    }

    int size()
    {
        return size;
    }

    int segmentCount()
    {
        return segmentCount;
    }

    /**
     * @return total slots over all segments.
     */
    long capacity()
    {
        return totalSlots;
    }

    long allocatedBytes()
    {
        long bytes = 0;
        for (int i = 0; i < segmentCount; i++)
        {
            bytes += segments[i].allocatedBytes();
        }
        return bytes;
    }

    /**
     * @return the index of the entry for key, or -1.
     */
    int indexOf(final long key)
    {
        final long hash = hash(key);
        final int route = routeFor(hash);
        final int slot = find(routes[route], capacityOf(routes[route + 1]), key, hash);
        return slot < 0 ? -1 : (directory[route / ROUTE_LONGS].number() << slotBits) | slot;
    }

    /**
     * @return the stamp stored for key, or NULL_STAMP: for the read path, it compares the first line of the key's
     * probe as a whole, without a branch per slot, and most keys are decided by that line.
     */
    long stampOf(final long key)
    {
        return stampFrom(firstLineOf(key), key);
    }

    /**
     * Look up many keys at once: first work out the first probe line of up to {@link #LOOKUP_BATCH} keys and touch
     * each, so their cache and TLB misses overlap instead of following one another, then compare each line, which is
     * in cache or already on the way.
     *
     * @param keys         keys to look up.
     * @param keysOffset   index of the first key in keys.
     * @param count        number of keys.
     * @param stamps       receives the stamp of each key, or NULL_STAMP, at the same position.
     * @param stampsOffset index in stamps for the first key's stamp.
     */
    void stampsOf(final long[] keys, final int keysOffset, final int count, final long[] stamps, final int stampsOffset)
    {
        final long[] lines = batchLines;
        long touched = 0;
        for (int start = 0; start < count; start += LOOKUP_BATCH)
        {
            final int batch = Math.min(count - start, LOOKUP_BATCH);
            final int first = keysOffset + start;
            for (int i = 0; i < batch; i++)
            {
                final long line = firstLineOf(keys[first + i]);
                lines[i] = line;
                touched += UnsafeApi.getLong(line);
            }
            for (int i = 0; i < batch; i++)
            {
                stamps[stampsOffset + start + i] = stampFrom(lines[i], keys[first + i]);
            }
        }
        // Kept, so the compiler cannot drop the touching reads as unused.
        touchedSum += touched;
    }

    /**
     * Read one word of the first line a lookup of key reads, so the line is in cache or on its way when the lookup
     * comes: a hint that changes nothing, right even if the table changes before the lookup.
     */
    void touch(final long key)
    {
        // Kept, so the compiler cannot drop the read as unused.
        touchedSum += UnsafeApi.getLong(firstLineOf(key));
    }

    long keyAt(final int index)
    {
        return segments[index >>> slotBits].keyAt(index & slotMask);
    }

    long stampAt(final int index)
    {
        return segments[index >>> slotBits].stampAt(index & slotMask);
    }

    int nodeAt(final int index)
    {
        return segments[index >>> slotBits].nodeAt(index & slotMask);
    }

    void setAt(final int index, final long stamp, final int nodeId)
    {
        segments[index >>> slotBits].setAt(index & slotMask, stamp, nodeId);
    }

    /**
     * Insert or overwrite.
     *
     * @return true if the key was new.
     * @throws IllegalStateException if the table already holds {@link #MAX_SIZE} entries.
     */
    boolean put(final long key, final long stamp, final int nodeId)
    {
        final long hash = hash(key);
        while (true)
        {
            final int route = routeFor(hash);
            final StampSegment segment = directory[route / ROUTE_LONGS];
            final int slot = find(routes[route], capacityOf(routes[route + 1]), key, hash);
            if (slot >= 0)
            {
                segment.setAt(slot, stamp, nodeId);
                return false;
            }
            if (!segment.isFull())
            {
                if (size >= MAX_SIZE)
                {
                    throw new IllegalStateException("ORSWOT table full at " + size + " entries: the limit is " +
                        MAX_SIZE + " keys per keyspace and state kind; split the data over more keyspaces");
                }
                segment.insertAt(-1 - slot, key, stamp, nodeId);
                size++;
                return true;
            }
            grow(segment);
        }
    }

    /**
     * @return true if the key was present.
     */
    boolean remove(final long key)
    {
        final int index = indexOf(key);
        if (index < 0)
        {
            return false;
        }
        removeAt(index);
        return true;
    }

    void removeAt(final int index)
    {
        segments[index >>> slotBits].removeAt(index & slotMask);
        size--;
    }

    /**
     * Visit every entry, segment by segment. The consumer must not modify this table.
     */
    void forEach(final EntryConsumer consumer)
    {
        for (int i = 0; i < segmentCount; i++)
        {
            final StampSegment segment = segments[i];
            for (int slot = 0, capacity = segment.capacity(); slot < capacity; slot++)
            {
                final long stamp = segment.stampAt(slot);
                if (stamp != NULL_STAMP)
                {
                    consumer.accept(segment.keyAt(slot), stamp, segment.nodeAt(slot));
                }
            }
        }
    }

    /**
     * Visit the entries of at most {@code maxSlots} slots from the cursor on, so a caller can sweep a large table in
     * bounded steps. The cursor names a segment and a slot in it, packed as an entry index is. The consumer must not
     * modify this table. A sweep that spans changes to the table may miss or revisit entries moved by a removal, a
     * growth or a split; the next sweep sees them.
     *
     * @param cursor   where to continue: 0 for the start, or what the previous step returned; a cursor that no
     *                 longer names a slot (the table changed) restarts the sweep.
     * @param maxSlots slots to visit at most in this step.
     * @param consumer receives each entry.
     * @return the cursor to continue from, or 0 once the sweep passed the last slot.
     */
    int forEachFrom(final int cursor, final int maxSlots, final EntryConsumer consumer)
    {
        int segmentIndex = cursor >>> slotBits;
        int slot = cursor & slotMask;
        if (segmentIndex >= segmentCount || slot >= segments[segmentIndex].capacity())
        {
            segmentIndex = 0;
            slot = 0;
        }
        int remaining = maxSlots;
        while (remaining > 0 && segmentIndex < segmentCount)
        {
            final StampSegment segment = segments[segmentIndex];
            final int end = (int)Math.min(segment.capacity(), (long)slot + remaining);
            for (int i = slot; i < end; i++)
            {
                final long stamp = segment.stampAt(i);
                if (stamp != NULL_STAMP)
                {
                    consumer.accept(segment.keyAt(i), stamp, segment.nodeAt(i));
                }
            }
            remaining -= end - slot;
            if (end < segment.capacity())
            {
                return (segmentIndex << slotBits) | end;
            }
            segmentIndex++;
            slot = 0;
        }
        return segmentIndex >= segmentCount ? 0 : segmentIndex << slotBits;
    }

    void clear()
    {
        for (int i = 0; i < segmentCount; i++)
        {
            segments[i].clear();
        }
        size = 0;
    }

    /**
     * Make room for about expectedSize entries: split segments until each holds its share below the split point and
     * size each for its share. Keys spread unevenly, so a few segments may still grow later.
     *
     * @throws IllegalArgumentException if expectedSize is negative or above {@link #MAX_SIZE}.
     */
    void ensureCapacity(final int expectedSize)
    {
        checkSize(expectedSize);
        final long perSegmentLimit = (long)(maxSegmentSlots * TARGET_LOAD);
        int targetDepth = 0;
        while (((long)expectedSize >> targetDepth) > perSegmentLimit && targetDepth < maxDepth)
        {
            targetDepth++;
        }
        for (int i = 0; i < segmentCount; i++)
        {
            final StampSegment segment = segments[i];
            if (segment.localDepth() < targetDepth)
            {
                split(segment);
                i--;
                continue;
            }
            final long share = ((long)expectedSize >> segment.localDepth()) + segment.size();
            final int capacity = capacityFor(share);
            if (capacity > segment.capacity())
            {
                rehash(segment, capacity);
            }
        }
    }

    public void close()
    {
        for (int i = 0; i < routes.length; i += ROUTE_LONGS)
        {
            routes[i] = EMPTY_LINE_ADDRESS;
            // EMPTY_LINE is one line long.
            routes[i + 1] = 1;
        }
        for (int i = 0; i < segmentCount; i++)
        {
            segments[i].free();
        }
        totalSlots = 0;
        size = 0;
    }

    /**
     * The hash the table places a key by: the directory takes its top bits, the line in the segment its low 32.
     * <p>
     * The two halves of the 128-bit product of the key and an odd constant, folded by XOR: the low half's top bits
     * depend on every bit of the key, and so do the high half's low bits, so both ends of the hash are mixed at the
     * cost of one wide multiply (a murmur finaliser costs two multiplies and three shift-XOR steps in a chain).
     */
    static long hash(final long key)
    {
        return Math.multiplyHigh(key, MIX) ^ (key * MIX);
    }

    /**
     * @return the address of the first line a lookup of key reads.
     */
    private long firstLineOf(final long key)
    {
        final long hash = hash(key);
        // The shift leaves an entry of the current directory, so the route is read without bounds checks.
        final long routeOffset = ROUTES_BASE + ((hash >>> routeShift) << ROUTE_BYTES_SHIFT);
        final long[] routes = this.routes;
        final long address = UnsafeApi.getLong(routes, routeOffset);
        final long lines = UnsafeApi.getLong(routes, routeOffset + Long.BYTES);
        return address + ((((hash & 0xFFFF_FFFFL) * lines) >>> 32) << LINE_BYTES_SHIFT);
    }

    /**
     * @param line the first line of key's probe.
     * @return the stamp stored for key, or NULL_STAMP.
     */
    private long stampFrom(final long line, final long key)
    {
        // The route names live memory of a whole number of lines, so the reads stay in the segment. No branch
        // depends on which slot holds the key: the only one asks whether this line decides the lookup, so a
        // mispredicted slot does not flush the lookups the CPU has started after this one.
        final long stamp0 = UnsafeApi.getLong(line + StampSegment.STAMP_OFFSET);
        final long stamp1 = UnsafeApi.getLong(line + StampSegment.STAMP_OFFSET + SLOT_BYTES);
        final long stamp2 = UnsafeApi.getLong(line + StampSegment.STAMP_OFFSET + 2 * SLOT_BYTES);
        final long stamp3 = UnsafeApi.getLong(line + StampSegment.STAMP_OFFSET + 3 * SLOT_BYTES);
        final long stamp =
            stampIfKey(UnsafeApi.getLong(line), key, stamp0) |
            stampIfKey(UnsafeApi.getLong(line + SLOT_BYTES), key, stamp1) |
            stampIfKey(UnsafeApi.getLong(line + 2 * SLOT_BYTES), key, stamp2) |
            stampIfKey(UnsafeApi.getLong(line + 3 * SLOT_BYTES), key, stamp3);
        // A key lies after no empty slot of its probe run, so a line with an empty slot ends the search.
        if (stamp != NULL_STAMP || (nonZeroSign(stamp0) & nonZeroSign(stamp1) & nonZeroSign(stamp2) &
            nonZeroSign(stamp3)) >= 0)
        {
            return stamp;
        }
        return stampByProbe(key);
    }

    /**
     * @return the stamp if the slot's key is key, else 0 (NULL_STAMP, also what an empty slot holds), without a branch.
     */
    private static long stampIfKey(final long slotKey, final long key, final long stamp)
    {
        final long difference = slotKey ^ key;
        return stamp & ~((difference | -difference) >> 63);
    }

    /**
     * @return a value whose sign bit is set if and only if the stamp is not NULL_STAMP (0): the slot is in use.
     */
    private static long nonZeroSign(final long stamp)
    {
        return stamp | -stamp;
    }

    /**
     * The general lookup, slot by slot from the first line, for the keys that lie past it (about one in ten).
     */
    private long stampByProbe(final long key)
    {
        final long hash = hash(key);
        final int route = routeFor(hash);
        final long address = routes[route];
        final int slot = find(address, capacityOf(routes[route + 1]), key, hash);
        return slot < 0 ? NULL_STAMP : UnsafeApi.getLong(
            address + ((long)slot << StampSegment.SLOT_SHIFT) + StampSegment.STAMP_OFFSET);
    }

    private static int capacityOf(final long lines)
    {
        return (int)lines * StampSegment.LINE_SLOTS;
    }

    /**
     * @return the offset in {@link #routes} of the directory entry for this hash.
     */
    private int routeFor(final long hash)
    {
        return (int)(hash >>> routeShift) * ROUTE_LONGS;
    }

    /**
     * Linear probe over a segment's slot memory, read directly at the address its route names.
     *
     * @return the slot holding key, or the complement ({@code -1 - slot}) of the empty slot where it would go.
     */
    private static int find(final long address, final int capacity, final long key, final long hash)
    {
        int slot = StampSegment.idealSlot(hash, capacity);
        while (true)
        {
            final long slotAddress = address + ((long)slot << StampSegment.SLOT_SHIFT);
            if (UnsafeApi.getLong(slotAddress + StampSegment.STAMP_OFFSET) == NULL_STAMP)
            {
                return -1 - slot;
            }
            if (UnsafeApi.getLong(slotAddress) == key)
            {
                return slot;
            }
            if (++slot == capacity)
            {
                slot = 0;
            }
        }
    }

    /**
     * Point every directory entry that names this segment at its current storage.
     */
    private void route(final StampSegment segment)
    {
        final long address = segment.slotsAddress();
        final int capacity = segment.capacity();
        for (int i = 0; i < directory.length; i++)
        {
            if (directory[i] == segment)
            {
                routes[i * ROUTE_LONGS] = address;
                routes[i * ROUTE_LONGS + 1] = capacity / StampSegment.LINE_SLOTS;
            }
        }
    }

    private void grow(final StampSegment segment)
    {
        if (segment.capacity() < maxSegmentSlots)
        {
            rehash(segment, Math.min(maxSegmentSlots, capacityFor(segment.size() + 1L)));
        }
        else
        {
            split(segment);
        }
    }

    /**
     * The capacity that holds entries at {@link #TARGET_LOAD}, in whole lines, within the segment bounds.
     */
    private int capacityFor(final long entries)
    {
        final long lines = (long)Math.ceil(entries / TARGET_LOAD / StampSegment.LINE_SLOTS);
        return (int)Math.max(MIN_SEGMENT_SLOTS, Math.min(maxSegmentSlots, lines * StampSegment.LINE_SLOTS));
    }

    private void rehash(final StampSegment segment, final int newCapacity)
    {
        final StampSegment old = new StampSegment(-1, segment.localDepth(), newCapacity, MAX_LOAD);
        segment.swapStorage(old);
        try
        {
            route(segment);
            totalSlots += newCapacity - old.capacity();
            moveAll(old, segment, null);
        }
        finally
        {
            old.free();
        }
    }

    /**
     * Split a segment in two by the hash bit after its local depth: the entries whose bit is 0 stay in it, the others
     * move to a new segment; each is sized for what it receives.
     */
    private void split(final StampSegment segment)
    {
        if (segment.localDepth() >= maxDepth)
        {
            throw new IllegalStateException("ORSWOT table cannot split a segment beyond depth " + maxDepth + " at " +
                size + " entries; split the data over more keyspaces");
        }
        if (segment.localDepth() == depth)
        {
            doubleDirectory();
        }

        final int bit = 63 - segment.localDepth();
        int highCount = 0;
        for (int slot = 0; slot < segment.capacity(); slot++)
        {
            if (segment.stampAt(slot) != NULL_STAMP &&
                ((hash(segment.keyAt(slot)) >>> bit) & 1) != 0)
            {
                highCount++;
            }
        }
        final int lowCount = segment.size() - highCount;

        final int newDepth = segment.localDepth() + 1;
        final StampSegment high = new StampSegment(segmentCount, newDepth, capacityFor(highCount), MAX_LOAD);
        final StampSegment old = new StampSegment(-1, newDepth, capacityFor(lowCount), MAX_LOAD);
        segment.swapStorage(old);
        try
        {
            if (segmentCount == segments.length)
            {
                segments = Arrays.copyOf(segments, segments.length * 2);
            }
            segments[segmentCount++] = high;
            segment.localDepth(newDepth);
            totalSlots += segment.capacity() + high.capacity() - old.capacity();
            moveAll(old, segment, high);

            // Directory entries of the old segment with the split bit set now name the new segment.
            final int entryBit = depth - newDepth;
            for (int i = 0; i < directory.length; i++)
            {
                if (directory[i] == segment && ((i >>> entryBit) & 1) != 0)
                {
                    directory[i] = high;
                }
            }
            route(segment);
            route(high);
        }
        finally
        {
            old.free();
        }
    }

    private static void moveAll(final StampSegment from, final StampSegment low, final StampSegment high)
    {
        final int bit = 63 - (low.localDepth() - 1);
        for (int slot = 0; slot < from.capacity(); slot++)
        {
            final long stamp = from.stampAt(slot);
            if (stamp != NULL_STAMP)
            {
                final long key = from.keyAt(slot);
                final long hash = hash(key);
                final StampSegment target = null != high && ((hash >>> bit) & 1) != 0 ? high : low;
                target.insertAbsent(key, hash, stamp, from.nodeAt(slot));
            }
        }
    }

    private void doubleDirectory()
    {
        final StampSegment[] doubled = new StampSegment[directory.length * 2];
        for (int i = 0; i < doubled.length; i++)
        {
            doubled[i] = directory[i >>> 1];
        }
        final long[] doubledRoutes = new long[doubled.length * ROUTE_LONGS];
        for (int i = 0; i < doubledRoutes.length; i++)
        {
            doubledRoutes[i] = routes[(i / (2 * ROUTE_LONGS)) * ROUTE_LONGS + (i % ROUTE_LONGS)];
        }
        directory = doubled;
        routes = doubledRoutes;
        depth++;
        routeShift = Long.SIZE - depth;
    }

    private static void checkSize(final int expectedSize)
    {
        if (expectedSize < 0 || expectedSize > MAX_SIZE)
        {
            throw new IllegalArgumentException("expected size out of range [0, " + MAX_SIZE + "]: " + expectedSize +
                " (the limit per keyspace and state kind; split the data over more keyspaces)");
        }
    }
}
