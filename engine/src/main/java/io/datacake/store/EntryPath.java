package io.datacake.store;

/**
 * How an entry written by another node reached this one, as {@link StoreStatistics#entriesStampedAhead(EntryPath)}
 * counts the entries dropped on each path.
 */
public enum EntryPath
{
    /** A replicate call from a coordinator that selected this node as a replica for the write's level. */
    REPLICATE,

    /** A one-way broadcast from a coordinator to the live members it did not select. */
    BROADCAST,

    /** A repair fetch reply from a peer. */
    REPAIR
}
