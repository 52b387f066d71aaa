package io.datacake.store;

import io.datacake.store.TictacMessageException.Reason;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The answering side of a Tictac exchange: reads one request from a peer's {@link TictacExchange} and writes the
 * reply from the local tree. Keeps no per-exchange state, so one responder serves any number of peers; replies
 * describe the tree as it is when each request arrives. Allocates nothing unless a request is rejected.
 */
public final class TictacResponder
{
    private final TictacTree tree;
    private final TictacMessage request = new TictacMessage();

    /**
     * @param tree the local tree the replies describe.
     */
    public TictacResponder(final TictacTree tree)
    {
        this.tree = tree;
    }

    /**
     * Answer one request: a {@link TictacCodec#ROOT} with the local root, a branch or segment hashes request with
     * the hashes of that run.
     *
     * @param buffer    holds the request.
     * @param offset    where it starts.
     * @param length    its length in bytes.
     * @param reply     where to write the reply; needs room for {@link TictacCodec#MAX_MESSAGE_LENGTH} bytes.
     * @param replyOffset where the reply starts.
     * @return the reply length in bytes.
     * @throws TictacMessageException   if the request is malformed ({@link Reason#BAD_LENGTH} and the other
     *                                  structural reasons), comes from a tree of another shape
     *                                  ({@link Reason#SHAPE_MISMATCH}) or is not a request
     *                                  ({@link Reason#UNEXPECTED}); nothing is written.
     * @throws IllegalArgumentException if the reply buffer has no room; nothing is written.
     */
    public int respond(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final MutableDirectBuffer reply,
        final int replyOffset)
    {
        request.wrap(buffer, offset, length);
        if (!request.shapeMatches(tree))
        {
            throw new TictacMessageException(Reason.SHAPE_MISMATCH, "request from a 2^" + request.branchBits() +
                " × 2^" + request.segmentBits() + " tree, the local tree is " + tree.branchCount() + " × " +
                tree.segmentsPerBranch());
        }
        switch (request.type())
        {
            case TictacCodec.ROOT:
                return TictacCodec.encodeRoot(tree, reply, replyOffset);
            case TictacCodec.BRANCH_HASHES_REQUEST:
                return TictacCodec.encodeBranchHashes(tree, request.first(), request.count(), reply, replyOffset);
            case TictacCodec.SEGMENT_HASHES_REQUEST:
                return TictacCodec.encodeSegmentHashes(tree, request.first(), request.count(), reply, replyOffset);
            default:
                throw new TictacMessageException(Reason.UNEXPECTED, "message type " + request.type() +
                    " is not a request");
        }
    }
}
