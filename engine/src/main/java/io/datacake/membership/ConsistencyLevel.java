package io.datacake.membership;

/**
 * How many replicas besides the local node must acknowledge an operation. The local node always applies the
 * operation itself; the quorum levels count it as one of the majority.
 * <p>
 * QUORUM, LOCAL_QUORUM, EACH_QUORUM and ALL are sized by the members the node knows ({@link #countsMembers()}), so
 * they mean what they say only on a {@link ClusterView#isComplete() complete view}: a node whose view may still lack
 * members (a gossiping node that has not heard from every seed since it started) refuses them with
 * {@link MembershipFormingException} rather than acknowledge a "majority" of the members it happens to know. The
 * fixed counts NONE, ONE, TWO and THREE do not depend on the member list and are served on any view.
 */
public enum ConsistencyLevel
{
    /** The local node alone: no other replica is contacted. */
    NONE,
    /** One other live member. */
    ONE,
    /** Two other live members. */
    TWO,
    /** Three other live members. */
    THREE,
    /** A majority of all members (live or dead, this node included), spread over data centres. */
    QUORUM,
    /** A majority of the members of the local data centre, this node included. */
    LOCAL_QUORUM,
    /** A majority of the members of every data centre, this node counting in its own. */
    EACH_QUORUM,
    /** Every member: all must be live. */
    ALL;

    /**
     * Whether the level is sized by the member list (a majority, or every member) rather than a fixed count, so that
     * a view lacking members would make it acknowledge with fewer replicas than the cluster needs.
     *
     * @return true for QUORUM, LOCAL_QUORUM, EACH_QUORUM and ALL.
     */
    public boolean countsMembers()
    {
        return ordinal() >= QUORUM.ordinal();
    }
}
