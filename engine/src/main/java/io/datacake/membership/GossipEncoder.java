package io.datacake.membership;

import org.agrona.MutableDirectBuffer;
import org.agrona.collections.IntHashSet;

import java.util.Arrays;

import static io.datacake.membership.GossipFrame.COUNT_LENGTH;
import static io.datacake.membership.GossipFrame.DIGEST_ROW_LENGTH;
import static io.datacake.membership.GossipFrame.ENTRY_HEADER_LENGTH;
import static io.datacake.membership.GossipFrame.HEADER_LENGTH;
import static io.datacake.membership.GossipFrame.MAGIC;
import static io.datacake.membership.GossipFrame.MAGIC_OFFSET;
import static io.datacake.membership.GossipFrame.NODE_HEADER_LENGTH;
import static io.datacake.membership.GossipFrame.ORDER;
import static io.datacake.membership.GossipFrame.RESERVED_OFFSET;
import static io.datacake.membership.GossipFrame.TOMBSTONE_FLAG;
import static io.datacake.membership.GossipFrame.TYPE_OFFSET;
import static io.datacake.membership.GossipFrame.VERSION;
import static io.datacake.membership.GossipFrame.VERSION_OFFSET;

/**
 * Writes SYN, SYN_ACK and ACK frames (wire format in the package documentation) from a
 * {@link ClusterState} into an Agrona buffer, within a byte budget.
 * <p>
 * The delta for a peer holds, per member, the entries above the version the peer's digest reports, in increasing
 * version order. Members are ordered by staleness: first those the peer does not know at all, knows in an older
 * generation, or must rebuild because tombstones it may lack were collected; then those with more missing entries;
 * ties by higher node id. Entries are added until the next one would not fit the budget; the peer applies the
 * prefix it received and its next digest reports the higher versions, so the following round continues where this
 * one stopped and no amount of state is too large for a frame. Any budget of at least {@link #MIN_DELTA_FRAME_LENGTH}
 * makes progress.
 * <p>
 * Not thread safe; reusable, and allocation free once its scratch space has grown to the cluster size.
 */
public final class GossipEncoder
{
    /** Smallest frame budget that always fits at least one entry of an ACK delta. */
    public static final int MIN_DELTA_FRAME_LENGTH =
        HEADER_LENGTH + COUNT_LENGTH + NODE_HEADER_LENGTH + GossipFrame.MAX_ENTRY_LENGTH;

    private static final long PRIORITY_BIT = 1L << 62;
    private static final int STALE_SHIFT = 16;
    private static final long MAX_STALE = (1L << 31) - 1;
    private static final int NODE_ID_MASK = 0xFFFF;

    private long[] candidates = new long[16];
    private int lastDeltaNodeCount;
    private int lastDeltaEntryCount;
    private boolean lastDeltaTruncated;

    /**
     * Write a SYN: this node's digest.
     *
     * @param state     the local cluster view.
     * @param buffer    destination.
     * @param offset    where the frame starts.
     * @param maxLength the frame budget in bytes.
     * @return the frame length.
     * @throws IllegalArgumentException if the budget is outside the buffer or too small for the digest.
     */
    public int encodeSyn(
        final ClusterState state, final MutableDirectBuffer buffer, final int offset, final int maxLength)
    {
        checkRange(buffer, offset, maxLength);
        final int limit = offset + maxLength;
        int position = writeHeader(buffer, offset, limit, GossipMessageType.SYN);
        position = writeDigest(state, buffer, position, limit);
        lastDeltaNodeCount = 0;
        lastDeltaEntryCount = 0;
        lastDeltaTruncated = false;
        return position - offset;
    }

    /**
     * Write a SYN_ACK: this node's digest, then the delta the peer's digest shows it lacks, within what is left of
     * the budget.
     *
     * @param state      the local cluster view.
     * @param peerDigest the digest from the peer's SYN.
     * @param excluded   members to leave out of the delta (for example dead ones about to be forgotten), or null.
     * @param buffer     destination.
     * @param offset     where the frame starts.
     * @param maxLength  the frame budget in bytes.
     * @return the frame length.
     * @throws IllegalArgumentException if the budget is outside the buffer or too small for the digest.
     */
    public int encodeSynAck(
        final ClusterState state,
        final Digest peerDigest,
        final IntHashSet excluded,
        final MutableDirectBuffer buffer,
        final int offset,
        final int maxLength)
    {
        checkRange(buffer, offset, maxLength);
        final int limit = offset + maxLength;
        int position = writeHeader(buffer, offset, limit, GossipMessageType.SYN_ACK);
        position = writeDigest(state, buffer, position, limit - COUNT_LENGTH);
        position = writeDelta(state, peerDigest, excluded, buffer, position, limit);
        return position - offset;
    }

