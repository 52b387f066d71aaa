package io.datacake.membership;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Drives three-message scuttlebutt exchanges between cluster views in memory, checking every frame against its
 * budget, and renders views for comparison.
 */
final class GossipHarness
{
    final GossipEncoder encoder = new GossipEncoder();
    final GossipDecoder decoder = new GossipDecoder();
    final Digest initiatorDigest = new Digest();
    final Digest responderDigest = new Digest();
    final int budget;
    final UnsafeBuffer buffer;
    int maxFrameLength;
    int frames;

    GossipHarness(final int budget)
    {
        this.budget = budget;
        this.buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(budget + 64));
    }

    /**
     * SYN from the initiator, SYN_ACK back, ACK to the responder.
     *
     * @return entries applied on both sides.
     */
    int exchange(final ClusterState initiator, final ClusterState responder, final long nowMs)
    {
        int length = encoder.encodeSyn(initiator, buffer, 7, budget);
        track(length);
        decoder.wrap(buffer, 7, length).readDigest(initiatorDigest);
        responder.observeHeartbeats(initiatorDigest);

        length = encoder.encodeSynAck(responder, initiatorDigest, null, buffer, 7, budget);
        track(length);
        decoder.wrap(buffer, 7, length).readDigest(responderDigest);
        initiator.observeHeartbeats(responderDigest);
        int applied = decoder.applyDelta(initiator, nowMs);

        length = encoder.encodeAck(initiator, responderDigest, null, buffer, 7, budget);
        track(length);
        applied += decoder.wrap(buffer, 7, length).applyDelta(responder, nowMs);
        return applied;
    }

    /**
     * Exchange until neither side learns anything; returns the number of exchanges that moved data.
     */
    int converge(final ClusterState a, final ClusterState b, final long nowMs, final int maxRounds)
    {
        for (int round = 0; round < maxRounds; round++)
        {
            if (0 == exchange(a, b, nowMs))
            {
                return round;
            }
        }
        throw new AssertionError("no convergence within " + maxRounds + " exchanges");
    }

    private void track(final int length)
    {
        if (length > budget)
        {
            throw new AssertionError("frame of " + length + " bytes exceeds the budget " + budget);
        }
        maxFrameLength = Math.max(maxFrameLength, length);
        frames++;
    }

    /** Every member's generation, versions and entries (not heartbeats), sorted. */
    static String render(final ClusterState state)
    {
        final Map<Integer, String> nodes = new TreeMap<>();
        state.forEachNode(node -> nodes.put(node.nodeId(), render(node)));
        return nodes.toString();
    }

    /** One member's generation, max version and entries. */
    static String render(final NodeState node)
    {
        final StringBuilder text = new StringBuilder();
        text.append("gen=").append(node.generation()).append(" max=").append(node.maxVersion()).append(" {");
        node.forEachEntry((key, value, version, tombstone) -> text.append(key).append('@').append(version)
            .append('=').append(tombstone ? "<deleted>" : value.length + "#" + Arrays.hashCode(value)).append(' '));
        return text.append('}').toString();
    }

    /** Like {@link #render} plus heartbeats and collected versions: any state change shows. */
    static String renderAll(final ClusterState state)
    {
        final StringBuilder text = new StringBuilder(render(state));
        final Map<Integer, String> extra = new TreeMap<>();
        state.forEachNode(node -> extra.put(node.nodeId(), node.heartbeat() + "/" + node.lastGcVersion() + "/" +
            node.liveKeyCount()));
        return text.append(extra).toString();
    }
}
