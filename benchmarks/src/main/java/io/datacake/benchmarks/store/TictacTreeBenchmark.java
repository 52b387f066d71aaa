package io.datacake.benchmarks.store;

import io.datacake.store.TictacCodec;
import io.datacake.store.TictacExchange;
import io.datacake.store.TictacResponder;
import io.datacake.store.TictacTree;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The Tictac tree of one keyspace of 2^20 (about a million) entries in the default 1,024 × 1,024 shape, against an
 * on-heap {@code long[]} tree ({@link HeapTictacTree}) doing the same work:
 * <ul>
 *   <li>{@code apply}: one entry changes hash (a random key of the keyspace; segment, branch and root updated);</li>
 *   <li>{@code compare}: find every segment in which two replicas differ when they differ in
 *   {@code differences} entries (root, then all branch hashes, then the segments of mismatched branches);</li>
 *   <li>{@code exchangeRound}: the same search run as a bounded exchange round through the wire codecs (asking and
 *   answering side in one thread, at most {@link TictacExchange#DEFAULT_MAX_SEGMENTS_PER_ROUND} segments).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class TictacTreeBenchmark
{
    private static final int KEY_COUNT = 1 << 20;
    private static final int KEY_MASK = KEY_COUNT - 1;

    /**
     * One tree of each kind holding the same entries, and a stream of changes.
     */
    @State(Scope.Thread)
    public static class ApplyState
    {
        final long[] keys = new long[KEY_COUNT];
        final long[] hashes = new long[KEY_COUNT];
        TictacTree tree;
        HeapTictacTree baseline;
        int next;

        /**
         * Fill both trees with the same 2^20 random entries.
         */
        @Setup
        public void setUp()
        {
            final SplittableRandom random = new SplittableRandom(42);
            tree = new TictacTree();
            baseline = new HeapTictacTree(TictacTree.DEFAULT_BRANCH_COUNT, TictacTree.DEFAULT_SEGMENTS_PER_BRANCH);
            for (int i = 0; i < KEY_COUNT; i++)
            {
                keys[i] = random.nextLong();
                hashes[i] = random.nextLong() | 1;
                tree.apply(keys[i], TictacTree.ABSENT, hashes[i]);
                baseline.apply(keys[i], TictacTree.ABSENT, hashes[i]);
            }
        }

        /**
         * Release the off-heap tree.
         */
        @TearDown
        public void tearDown()
        {
            tree.close();
        }
    }

    /**
     * Two replicas of each kind that differ in a given number of entries.
     */
    @State(Scope.Thread)
    public static class CompareState
    {
        /** Entries in which the two replicas differ. */
        @Param({ "1", "100", "10000" })
        public int differences;

        TictacTree local;
        TictacTree remote;
        HeapTictacTree localBaseline;
        HeapTictacTree remoteBaseline;
        TictacExchange exchange;
        TictacResponder responder;
        final IntArrayList mismatched = new IntArrayList(16_384, IntArrayList.DEFAULT_NULL_VALUE);
        final UnsafeBuffer request = new UnsafeBuffer(new byte[TictacCodec.MAX_MESSAGE_LENGTH]);
        final UnsafeBuffer reply = new UnsafeBuffer(new byte[TictacCodec.MAX_MESSAGE_LENGTH]);

        /**
         * Build both pairs from the same 2^20 entries, then change {@code differences} of them on the remote side.
         */
        @Setup
        public void setUp()
        {
            final SplittableRandom random = new SplittableRandom(7);
            local = new TictacTree();
            remote = new TictacTree();
            final int branches = TictacTree.DEFAULT_BRANCH_COUNT;
            final int segments = TictacTree.DEFAULT_SEGMENTS_PER_BRANCH;
            localBaseline = new HeapTictacTree(branches, segments);
            remoteBaseline = new HeapTictacTree(branches, segments);
            final long[] keys = new long[KEY_COUNT];
            final long[] hashes = new long[KEY_COUNT];
            for (int i = 0; i < KEY_COUNT; i++)
            {
                keys[i] = i;
                hashes[i] = random.nextLong() | 1;
                local.apply(keys[i], TictacTree.ABSENT, hashes[i]);
                remote.apply(keys[i], TictacTree.ABSENT, hashes[i]);
                localBaseline.apply(keys[i], TictacTree.ABSENT, hashes[i]);
                remoteBaseline.apply(keys[i], TictacTree.ABSENT, hashes[i]);
            }
            for (int i = 0; i < differences; i++)
            {
                final int index = (int)((i * 0x9E3779B97F4A7C15L >>> 12) & KEY_MASK);
                final long changed = hashes[index] ^ (random.nextLong() | 1);
                remote.apply(keys[index], hashes[index], changed);
                remoteBaseline.apply(keys[index], hashes[index], changed);
                hashes[index] = changed;
            }
            exchange = new TictacExchange(local);
            responder = new TictacResponder(remote);
        }

        /**
         * Release the off-heap trees.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            local.close();
            remote.close();
        }
    }

    /**
     * @param state trees and changes.
     * @return the new root, so the work is not eliminated.
     */
    @Benchmark
    public long apply(final ApplyState state)
    {
        final int i = state.next++ & KEY_MASK;
        final long old = state.hashes[i];
        final long changed = old ^ 0x5DEECE66DL;
        state.hashes[i] = changed;
        state.tree.apply(state.keys[i], old, changed);
        return state.tree.root();
    }

    /**
     * @param state trees and changes.
     * @return the new root, so the work is not eliminated.
     */
    @Benchmark
    public long applyBaseline(final ApplyState state)
    {
        final int i = state.next++ & KEY_MASK;
        final long old = state.hashes[i];
        final long changed = old ^ 0x5DEECE66DL;
        state.hashes[i] = changed;
        state.baseline.apply(state.keys[i], old, changed);
        return state.baseline.root();
    }

    /**
     * @param state two replicas.
     * @return the number of mismatched segments.
     */
    @Benchmark
    public int compare(final CompareState state)
    {
        state.mismatched.clear();
        return state.local.mismatchedSegments(state.remote, state.mismatched, Integer.MAX_VALUE);
    }

    /**
     * @param state two replicas.
     * @return the number of mismatched segments.
     */
    @Benchmark
    public int compareBaseline(final CompareState state)
    {
        state.mismatched.clear();
        return state.localBaseline.mismatchedSegments(state.remoteBaseline, state.mismatched, Integer.MAX_VALUE);
    }

    /**
     * @param state two replicas.
     * @return the number of mismatched segments the round yields.
     */
    @Benchmark
    public int exchangeRound(final CompareState state)
    {
        final TictacExchange exchange = state.exchange;
        int length = exchange.start(state.request, 0);
        while (length > 0)
        {
            final int replyLength = state.responder.respond(state.request, 0, length, state.reply, 0);
            length = exchange.onMessage(state.reply, 0, replyLength, state.request, 0);
        }
        return exchange.mismatchedSegmentCount();
    }
}
