package io.datacake.store;

import io.datacake.testing.SeededTrials;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.LongArrayList;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TictacTreeTest
{
    @Test
    void namedShapesHaveTheDocumentedSizes()
    {
        try (TictacTree standard = new TictacTree(); TictacTree small = TictacTree.small())
        {
            assertThat(standard.branchCount()).isEqualTo(1024);
            assertThat(standard.segmentsPerBranch()).isEqualTo(1024);
            assertThat(standard.segmentCount()).isEqualTo(1 << 20);
            assertThat(standard.offHeapBytes()).isEqualTo((8L << 20) + 8 * 1024);
            assertThat(small.segmentCount()).isEqualTo(1 << 16);
            assertThat(small.offHeapBytes()).isEqualTo((512L << 10) + 8 * 256);
        }
    }

    @Test
    void invalidShapesAreRejectedNamingTheParameter()
    {
        assertThatThrownBy(() -> new TictacTree(0, 16)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("branchCount must be a power of two").hasMessageContaining(": 0");
        assertThatThrownBy(() -> new TictacTree(48, 16)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("branchCount must be a power of two").hasMessageContaining(": 48");
        assertThatThrownBy(() -> new TictacTree(1 << 17, 1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("branchCount");
        assertThatThrownBy(() -> new TictacTree(16, -4)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("segmentsPerBranch must be a power of two").hasMessageContaining(": -4");
        assertThatThrownBy(() -> new TictacTree(16, 1000)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("segmentsPerBranch").hasMessageContaining(": 1000");
        assertThatThrownBy(() -> new TictacTree(1 << 16, 1 << 16)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("exceeds " + TictacTree.MAX_SEGMENT_COUNT + " segments");
        TictacTree.checkShape(1, 1);
        TictacTree.checkShape(1 << 8, 1 << 16);
    }

    @Test
    void sameEntriesAppliedInAnyOrderGiveEqualTreesAtEveryLevel()
    {
        SeededTrials.run("order independence", 50, random ->
        {
            final int entryCount = random.nextInt(2_000);
            final long[] keys = new long[entryCount];
            final long[] hashes = new long[entryCount];
            for (int i = 0; i < entryCount; i++)
            {
                keys[i] = random.nextBoolean() ? i : random.nextLong();
                hashes[i] = Replica.nonZeroHash(random);
            }
            try (Replica a = new Replica(16, 64); Replica b = new Replica(16, 64))
            {
                for (int i = 0; i < entryCount; i++)
                {
                    a.put(keys[i], hashes[i]);
                }
                // b sees the entries shuffled, some first with other hashes and some removed then re-added.
                final int[] order = shuffled(random, entryCount);
                for (final int i : order)
                {
                    if (random.nextInt(4) == 0)
                    {
                        b.put(keys[i], Replica.nonZeroHash(random));
                    }
                    if (random.nextInt(8) == 0)
                    {
                        b.put(keys[i], hashes[i]);
                        b.remove(keys[i]);
                    }
                    b.put(keys[i], hashes[i]);
                }

                assertThat(a.tree.root()).isEqualTo(b.tree.root());
                for (int branch = 0; branch < a.tree.branchCount(); branch++)
                {
                    assertThat(a.tree.branchHash(branch)).as("branch %d", branch).isEqualTo(b.tree.branchHash(branch));
                }
                for (int segment = 0; segment < a.tree.segmentCount(); segment++)
                {
                    assertThat(a.tree.segmentHash(segment)).as("segment %d", segment)
                        .isEqualTo(b.tree.segmentHash(segment));
                }
                assertThat(a.tree.contentEquals(b.tree)).isTrue();
                assertLevelsAreXorsOfEntries(a);
            }
        });
    }

    @Test
    void changingOneEntryChangesExactlyItsSegmentItsBranchAndTheRoot()
    {
        SeededTrials.run("one change", 100, random ->
        {
            try (Replica replica = new Replica(1 << random.nextInt(7), 1 << random.nextInt(7)))
            {
                final LongArrayList keys = new LongArrayList();
                for (int i = 0, n = 1 + random.nextInt(500); i < n; i++)
                {
                    final long key = random.nextLong();
                    replica.put(key, Replica.nonZeroHash(random));
                    keys.addLong(key);
                }
                final TictacTree tree = replica.tree;
                final long[] segmentsBefore = segments(tree);
                final long[] branchesBefore = branches(tree);
                final long rootBefore = tree.root();

                final long key = keys.getLong(random.nextInt(keys.size()));
                final long oldHash = replica.entries.get(key);
                long newHash;
                do
                {
                    newHash = Replica.nonZeroHash(random);
                }
                while (newHash == oldHash);
                replica.put(key, newHash);

                final int segment = tree.segmentOf(key);
                final long[] segmentsAfter = segments(tree);
                final long[] branchesAfter = branches(tree);
                for (int s = 0; s < segmentsAfter.length; s++)
                {
                    if (s == segment)
                    {
                        assertThat(segmentsAfter[s]).isEqualTo(segmentsBefore[s] ^ oldHash ^ newHash);
                    }
                    else
                    {
                        assertThat(segmentsAfter[s]).as("segment %d", s).isEqualTo(segmentsBefore[s]);
                    }
                }
                for (int b = 0; b < branchesAfter.length; b++)
                {
                    if (b == tree.branchOf(segment))
                    {
                        assertThat(branchesAfter[b]).isEqualTo(branchesBefore[b] ^ oldHash ^ newHash);
                    }
                    else
                    {
                        assertThat(branchesAfter[b]).as("branch %d", b).isEqualTo(branchesBefore[b]);
                    }
                }
                assertThat(tree.root()).isEqualTo(rootBefore ^ oldHash ^ newHash).isNotEqualTo(rootBefore);

                replica.put(key, oldHash);
                assertThat(segments(tree)).isEqualTo(segmentsBefore);
                assertThat(branches(tree)).isEqualTo(branchesBefore);
                assertThat(tree.root()).isEqualTo(rootBefore);
            }
        });
    }

    @Test
    void treeOfASetEmptiedAgainIsAllZero()
    {
        SeededTrials.run("emptied again", 30, random ->
        {
            try (Replica replica = new Replica(32, 32); TictacTree empty = new TictacTree(32, 32))
            {
                for (int i = 0, n = random.nextInt(3_000); i < n; i++)
                {
                    final long key = random.nextInt(1_000);
                    if (random.nextInt(3) == 0)
                    {
                        replica.remove(key);
                    }
                    else
                    {
                        replica.put(key, Replica.nonZeroHash(random));
                    }
                }
                final LongArrayList keys = new LongArrayList();
                replica.entries.forEachLong((key, hash) -> keys.addLong(key));
                for (int i = 0; i < keys.size(); i++)
                {
                    replica.remove(keys.getLong(i));
                }

                assertThat(replica.tree.root()).isZero();
                assertThat(branches(replica.tree)).containsOnly(0L);
                assertThat(segments(replica.tree)).containsOnly(0L);
                assertThat(replica.tree.contentEquals(empty)).isTrue();
            }
        });
    }

    @Test
    void clearResetsEveryLevel()
    {
        try (TictacTree tree = new TictacTree(8, 8); TictacTree empty = new TictacTree(8, 8))
        {
            for (long key = 0; key < 100; key++)
            {
                tree.apply(key, TictacTree.ABSENT, key * 31 + 7);
            }
            assertThat(tree.contentEquals(empty)).isFalse();
            tree.clear();
            assertThat(tree.contentEquals(empty)).isTrue();
            assertThat(tree.root()).isZero();
        }
    }

    @Test
    void applyWithAnUnchangedHashChangesNothing()
    {
        try (TictacTree tree = new TictacTree(8, 8); TictacTree empty = new TictacTree(8, 8))
        {
            tree.apply(42, 0x1234, 0x1234);
            tree.apply(43, TictacTree.ABSENT, TictacTree.ABSENT);
            assertThat(tree.contentEquals(empty)).isTrue();
        }
    }

    @Test
    void sequentialKeysSpreadOverTheBranches()
    {
        try (TictacTree tree = new TictacTree())
        {
            // Taking a sequential key's low or high bits would put keys 0..1023 in one or two branches.
            final Set<Integer> branches = new HashSet<>();
            for (long key = 0; key < tree.branchCount(); key++)
            {
                final int segment = tree.segmentOf(key);
                assertThat(segment).isBetween(0, tree.segmentCount() - 1);
                branches.add(tree.branchOf(segment));
            }
            // A uniform map hits 1 - 1/e of 1,024 branches, about 647.
            assertThat(branches.size()).isGreaterThan(560);

            final int[] perBranch = new int[tree.branchCount()];
            final int keyCount = 64 * tree.branchCount();
            for (long key = 1_000_000; key < 1_000_000 + keyCount; key++)
            {
                perBranch[tree.branchOf(tree.segmentOf(key))]++;
            }
            // 64 keys expected per branch, standard deviation 8.
            assertThat(java.util.Arrays.stream(perBranch).min().getAsInt()).isGreaterThanOrEqualTo(24);
            assertThat(java.util.Arrays.stream(perBranch).max().getAsInt()).isLessThanOrEqualTo(104);
        }
    }

    @Test
    void readsOutsideTheTreeThrow()
    {
        try (TictacTree tree = new TictacTree(4, 4))
        {
            assertThatThrownBy(() -> tree.branchHash(4)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("branch 4 outside [0, 4)");
            assertThatThrownBy(() -> tree.segmentHash(-1)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("segment -1 outside [0, 16)");
            assertThatThrownBy(() -> tree.mismatchedSegments(14, 4, new org.agrona.concurrent.UnsafeBuffer(
                new byte[64]), 0, new IntArrayList(), 10)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> tree.mismatchedBranches(0, 4, new org.agrona.concurrent.UnsafeBuffer(
                new byte[31]), 0, new IntArrayList())).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void treeComparisonStopsAtTheLimitWithTheLowestSegments()
    {
        try (Replica a = new Replica(16, 16); Replica b = new Replica(16, 16))
        {
            final SplittableRandom random = new SplittableRandom(17);
            final java.util.TreeSet<Integer> expected = new java.util.TreeSet<>();
            for (long key = 0; key < 100; key++)
            {
                a.put(key, Replica.nonZeroHash(random));
                expected.add(a.tree.segmentOf(key));
            }
            final IntArrayList all = new IntArrayList();
            assertThat(a.tree.mismatchedSegments(b.tree, all, Integer.MAX_VALUE)).isEqualTo(expected.size());
            assertThat(all).containsExactlyElementsOf(expected);

            final IntArrayList some = new IntArrayList();
            assertThat(a.tree.mismatchedSegments(b.tree, some, 7)).isEqualTo(7);
            assertThat(some).containsExactlyElementsOf(expected.stream().limit(7).toList());
            assertThat(a.tree.mismatchedSegments(b.tree, new IntArrayList(), 0)).isZero();
            assertThat(a.tree.mismatchedSegments(a.tree, new IntArrayList(), 10)).isZero();
        }
    }

    @Test
    void comparingWithATreeOfAnotherShapeIsRejected()
    {
        try (TictacTree a = new TictacTree(4, 8); TictacTree b = new TictacTree(8, 4))
        {
            assertThatThrownBy(() -> a.mismatchedSegments(b, new IntArrayList(), 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4 × 8")
                .hasMessageContaining("8 × 4");
        }
    }

    @Test
    void closeReleasesTheMemoryAndIsIdempotent()
    {
        final TictacTree tree = new TictacTree(4, 4);
        tree.close();
        tree.close();
        assertThat(tree.offHeapBytes()).isZero();
        assertThatThrownBy(() -> tree.apply(1, 0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        try (TictacTree open = new TictacTree(4, 4))
        {
            assertThatThrownBy(() -> open.mismatchedSegments(tree, new IntArrayList(), 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
            assertThatThrownBy(() -> tree.mismatchedBranches(0, 1, new org.agrona.concurrent.UnsafeBuffer(
                new byte[8]), 0, new IntArrayList())).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void applyAllocatesNothing()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        try (TictacTree tree = new TictacTree())
        {
            final SplittableRandom random = new SplittableRandom(7);
            applyMany(tree, random, 100_000);
            final long baseline = measure(threads, thread, () -> { });
            final long allocated = measure(threads, thread, () -> applyMany(tree, random, 1_000_000));
            // An allocation per apply would be at least 16 MB here; allow for the measurement itself.
            assertThat(allocated - baseline).isLessThan(4_096);
        }
    }

    private static long measure(final com.sun.management.ThreadMXBean threads, final long thread, final Runnable work)
    {
        final long before = threads.getThreadAllocatedBytes(thread);
        work.run();
        return threads.getThreadAllocatedBytes(thread) - before;
    }

    private static void applyMany(final TictacTree tree, final SplittableRandom random, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            tree.apply(random.nextLong(), random.nextLong(), random.nextLong());
        }
    }

    static void assertLevelsAreXorsOfEntries(final Replica replica)
    {
        final TictacTree tree = replica.tree;
        final long[] expectedSegments = new long[tree.segmentCount()];
        replica.entries.forEachLong((key, hash) -> expectedSegments[tree.segmentOf(key)] ^= hash);
        assertThat(segments(tree)).isEqualTo(expectedSegments);
        long root = 0;
        for (int branch = 0; branch < tree.branchCount(); branch++)
        {
            long expected = 0;
            for (int i = 0; i < tree.segmentsPerBranch(); i++)
            {
                expected ^= expectedSegments[branch * tree.segmentsPerBranch() + i];
            }
            assertThat(tree.branchHash(branch)).isEqualTo(expected);
            root ^= expected;
        }
        assertThat(tree.root()).isEqualTo(root);
    }

    static long[] segments(final TictacTree tree)
    {
        final long[] hashes = new long[tree.segmentCount()];
        for (int i = 0; i < hashes.length; i++)
        {
            hashes[i] = tree.segmentHash(i);
        }
        return hashes;
    }

    static long[] branches(final TictacTree tree)
    {
        final long[] hashes = new long[tree.branchCount()];
        for (int i = 0; i < hashes.length; i++)
        {
            hashes[i] = tree.branchHash(i);
        }
        return hashes;
    }

    private static int[] shuffled(final SplittableRandom random, final int n)
    {
        final int[] order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
