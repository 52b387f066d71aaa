package io.datacake.membership;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.datacake.testing.FuzzInputs;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Gossip frames as a member receives them ({@link Membership#onFrame}), mutated from real SYN, SYN_ACK and ACK
 * frames: a frame never throws, a dropped frame is counted by reason and changes nothing, and a reply stays within
 * its budget. The default run replays a seeded slice of {@value FuzzInputs#DEFAULT_RUNS} inputs; {@code -Pfuzz}
 * lets Jazzer steer the same mutations.
 */
final class GossipFuzzTest
{
    private static final int BUDGET = 8 * 1024;
    private static final List<byte[]> SEEDS = seeds();

    private final UnsafeBuffer reply = new UnsafeBuffer(ByteBuffer.allocateDirect(BUDGET));

    @Test
    void mutatedFramesAreDroppedWholeOrAppliedWithinBounds()
    {
        final int runs = FuzzInputs.runSlice("gossip frames", SEEDS, this::receive);
        assertThat(runs).isGreaterThan(SEEDS.size());
    }

    @FuzzTest(maxDuration = "60s")
    void gossipFrame(final FuzzedDataProvider data)
    {
        receive(FuzzInputs.mutate(SEEDS, FuzzInputs.from(data)));
    }

    private void receive(final byte[] frame)
    {
        final Membership membership = member(2, 20);
        final String before = GossipHarness.renderAll(membership.state());
        final long droppedBefore = dropped(membership);
        // The frame sits at an offset in a larger buffer, as it does inside an RPC body.
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[frame.length + 16]);
        buffer.putBytes(8, frame);

        final int replyLength = membership.onFrame(buffer, 8, frame.length, 1_000, reply, 0, BUDGET);

        assertThat(replyLength).isBetween(0, BUDGET);
        if (dropped(membership) != droppedBefore)
        {
            assertThat(replyLength).isZero();
            assertThat(GossipHarness.renderAll(membership.state())).isEqualTo(before);
        }
        else if (replyLength > 0)
        {
            // A reply this node wrote must itself decode.
            new GossipDecoder().wrap(reply, 0, replyLength);
        }
    }

    private static long dropped(final Membership membership)
    {
        long total = 0;
        for (final MalformedGossipException.Reason reason : MalformedGossipException.Reason.values())
        {
            total += membership.droppedFrames(reason);
        }
        return total;
    }

    private static Membership member(final int nodeId, final long generation)
    {
        final Membership membership = new Membership(nodeId, generation,
            new FailureDetector(8.0, 1_000, 10_000, 1_000, 60_000),
            new LocalHealth(LocalHealth.DEFAULT_MAX_SCORE, 1_000, LocalHealth.DEFAULT_HEALTHY_TICKS_TO_DECAY),
            new GossipTargets(GossipTargets.DEFAULT_LIVE_FANOUT), 60_000, MembershipListener.NO_OP);
        membership.state().set("address", "node-" + nodeId);
        return membership;
    }

    /** A SYN, a SYN_ACK and an ACK from a member that knows three nodes, one key deleted, one non-ASCII. */
    private static List<byte[]> seeds()
    {
        final ClusterState source = new ClusterState(1, 10, ClusterStateListener.NO_OP);
        source.set("alpha", "1");
        source.set("ключ-日本", "unicode key");
        source.set("beta", "22");
        source.delete("beta", 5);
        source.incrementHeartbeat();
        final ClusterState third = new ClusterState(3, 30, ClusterStateListener.NO_OP);
        third.set("x", "y");
        new GossipHarness(BUDGET).exchange(third, source, 0);

        final Digest peer = new Digest();
        peer.add(2, 20, 0, 0, 0);
        final GossipEncoder encoder = new GossipEncoder();
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(BUDGET));
        final List<byte[]> seeds = new ArrayList<>();
        seeds.add(copy(buffer, encoder.encodeSyn(source, buffer, 0, BUDGET)));
        seeds.add(copy(buffer, encoder.encodeSynAck(source, peer, null, buffer, 0, BUDGET)));
        seeds.add(copy(buffer, encoder.encodeAck(source, peer, null, buffer, 0, BUDGET)));
        return List.copyOf(seeds);
    }

    private static byte[] copy(final UnsafeBuffer buffer, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }
}
