/**
 * The replicated store's anti-entropy content track. {@link io.datacake.store.TictacTree} is a per-keyspace
 * two-level hash tree (root, branches, segments; each level the XOR of the entry hashes below it) held off-heap and
 * kept current in O(1) per insert, update or delete. {@link io.datacake.store.TictacExchange} (the asking side) and
 * {@link io.datacake.store.TictacResponder} (the answering side) compare two replicas' trees level by level in
 * bounded messages ({@link io.datacake.store.TictacCodec} writes them, {@link io.datacake.store.TictacMessage}
 * reads and checks them) and yield the mismatched segments whose entries must be exchanged, so repair costs follow
 * the size of the difference and find content that differs under equal version stamps.
 * <p>
 * Everything here is a pure data structure or codec driven by its owner's thread: no threads, no I/O, buffers
 * passed in. The replicated store that drives them will join this package.
 */
package io.datacake.store;
