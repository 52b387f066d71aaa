package io.datacake.crdt;

/**
 * The two operations an {@link Orswot} applies to a key, named for
 * {@link Orswot#willApply(SetOperation, int, long, long, int)}.
 */
public enum SetOperation
{
    /** Insert or update a live entry ({@link Orswot#insert(int, long, long, int)}). */
    INSERT,

    /** Delete, leaving a tombstone ({@link Orswot#delete(int, long, long, int)}). */
    DELETE
}
