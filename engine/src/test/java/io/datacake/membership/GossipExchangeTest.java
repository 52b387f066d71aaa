package io.datacake.membership;

import io.datacake.testing.SeededTrials;
import org.agrona.collections.IntHashSet;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class GossipExchangeTest
{
    @Test
    void oneExchangeReconcilesBothWays()
    {
        final ClusterState a = new ClusterState(1, 10, ClusterStateListener.NO_OP);
        final ClusterState b = new ClusterState(2, 20, ClusterStateListener.NO_OP);
        a.set("role", "db");
        a.set("port", "7000");
        b.set("role", "cache");
        b.delete("role", 0);
        b.set("zone", "eu");

        final GossipHarness harness = new GossipHarness(64 * 1024);
        assertThat(harness.exchange(a, b, 0)).isEqualTo(2 + 2);
        assertThat(GossipHarness.render(a)).isEqualTo(GossipHarness.render(b));
        assertThat(a.node(2).isDeleted("role")).isTrue();
        assertThat(a.node(2).stringValue("zone")).isEqualTo("eu");
        assertThat(b.node(1).stringValue("port")).isEqualTo("7000");
        assertThat(harness.exchange(a, b, 0)).as("nothing left to send").isZero();
    }

    @Test
    void applyingTheSameDeltaTwiceChangesNothing()
    {
        final ClusterState a = new ClusterState(1, 10, ClusterStateListener.NO_OP);
        final ClusterState b = new ClusterState(2, 20, ClusterStateListener.NO_OP);
        for (int i = 0; i < 20; i++)
        {
            a.set("k" + i, "v" + i);
        }
        final Digest digest = new Digest();
        b.digest(digest);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(8192));
        final int length = new GossipEncoder().encodeAck(a, digest, null, buffer, 0, 8192);
        final GossipDecoder decoder = new GossipDecoder();

        assertThat(decoder.wrap(buffer, 0, length).applyDelta(b, 0)).isEqualTo(20);
        final String once = GossipHarness.renderAll(b);
        assertThat(decoder.wrap(buffer, 0, length).applyDelta(b, 0)).isZero();
        assertThat(GossipHarness.renderAll(b)).isEqualTo(once);
    }

    @Test
    void aDeltaLargerThanTheFrameIsSplitAcrossRounds()
    {
        final ClusterState a = new ClusterState(1, 10, ClusterStateListener.NO_OP);
        final ClusterState b = new ClusterState(2, 20, ClusterStateListener.NO_OP);
        for (int i = 0; i < 2_000; i++)
        {
            a.set("key-" + i, "x".repeat(200));
        }
        final int budget = 8 * 1024;
        final GossipHarness harness = new GossipHarness(budget);
        final int rounds = harness.converge(a, b, 0, 1_000);

        assertThat(GossipHarness.render(b)).isEqualTo(GossipHarness.render(a));
        final int stateBytes = 2_000 * (200 + 8);
        assertThat(rounds).isGreaterThanOrEqualTo(stateBytes / budget);
        assertThat(harness.maxFrameLength).isLessThanOrEqualTo(budget);
    }

    @Test
    void theSmallestBudgetStillMovesTheLargestEntries()
    {
        final ClusterState a = new ClusterState(1, 10, ClusterStateListener.NO_OP);
        final ClusterState b = new ClusterState(2, 20, ClusterStateListener.NO_OP);
        for (int i = 0; i < 5; i++)
        {
            a.set(String.valueOf(i).repeat(NodeState.MAX_KEY_LENGTH), new byte[NodeState.MAX_VALUE_LENGTH]);
        }
        final Digest digest = new Digest();
        final GossipEncoder encoder = new GossipEncoder();
        final GossipDecoder decoder = new GossipDecoder();
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(GossipEncoder.MIN_DELTA_FRAME_LENGTH));
        for (int round = 1; round <= 5; round++)
        {
            b.digest(digest);
            final int length = encoder.encodeAck(a, digest, null, buffer, 0, GossipEncoder.MIN_DELTA_FRAME_LENGTH);
            assertThat(encoder.lastDeltaEntryCount()).isEqualTo(1);
            assertThat(encoder.lastDeltaTruncated()).isEqualTo(round < 5);
            decoder.wrap(buffer, 0, length).applyDelta(b, 0);
            assertThat(b.node(1).maxVersion()).isEqualTo(round);
        }
        assertThat(GossipHarness.render(b.node(1))).isEqualTo(GossipHarness.render(a.self()));
    }

    @Test
    void manyMembersWithLargeStatesConvergeThroughSmallFrames()
    {
        final long seed = SeededTrials.seed("many members");
        final SplittableRandom random = new SplittableRandom(seed);
        final int members = 40;
        final List<ClusterState> states = new ArrayList<>();
        for (int id = 0; id < members; id++)
        {
            final ClusterState state = new ClusterState(id * 1_000, 1, ClusterStateListener.NO_OP);
            for (int k = 0, keys = 20 + random.nextInt(80); k < keys; k++)
            {
                state.set("k" + random.nextInt(60), "v".repeat(1 + random.nextInt(300)));
                if (random.nextInt(10) == 0)
                {
                    state.delete("k" + random.nextInt(60), 0);
                }
            }
            states.add(state);
        }
        final GossipHarness harness = new GossipHarness(16 * 1024);
        boolean converged = false;
        for (int round = 0; round < 5_000 && !converged; round++)
        {
            final int i = random.nextInt(members);
            final int j = (i + 1 + random.nextInt(members - 1)) % members;
            harness.exchange(states.get(i), states.get(j), 0);
            if (round % 50 == 0)
            {
                converged = allEqual(states);
            }
        }
        assertThat(allEqual(states)).as("views converge, seed " + seed).isTrue();
        assertThat(states.get(0).nodeCount()).isEqualTo(members);
    }

    private static boolean allEqual(final List<ClusterState> states)
    {
        final String first = GossipHarness.render(states.get(0));
        for (final ClusterState state : states)
        {
            if (!GossipHarness.render(state).equals(first))
            {
                return false;
            }
        }
        return true;
    }

    @Test
    void aRestartedMemberReplacesItsOldGeneration()
    {
        final List<String> joins = new ArrayList<>();
        final ClusterStateListener listener = new ClusterStateListener()
        {
            public void onNodeJoined(final int nodeId, final long generation, final boolean restarted)
            {
                joins.add(nodeId + "/" + generation + (restarted ? " restarted" : ""));
            }
        };
        final ClusterState old = new ClusterState(1, 10, ClusterStateListener.NO_OP);
        final ClusterState b = new ClusterState(2, 20, listener);
        old.set("stale", "yes");
        old.set("shared", "old");
        final GossipHarness harness = new GossipHarness(4096);
        harness.exchange(old, b, 0);

        final ClusterState restarted = new ClusterState(1, 11, ClusterStateListener.NO_OP);
        restarted.set("shared", "new");
        harness.exchange(restarted, b, 0);

        assertThat(b.node(1).generation()).isEqualTo(11);
        assertThat(b.node(1).containsKey("stale")).isFalse();
        assertThat(b.node(1).stringValue("shared")).isEqualTo("new");
        assertThat(joins).containsExactly("1/10", "1/11 restarted");

        // The old incarnation gossiping again cannot bring its state back.
        harness.exchange(old, b, 0);
        assertThat(b.node(1).generation()).isEqualTo(11);
        assertThat(b.node(1).containsKey("stale")).isFalse();
        assertThat(old.node(1).generation()).as("a node never takes others' view of itself").isEqualTo(10);
    }

    @Test
    void aPeerThatMissedACollectedDeletionRebuildsTheMember()
    {
        final ClusterState a = new ClusterState(1, 10, ClusterStateListener.NO_OP);
        final ClusterState b = new ClusterState(2, 20, ClusterStateListener.NO_OP);
        a.set("gone", "soon");
        a.set("kept", "1");
        final GossipHarness harness = new GossipHarness(4096);
        harness.exchange(a, b, 0);
        assertThat(b.node(1).containsKey("gone")).isTrue();

        a.delete("gone", 100);
        a.set("later", "2");
        a.collectTombstones(1_000, 500);
        assertThat(a.self().lastGcVersion()).isEqualTo(3);

        harness.exchange(a, b, 2_000);
        assertThat(b.node(1).containsKey("gone")).as("the deletion arrives although its tombstone is gone").isFalse();
        assertThat(GossipHarness.render(b)).isEqualTo(GossipHarness.render(a));
        assertThat(b.node(1).lastGcVersion()).isEqualTo(3);
        assertThat(harness.exchange(a, b, 2_000)).isZero();
    }

    @Test
    void aRebuildLargerThanOneFrameStillCompletes()
    {
        final ClusterState a = new ClusterState(1, 10, ClusterStateListener.NO_OP);
        final ClusterState b = new ClusterState(2, 20, ClusterStateListener.NO_OP);
        a.set("gone", "x");
        final GossipHarness harness = new GossipHarness(4096);
        harness.exchange(a, b, 0);
        for (int i = 0; i < 300; i++)
        {
            a.set("k" + i, "y".repeat(100));
        }
        a.delete("gone", 0);
        a.collectTombstones(10, 5);

        harness.converge(a, b, 20, 100);
        assertThat(GossipHarness.render(b)).isEqualTo(GossipHarness.render(a));
        assertThat(b.node(1).containsKey("gone")).isFalse();
    }

    @Test
    void aPeerRebuildingAfterCollectedDeletionsTakesNothingFromALessInformedView()
    {
        final ClusterState owner = new ClusterState(2, 1, ClusterStateListener.NO_OP);
        final ClusterState stale = new ClusterState(1, 1, ClusterStateListener.NO_OP);
        final ClusterState rebuilding = new ClusterState(3, 1, ClusterStateListener.NO_OP);
        final byte[] big = new byte[NodeState.MAX_VALUE_LENGTH];
        owner.set("a", big);
        owner.set("doomed", "x");
        owner.set("b", big);
        new GossipHarness(64 * 1024).exchange(owner, stale, 0);
        owner.set("c", big);
        owner.delete("doomed", 10);
        owner.set("d", big);
        owner.collectTombstones(100, 10);
        assertThat(owner.self().lastGcVersion()).isEqualTo(5);

        // A frame that fits one entry: the rebuild from the owner stops after "a".
        final Digest digest = new Digest();
        rebuilding.digest(digest);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
        final GossipEncoder encoder = new GossipEncoder();
        final GossipDecoder decoder = new GossipDecoder();
        int length = encoder.encodeAck(owner, digest, null, buffer, 0, GossipEncoder.MIN_DELTA_FRAME_LENGTH);
        decoder.wrap(buffer, 0, length).applyDelta(rebuilding, 100);
        assertThat(rebuilding.node(2).maxVersion()).isEqualTo(1);
        assertThat(rebuilding.node(2).lastGcVersion()).isEqualTo(5);

        // The stale view still holds "doomed" live: it must not offer it, and a forged offer must be refused.
        rebuilding.digest(digest);
        encoder.encodeAck(stale, digest, null, buffer, 0, 64 * 1024);
        assertThat(encoder.lastDeltaEntryCount()).isZero();
        final Digest staleDigest = new Digest();
        staleDigest.add(2, 1, 0, 1, 0);
        length = encoder.encodeAck(stale, staleDigest, null, buffer, 0, 64 * 1024);
        assertThat(encoder.lastDeltaEntryCount()).isEqualTo(2);
        decoder.wrap(buffer, 0, length).applyDelta(rebuilding, 100);
        assertThat(rebuilding.node(2).containsKey("doomed")).isFalse();
        assertThat(rebuilding.node(2).maxVersion()).isEqualTo(1);

        new GossipHarness(64 * 1024).converge(owner, rebuilding, 100, 10);
        assertThat(GossipHarness.render(rebuilding.node(2))).isEqualTo(GossipHarness.render(owner.self()));
    }

    @Test
    void deltaSendsMembersThePeerDoesNotKnowFirstThenTheMostStale()
    {
        final ClusterState a = new ClusterState(1, 10, ClusterStateListener.NO_OP);
        final ClusterState x = new ClusterState(5, 1, ClusterStateListener.NO_OP);
        final ClusterState y = new ClusterState(6, 1, ClusterStateListener.NO_OP);
        final ClusterState z = new ClusterState(7, 1, ClusterStateListener.NO_OP);
        final ClusterState peer = new ClusterState(2, 20, ClusterStateListener.NO_OP);
        final GossipHarness harness = new GossipHarness(64 * 1024);
        harness.exchange(x, a, 0);
        harness.exchange(y, a, 0);
        harness.exchange(a, peer, 0);
        x.set("k", "1");
        for (int i = 0; i < 5; i++)
        {
            y.set("k" + i, "1");
        }
        z.set("k", "1");
        harness.exchange(x, a, 0);
        harness.exchange(y, a, 0);
        harness.exchange(z, a, 0);

        final Digest digest = new Digest();
        peer.digest(digest);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final int length = new GossipEncoder().encodeAck(a, digest, null, buffer, 0, 4096);
        assertThat(deltaNodeOrder(buffer, length)).containsExactly(7, 6, 5);
    }

    @Test
    void excludedMembersAreLeftOut()
    {
        final ClusterState a = new ClusterState(1, 10, ClusterStateListener.NO_OP);
        final ClusterState x = new ClusterState(5, 1, ClusterStateListener.NO_OP);
        final GossipHarness harness = new GossipHarness(4096);
        harness.exchange(x, a, 0);
        final Digest digest = new Digest();
        new ClusterState(2, 20, ClusterStateListener.NO_OP).digest(digest);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final IntHashSet excluded = new IntHashSet();
        excluded.add(5);
        final int length = new GossipEncoder().encodeAck(a, digest, excluded, buffer, 0, 4096);
        assertThat(deltaNodeOrder(buffer, length)).containsExactly(1);
    }

    @Test
    void aMemberThePeerKnowsInANewerGenerationIsNotSent()
    {
        final ClusterState a = new ClusterState(1, 10, ClusterStateListener.NO_OP);
        final ClusterState x = new ClusterState(5, 1, ClusterStateListener.NO_OP);
        x.set("k", "v");
        new GossipHarness(4096).exchange(x, a, 0);
        final Digest digest = new Digest();
        digest.add(1, 10, 0, 0, 0);
        digest.add(5, 2, 0, 0, 0);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final int length = new GossipEncoder().encodeAck(a, digest, null, buffer, 0, 4096);
        assertThat(deltaNodeOrder(buffer, length)).isEmpty();
    }

    /** Node ids of an ACK's delta, in frame order. */
    private static List<Integer> deltaNodeOrder(final UnsafeBuffer buffer, final int length)
    {
        final GossipDecoder decoder = new GossipDecoder().wrap(buffer, 0, length);
        assertThat(decoder.type()).isEqualTo(GossipMessageType.ACK);
        final List<Integer> order = new ArrayList<>();
        int position = GossipFrame.HEADER_LENGTH + GossipFrame.COUNT_LENGTH;
        for (int n = 0; n < decoder.deltaNodeCount(); n++)
        {
            order.add(buffer.getShort(position, GossipFrame.ORDER) & 0xFFFF);
            final int entries = buffer.getInt(position + GossipFrame.NODE_HEADER_LENGTH - 4, GossipFrame.ORDER);
            position += GossipFrame.NODE_HEADER_LENGTH;
            for (int e = 0; e < entries; e++)
            {
                final int keyLength = buffer.getShort(position + 9, GossipFrame.ORDER) & 0xFFFF;
                final int valueLength = buffer.getInt(position + 11, GossipFrame.ORDER);
                position += GossipFrame.ENTRY_HEADER_LENGTH + keyLength + valueLength;
            }
        }
        return order;
    }
}
