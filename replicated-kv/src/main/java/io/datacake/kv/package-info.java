/**
 * A replicated key-value node as a process or embedded: {@link io.datacake.kv.ReplicatedKvNode} puts the node, gossip
 * membership and the replicated store on Aeron UDP and LMDB, SQLite or memory storage, and serves them over HTTP;
 * {@link io.datacake.kv.KvNodeConfig} holds its settings (fluent, or {@code key=value} properties named after the
 * command line options); {@link io.datacake.kv.NodeProcess} runs one until SIGTERM. Cluster traffic beyond loopback
 * needs a keyring (read from a file or an environment variable, reloaded on SIGHUP) unless insecure is set; the HTTP
 * API can require a bearer token.
 */
package io.datacake.kv;
