package io.datacake.store;

/**
 * Why a write this node coordinated failed, as {@link StoreStatistics#failures(WriteFailureKind)} counts it.
 */
public enum WriteFailureKind
{
    /** Too few live members for the write's consistency level: refused before anything was written. */
    CONSISTENCY,

    /**
     * A count-based consistency level asked while the membership view may still lack members
     * ({@link io.datacake.membership.MembershipFormingException}): refused before anything was written.
     */
    MEMBERSHIP_FORMING,

    /** A store or storage writer bound was full: refused before anything was written, or cut short locally. */
    BACK_PRESSURE,

    /** A selected replica did not answer within the request timeout. */
    TIMEOUT,

    /** A selected replica answered with an error, or could not be reached. */
    REPLICA_ERROR,

    /** The local storage commit failed. */
    STORAGE
}
