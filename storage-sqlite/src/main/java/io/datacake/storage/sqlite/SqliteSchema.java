package io.datacake.storage.sqlite;

/**
 * The SQLite schema, version 1, and the SQL run against it. The file is marked with
 * {@code PRAGMA application_id = }{@link #APPLICATION_ID} and versioned with {@code PRAGMA user_version}.
 * <pre>
 *   keyspaces(id INTEGER PRIMARY KEY, name TEXT UNIQUE)
 *   entries(keyspace_id, doc_id, stamp, node_id, tombstone, data BLOB)  primary key (keyspace_id, doc_id),
 *                                                                       WITHOUT ROWID
 * </pre>
 * Document ids are stored as signed 64-bit integers, stamps as the packed HLC {@code long} (always positive), so
 * last-write-wins compares in SQL: an upsert only overwrites a row whose (stamp, node_id) is smaller. SQLite orders
 * the ids signed, so a metadata scan reads the non-negative range and then the negative one to visit them in the
 * unsigned order the storage contract requires.
 */
final class SqliteSchema
{
    /** "DCKS" */
    static final int APPLICATION_ID = 0x44434B53;
    static final int VERSION = 1;

    /** SQLite's default SQLITE_MAX_LENGTH is 10^9 bytes per blob. */
    static final int MAX_VALUE_LENGTH = 1_000_000_000;

    static final String[] CREATE = {
        "CREATE TABLE keyspaces(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
        "CREATE TABLE entries(" +
            "keyspace_id INTEGER NOT NULL, doc_id INTEGER NOT NULL, stamp INTEGER NOT NULL, " +
            "node_id INTEGER NOT NULL, tombstone INTEGER NOT NULL, data BLOB, " +
            "PRIMARY KEY(keyspace_id, doc_id)) WITHOUT ROWID",
        "PRAGMA application_id = " + APPLICATION_ID,
        "PRAGMA user_version = " + VERSION,
    };

    private static final String NEWER =
        " WHERE excluded.stamp > entries.stamp OR (excluded.stamp = entries.stamp AND excluded.node_id > entries.node_id)";

    // On the very same timestamp a put beats a tombstone (the ORSWOT's tie rule).
    static final String PUT =
        "INSERT INTO entries(keyspace_id, doc_id, stamp, node_id, tombstone, data) VALUES(?, ?, ?, ?, 0, ?) " +
        "ON CONFLICT(keyspace_id, doc_id) DO UPDATE SET " +
        "stamp = excluded.stamp, node_id = excluded.node_id, tombstone = 0, data = excluded.data" + NEWER +
        " OR (excluded.stamp = entries.stamp AND excluded.node_id = entries.node_id AND entries.tombstone = 1)";

    static final String TOMBSTONE =
        "INSERT INTO entries(keyspace_id, doc_id, stamp, node_id, tombstone, data) VALUES(?, ?, ?, ?, 1, NULL) " +
        "ON CONFLICT(keyspace_id, doc_id) DO UPDATE SET " +
        "stamp = excluded.stamp, node_id = excluded.node_id, tombstone = 1, data = NULL" + NEWER;

    static final String REMOVE_TOMBSTONE = "DELETE FROM entries WHERE keyspace_id = ? AND doc_id = ? AND tombstone = 1";

    static final String INSERT_KEYSPACE = "INSERT INTO keyspaces(id, name) VALUES(?, ?)";

    static final String SELECT_KEYSPACES = "SELECT id, name FROM keyspaces";

    static final String GET =
        "SELECT stamp, node_id, data FROM entries WHERE keyspace_id = ? AND doc_id = ? AND tombstone = 0";

    /**
     * Metadata of one signed id range, in id order. SQLite orders integers signed; run it for [0, MAX] and then
     * [MIN, -1] to visit unsigned key order, each an index range scan of the primary key.
     */
    static final String METADATA =
        "SELECT doc_id, stamp, node_id, tombstone FROM entries WHERE keyspace_id = ? AND doc_id BETWEEN ? AND ? " +
        "ORDER BY doc_id";

    private SqliteSchema()
    {
    }
}
