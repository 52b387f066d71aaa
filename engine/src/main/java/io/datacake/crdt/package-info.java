/**
 * Conflict-free replicated state kept off-heap: {@link io.datacake.crdt.Orswot}, the observed-remove set of one
 * keyspace (64-bit key to HLC timestamp, live entries and tombstones, per-source seen stamps), with last write
 * wins by (stamp, node id) and insert-wins on an exact tie; {@link io.datacake.crdt.OrswotCodec}, its versioned
 * in-place encoding; {@link io.datacake.crdt.SafeStampBound}, the cluster-wide bound that keeps tombstone purges
 * from resurrecting keys.
 * <p>
 * Tables are open-addressing arrays in Agrona buffers: no per-entry objects, a known number of bytes per key.
 * A set is owned by one thread and must be closed to release its memory.
 */
package io.datacake.crdt;
