/**
 * The storage SPI and the in-memory storage. {@link io.datacake.storage.Storage}'s javadoc is the contract every
 * storage meets (the conformance kit in {@code datacake-storage-tck} checks it): named keyspaces of 64-bit document
 * ids, last write wins by HLC timestamp, tombstones, atomic batched commits
 * ({@link io.datacake.storage.WriteBatch}), and read transactions over a consistent snapshot whose values are
 * views valid inside the read scope ({@link io.datacake.storage.ReadTransaction}).
 * {@link io.datacake.storage.MemoryStorage} keeps values off-heap for tests and embedded use;
 * {@link io.datacake.storage.KeyspaceStateLoader} rebuilds a keyspace's set from stored metadata at start.
 */
package io.datacake.storage;
