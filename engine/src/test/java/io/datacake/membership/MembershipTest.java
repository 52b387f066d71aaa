package io.datacake.membership;

import io.datacake.testing.SeededTrials;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several {@link Membership} cores gossiping in virtual time, frames passed in memory: discovery through a seed,
 * crash detection, forgetting, revival and restart.
 */
class MembershipTest
{
    private static final int FRAME_LENGTH = 16 * 1024;
    private static final long ROUND_MS = 1_000;
    private static final long DEAD_GRACE_MS = 120_000;
    private static final int[] SEEDS = { 1 };

    private final TreeMap<Integer, SimNode> nodes = new TreeMap<>();
    private final SimNode[] nodeArray = new SimNode[16];
    private final UnsafeBuffer syn = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_LENGTH));
    private final UnsafeBuffer synAck = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_LENGTH));
    private final UnsafeBuffer ack = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_LENGTH));
    private final UnsafeBuffer none = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_LENGTH));
    private final int[] targets = new int[GossipTargets.DEFAULT_LIVE_FANOUT + GossipTargets.EXTRA_TARGETS];
    private SplittableRandom random;
    private long nowMs;

    private static final class SimNode implements MembershipListener
    {
        final Membership membership;
        final List<String> events = new ArrayList<>();
        boolean up = true;

        SimNode(final int id, final long generation)
        {
            membership = new Membership(id, generation,
                new FailureDetector(8.0, 1_000, 10_000, ROUND_MS, DEAD_GRACE_MS),
                new LocalHealth(LocalHealth.DEFAULT_MAX_SCORE, ROUND_MS, LocalHealth.DEFAULT_HEALTHY_TICKS_TO_DECAY),
                new GossipTargets(GossipTargets.DEFAULT_LIVE_FANOUT), 60_000, this);
            membership.state().set("address", "node-" + id + "/" + generation);
        }

        public void onMemberJoined(final int nodeId, final long generation, final boolean restarted)
        {
            events.add((restarted ? "restarted " : "joined ") + nodeId + "/" + generation);
        }

        public void onMemberDead(final int nodeId, final long generation)
        {
            events.add("dead " + nodeId);
        }

        public void onMemberRevived(final int nodeId, final long generation)
        {
            events.add("revived " + nodeId);
        }

        public void onMemberLeft(final int nodeId)
        {
            events.add("left " + nodeId);
        }

        List<String> membershipEvents(final int about)
        {
            final List<String> matching = new ArrayList<>();
            for (final String event : events)
            {
                if (event.endsWith(" " + about) || event.contains(" " + about + "/"))
                {
                    matching.add(event);
                }
            }
            return matching;
        }
    }

    private void start(final int... ids)
    {
        random = new SplittableRandom(SeededTrials.seed("membership simulation"));
        for (final int id : ids)
        {
            put(id, new SimNode(id, 1));
        }
    }

    private void put(final int id, final SimNode node)
    {
        nodes.put(id, node);
        nodeArray[id] = node;
    }

    private void round()
    {
        nowMs += ROUND_MS;
        for (int n = 0; n < nodeArray.length; n++)
        {
            final SimNode node = nodeArray[n];
            if (null == node || !node.up)
            {
                continue;
            }
            node.membership.onGossipRound(nowMs);
            final int count = node.membership.selectTargets(SEEDS, SEEDS.length, random, targets);
            for (int i = 0; i < count; i++)
            {
                final SimNode peer = targets[i] < nodeArray.length ? nodeArray[targets[i]] : null;
                if (null != peer && peer.up)
                {
                    exchange(node.membership, peer.membership);
                }
            }
        }
    }

    private void exchange(final Membership initiator, final Membership responder)
    {
        final int synLength = initiator.encodeSyn(syn, 0, FRAME_LENGTH);
        final int synAckLength = responder.onFrame(syn, 0, synLength, nowMs, synAck, 0, FRAME_LENGTH);
        final int ackLength = initiator.onFrame(synAck, 0, synAckLength, nowMs, ack, 0, FRAME_LENGTH);
        if (0 != responder.onFrame(ack, 0, ackLength, nowMs, none, 0, FRAME_LENGTH))
        {
            throw new AssertionError("an ACK has no reply");
        }
    }

    private void roundsUntil(final int maxRounds, final java.util.function.BooleanSupplier condition)
    {
        for (int i = 0; i < maxRounds; i++)
        {
            if (condition.getAsBoolean())
            {
                return;
            }
            round();
        }
        assertThat(condition.getAsBoolean()).as("condition within " + maxRounds + " rounds").isTrue();
    }

    private boolean allUpSee(final int liveCount)
    {
        return nodes.values().stream().filter(n -> n.up).allMatch(n -> n.membership.liveCount() == liveCount);
    }

    @Test
    void nodesDiscoverEachOtherThroughASeed()
    {
        start(1, 2, 3, 4, 5);
        roundsUntil(30, () -> allUpSee(4));
        for (final var entry : nodes.entrySet())
        {
            final int id = entry.getKey();
            final ClusterState state = entry.getValue().membership.state();
            assertThat(state.nodeCount()).isEqualTo(5);
            for (int other = 1; other <= 5; other++)
            {
                assertThat(state.node(other).stringValue("address")).isEqualTo("node-" + other + "/1");
                if (other != id)
                {
                    assertThat(entry.getValue().membershipEvents(other)).containsExactly("joined " + other + "/1");
                }
            }
        }
    }

    @Test
    void aCrashedNodeIsDeclaredDeadThenForgottenEverywhere()
    {
        start(1, 2, 3, 4, 5);
        roundsUntil(30, () -> allUpSee(4));
        nodes.get(5).up = false;

        roundsUntil(60, () -> nodes.values().stream().filter(n -> n.up).allMatch(n -> n.membership.detector()
            .isDead(5)));
        assertThat(allUpSee(3)).isTrue();

        roundsUntil((int)(DEAD_GRACE_MS / ROUND_MS) + 30, () -> nodes.values().stream().filter(n -> n.up)
            .allMatch(n -> null == n.membership.state().node(5)));
        for (int round = 0; round < 100; round++)
        {
            round();
        }
        for (int id = 1; id <= 4; id++)
        {
            final SimNode node = nodes.get(id);
            assertThat(node.membership.state().node(5)).as("not revived by peers' gossip").isNull();
            assertThat(node.membershipEvents(5)).containsExactly("joined 5/1", "dead 5", "left 5");
        }
    }

    @Test
    void aPausedNodeIsRevivedWhenItBeatsAgain()
    {
        start(1, 2, 3, 4, 5);
        roundsUntil(30, () -> allUpSee(4));
        nodes.get(4).up = false;
        roundsUntil(60, () -> nodes.get(1).membership.detector().isDead(4));
        nodes.get(4).up = true;
        roundsUntil(30, () -> allUpSee(4));
        assertThat(nodes.get(1).membershipEvents(4)).containsExactly("joined 4/1", "dead 4", "revived 4");
    }

    @Test
    void malformedFramesAreDroppedCountedAndChangeNothing()
    {
        start(1, 2);
        roundsUntil(30, () -> allUpSee(1));
        final Membership one = nodes.get(1).membership;
        final Membership two = nodes.get(2).membership;
        two.state().set("fresh", "value");
        final int synLength = one.encodeSyn(syn, 0, FRAME_LENGTH);
        final int synAckLength = two.onFrame(syn, 0, synLength, nowMs, synAck, 0, FRAME_LENGTH);
        final String before = GossipHarness.renderAll(one.state());

        assertThat(one.onFrame(synAck, 0, synAckLength - 1, nowMs, ack, 0, FRAME_LENGTH)).isZero();
        assertThat(one.onFrame(synAck, 0, 3, nowMs, ack, 0, FRAME_LENGTH)).isZero();
        assertThat(one.droppedFrames(MalformedGossipException.Reason.TRUNCATED)).isEqualTo(2);
        synAck.putByte(synAckLength - 6, (byte)0xFF);
        assertThat(one.onFrame(synAck, 0, synAckLength, nowMs, ack, 0, FRAME_LENGTH)).isZero();
        assertThat(one.droppedFrames(MalformedGossipException.Reason.BAD_KEY)).isEqualTo(1);
        assertThat(GossipHarness.renderAll(one.state())).isEqualTo(before);

        assertThat(two.onFrame(syn, 0, synLength, nowMs, synAck, 0, 30)).as("reply digest cut short").isPositive();
        assertThat(two.repliesTooLarge()).isEqualTo(1);
    }

    @Test
    void steadyStateGossipAllocatesNothing()
    {
        start(1, 2, 3);
        roundsUntil(30, () -> allUpSee(2));
        for (int i = 0; i < 2_000; i++)
        {
            round();
        }
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000; i++)
        {
            round();
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allSeeAll(3)).isTrue();
        assertThat(allocated).as("bytes allocated by 1,000 rounds of 3 nodes").isLessThan(4_096);
    }

    private boolean allSeeAll(final int count)
    {
        return nodes.values().stream().allMatch(n -> n.membership.state().nodeCount() == count);
    }

    @Test
    void aRestartedNodeRejoinsWithItsNewState()
    {
        start(1, 2, 3, 4, 5);
        nodes.get(3).membership.state().set("old-only", "x");
        roundsUntil(30, () -> allUpSee(4) &&
            nodes.values().stream().allMatch(n -> n.membership.state().node(3).containsKey("old-only")));

        nodes.get(3).up = false;
        roundsUntil(60, () -> nodes.get(1).membership.detector().isDead(3));
        put(3, new SimNode(3, 2));
        roundsUntil(30, () -> allUpSee(4) &&
            nodes.values().stream().allMatch(n -> n.membership.state().node(3).generation() == 2));

        for (final int id : new int[]{ 1, 2, 4, 5 })
        {
            final NodeState three = nodes.get(id).membership.state().node(3);
            assertThat(three.containsKey("old-only")).isFalse();
            assertThat(three.stringValue("address")).isEqualTo("node-3/2");
            assertThat(nodes.get(id).membershipEvents(3)).startsWith("joined 3/1").endsWith("restarted 3/2");
        }
    }
}
