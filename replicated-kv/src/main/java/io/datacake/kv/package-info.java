/**
 * A replicated key-value node as a process or embedded: {@link io.datacake.kv.ReplicatedKvNode} puts the node, gossip
 * membership and the replicated store on Aeron UDP and LMDB, SQLite or memory storage, and serves them over HTTP;
 * {@link io.datacake.kv.KvNodeConfig} holds its settings (fluent, or {@code key=value} properties named after the
 * command line options); {@link io.datacake.kv.NodeProcess} runs one until SIGTERM.
 */
package io.datacake.kv;
