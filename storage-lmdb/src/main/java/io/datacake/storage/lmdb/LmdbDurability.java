package io.datacake.storage.lmdb;

/**
 * How much a returned {@code commit} promises, from safest to fastest. Maps to LMDB's environment flags.
 */
public enum LmdbDurability
{
    /**
     * Flush data and meta pages on every commit (LMDB's default): a returned commit survives an OS crash or power
     * loss.
     */
    SYNC,

    /**
     * Flush data pages but not the meta page ({@code MDB_NOMETASYNC}): an OS crash may lose the last commit, but
     * never corrupts the database.
     */
    NO_META_SYNC,

    /**
     * Never flush ({@code MDB_NOSYNC}); the OS writes pages back when it likes. A process crash loses nothing
     * (pages are in the page cache), an OS crash or power loss may lose recent commits. Fastest; suits nodes whose
     * data is replicated elsewhere.
     */
    NO_SYNC
}
