package io.datacake.campaign;

import io.datacake.clock.HlcTimestamp;
import io.datacake.membership.ConsistencyLevel;

/**
 * One client operation of the history: what was invoked (a put or delete of some keys at a level, on a coordinator
 * incarnation, at a virtual time), how it ended and, when the coordinator's set showed it, the HLC stamp it got.
 */
final class Op
{
    enum Kind
    {
        PUT,
        DELETE
    }

    enum Outcome
    {
        /** Not ended yet. */
        PENDING,
        /** Acknowledged at its level. */
        OK,
        /** Refused before anything was written (too few live members, a full bound, a closed node). */
        REFUSED,
        /** Failed after the local apply: it may have landed on some replicas. */
        FAILED,
        /** Never ended: the coordinator crashed first. */
        UNKNOWN
    }

    final int id;
    final Kind kind;
    final String keyspace;
    final long[] keys;
    final byte[][] values;
    final int coordinator;
    final long incarnation;
    final ConsistencyLevel level;
    final long invokedAtMs;
    Outcome outcome = Outcome.PENDING;
    long completedAtMs = -1;
    String failure;
    long stamp = HlcTimestamp.NULL_STAMP;
    /** Members, live or dead, the coordinator's view held at invocation: what ALL and QUORUM count. */
    int viewMembers;

    Op(final int id, final Kind kind, final String keyspace, final long[] keys, final byte[][] values,
        final int coordinator, final long incarnation, final ConsistencyLevel level, final long invokedAtMs)
    {
        this.id = id;
        this.kind = kind;
        this.keyspace = keyspace;
        this.keys = keys;
        this.values = values;
        this.coordinator = coordinator;
        this.incarnation = incarnation;
        this.level = level;
        this.invokedAtMs = invokedAtMs;
    }

    boolean stampKnown()
    {
        return HlcTimestamp.NULL_STAMP != stamp;
    }

    /**
     * How many nodes hold the write once acknowledged at its level when the coordinator's view holds n members (the
     * coordinator included): a coordinator that knows fewer than the cluster's nodes (gossip, just restarted)
     * acknowledges ALL and QUORUM with fewer.
     */
    static int acknowledgers(final ConsistencyLevel level, final int nodeCount)
    {
        switch (level)
        {
            case NONE:
                return 1;
            case ONE:
                return 2;
            case TWO:
                return 3;
            case THREE:
                return 4;
            case ALL:
                return nodeCount;
            default:
                return nodeCount / 2 + 1;
        }
    }

    @Override
    public String toString()
    {
        return "op " + id + " " + kind + " " + keyspace + java.util.Arrays.toString(keys) + " on node " +
            coordinator + "#" + incarnation + " at " + level + " invoked " + invokedAtMs + " " + outcome +
            (completedAtMs >= 0 ? " at " + completedAtMs : "") + (stampKnown() ? " stamp " +
            HlcTimestamp.toString(stamp, coordinator) : "") + (null != failure ? " (" + failure + ")" : "");
    }
}
