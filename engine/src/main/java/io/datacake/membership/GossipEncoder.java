package io.datacake.membership;

import org.agrona.MutableDirectBuffer;
import org.agrona.collections.IntHashSet;

import java.util.Arrays;

import static io.datacake.membership.GossipFrame.COUNT_LENGTH;
import static io.datacake.membership.GossipFrame.DIGEST_HEADER_MAX_LENGTH;
import static io.datacake.membership.GossipFrame.DIGEST_RANGE_LENGTH;
import static io.datacake.membership.GossipFrame.ENTRY_HEADER_LENGTH;
import static io.datacake.membership.GossipFrame.HEADER_LENGTH;
import static io.datacake.membership.GossipFrame.MAGIC;
import static io.datacake.membership.GossipFrame.MAGIC_OFFSET;
import static io.datacake.membership.GossipFrame.MAX_DIGEST_ROW_LENGTH;
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
 * A SYN's digest lists the members in increasing node id order from where the previous SYN stopped, as many as fit
 * the budget, and names the range it covers; the next SYN continues after it and starts over once the highest id is
 * covered, so a view of any size is summarised over successive rounds. A SYN_ACK's digest answers the SYN's: it lists
 * only the members on which this view differs from the peer's (so the peer sends what it has newer, and learns newer
 * heartbeats from here), within at most half the budget; the rest of the budget carries the delta.
 * <p>
 * Not thread safe; reusable, and allocation free once its scratch space has grown to the cluster size.
 */
public final class GossipEncoder
{
    /** Smallest frame budget that always fits at least one entry of an ACK delta. */
    public static final int MIN_DELTA_FRAME_LENGTH =
        HEADER_LENGTH + COUNT_LENGTH + NODE_HEADER_LENGTH + GossipFrame.MAX_ENTRY_LENGTH;

    /** Smallest frame budget of a SYN: the header and a digest of one row of the largest size. */
    public static final int MIN_SYN_FRAME_LENGTH = HEADER_LENGTH + DIGEST_HEADER_MAX_LENGTH + MAX_DIGEST_ROW_LENGTH;

    /** Smallest frame budget of a SYN_ACK: the header, an empty digest and an empty delta. */
    public static final int MIN_SYN_ACK_FRAME_LENGTH = HEADER_LENGTH + DIGEST_HEADER_MAX_LENGTH + COUNT_LENGTH;

    private static final long PRIORITY_BIT = 1L << 62;
    private static final int STALE_SHIFT = 16;
    private static final long MAX_STALE = (1L << 31) - 1;
    private static final int NODE_ID_MASK = 0xFFFF;

    private long[] candidates = new long[16];
    private int[] rowNodeIds = new int[16];
    private int nextSynNodeId;
    private int lastDigestRowCount;
    private boolean lastDigestTruncated;
    private int lastDeltaNodeCount;
    private int lastDeltaEntryCount;
    private boolean lastDeltaTruncated;

    /**
     * Write a SYN: this node's digest, from the member after the last one the previous SYN listed, as far as the
     * budget allows.
     *
     * @param state     the local cluster view.
     * @param buffer    destination.
     * @param offset    where the frame starts.
     * @param maxLength the frame budget in bytes.
     * @return the frame length.
     * @throws IllegalArgumentException if the budget is outside the buffer or below {@link #MIN_SYN_FRAME_LENGTH}.
     */
    public int encodeSyn(
        final ClusterState state, final MutableDirectBuffer buffer, final int offset, final int maxLength)
    {
        checkRange(buffer, offset, maxLength);
        if (maxLength < MIN_SYN_FRAME_LENGTH)
        {
            throw new IllegalArgumentException("frame budget " + maxLength + " is below a SYN with one digest row (" +
                MIN_SYN_FRAME_LENGTH + " bytes)");
        }
        final int limit = offset + maxLength;
        int position = writeHeader(buffer, offset, limit, GossipMessageType.SYN);
        position = writeDigest(state, buffer, position, limit);
        lastDeltaNodeCount = 0;
        lastDeltaEntryCount = 0;
        lastDeltaTruncated = false;
        return position - offset;
    }

    /**
     * Write a SYN_ACK: the reply digest (the members on which this view differs from the peer's digest, within half
     * the budget), then the delta the peer's digest shows it lacks, within what is left of the budget.
     *
     * @param state      the local cluster view.
     * @param peerDigest the digest from the peer's SYN.
     * @param excluded   members to leave out of the delta (for example dead ones about to be forgotten), or null.
     * @param buffer     destination.
     * @param offset     where the frame starts.
     * @param maxLength  the frame budget in bytes.
     * @return the frame length.
     * @throws IllegalArgumentException if the budget is outside the buffer or below
     *                                  {@link #MIN_SYN_ACK_FRAME_LENGTH}.
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
        if (maxLength < MIN_SYN_ACK_FRAME_LENGTH)
        {
            throw new IllegalArgumentException("frame budget " + maxLength + " is below an empty SYN_ACK (" +
                MIN_SYN_ACK_FRAME_LENGTH + " bytes)");
        }
        final int limit = offset + maxLength;
        int position = writeHeader(buffer, offset, limit, GossipMessageType.SYN_ACK);
        final int digestLimit = position + DIGEST_HEADER_MAX_LENGTH +
            Math.max(0, (maxLength - MIN_SYN_ACK_FRAME_LENGTH) / 2);
        position = writeReplyDigest(state, peerDigest, excluded, buffer, position, digestLimit);
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
     * @return the number of rows in the digest of the last SYN or SYN_ACK written.
     */
    public int lastDigestRowCount()
    {
        return lastDigestRowCount;
    }