    /**
     * Write an ACK: the delta the peer's digest shows it lacks.
     *
     * @param state      the local cluster view.
     * @param peerDigest the digest from the peer's SYN_ACK.
     * @param excluded   members to leave out of the delta, or null.
     * @param buffer     destination.
     * @param offset     where the frame starts.
     * @param maxLength  the frame budget in bytes.
     * @return the frame length.
     * @throws IllegalArgumentException if the budget is outside the buffer or smaller than an empty ACK.
     */
    public int encodeAck(
        final ClusterState state,
        final Digest peerDigest,
        final IntHashSet excluded,
        final MutableDirectBuffer buffer,
        final int offset,
        final int maxLength)
    {
        checkRange(buffer, offset, maxLength);
        final int limit = offset + maxLength;
        if (maxLength < HEADER_LENGTH + COUNT_LENGTH)
        {
            throw new IllegalArgumentException("frame budget " + maxLength + " is below an empty ACK (" +
                (HEADER_LENGTH + COUNT_LENGTH) + " bytes)");
        }
        final int position = writeHeader(buffer, offset, limit, GossipMessageType.ACK);
        return writeDelta(state, peerDigest, excluded, buffer, position, limit) - offset;
    }

    /**
     * @param state a cluster view.
     * @return the bytes a SYN_ACK needs before its delta: header, digest and the delta's count; a budget below this
     * cannot carry the view's digest.
     */
    public static long synAckDigestLength(final ClusterState state)
    {
        return HEADER_LENGTH + COUNT_LENGTH + (long)state.nodeCount() * DIGEST_ROW_LENGTH + COUNT_LENGTH;
    }

    /**
     * @return the number of members in the delta of the last frame written.
     */
    public int lastDeltaNodeCount()
    {
        return lastDeltaNodeCount;
    }

    /**
     * @return the number of entries in the delta of the last frame written.
     */
    public int lastDeltaEntryCount()
    {
        return lastDeltaEntryCount;
    }

    /**
     * @return true if the last delta was cut short by the budget: more remains for following rounds.
     */
    public boolean lastDeltaTruncated()
    {
        return lastDeltaTruncated;
    }

    private static void checkRange(final MutableDirectBuffer buffer, final int offset, final int maxLength)
    {
        if (offset < 0 || maxLength < 0 || (long)offset + maxLength > buffer.capacity())
        {
            throw new IllegalArgumentException("frame range [" + offset + ", +" + maxLength +
                ") is outside the buffer of " + buffer.capacity() + " bytes");
        }
    }

    private static int writeHeader(
        final MutableDirectBuffer buffer, final int offset, final int limit, final GossipMessageType type)
    {
        if (offset + HEADER_LENGTH > limit)
        {
            throw new IllegalArgumentException("frame budget " + (limit - offset) + " is below the header length " +
                HEADER_LENGTH);
        }
        buffer.putInt(offset + MAGIC_OFFSET, MAGIC, ORDER);
        buffer.putByte(offset + VERSION_OFFSET, (byte)VERSION);
        buffer.putByte(offset + TYPE_OFFSET, (byte)type.code());
        buffer.putShort(offset + RESERVED_OFFSET, (short)0, ORDER);
        return offset + HEADER_LENGTH;
    }

    private static int writeDigest(
        final ClusterState state, final MutableDirectBuffer buffer, final int offset, final int limit)
    {
        final int count = state.nodeCount();
        final long needed = COUNT_LENGTH + (long)count * DIGEST_ROW_LENGTH;
        if (offset + needed > limit)
        {
            throw new IllegalArgumentException("a digest of " + count + " members needs " + needed +
                " bytes but the frame budget leaves " + (limit - offset) + "; raise the gossip frame length");
        }
        buffer.putInt(offset, count, ORDER);
        int position = offset + COUNT_LENGTH;
        for (final NodeState node : state.nodes().values())
        {
            buffer.putShort(position, (short)node.nodeId(), ORDER);
            buffer.putLong(position + 2, node.generation(), ORDER);
            buffer.putLong(position + 10, node.heartbeat(), ORDER);
            buffer.putLong(position + 18, node.maxVersion(), ORDER);
            buffer.putLong(position + 26, node.lastGcVersion(), ORDER);
            position += DIGEST_ROW_LENGTH;
        }
        return position;
    }

