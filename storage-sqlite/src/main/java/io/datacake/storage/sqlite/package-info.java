/**
 * {@link io.datacake.storage.sqlite.SqliteStorage}: the storage on SQLite (sqlite-jdbc) in WAL mode, one writer
 * connection with reused prepared statements and one reader connection per reading thread. The schema is marked
 * and versioned in the file; durability is chosen with {@link io.datacake.storage.sqlite.SqliteDurability}.
 */
package io.datacake.storage.sqlite;
