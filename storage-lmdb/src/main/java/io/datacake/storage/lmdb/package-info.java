/**
 * {@link io.datacake.storage.lmdb.LmdbStorage}: the storage on LMDB (lmdbjava with Agrona's {@code DirectBuffer}
 * proxy). Values are read as views of the memory-mapped pages and go to the caller without a copy; the on-disk
 * format is versioned and documented on the class; durability is chosen with
 * {@link io.datacake.storage.lmdb.LmdbDurability} in {@link io.datacake.storage.lmdb.LmdbStorageConfig}.
 */
package io.datacake.storage.lmdb;
