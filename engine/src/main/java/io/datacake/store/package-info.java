/**
 * The replicated store: named keyspaces of 64-bit keys replicated leaderlessly across the cluster, each key holding
 * its last write by hybrid logical clock timestamp, deletes kept as tombstones.
 * <p>
 * {@link io.datacake.store.ReplicatedStore} is the node component, configured by
 * {@link io.datacake.store.StoreContext}: it rebuilds every keyspace's set and content tree from storage at start,
 * coordinates writes on the node thread (replicas chosen per consistency level from the cluster view, the write
 * stamped once, applied, committed through a group-commit storage writer, and acknowledged by each selected replica
 * only after its own commit) and serves other coordinators' replicate messages.
 * {@link io.datacake.store.StoreHandle} and {@link io.datacake.store.KeyspaceHandle} are the thread-safe faces for
 * application threads: writes return futures (or block in their {@code AndWait} forms), or, in the keyspace handle's
 * callback form, report to a {@link io.datacake.store.WriteCallback} with a {@link io.datacake.store.WriteStatus}
 * and allocate nothing in steady state; reads are local and run on the caller's thread, as a copy, into the
 * caller's buffer, or in place through a {@link io.datacake.store.ValueReader}. A write that cannot meet its level fails with
 * {@link io.datacake.membership.ConsistencyException} before anything is written; one that meets it but does not get
 * its acknowledgements fails with {@link io.datacake.store.ReplicationException}; a full bound with
 * {@link io.datacake.store.StoreBackPressureException}.
 * <p>
 * The anti-entropy content track lives here too. {@link io.datacake.store.TictacTree} is a per-keyspace two-level
 * hash tree (root, branches, segments; each level the XOR of the entry hashes below it) held off-heap and kept
 * current in O(1) per insert, update or delete. {@link io.datacake.store.TictacExchange} (the asking side) and
 * {@link io.datacake.store.TictacResponder} (the answering side) compare two replicas' trees level by level in
 * bounded messages ({@link io.datacake.store.TictacCodec} writes them, {@link io.datacake.store.TictacMessage}
 * reads and checks them) and yield the mismatched segments whose entries must be exchanged, so repair costs follow
 * the size of the difference and find content that differs under equal version stamps. The store keeps the trees
 * current and runs one bounded repair round every {@link io.datacake.store.StoreContext#repairIntervalMs(long)}
 * against one live peer in turn (see {@link io.datacake.store.ReplicatedStore}), reads the values peers fetch from
 * it on a repair reader thread rather than the node thread (bounded by
 * {@link io.datacake.store.StoreContext#repairReaderQueueCapacity(int)}), and purges tombstones once every
 * live member holds them and {@link io.datacake.store.StoreContext#tombstoneGraceMs(long)} has passed.
 * {@link io.datacake.store.StoreStatistics} reads what the store has done from any thread.
 */
package io.datacake.store;
