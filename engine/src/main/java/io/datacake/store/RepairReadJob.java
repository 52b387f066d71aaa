package io.datacake.store;

import io.datacake.rpc.RpcReply;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * One repair fetch on its way through the {@link RepairReader}: the node thread collects its entries and defers its
 * reply, the reader reads their values and encodes the reply into the job's off-heap staging buffer, and the node
 * thread sends that (one copy into the frame). Pooled: the reader holds a fixed number, each reused with its arrays,
 * its buffer (grown only for a longer reply than it held before) and its spent deferred reply.
 * <p>
 * Handed between the two threads only through the reader's queues, which publish every field written before the
 * hand-off.
 */
final class RepairReadJob
{
    /** First capacity of a staging buffer; one frame's reply at the default bounds fits without growing. */
    static final int INITIAL_STAGING_BYTES = 64 * 1024;

    private final RepairFetch fetch;
    private final ExpandableDirectByteBuffer staging = new ExpandableDirectByteBuffer(INITIAL_STAGING_BYTES);
    private RpcReply reply;
    private int roomBytes;
    private Thread nodeThread;
    private int length;
    private Throwable failure;

    /**
     * @param maxEntries the most entries one fetch carries.
     */
    RepairReadJob(final int maxEntries)
    {
        this.fetch = new RepairFetch(maxEntries);
    }

    /**
     * @return the fetch: collected on the node thread, read on the reader.
     */
    RepairFetch fetch()
    {
        return fetch;
    }

    /**
     * Node thread: defer the request's reply into this job (reusing the reply spent by its last use) and remember
     * what the reader needs.
     *
     * @param request    the fetch's reply, not answered yet.
     * @param nodeThread the thread to wake once the reply is ready, or null when no one parks waiting for it.
     */
    void bind(final RpcReply request, final Thread nodeThread)
    {
        this.roomBytes = request.maxInPlaceBodyLength();
        this.reply = request.defer(null != reply && reply.isDone() ? reply : null);
        this.nodeThread = nodeThread;
        this.length = 0;
        this.failure = null;
    }

    /**
     * @return the deferred reply; node thread only.
     */
    RpcReply reply()
    {
        return reply;
    }

    /**
     * @return the longest body that fits one frame of the requester's reply.
     */
    int roomBytes()
    {
        return roomBytes;
    }

    /**
     * @return the thread to wake once the reply is ready, or null.
     */
    Thread nodeThread()
    {
        return nodeThread;
    }

    /**
     * @return the off-heap buffer the reader encodes the reply into.
     */
    ExpandableDirectByteBuffer staging()
    {
        return staging;
    }

    /**
     * Reader: the reply is in {@link #staging()}.
     */
    void readDone(final int length)
    {
        this.length = length;
    }

    /**
     * Reader: reading failed; the fetch is to be failed.
     */
    void readFailed(final Throwable failure)
    {
        this.failure = failure;
    }

    /**
     * @return the encoded reply's length, once read.
     */
    int length()
    {
        return length;
    }

    /**
     * @return why reading failed, or null if it did not.
     */
    Throwable failure()
    {
        return failure;
    }
}
