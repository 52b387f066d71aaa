package io.datacake.membership;

import io.datacake.testing.SeededTrials;
import io.datacake.membership.MalformedGossipException.Reason;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static io.datacake.membership.GossipFrame.COUNT_LENGTH;
import static io.datacake.membership.GossipFrame.ENTRY_HEADER_LENGTH;
import static io.datacake.membership.GossipFrame.HEADER_LENGTH;
import static io.datacake.membership.GossipFrame.NODE_HEADER_LENGTH;
import static io.datacake.membership.GossipFrame.ORDER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GossipCodecTest
{
    private static final int BUDGET = 16 * 1024;
    /** In an ACK: the first node's header, then its first entry. */
    private static final int NODE = HEADER_LENGTH + COUNT_LENGTH;
    private static final int ENTRY = NODE + NODE_HEADER_LENGTH;

    private final GossipEncoder encoder = new GossipEncoder();
    private final GossipDecoder decoder = new GossipDecoder();
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(BUDGET));

    private static ClusterState source()
    {
        final ClusterState state = new ClusterState(1, 10, ClusterStateListener.NO_OP);
        state.set("alpha", "1");
        state.set("ключ-日本-\uD83D\uDE00", "unicode key");
        state.set("beta", "22");
        state.delete("beta", 5);
        state.incrementHeartbeat();
        return state;
    }

    private static Digest emptyPeer()
    {
        final Digest digest = new Digest();
        digest.add(2, 20, 0, 0, 0);
        return digest;
    }

    private int ack()
    {
        return encoder.encodeAck(source(), emptyPeer(), null, buffer, 0, BUDGET);
    }

    private int synAck()
    {
        final ClusterState state = source();
        final ClusterState other = new ClusterState(3, 30, ClusterStateListener.NO_OP);
        other.set("x", "y");
        new GossipHarness(4096).exchange(other, state, 0);
        return encoder.encodeSynAck(state, emptyPeer(), null, buffer, 0, BUDGET);
    }

    @Test
    void synCarriesTheDigest()
    {
        final ClusterState state = source();
        final int length = encoder.encodeSyn(state, buffer, 0, BUDGET);
        // Range (4 bytes), row count (1), then the row: id gap 1, generation 8, heartbeat, max and collected version
        // 1 each.
        assertThat(length).isEqualTo(HEADER_LENGTH + 4 + 1 + 1 + 8 + 1 + 1 + 1);
        decoder.wrap(buffer, 0, length);
        assertThat(decoder.type()).isEqualTo(GossipMessageType.SYN);
        assertThat(decoder.deltaNodeCount()).isZero();
        final Digest digest = new Digest();
        decoder.readDigest(digest);
        assertThat(digest.count()).isEqualTo(1);
        assertThat(digest.fromNodeId()).isZero();
        assertThat(digest.toNodeId()).isEqualTo(NodeState.MAX_NODE_ID);
        assertThat(digest.complete()).isTrue();
        assertThat(digest.nodeId(0)).isEqualTo(1);
        assertThat(digest.generation(0)).isEqualTo(10);
        assertThat(digest.heartbeat(0)).isEqualTo(1);
        assertThat(digest.maxVersion(0)).isEqualTo(4);
        assertThatThrownBy(() -> decoder.applyDelta(state, 0)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("no delta");
    }

    @Test
    void synAckCarriesDigestThenDeltaAndAckOnlyTheDelta()
    {
        final int synAckLength = synAck();
        decoder.wrap(buffer, 0, synAckLength);
        assertThat(decoder.type()).isEqualTo(GossipMessageType.SYN_ACK);
        assertThat(decoder.digestCount()).as("one reply row: node 2, unknown here").isEqualTo(1);
        final Digest reply = new Digest();
        decoder.readDigest(reply);
        assertThat(reply.complete()).isFalse();
        assertThat(reply.nodeId(0)).isEqualTo(2);
        assertThat(reply.generation(0)).isZero();
        assertThat(decoder.deltaNodeCount()).isEqualTo(2);
        final ClusterState target = new ClusterState(2, 20, ClusterStateListener.NO_OP);
        assertThat(decoder.applyDelta(target, 0)).isEqualTo(4);
        assertThat(target.node(1).stringValue("ключ-日本-\uD83D\uDE00")).isEqualTo("unicode key");
        assertThat(target.node(1).isDeleted("beta")).isTrue();
        assertThat(target.node(3).stringValue("x")).isEqualTo("y");

        final int ackLength = ack();
        decoder.wrap(buffer, 0, ackLength);
        assertThat(decoder.type()).isEqualTo(GossipMessageType.ACK);
        assertThatThrownBy(() -> decoder.readDigest(new Digest())).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("no digest");
    }

    @Test
    void everyTruncationIsRejectedAndChangesNothing()
    {
        final int length = synAck();
        final ClusterState target = new ClusterState(2, 20, ClusterStateListener.NO_OP);
        final String before = GossipHarness.renderAll(target);
        for (int truncated = 0; truncated < length; truncated++)
        {
            final int cut = truncated;
            assertThatThrownBy(() -> decoder.wrap(buffer, 0, cut).applyDelta(target, 0))
                .isInstanceOf(MalformedGossipException.class)
                .satisfies(ex -> assertThat(((MalformedGossipException)ex).reason())
                    .isIn(Reason.TRUNCATED, Reason.TRAILING_BYTES));
            assertThatThrownBy(decoder::type).isInstanceOf(IllegalStateException.class);
        }
        assertThat(GossipHarness.renderAll(target)).isEqualTo(before);
        assertThatThrownBy(() -> decoder.wrap(buffer, BUDGET - 4, 8)).isInstanceOf(MalformedGossipException.class)
            .hasMessageContaining("outside the buffer");
    }

    @Test
    void eachMalformationIsRejectedWithItsReason()
    {
        assertRejected(0, b -> b.putInt(0, 0xCAFEBABE), Reason.BAD_MAGIC, "magic");
        assertRejected(0, b -> b.putByte(4, (byte)3), Reason.UNSUPPORTED_VERSION, "version 3");
        assertRejected(0, b -> b.putByte(5, (byte)9), Reason.UNKNOWN_TYPE, "type 9");
        assertRejected(0, b -> b.putInt(HEADER_LENGTH, -1), Reason.BAD_COUNT, "count -1");
        assertRejected(0, b -> b.putInt(HEADER_LENGTH, 70_000), Reason.BAD_COUNT, "70000");
        assertRejected(0, b -> b.putInt(HEADER_LENGTH, 2), Reason.TRUNCATED, "inside delta node 1");
        assertRejected(0, b -> b.putInt(HEADER_LENGTH, 1_000), Reason.TRUNCATED, "1000 delta nodes need");
        assertRejected(0, b -> b.putLong(NODE + 2, -5), Reason.NEGATIVE_FIELD, "negative");
        assertRejected(0, b -> b.putInt(NODE + NODE_HEADER_LENGTH - 4, NodeState.MAX_ENTRIES + 1),
            Reason.BAD_COUNT, "entries");
        assertRejected(0, b -> b.putLong(NODE + 26, 0), Reason.BAD_ENTRY_VERSION, "not in");
        assertRejected(0, b -> b.putLong(NODE + 18, 3), Reason.BAD_ENTRY_VERSION, "not in (3, 4]");
        assertRejected(0, b -> b.putLong(NODE + 42, 2), Reason.BAD_ENTRY_VERSION, "of a sender at version 2");
        assertRejected(0, b -> b.putLong(ENTRY, 0), Reason.BAD_ENTRY_VERSION, "version 0");
        assertRejected(0, b -> b.putByte(ENTRY + 8, (byte)6), Reason.BAD_FLAGS, "flags 0x6");
        assertRejected(0, b -> b.putShort(ENTRY + 9, (short)0), Reason.BAD_KEY, "key length 0");
        assertRejected(0, b -> b.putShort(ENTRY + 9, (short)(NodeState.MAX_KEY_LENGTH + 1)), Reason.BAD_KEY,
            "key length 257");
        assertRejected(0, b -> b.putByte(ENTRY + ENTRY_HEADER_LENGTH, (byte)0xC0), Reason.BAD_KEY, "UTF-8");
        assertRejected(0, b -> b.putInt(ENTRY + 11, -1), Reason.BAD_VALUE, "value length -1");
        assertRejected(0, b -> b.putByte(ENTRY + 8, (byte)1), Reason.BAD_VALUE, "tombstone");
        assertRejected(0, b -> b.putInt(ENTRY + 11, 1_000), Reason.TRUNCATED, "inside the key or value");
        assertRejected(1, b ->
        {
        }, Reason.TRAILING_BYTES, "1 bytes after");
    }

    @Test
    void digestRowsOutsideTheirRangeOrOverlongVarintsAreRejected()
    {
        final ClusterState state = source();
        final ClusterState other = new ClusterState(3, 30, ClusterStateListener.NO_OP);
        new GossipHarness(4096).exchange(other, state, 0);
        final int syn = encoder.encodeSyn(state, buffer, 0, BUDGET);
        buffer.putShort(HEADER_LENGTH + 2, (short)2, ORDER);
        assertThatThrownBy(() -> decoder.wrap(buffer, 0, syn)).isInstanceOf(MalformedGossipException.class)
            .hasMessageContaining("names node 3, outside the range 0..2")
            .extracting(ex -> ((MalformedGossipException)ex).reason()).isEqualTo(Reason.BAD_NODE_ORDER);
        buffer.putShort(HEADER_LENGTH, (short)3, ORDER);
        assertThatThrownBy(() -> decoder.wrap(buffer, 0, syn)).isInstanceOf(MalformedGossipException.class)
            .hasMessageContaining("range 3..2 is empty")
            .extracting(ex -> ((MalformedGossipException)ex).reason()).isEqualTo(Reason.BAD_NODE_ORDER);

        final int rows = HEADER_LENGTH + 4;
        final int synAgain = encoder.encodeSyn(state, buffer, 0, BUDGET);
        buffer.putByte(rows, (byte)0x82);
        buffer.putByte(rows + 1, (byte)0x00);
        assertThatThrownBy(() -> decoder.wrap(buffer, 0, synAgain)).isInstanceOf(MalformedGossipException.class)
            .hasMessageContaining("shortest form")
            .extracting(ex -> ((MalformedGossipException)ex).reason()).isEqualTo(Reason.BAD_VARINT);
        for (int i = 0; i < 10; i++)
        {
            buffer.putByte(rows + i, (byte)0xFF);
        }
        assertThatThrownBy(() -> decoder.wrap(buffer, 0, synAgain)).isInstanceOf(MalformedGossipException.class)
            .extracting(ex -> ((MalformedGossipException)ex).reason()).isEqualTo(Reason.BAD_VARINT);
    }

    @Test
    void varintsRoundTripAtEveryLengthBoundary()
    {
        final long[] values = {0, 1, 127, 128, 16_383, 16_384, (1L << 35) - 1, 1L << 35, (1L << 56) - 1, 1L << 56,
            Long.MAX_VALUE};
        final ClusterState state = new ClusterState(65_535, Long.MAX_VALUE, ClusterStateListener.NO_OP);
        for (final long value : values)
        {
            final int end = Varint.put(buffer, 100, value);
            assertThat(end - 100).as("length of " + value).isEqualTo(Varint.length(value))
                .isBetween(1, Varint.MAX_LENGTH);
        }
        for (int i = 0; i < 300; i++)
        {
            state.incrementHeartbeat();
        }
        final int length = encoder.encodeSyn(state, buffer, 0, BUDGET);
        final Digest digest = new Digest();
        decoder.wrap(buffer, 0, length).readDigest(digest);
        assertThat(digest.nodeId(0)).isEqualTo(65_535);
        assertThat(digest.generation(0)).isEqualTo(Long.MAX_VALUE);
        assertThat(digest.heartbeat(0)).isEqualTo(300);
    }

    @Test
    void aSynAckReplyDigestListsOnlyTheMembersOnWhichTheViewsDiffer()
    {
        final ClusterState initiator = new ClusterState(1, 10, ClusterStateListener.NO_OP);
        final ClusterState responder = new ClusterState(2, 20, ClusterStateListener.NO_OP);
        final GossipHarness harness = new GossipHarness(4096);
        for (int nodeId = 3; nodeId <= 8; nodeId++)
        {
            final ClusterState member = new ClusterState(nodeId, nodeId * 100L, ClusterStateListener.NO_OP);
            member.set("k", "v" + nodeId);
            harness.exchange(member, initiator, 0);
            harness.exchange(member, responder, 0);
        }
        harness.converge(initiator, responder, 0, 10);
        final ClusterState stranger = new ClusterState(9, 900, ClusterStateListener.NO_OP);
        harness.exchange(stranger, initiator, 0);
        responder.incrementHeartbeat();
        responder.incrementHeartbeat();

        final int syn = encoder.encodeSyn(initiator, buffer, 0, BUDGET);
        final Digest synDigest = new Digest();
        decoder.wrap(buffer, 0, syn).readDigest(synDigest);
        assertThat(synDigest.count()).as("the SYN lists every member").isEqualTo(9);
        final int synAck = encoder.encodeSynAck(responder, synDigest, null, buffer, 0, BUDGET);
        final Digest reply = new Digest();
        decoder.wrap(buffer, 0, synAck).readDigest(reply);
        assertThat(reply.count()).as("the responder's newer heartbeat and the member it lacks").isEqualTo(2);
        assertThat(reply.nodeId(0)).isEqualTo(2);
        assertThat(reply.heartbeat(0)).isEqualTo(responder.self().heartbeat());
        assertThat(reply.nodeId(1)).isEqualTo(9);
        assertThat(reply.generation(1)).as("unknown here").isZero();

        final int ack = encoder.encodeAck(initiator, reply, null, buffer, 0, BUDGET);
        decoder.wrap(buffer, 0, ack).applyDelta(responder, 0);
        assertThat(responder.node(9)).as("the ACK brings the member the responder lacked").isNotNull();
        assertThat(encoder.lastDeltaNodeCount()).as("and nothing the reply did not ask for").isEqualTo(1);
    }

    @Test
    void aSynDigestTooLargeForTheBudgetIsSplitOverSuccessiveSynsCoveringEveryMember()
    {
        final ClusterState state = new ClusterState(1, 10, ClusterStateListener.NO_OP);
        final ClusterState other = new ClusterState(2, 20, ClusterStateListener.NO_OP);
        final GossipHarness harness = new GossipHarness(4096);
        for (int nodeId = 3; nodeId <= 60; nodeId++)
        {
            final ClusterState member = new ClusterState(nodeId * 7, 1_000_000_000_000L + nodeId,
                ClusterStateListener.NO_OP);
            member.set("k", "v");
            harness.exchange(member, state, 0);
        }
        assertThat(state.nodeCount()).isEqualTo(59);
        final int budget = GossipEncoder.MIN_SYN_FRAME_LENGTH + 200;
        final java.util.Set<Integer> seen = new java.util.TreeSet<>();
        int nextFrom = 0;
        int syns = 0;
        do
        {
            final int length = encoder.encodeSyn(state, buffer, 0, budget);
            assertThat(length).isLessThanOrEqualTo(budget);
            final Digest digest = new Digest();
            decoder.wrap(buffer, 0, length).readDigest(digest);
            assertThat(digest.fromNodeId()).as("each SYN continues where the last stopped").isEqualTo(nextFrom);
            for (int i = 0; i < digest.count(); i++)
            {
                assertThat(digest.covers(digest.nodeId(i))).isTrue();
                seen.add(digest.nodeId(i));
            }
            nextFrom = digest.toNodeId() == NodeState.MAX_NODE_ID ? 0 : digest.toNodeId() + 1;
            syns++;
        }
        while (0 != nextFrom);
        assertThat(syns).as("the digest needs several frames").isGreaterThan(2);
        assertThat(seen).hasSize(59);
    }

    private interface Corruption
    {
        void apply(UnsafeBuffer buffer);
    }

    private void assertRejected(final int extraBytes, final Corruption corruption, final Reason reason,
        final String message)
    {
        final int length = ack() + extraBytes;
        corruption.apply(buffer);
        final ClusterState target = new ClusterState(2, 20, ClusterStateListener.NO_OP);
        assertThatThrownBy(() -> decoder.wrap(buffer, 0, length).applyDelta(target, 0))
            .isInstanceOf(MalformedGossipException.class)
            .hasMessageContaining(message)
            .extracting(ex -> ((MalformedGossipException)ex).reason()).isEqualTo(reason);
        assertThat(target.nodeCount()).isEqualTo(1);
    }

    @Test
    void randomCorruptionIsRejectedCleanlyOrDecodesToAValidFrame()
    {
        final int[] outcomes = new int[2];
        SeededTrials.run("gossip frame fuzz", 3_000, random ->
        {
            final int length = synAck();
            int corruptedLength = length;
            final int edits = 1 + random.nextInt(4);
            for (int i = 0; i < edits; i++)
            {
                switch (random.nextInt(4))
                {
                    case 0:
                        buffer.putByte(random.nextInt(length), (byte)random.nextInt(256));
                        break;
                    case 1:
                        final int bit = random.nextInt(length * 8);
                        buffer.putByte(bit / 8, (byte)(buffer.getByte(bit / 8) ^ (1 << (bit % 8))));
                        break;
                    case 2:
                        corruptedLength = random.nextInt(corruptedLength + 1);
                        break;
                    default:
                        final int at = random.nextInt(length - 4);
                        buffer.putInt(at, random.nextBoolean() ? random.nextInt() : random.nextInt(64) - 8, ORDER);
                        break;
                }
            }

            final ClusterState target = new ClusterState(2, 20, ClusterStateListener.NO_OP);
            target.set("own", "state");
            final String before = GossipHarness.renderAll(target);
            final int frameLength = corruptedLength;
            try
            {
                decoder.wrap(buffer, 0, frameLength);
            }
            catch (final MalformedGossipException ex)
            {
                assertThat(GossipHarness.renderAll(target)).isEqualTo(before);
                outcomes[0]++;
                return;
            }
            outcomes[1]++;
            if (decoder.type().hasDigest())
            {
                decoder.readDigest(new Digest());
            }
            if (decoder.type().hasDelta())
            {
                decoder.applyDelta(target, 0);
                decoder.applyDelta(target, 0);
            }
            assertThat(target.self().stringValue("own")).isEqualTo("state");
        });
        assertThat(outcomes[0]).as("most corruptions are caught").isGreaterThan(outcomes[1]);
    }

    @Test
    void keysMustBeStrictUtf8()
    {
        assertThat(isValid(0x41, 0xD0, 0xBA, 0xE6, 0x97, 0xA5, 0xF0, 0x9F, 0x98, 0x80)).isTrue();
        assertThat(isValid(0xC0, 0x80)).as("overlong").isFalse();
        assertThat(isValid(0xE0, 0x80, 0x80)).as("overlong").isFalse();
        assertThat(isValid(0xED, 0xA0, 0x80)).as("surrogate").isFalse();
        assertThat(isValid(0xF4, 0x90, 0x80, 0x80)).as("above U+10FFFF").isFalse();
        assertThat(isValid(0xE2, 0x82)).as("truncated").isFalse();
        assertThat(isValid(0x80)).as("stray continuation").isFalse();
        assertThat(isValid(0xF8, 0x80, 0x80, 0x80, 0x80)).as("five-byte form").isFalse();
        assertThat(isValid(0xC3, 0x41)).as("bad continuation").isFalse();
    }

    private static boolean isValid(final int... bytes)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[bytes.length + 2]);
        for (int i = 0; i < bytes.length; i++)
        {
            key.putByte(i + 1, (byte)bytes[i]);
        }
        return Utf8.isValid(key, 1, bytes.length);
    }

    @Test
    void encoderRejectsBudgetsItCannotHonour()
    {
        final ClusterState state = source();
        assertThatThrownBy(() -> encoder.encodeSyn(state, buffer, 0, HEADER_LENGTH + 10))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below a SYN with one digest row");
        assertThatThrownBy(() -> encoder.encodeSyn(state, buffer, BUDGET - 10, 100))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the buffer");
        assertThatThrownBy(() -> encoder.encodeAck(state, emptyPeer(), null, buffer, 0, 11))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty ACK");
        final int emptyAck = encoder.encodeAck(state, emptyPeer(), null, buffer, 0, HEADER_LENGTH + COUNT_LENGTH);
        assertThat(emptyAck).isEqualTo(HEADER_LENGTH + COUNT_LENGTH);
        assertThat(encoder.lastDeltaTruncated()).isTrue();
        assertThat(decoder.wrap(buffer, 0, emptyAck).deltaNodeCount()).isZero();
    }
}
