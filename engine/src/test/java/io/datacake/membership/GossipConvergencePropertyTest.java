package io.datacake.membership;

import io.datacake.testing.SeededTrials;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random histories of writes, deletions, tombstone collection and restarts on several nodes, gossiped with random
 * frame budgets while frames are lost, duplicated and replayed late to any node: once gossip runs cleanly (and
 * tombstones are collected everywhere), every view of every member equals that member's own state.
 */
class GossipConvergencePropertyTest
{
    private static final int NODES = 3;
    private static final int MAX_BUDGET = 8 * 1024;

    @Test
    void viewsConvergeDespiteLossDuplicationAndStaleFrames()
    {
        SeededTrials.run("gossip convergence", 150, random ->
        {
            final List<ClusterState> states = new ArrayList<>();
            for (int id = 0; id < NODES; id++)
            {
                states.add(new ClusterState(id + 1, 1, ClusterStateListener.NO_OP));
            }
            final List<byte[]> recorded = new ArrayList<>();
            final GossipEncoder encoder = new GossipEncoder();
            final GossipDecoder decoder = new GossipDecoder();
            final Digest digest = new Digest();
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_BUDGET));
            long nowMs = 0;

            for (int step = 0, steps = 50 + random.nextInt(400); step < steps; step++)
            {
                nowMs += random.nextInt(50);
                final int ownerIndex = random.nextInt(NODES);
                final ClusterState owner = states.get(ownerIndex);
                final int action = random.nextInt(10);
                if (random.nextInt(60) == 0)
                {
                    // Restart: a new generation that knows nothing, not even its old keys.
                    states.set(ownerIndex, new ClusterState(owner.self().nodeId(), owner.self().generation() + 1,
                        ClusterStateListener.NO_OP));
                }
                else if (action < 4)
                {
                    owner.set("k" + random.nextInt(12), "v".repeat(random.nextInt(400)) + step);
                }
                else if (action < 6)
                {
                    owner.delete("k" + random.nextInt(12), nowMs);
                }
                else if (action < 7)
                {
                    states.get(random.nextInt(NODES)).collectTombstones(nowMs, 1 + random.nextInt(200));
                }
                else if (action < 9)
                {
                    // One direction of an exchange; the frame may be lost, and is kept for a late replay.
                    final ClusterState target = states.get(random.nextInt(NODES));
                    target.digest(digest);
                    final int budget = GossipEncoder.MIN_DELTA_FRAME_LENGTH / 4 + random.nextInt(MAX_BUDGET / 2);
                    final int length = encoder.encodeAck(owner, digest, null, buffer, 0, Math.min(budget, MAX_BUDGET));
                    final byte[] frame = new byte[length];
                    buffer.getBytes(0, frame);
                    recorded.add(frame);
                    if (random.nextInt(4) != 0)
                    {
                        decoder.wrap(buffer, 0, length).applyDelta(target, nowMs);
                    }
                }
                else if (!recorded.isEmpty())
                {
                    final byte[] frame = recorded.get(random.nextInt(recorded.size()));
                    final UnsafeBuffer stale = new UnsafeBuffer(frame);
                    decoder.wrap(stale, 0, frame.length).applyDelta(states.get(random.nextInt(NODES)), nowMs);
                }
            }

            final GossipHarness harness = new GossipHarness(MAX_BUDGET);
            for (int round = 0; round < 200; round++)
            {
                for (int a = 0; a < NODES; a++)
                {
                    for (int b = 0; b < NODES; b++)
                    {
                        if (a != b)
                        {
                            harness.exchange(states.get(a), states.get(b), nowMs);
                        }
                    }
                }
            }
            // Every node collects tombstones on its own schedule; once all have, only live keys remain to compare.
            for (final ClusterState state : states)
            {
                state.collectTombstones(nowMs + 1_000, 1);
            }
            for (final ClusterState owner : states)
            {
                final String truth = GossipHarness.render(owner.self());
                for (final ClusterState view : states)
                {
                    assertThat(GossipHarness.render(view.node(owner.self().nodeId())))
                        .as("view of node " + owner.self().nodeId() + " held by node " + view.self().nodeId())
                        .isEqualTo(truth);
                }
            }
        });
    }
}
