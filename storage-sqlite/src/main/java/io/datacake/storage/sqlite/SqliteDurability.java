package io.datacake.storage.sqlite;

/**
 * What a returned commit promises; maps to SQLite's {@code PRAGMA synchronous} in WAL mode.
 */
public enum SqliteDurability
{
    /** {@code synchronous=FULL}: the WAL is flushed on every commit; survives power loss. */
    FULL,

    /**
     * {@code synchronous=NORMAL} (default): the WAL is flushed at checkpoints only. Never corrupts; a power loss
     * may roll back the most recent commits, a process crash loses nothing.
     */
    NORMAL,

    /** {@code synchronous=OFF}: no flushes at all; an OS crash or power loss may lose recent commits. */
    OFF
}
