package io.datacake.kv;

/**
 * Where a {@link ReplicatedKvNode} keeps its documents.
 */
public enum StorageKind
{
    /**
     * LMDB under the data directory, committed with {@code SYNC} durability: data and meta pages are flushed before
     * a write is acknowledged, so an acknowledged write survives a process kill, an OS crash and a power loss.
     */
    LMDB,

    /**
     * SQLite (WAL) in the data directory, committed with {@code synchronous=FULL}: the WAL is flushed before a write
     * is acknowledged, with the same guarantee as {@link #LMDB}.
     */
    SQLITE,

    /**
     * In memory: nothing survives the process; a restarted node gets everything back from its peers.
     */
    MEMORY
}
