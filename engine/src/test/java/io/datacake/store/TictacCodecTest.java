package io.datacake.store;

import io.datacake.testing.SeededTrials;
import io.datacake.store.TictacMessageException.Reason;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class TictacCodecTest
{
    private final Replica replica = filled(new Replica(64, 1024), 3_000, 11);
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TictacCodec.MAX_MESSAGE_LENGTH + 64]);
    private final TictacMessage message = new TictacMessage();

    @AfterEach
    void tearDown()
    {
        replica.close();
    }

    @Test
    void rootRoundTrips()
    {
        final int length = TictacCodec.encodeRoot(replica.tree, buffer, 5);
        assertThat(length).isEqualTo(TictacCodec.ROOT_LENGTH);
        message.wrap(buffer, 5, length);
        assertThat(message.type()).isEqualTo(TictacCodec.ROOT);
        assertThat(message.root()).isEqualTo(replica.tree.root()).isNotZero();
        assertThat(message.shapeMatches(replica.tree)).isTrue();
        assertThat(message.branchBits()).isEqualTo(6);
        assertThat(message.segmentBits()).isEqualTo(10);
    }

    @Test
    void hashRunsRoundTrip()
    {
        int length = TictacCodec.encodeBranchHashes(replica.tree, 3, 61, buffer, 0);
        message.wrap(buffer, 0, length);
        assertThat(message.type()).isEqualTo(TictacCodec.BRANCH_HASHES);
        assertThat(message.first()).isEqualTo(3);
        assertThat(message.count()).isEqualTo(61);
        for (int i = 0; i < 61; i++)
        {
            assertThat(message.hash(i)).isEqualTo(replica.tree.branchHash(3 + i));
        }

        length = TictacCodec.encodeSegmentHashes(replica.tree, 5 * 1024 + 512, 512, buffer, 0);
        assertThat(length).isEqualTo(TictacCodec.MAX_MESSAGE_LENGTH);
        message.wrap(buffer, 0, length);
        assertThat(message.type()).isEqualTo(TictacCodec.SEGMENT_HASHES);
        for (int i = 0; i < 512; i++)
        {
            assertThat(message.hash(i)).isEqualTo(replica.tree.segmentHash(5 * 1024 + 512 + i));
        }
        assertThatThrownBy(() -> message.hash(512)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(message::root).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void requestsAndSegmentIdsRoundTrip()
    {
        int length = TictacCodec.encodeBranchHashesRequest(replica.tree, 0, 64, buffer, 0);
        message.wrap(buffer, 0, length);
        assertThat(message.type()).isEqualTo(TictacCodec.BRANCH_HASHES_REQUEST);
        assertThat(message.first()).isZero();
        assertThat(message.count()).isEqualTo(64);

        length = TictacCodec.encodeSegmentHashesRequest(replica.tree, 2048, 512, buffer, 0);
        message.wrap(buffer, 0, length);
        assertThat(message.type()).isEqualTo(TictacCodec.SEGMENT_HASHES_REQUEST);
        assertThat(message.first()).isEqualTo(2048);

        final int[] ids = { 0, 7, 4096, 65_535 };
        length = TictacCodec.encodeSegmentIds(replica.tree, ids, 0, ids.length, buffer, 0);
        message.wrap(buffer, 0, length);
        assertThat(message.type()).isEqualTo(TictacCodec.SEGMENT_IDS);
        assertThat(message.count()).isEqualTo(4);
        for (int i = 0; i < ids.length; i++)
        {
            assertThat(message.segmentId(i)).isEqualTo(ids[i]);
        }

        length = TictacCodec.encodeSegmentIds(replica.tree, ids, 0, 0, buffer, 0);
        assertThat(length).isEqualTo(TictacCodec.HEADER_LENGTH);
        assertThat(message.wrap(buffer, 0, length).count()).isZero();
    }

    @Test
    void encodersRejectRunsBeyondTheBoundsAndSmallBuffers()
    {
        final TictacTree tree = replica.tree;
        assertThatThrownBy(() -> TictacCodec.encodeBranchHashes(tree, 60, 5, buffer, 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("branch run [60, +5)");
        assertThatThrownBy(() -> TictacCodec.encodeSegmentHashes(tree, 0, 513, buffer, 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..512");
        assertThatThrownBy(() -> TictacCodec.encodeSegmentHashesRequest(tree, 1000, 48, buffer, 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one branch");
        assertThatThrownBy(() -> TictacCodec.encodeSegmentIds(tree, new int[] { 3, 3 }, 0, 2, buffer, 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("strictly ascending");
        assertThatThrownBy(() -> TictacCodec.encodeSegmentIds(tree, new int[1025], 0, 1025, buffer, 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 1024");
        assertThatThrownBy(() -> TictacCodec.encodeRoot(tree, new UnsafeBuffer(new byte[23]), 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("buffer too small: need 24 bytes");
    }

    @Test
    void eachMalformationIsRejectedWithItsReason()
    {
        expectReason(Reason.BAD_LENGTH, root(), b -> { }, TictacCodec.ROOT_LENGTH - 1);
        expectReason(Reason.BAD_LENGTH, root(), b -> { }, TictacCodec.ROOT_LENGTH + 8);
        expectReason(Reason.BAD_LENGTH, root(), b -> { }, 3);
        expectReason(Reason.UNSUPPORTED_VERSION, root(), b -> b.putByte(0, (byte)2), TictacCodec.ROOT_LENGTH);
        expectReason(Reason.UNKNOWN_TYPE, root(), b -> b.putByte(1, (byte)0), TictacCodec.ROOT_LENGTH);
        expectReason(Reason.UNKNOWN_TYPE, root(), b -> b.putByte(1, (byte)7), TictacCodec.ROOT_LENGTH);
        expectReason(Reason.RESERVED_NOT_ZERO, root(), b -> b.putInt(12, 1), TictacCodec.ROOT_LENGTH);
        expectReason(Reason.BAD_SHAPE, root(), b -> b.putByte(2, (byte)17), TictacCodec.ROOT_LENGTH);
        expectReason(Reason.BAD_SHAPE, root(), b -> b.putByte(3, (byte)17), TictacCodec.ROOT_LENGTH);
        expectReason(Reason.BAD_SHAPE, root(), b ->
        {
            b.putByte(2, (byte)9);
            b.putByte(3, (byte)16);
        }, TictacCodec.ROOT_LENGTH);
        expectReason(Reason.BAD_COUNT, root(), b -> b.putInt(8, 2, ByteOrder.LITTLE_ENDIAN), TictacCodec.ROOT_LENGTH);
        expectReason(Reason.BAD_RANGE, root(), b -> b.putInt(4, 1, ByteOrder.LITTLE_ENDIAN), TictacCodec.ROOT_LENGTH);

        final int branches = TictacCodec.encodeBranchHashes(replica.tree, 0, 64, buffer, 0);
        expectReason(Reason.BAD_RANGE, buffer, b -> b.putInt(4, 1, ByteOrder.LITTLE_ENDIAN), branches);
        expectReason(Reason.BAD_RANGE, buffer, b -> b.putInt(4, -1, ByteOrder.LITTLE_ENDIAN), branches);
        expectReason(Reason.BAD_COUNT, buffer, b -> b.putInt(8, 0, ByteOrder.LITTLE_ENDIAN), branches);
        expectReason(Reason.BAD_COUNT, buffer, b -> b.putInt(8, -8, ByteOrder.LITTLE_ENDIAN), branches);
        expectReason(Reason.BAD_LENGTH, buffer, b -> b.putInt(8, 63, ByteOrder.LITTLE_ENDIAN), branches);

        final int request = TictacCodec.encodeSegmentHashesRequest(replica.tree, 1024, 512, buffer, 0);
        expectReason(Reason.BAD_RANGE, buffer, b -> b.putInt(4, 1024 + 513, ByteOrder.LITTLE_ENDIAN), request);
        expectReason(Reason.BAD_COUNT, buffer, b -> b.putInt(8, 513, ByteOrder.LITTLE_ENDIAN), request);
        expectReason(Reason.BAD_RANGE, buffer, b -> b.putInt(4, 63 * 1024 + 1024, ByteOrder.LITTLE_ENDIAN), request);

        final int ids = TictacCodec.encodeSegmentIds(replica.tree, new int[] { 1, 2, 3 }, 0, 3, buffer, 0);
        expectReason(Reason.UNSORTED_SEGMENT_IDS, buffer, b -> b.putInt(20, 1, ByteOrder.LITTLE_ENDIAN), ids);
        expectReason(Reason.BAD_RANGE, buffer, b -> b.putInt(24, 65_536, ByteOrder.LITTLE_ENDIAN), ids);
        expectReason(Reason.BAD_RANGE, buffer, b -> b.putInt(16, -1, ByteOrder.LITTLE_ENDIAN), ids);

        final Throwable outside = catchThrowable(() -> message.wrap(buffer, buffer.capacity() - 8, 16));
        assertThat(outside).isInstanceOf(TictacMessageException.class);
        assertThat(((TictacMessageException)outside).reason()).isEqualTo(Reason.BAD_LENGTH);
    }

    @Test
    void fuzzedMessagesEitherDecodeConsistentlyOrThrowAndChangeNothing()
    {
        SeededTrials.run("message fuzz", 3_000, random ->
        {
            final UnsafeBuffer good = new UnsafeBuffer(new byte[TictacCodec.MAX_MESSAGE_LENGTH]);
            final int goodLength = TictacCodec.encodeBranchHashes(replica.tree, 1, 7, good, 0);
            message.wrap(good, 0, goodLength);

            final UnsafeBuffer fuzzed = new UnsafeBuffer(new byte[TictacCodec.MAX_MESSAGE_LENGTH + 64]);
            int length = randomValidMessage(random, fuzzed);
            switch (random.nextInt(4))
            {
                case 0:
                    for (int i = 0, n = 1 + random.nextInt(3); i < n; i++)
                    {
                        fuzzed.putByte(random.nextInt(Math.max(1, length)), (byte)random.nextInt());
                    }
                    break;
                case 1:
                    length = random.nextInt(length + 1);
                    break;
                case 2:
                    length = Math.min(fuzzed.capacity(), length + 1 + random.nextInt(16));
                    break;
                default:
                    for (int i = 0; i < Math.min(length, TictacCodec.HEADER_LENGTH); i++)
                    {
                        fuzzed.putByte(i, (byte)random.nextInt());
                    }
                    break;
            }

            final int fuzzedLength = length;
            final Throwable failure = catchThrowable(() -> message.wrap(fuzzed, 0, fuzzedLength));
            if (null == failure)
            {
                assertConsistent(message, fuzzedLength);
            }
            else
            {
                assertThat(failure).isInstanceOf(TictacMessageException.class);
                // The flyweight still reads the last good message.
                assertThat(message.buffer()).isSameAs(good);
                assertThat(message.type()).isEqualTo(TictacCodec.BRANCH_HASHES);
                assertThat(message.first()).isEqualTo(1);
                assertThat(message.count()).isEqualTo(7);
                assertThat(message.length()).isEqualTo(goodLength);
                assertThat(message.hash(6)).isEqualTo(replica.tree.branchHash(7));
            }
        });
    }

    @Test
    void responderAnswersRequestsAndRejectsOthersWritingNothing()
    {
        final TictacResponder responder = new TictacResponder(replica.tree);
        final UnsafeBuffer reply = new UnsafeBuffer(new byte[TictacCodec.MAX_MESSAGE_LENGTH]);

        int length = TictacCodec.encodeSegmentHashesRequest(replica.tree, 4096, 100, buffer, 0);
        int replyLength = responder.respond(buffer, 0, length, reply, 0);
        message.wrap(reply, 0, replyLength);
        assertThat(message.type()).isEqualTo(TictacCodec.SEGMENT_HASHES);
        assertThat(message.first()).isEqualTo(4096);
        assertThat(message.hash(99)).isEqualTo(replica.tree.segmentHash(4195));

        length = TictacCodec.encodeRoot(replica.tree, buffer, 0);
        replyLength = responder.respond(buffer, 0, length, reply, 0);
        assertThat(message.wrap(reply, 0, replyLength).root()).isEqualTo(replica.tree.root());

        reply.setMemory(0, reply.capacity(), (byte)0);
        length = TictacCodec.encodeBranchHashes(replica.tree, 0, 4, buffer, 0);
        assertReason(catchThrowable(() -> responder.respond(buffer, 0, 16 + 32, reply, 0)), Reason.UNEXPECTED);
        buffer.putInt(12, 9);
        assertReason(catchThrowable(() -> responder.respond(buffer, 0, 16 + 32, reply, 0)), Reason.RESERVED_NOT_ZERO);
        try (TictacTree other = new TictacTree(64, 512))
        {
            length = TictacCodec.encodeBranchHashesRequest(other, 0, 64, buffer, 0);
            assertReason(catchThrowable(() -> responder.respond(buffer, 0, TictacCodec.REQUEST_LENGTH, reply, 0)),
                Reason.SHAPE_MISMATCH);
        }
        assertThat(reply.byteArray()).containsOnly((byte)0);
    }

    private int randomValidMessage(final SplittableRandom random, final MutableDirectBuffer to)
    {
        final TictacTree tree = replica.tree;
        switch (random.nextInt(6))
        {
            case 0:
                return TictacCodec.encodeRoot(tree, to, 0);
            case 1:
                return TictacCodec.encodeBranchHashesRequest(tree, random.nextInt(32), 1 + random.nextInt(32), to, 0);
            case 2:
                return TictacCodec.encodeBranchHashes(tree, random.nextInt(32), 1 + random.nextInt(32), to, 0);
            case 3:
                return TictacCodec.encodeSegmentHashesRequest(tree, random.nextInt(64) * 1024 + random.nextInt(512),
                    1 + random.nextInt(512), to, 0);
            case 4:
                return TictacCodec.encodeSegmentHashes(tree, random.nextInt(64) * 1024 + random.nextInt(512),
                    1 + random.nextInt(512), to, 0);
            default:
                final int count = random.nextInt(100);
                final int[] ids = new int[count];
                int id = -1;
                for (int i = 0; i < count; i++)
                {
                    id += 1 + random.nextInt(600);
                    ids[i] = id;
                }
                return TictacCodec.encodeSegmentIds(tree, ids, 0, count, to, 0);
        }
    }

    private static void assertConsistent(final TictacMessage message, final int length)
    {
        assertThat(message.type()).isBetween(TictacCodec.ROOT, TictacCodec.SEGMENT_IDS);
        assertThat(message.length()).isEqualTo(length);
        final int segmentCount = 1 << (message.branchBits() + message.segmentBits());
        switch (message.type())
        {
            case TictacCodec.ROOT:
                assertThat(length).isEqualTo(TictacCodec.ROOT_LENGTH);
                message.root();
                break;
            case TictacCodec.BRANCH_HASHES_REQUEST:
            case TictacCodec.SEGMENT_HASHES_REQUEST:
                assertThat(length).isEqualTo(TictacCodec.REQUEST_LENGTH);
                assertThat(message.count()).isBetween(1, TictacCodec.MAX_HASHES_PER_MESSAGE);
                break;
            case TictacCodec.BRANCH_HASHES:
            case TictacCodec.SEGMENT_HASHES:
                assertThat(length).isEqualTo(TictacCodec.HEADER_LENGTH + 8 * message.count());
                assertThat((long)message.first() + message.count()).isLessThanOrEqualTo(segmentCount);
                message.hash(message.count() - 1);
                break;
            default:
                int previous = -1;
                for (int i = 0; i < message.count(); i++)
                {
                    assertThat(message.segmentId(i)).isGreaterThan(previous).isLessThan(segmentCount);
                    previous = message.segmentId(i);
                }
                break;
        }
    }

    private UnsafeBuffer root()
    {
        TictacCodec.encodeRoot(replica.tree, buffer, 0);
        return buffer;
    }

    private void expectReason(
        final Reason reason, final UnsafeBuffer source, final Consumer<UnsafeBuffer> corrupt, final int length)
    {
        final UnsafeBuffer copy = new UnsafeBuffer(source.byteArray().clone());
        corrupt.accept(copy);
        assertReason(catchThrowable(() -> message.wrap(copy, 0, length)), reason);
    }

    private static void assertReason(final Throwable thrown, final Reason reason)
    {
        assertThat(thrown).isInstanceOf(TictacMessageException.class);
        assertThat(((TictacMessageException)thrown).reason()).isEqualTo(reason);
        assertThat(thrown.getMessage()).startsWith(reason.name() + ": ");
    }

    private static Replica filled(final Replica replica, final int count, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < count; i++)
        {
            replica.put(random.nextLong(), Replica.nonZeroHash(random));
        }
        return replica;
    }
}
