/**
 * ORSWOT benchmarks: insert, get, delete, merge and diff of the off-heap set against an on-heap baseline built from
 * JDK maps ({@code HeapOrswot}) in the same run, and a memory probe that reports bytes per live key.
 */
package io.datacake.benchmarks.crdt;
