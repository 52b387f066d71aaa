/**
 * Storage benchmarks: get, multi-get, batched put and metadata scans of the memory, LMDB and SQLite storages, each
 * against the raw library (lmdbjava, JDBC) doing the same work in the same run.
 */
package io.datacake.benchmarks.storage;
