package io.datacake.store;

import io.datacake.testing.SeededTrials;
import io.datacake.store.TictacMessageException.Reason;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class TictacExchangeTest
{
    private final UnsafeBuffer request = new UnsafeBuffer(new byte[TictacCodec.MAX_MESSAGE_LENGTH]);
    private final UnsafeBuffer reply = new UnsafeBuffer(new byte[TictacCodec.MAX_MESSAGE_LENGTH]);
    private int messages;
    private int segmentRequests;

    @Test
    void equalTreesFinishAfterComparingRoots()
    {
        try (Replica a = new Replica(16, 16); Replica b = new Replica(16, 16))
        {
            for (long key = 0; key < 500; key++)
            {
                a.put(key, key + 1);
                b.put(key, key + 1);
            }
            final TictacExchange exchange = new TictacExchange(a.tree);
            assertThat(runRound(exchange, new TictacResponder(b.tree))).isEmpty();
            assertThat(messages).isEqualTo(1);
            assertThat(exchange.isDone()).isTrue();
            assertThat(exchange.isTruncated()).isFalse();
        }
    }

    @Test
    void replicasDifferingInKEntriesYieldExactlyTheSegmentsOfThoseKeys()
    {
        SeededTrials.run("k differences", 60, random ->
        {
            final int branchCount = 1 << random.nextInt(11);
            final int segmentsPerBranch = 1 << random.nextInt(11);
            try (Replica a = new Replica(branchCount, segmentsPerBranch);
                Replica b = new Replica(branchCount, segmentsPerBranch))
            {
                final int common = random.nextInt(5_000);
                for (int i = 0; i < common; i++)
                {
                    final long key = random.nextBoolean() ? i : random.nextLong();
                    final long hash = Replica.nonZeroHash(random);
                    a.put(key, hash);
                    b.put(key, hash);
                }
                final int k = random.nextInt(4) == 0 ? random.nextInt(1, 4) : random.nextInt(300);
                final TreeSet<Integer> expected = new TreeSet<>();
                for (int i = 0; i < k; i++)
                {
                    final long key = random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(common + 1);
                    differ(random, a, b, key);
                    expected.add(a.tree.segmentOf(key));
                }
                // A segment where two differences cancel is no longer different (odds 2^-64 with random hashes).
                expected.removeIf(segment -> a.tree.segmentHash(segment) == b.tree.segmentHash(segment));

                final TictacExchange exchange = new TictacExchange(a.tree);
                final IntArrayList found = runRound(exchange, new TictacResponder(b.tree));
                assertThat(found).containsExactlyElementsOf(expected);
                assertThat(exchange.isTruncated()).isFalse();

                final IntArrayList local = new IntArrayList();
                a.tree.mismatchedSegments(b.tree, local, Integer.MAX_VALUE);
                assertThat(local).containsExactlyElementsOf(expected);

                // Only mismatched branches are descended into.
                final int mismatchedBranches = (int)expected.stream().map(a.tree::branchOf).distinct().count();
                final int pagesPerBranch =
                    Math.max(1, segmentsPerBranch / TictacCodec.MAX_HASHES_PER_MESSAGE);
                assertThat(segmentRequests).isEqualTo(mismatchedBranches * pagesPerBranch);

                // The result travels as one message listing the same segments.
                final int length = exchange.encodeMismatchedSegments(request, 0);
                final TictacMessage ids = new TictacMessage().wrap(request, 0, length);
                assertThat(ids.type()).isEqualTo(TictacCodec.SEGMENT_IDS);
                assertThat(ids.count()).isEqualTo(expected.size());
                for (int i = 0; i < ids.count(); i++)
                {
                    assertThat(ids.segmentId(i)).isEqualTo(found.getInt(i));
                }
            }
        });
    }

    @Test
    void roundsAreBoundedAndRepairConvergesRoundByRound()
    {
        SeededTrials.run("bounded rounds", 20, random ->
        {
            try (Replica a = new Replica(64, 64); Replica b = new Replica(64, 64))
            {
                for (int i = 0; i < 2_000; i++)
                {
                    final long hash = Replica.nonZeroHash(random);
                    a.put(i, hash);
                    b.put(i, hash);
                }
                final TreeSet<Integer> expected = new TreeSet<>();
                for (int i = 0, k = random.nextInt(100, 600); i < k; i++)
                {
                    final long key = random.nextInt(3_000);
                    differ(random, a, b, key);
                    expected.add(a.tree.segmentOf(key));
                }
                expected.removeIf(segment -> a.tree.segmentHash(segment) == b.tree.segmentHash(segment));

                final int max = 1 + random.nextInt(40);
                final TictacExchange exchange = new TictacExchange(a.tree, max);
                final TictacResponder responder = new TictacResponder(b.tree);
                final TreeSet<Integer> repaired = new TreeSet<>();
                int remaining = expected.size();
                for (int round = 0; remaining > 0; round++)
                {
                    assertThat(round).isLessThan(expected.size());
                    final IntArrayList found = runRound(exchange, responder);
                    assertThat(found).hasSize(Math.min(max, remaining));
                    assertThat(exchange.isTruncated()).isEqualTo(found.size() == max);
                    for (int i = 0; i < found.size(); i++)
                    {
                        assertThat(expected).contains(found.getInt(i));
                        assertThat(repaired.add(found.getInt(i))).isTrue();
                        a.copySegmentFrom(b, found.getInt(i));
                    }
                    remaining -= found.size();
                }
                assertThat(repaired).isEqualTo(expected);
                assertThat(a.tree.contentEquals(b.tree)).isTrue();
                assertThat(a.entries).isEqualTo(b.entries);
                assertThat(runRound(exchange, responder)).isEmpty();
            }
        });
    }

    @Test
    void truncatedRoundsResumeWhereTheyStoppedSoUnrepairedSegmentsCannotStarveTheRest()
    {
        try (Replica a = new Replica(32, 8); Replica b = new Replica(32, 8))
        {
            final SplittableRandom random = new SplittableRandom(3);
            final TreeSet<Integer> expected = new TreeSet<>();
            for (long key = 0; key < 200; key++)
            {
                b.put(key, Replica.nonZeroHash(random));
                expected.add(a.tree.segmentOf(key));
            }
            final TictacExchange exchange = new TictacExchange(a.tree, 10);
            final TictacResponder responder = new TictacResponder(b.tree);
            final TreeSet<Integer> seen = new TreeSet<>();
            final int rounds = (expected.size() + 9) / 10 + 32;
            for (int round = 0; round < rounds; round++)
            {
                final IntArrayList found = runRound(exchange, responder);
                assertThat(found.size()).isBetween(1, 10);
                for (int i = 0; i < found.size(); i++)
                {
                    seen.add(found.getInt(i));
                }
            }
            // Nothing is repaired, yet every round moves on, so all differing segments come up.
            assertThat(seen).isEqualTo(expected);
        }
    }

    @Test
    void truncatedRoundsResumeInsideABranchSoItsFirstSegmentsCannotStarveTheRest()
    {
        try (Replica a = new Replica(2, 64); Replica b = new Replica(2, 64))
        {
            final SplittableRandom random = new SplittableRandom(4);
            final TreeSet<Integer> expected = new TreeSet<>();
            for (long key = 0; key < 40; key++)
            {
                b.put(key, Replica.nonZeroHash(random));
                expected.add(a.tree.segmentOf(key));
            }
            final TictacExchange exchange = new TictacExchange(a.tree, 1);
            final TictacResponder responder = new TictacResponder(b.tree);
            final TreeSet<Integer> seen = new TreeSet<>();
            for (int round = 0; round < expected.size(); round++)
            {
                final IntArrayList found = runRound(exchange, responder);
                assertThat(found.size()).isEqualTo(1);
                seen.add(found.getInt(0));
            }
            // One segment a round and nothing repaired, yet each round yields the next differing segment.
            assertThat(seen).isEqualTo(expected);
        }
    }

    @Test
    void segmentsOfALargeBranchAreFetchedInBoundedRuns()
    {
        try (Replica a = new Replica(2, 2048); Replica b = new Replica(2, 2048))
        {
            final SplittableRandom random = new SplittableRandom(5);
            final TreeSet<Integer> expected = new TreeSet<>();
            for (long key = 0; key < 3_000; key++)
            {
                b.put(key, Replica.nonZeroHash(random));
                expected.add(a.tree.segmentOf(key));
            }
            final TictacExchange exchange = new TictacExchange(a.tree);
            final IntArrayList found = runRound(exchange, new TictacResponder(b.tree));
            assertThat(found).hasSize(TictacCodec.MAX_SEGMENT_IDS_PER_MESSAGE);
            assertThat(found).containsExactlyElementsOf(
                expected.stream().limit(TictacCodec.MAX_SEGMENT_IDS_PER_MESSAGE).toList());
            assertThat(exchange.isTruncated()).isTrue();
        }
    }

    @Test
    void repliesThatDoNotAnswerTheRequestChangeNothing()
    {
        SeededTrials.run("bad replies", 30, random ->
        {
            try (Replica a = new Replica(1024, 16 << random.nextInt(7));
                Replica b = new Replica(1024, a.tree.segmentsPerBranch()))
            {
                final TreeSet<Integer> expected = new TreeSet<>();
                for (long key = 0, n = 1 + random.nextInt(200); key < n; key++)
                {
                    a.put(key, Replica.nonZeroHash(random));
                    expected.add(a.tree.segmentOf(key));
                }
                final TictacExchange exchange = new TictacExchange(a.tree);
                final TictacResponder responder = new TictacResponder(b.tree);
                assertReason(catchThrowable(() -> exchange.onMessage(reply, 0, 24, request, 0)), Reason.UNEXPECTED);
                assertThat(exchange.state()).isEqualTo(TictacExchange.State.IDLE);

                int length = exchange.start(request, 0);
                final IntArrayList found = new IntArrayList();
                while (length > 0)
                {
                    final TictacExchange.State before = exchange.state();
                    final int replyLength = responder.respond(request, 0, length, reply, 0);
                    final UnsafeBuffer saved = new UnsafeBuffer(request.byteArray().clone());

                    // A reply of the wrong type, for the wrong run, from another shape, or garbage: rejected with
                    // no effect.
                    final UnsafeBuffer wrong = new UnsafeBuffer(new byte[TictacCodec.MAX_MESSAGE_LENGTH]);
                    final int rootLength = TictacCodec.encodeRoot(b.tree, wrong, 0);
                    if (TictacExchange.State.AWAIT_ROOT != before)
                    {
                        assertReason(catchThrowable(() -> exchange.onMessage(wrong, 0, rootLength, request, 0)),
                            Reason.UNEXPECTED);
                    }
                    final UnsafeBuffer shifted = new UnsafeBuffer(reply.byteArray().clone());
                    if (TictacExchange.State.AWAIT_ROOT != before)
                    {
                        shifted.putInt(4, shifted.getInt(4, ByteOrder.LITTLE_ENDIAN) + 1, ByteOrder.LITTLE_ENDIAN);
                        final Throwable thrown =
                            catchThrowable(() -> exchange.onMessage(shifted, 0, replyLength, request, 0));
                        assertThat(thrown).isInstanceOf(TictacMessageException.class);
                    }
                    final UnsafeBuffer reshaped = new UnsafeBuffer(reply.byteArray().clone());
                    reshaped.putByte(2, (byte)(reshaped.getByte(2) + 1));
                    assertReason(catchThrowable(() -> exchange.onMessage(reshaped, 0, replyLength, request, 0)),
                        Reason.SHAPE_MISMATCH);
                    final UnsafeBuffer garbage = new UnsafeBuffer(new byte[TictacCodec.MAX_MESSAGE_LENGTH]);
                    for (int i = 0; i < replyLength; i++)
                    {
                        garbage.putByte(i, (byte)random.nextInt());
                    }
                    assertThat(catchThrowable(() -> exchange.onMessage(garbage, 0, replyLength, request, 0)))
                        .isInstanceOf(TictacMessageException.class);
                    assertThat(exchange.state()).isEqualTo(before);
                    assertThat(request.byteArray()).isEqualTo(saved.byteArray());

                    length = exchange.onMessage(reply, 0, replyLength, request, 0);
                }
                for (int i = 0; i < exchange.mismatchedSegmentCount(); i++)
                {
                    found.addInt(exchange.mismatchedSegment(i));
                }
                assertThat(found).containsExactlyElementsOf(expected);
                assertReason(catchThrowable(() -> exchange.onMessage(reply, 0, 24, request, 0)), Reason.UNEXPECTED);
            }
        });
    }

    @Test
    void peersWithTreesOfDifferentShapesAreRejected()
    {
        try (TictacTree a = new TictacTree(16, 16); TictacTree b = new TictacTree(16, 32))
        {
            final TictacExchange exchange = new TictacExchange(a);
            final int length = exchange.start(request, 0);
            assertReason(catchThrowable(() -> new TictacResponder(b).respond(request, 0, length, reply, 0)),
                Reason.SHAPE_MISMATCH);
            final int rootLength = TictacCodec.encodeRoot(b, reply, 0);
            assertReason(catchThrowable(() -> exchange.onMessage(reply, 0, rootLength, request, 0)),
                Reason.SHAPE_MISMATCH);
            assertThat(exchange.state()).isEqualTo(TictacExchange.State.AWAIT_ROOT);
        }
    }

    @Test
    void aRoundAllocatesNothingAfterConstruction()
    {
        try (Replica a = new Replica(1024, 1024); Replica b = new Replica(1024, 1024))
        {
            final SplittableRandom random = new SplittableRandom(13);
            for (long key = 0; key < 500; key++)
            {
                b.put(key, Replica.nonZeroHash(random));
            }
            final TictacExchange exchange = new TictacExchange(a.tree);
            final TictacResponder responder = new TictacResponder(b.tree);
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
            final long thread = Thread.currentThread().getId();
            int segments = 0;
            for (int warmUp = 0; warmUp < 20; warmUp++)
            {
                segments = exchangeWithoutChecks(exchange, responder);
            }
            // Reading the counter twice measures what reading it costs.
            final long probe = threads.getThreadAllocatedBytes(thread);
            final long empty = threads.getThreadAllocatedBytes(thread) - probe;
            final long before = threads.getThreadAllocatedBytes(thread);
            for (int round = 0; round < 100; round++)
            {
                segments = exchangeWithoutChecks(exchange, responder);
            }
            final long allocated = threads.getThreadAllocatedBytes(thread) - before - empty;
            assertThat(segments).isEqualTo(exchange.mismatchedSegmentCount());
            assertThat(exchange.mismatchedSegmentCount()).isGreaterThan(400);
            // 100 rounds of about 500 messages: any per-message allocation would be hundreds of kilobytes.
            assertThat(allocated).isLessThan(4_096);
        }
    }

    private int exchangeWithoutChecks(final TictacExchange exchange, final TictacResponder responder)
    {
        int length = exchange.start(request, 0);
        while (length > 0)
        {
            final int replyLength = responder.respond(request, 0, length, reply, 0);
            length = exchange.onMessage(reply, 0, replyLength, request, 0);
        }
        return exchange.mismatchedSegmentCount();
    }

    @Test
    void boundsAndMisuseAreRejected()
    {
        try (TictacTree tree = new TictacTree(4, 4))
        {
            assertThatThrownBy(() -> new TictacExchange(tree, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxSegmentsPerRound must be in [1, 1024]: 0");
            assertThatThrownBy(() -> new TictacExchange(tree, 1025)).isInstanceOf(IllegalArgumentException.class);
            final TictacExchange exchange = new TictacExchange(tree);
            assertThatThrownBy(() -> exchange.encodeMismatchedSegments(request, 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("IDLE");
            assertThatThrownBy(() -> exchange.mismatchedSegment(0)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    private static void differ(final SplittableRandom random, final Replica a, final Replica b, final long key)
    {
        switch (random.nextInt(4))
        {
            case 0:
                a.remove(key);
                b.put(key, Replica.nonZeroHash(random));
                break;
            case 1:
                a.put(key, Replica.nonZeroHash(random));
                b.remove(key);
                break;
            default:
                // Same key on both sides, different content (as under equal version stamps). Entry hashes are
                // strong 64-bit hashes, so different content means unrelated hashes.
                final long hash = Replica.nonZeroHash(random);
                long other;
                do
                {
                    other = Replica.nonZeroHash(random);
                }
                while (other == hash);
                a.put(key, hash);
                b.put(key, other);
                break;
        }
    }

    private IntArrayList runRound(final TictacExchange exchange, final TictacResponder responder)
    {
        messages = 0;
        segmentRequests = 0;
        final TictacMessage sent = new TictacMessage();
        int length = exchange.start(request, 0);
        while (length > 0)
        {
            assertThat(length).isLessThanOrEqualTo(TictacCodec.MAX_MESSAGE_LENGTH);
            if (sent.wrap(request, 0, length).type() == TictacCodec.SEGMENT_HASHES_REQUEST)
            {
                segmentRequests++;
            }
            final int replyLength = responder.respond(request, 0, length, reply, 0);
            assertThat(replyLength).isLessThanOrEqualTo(TictacCodec.MAX_MESSAGE_LENGTH);
            messages++;
            length = exchange.onMessage(reply, 0, replyLength, request, 0);
        }
        assertThat(exchange.isDone()).isTrue();
        assertThat(exchange.mismatchedSegmentCount()).isLessThanOrEqualTo(exchange.maxSegmentsPerRound());
        final IntArrayList found = new IntArrayList();
        for (int i = 0; i < exchange.mismatchedSegmentCount(); i++)
        {
            found.addInt(exchange.mismatchedSegment(i));
            if (i > 0)
            {
                assertThat(found.getInt(i)).as("ascending").isGreaterThan(found.getInt(i - 1));
            }
        }
        return found;
    }

    private static void assertReason(final Throwable thrown, final Reason reason)
    {
        assertThat(thrown).isInstanceOf(TictacMessageException.class);
        assertThat(((TictacMessageException)thrown).reason()).isEqualTo(reason);
    }
}
