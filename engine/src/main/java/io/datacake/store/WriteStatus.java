package io.datacake.store;

/**
 * How a write given to the callback form ({@link KeyspaceHandle#put(long, org.agrona.DirectBuffer, int, int,
 * io.datacake.membership.ConsistencyLevel, WriteCallback, long)}) ended: acknowledged, or the kind of failure, each
 * matching the exception the future form fails with.
 */
public enum WriteStatus
{
    /** The local commit and every replica the level selected acknowledged. */
    ACKNOWLEDGED,

    /**
     * Too few live members for the level: nothing was written
     * ({@link io.datacake.membership.ConsistencyException}).
     */
    TOO_FEW_MEMBERS,

    /**
     * The local commit or a replica failed or did not answer in time; the write may have landed on some replicas
     * ({@link ReplicationException}, whose counts the callback receives).
     */
    NOT_ACKNOWLEDGED,

    /**
     * A bound of the store was reached on the node thread (writes pending, storage writer in flight): nothing was
     * written ({@link StoreBackPressureException}).
     */
    BACK_PRESSURED,

    /** The node closed before the write completed ({@link io.datacake.node.NodeClosedException}). */
    NODE_CLOSED,

    /**
     * The store refused the write for another reason, named by the exception (for example its keyspace bound,
     * {@link StoreContext#maxKeyspaces(int)}): nothing was written.
     */
    REFUSED
}