    private int writeDelta(
        final ClusterState state,
        final Digest peer,
        final IntHashSet excluded,
        final MutableDirectBuffer buffer,
        final int offset,
        final int limit)
    {
        final int candidateCount = collectCandidates(state, peer, excluded);
        Arrays.sort(candidates, 0, candidateCount);

        int nodeCount = 0;
        int entryCount = 0;
        boolean truncated = false;
        int position = offset + COUNT_LENGTH;
        for (int c = candidateCount - 1; c >= 0 && !truncated; c--)
        {
            final long candidate = candidates[c];
            final NodeState node = state.node((int)(candidate & NODE_ID_MASK));
            final boolean priority = (candidate & PRIORITY_BIT) != 0;
            final long floor = priority ? 0 : peer.maxVersion(peer.indexOf(node.nodeId()));
            if (position + NODE_HEADER_LENGTH > limit)
            {
                truncated = true;
                break;
            }
            final int headerPosition = position;
            buffer.putShort(position, (short)node.nodeId(), ORDER);
            buffer.putLong(position + 2, node.generation(), ORDER);
            buffer.putLong(position + 10, node.heartbeat(), ORDER);
            buffer.putLong(position + 18, floor, ORDER);
            buffer.putLong(position + 34, node.lastGcVersion(), ORDER);
            buffer.putLong(position + 42, node.maxVersion(), ORDER);
            position += NODE_HEADER_LENGTH;

            int nodeEntries = 0;
            long toVersion = floor;
            for (final VersionedEntry entry : node.entriesAbove(floor).values())
            {
                final int length = ENTRY_HEADER_LENGTH + entry.keyUtf8.length + entry.value.length;
                if (position + length > limit)
                {
                    truncated = true;
                    break;
                }
                buffer.putLong(position, entry.version, ORDER);
                buffer.putByte(position + 8, (byte)(entry.tombstone ? TOMBSTONE_FLAG : 0));
                buffer.putShort(position + 9, (short)entry.keyUtf8.length, ORDER);
                buffer.putInt(position + 11, entry.value.length, ORDER);
                buffer.putBytes(position + ENTRY_HEADER_LENGTH, entry.keyUtf8);
                buffer.putBytes(position + ENTRY_HEADER_LENGTH + entry.keyUtf8.length, entry.value);
                position += length;
                nodeEntries++;
                toVersion = entry.version;
            }
            if (!truncated)
            {
                // Everything above the floor was sent: versions up to the max that hold nothing (overwritten or
                // collected) are covered too.
                toVersion = node.maxVersion();
            }

            if (0 == nodeEntries && (truncated || !priority))
            {
                // Nothing fitted: an empty header would tell a known member nothing, and would make the peer
                // drop a state it must rebuild before any of it arrives.
                position = headerPosition;
                continue;
            }
            buffer.putLong(headerPosition + 26, toVersion, ORDER);
            buffer.putInt(headerPosition + NODE_HEADER_LENGTH - COUNT_LENGTH, nodeEntries, ORDER);
            nodeCount++;
            entryCount += nodeEntries;
        }
        buffer.putInt(offset, nodeCount, ORDER);

        lastDeltaNodeCount = nodeCount;
        lastDeltaEntryCount = entryCount;
        lastDeltaTruncated = truncated;
        return position;
    }

    private int collectCandidates(final ClusterState state, final Digest peer, final IntHashSet excluded)
    {
        int count = 0;
        for (final NodeState node : state.nodes().values())
        {
            final int nodeId = node.nodeId();
            if (null != excluded && excluded.contains(nodeId))
            {
                continue;
            }
            final int index = peer.indexOf(nodeId);
            final boolean priority;
            final long floor;
            if (index < 0 || peer.generation(index) < node.generation())
            {
                priority = true;
                floor = 0;
            }
            else if (peer.generation(index) > node.generation())
            {
                continue;
            }
            else
            {
                final long peerMax = peer.maxVersion(index);
                final long peerLastGc = peer.lastGcVersion(index);
                priority = node.lastGcVersion() > Math.max(peerMax, peerLastGc);
                floor = priority ? 0 : peerMax;
                if (!priority && (node.maxVersion() <= floor ||
                    (peerMax < peerLastGc && Math.max(node.maxVersion(), node.lastGcVersion()) < peerLastGc)))
                {
                    // Nothing newer, or the peer is rebuilding past collected deletions this view has not seen.
                    continue;
                }
            }
            final long stale = Math.min(MAX_STALE, node.countEntriesAbove(floor));
            if (count == candidates.length)
            {
                candidates = Arrays.copyOf(candidates, Math.min(Digest.MAX_NODES, count * 2));
            }
            candidates[count++] = (priority ? PRIORITY_BIT : 0) | (stale << STALE_SHIFT) | nodeId;
        }
        return count;
    }
}