    /**
     * @return true if the digest of the last SYN or SYN_ACK written left members out for the budget: a SYN's
     * following digests cover them, a SYN_ACK's later exchanges ask for them.
     */
    public boolean lastDigestTruncated()
    {
        return lastDigestTruncated;
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

    private int writeDigest(
        final ClusterState state, final MutableDirectBuffer buffer, final int offset, final int limit)
    {
        int count = 0;
        for (final NodeState node : state.nodes().values())
        {
            count = addRowNodeId(count, node.nodeId());
        }
        Arrays.sort(rowNodeIds, 0, count);
        int first = 0;
        while (first < count && rowNodeIds[first] < nextSynNodeId)
        {
            first++;
        }
        if (first == count)
        {
            first = 0;
            nextSynNodeId = 0;
        }
        final int fromNodeId = 0 == first ? 0 : nextSynNodeId;
        final int rows = rowsThatFit(state, first, count, fromNodeId, limit - offset);
        final boolean truncated = first + rows < count;
        final int toNodeId = truncated ? rowNodeIds[first + rows] - 1 : NodeState.MAX_NODE_ID;
        nextSynNodeId = truncated ? rowNodeIds[first + rows] : 0;
        return writeRows(state, first, rows, fromNodeId, toNodeId, truncated, buffer, offset);
    }

    private int writeReplyDigest(
        final ClusterState state,
        final Digest peer,
        final IntHashSet excluded,
        final MutableDirectBuffer buffer,
        final int offset,
        final int limit)
    {
        int count = 0;
        for (int i = 0, peerRows = peer.count(); i < peerRows; i++)
        {
            final int nodeId = peer.nodeId(i);
            if (null != excluded && excluded.contains(nodeId))
            {
                continue;
            }
            final NodeState node = state.node(nodeId);
            if (null == node || node.generation() != peer.generation(i) || node.maxVersion() != peer.maxVersion(i) ||
                node.lastGcVersion() != peer.lastGcVersion(i) || node.heartbeat() > peer.heartbeat(i))
            {
                count = addRowNodeId(count, nodeId);
            }
        }
        Arrays.sort(rowNodeIds, 0, count);
        final int rows = rowsThatFit(state, 0, count, peer.fromNodeId(), limit - offset);
        return writeRows(state, 0, rows, peer.fromNodeId(), peer.toNodeId(), rows < count, buffer, offset);
    }

    private int addRowNodeId(final int count, final int nodeId)
    {
        if (count == rowNodeIds.length)
        {
            rowNodeIds = Arrays.copyOf(rowNodeIds, Math.min(Digest.MAX_NODES, count * 2));
        }
        rowNodeIds[count] = nodeId;
        return count + 1;
    }

    private int rowsThatFit(
        final ClusterState state, final int first, final int count, final int fromNodeId, final int budget)
    {
        int remaining = budget - DIGEST_RANGE_LENGTH - Varint.length(count - first);
        int previous = fromNodeId - 1;
        int rows = 0;
        for (int i = first; i < count; i++)
        {
            final int nodeId = rowNodeIds[i];
            final NodeState node = state.node(nodeId);
            final int length = Varint.length(nodeId - previous - 1) + Long.BYTES + (null == node ? 3 :
                Varint.length(node.heartbeat()) + Varint.length(node.maxVersion()) +
                Varint.length(node.lastGcVersion()));
            if (length > remaining)
            {
                break;
            }
            remaining -= length;
            previous = nodeId;
            rows++;
        }
        return rows;
    }

    private int writeRows(
        final ClusterState state,
        final int first,
        final int rows,
        final int fromNodeId,
        final int toNodeId,
        final boolean truncated,
        final MutableDirectBuffer buffer,
        final int offset)
    {
        buffer.putShort(offset, (short)fromNodeId, ORDER);
        buffer.putShort(offset + 2, (short)toNodeId, ORDER);
        int position = Varint.put(buffer, offset + DIGEST_RANGE_LENGTH, rows);
        int previous = fromNodeId - 1;
        for (int i = first; i < first + rows; i++)
        {
            final int nodeId = rowNodeIds[i];
            // A member this view does not know is described as generation 0 with nothing seen: send it all.
            final NodeState node = state.node(nodeId);
            position = Varint.put(buffer, position, nodeId - previous - 1);
            buffer.putLong(position, null == node ? 0 : node.generation(), ORDER);
            position = Varint.put(buffer, position + Long.BYTES, null == node ? 0 : node.heartbeat());
            position = Varint.put(buffer, position, null == node ? 0 : node.maxVersion());
            position = Varint.put(buffer, position, null == node ? 0 : node.lastGcVersion());
            previous = nodeId;
        }
        lastDigestRowCount = rows;
        lastDigestTruncated = truncated;
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
            if (!peer.covers(nodeId))
            {
                continue;
            }
            final int index = peer.indexOf(nodeId);
            if (index < 0 && !peer.complete())
            {
                continue;
            }
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
