package io.datacake.store;

/**
 * Hears the outcome of a write given to the callback form of a {@link KeyspaceHandle}, exactly once per accepted
 * write.
 * <p>
 * Called on the node thread, which also serves the network, the timers and every other write: it must return
 * quickly and must never block (no waits, locks, I/O or blocking handle calls). A write still queued when the node
 * closes is reported as {@link WriteStatus#NODE_CLOSED} on the thread closing the node. An exception the callback
 * throws is logged and dropped: it does not reach the node thread or other writes.
 */
@FunctionalInterface
public interface WriteCallback
{
    /**
     * The write completed.
     *
     * @param context      the value the caller gave with the write, for example an index into its own table.
     * @param status       {@link WriteStatus#ACKNOWLEDGED} or the kind of failure.
     * @param acknowledged acknowledgements received, the local commit included (0 if nothing was written).
     * @param required     acknowledgements the level required, the local commit included (0 if the write was refused
     *                     before replicas were chosen).
     * @param failure      null when acknowledged; otherwise the exception the future form fails with, to log or
     *                     rethrow elsewhere (a failure may allocate; success does not).
     */
    void onWriteComplete(long context, WriteStatus status, int acknowledged, int required, RuntimeException failure);
}
