package io.datacake.membership;

/**
 * How many replicas besides the local node must acknowledge an operation. The local node always applies the
 * operation itself; the quorum levels count it as one of the majority.
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
    ALL
}
