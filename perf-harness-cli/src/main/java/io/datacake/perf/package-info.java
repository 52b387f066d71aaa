/**
 * The {@code perf-harness} command line (picocli). {@code run} starts an {@link io.datacake.perf.EmbeddedCluster} of
 * replicated stores (gossip membership, memory, LMDB or SQLite storage, Aeron IPC or UDP), drives a mix of puts, gets
 * and deletes through the stores' handles from client threads (bounded in flight, optionally at a fixed rate with
 * latency corrected for coordinated omission), samples HdrHistogram recorders once per interval, and reports
 * throughput, latency percentiles, errors by kind, the time until every replica holds every last write, memory, and
 * whether each {@link io.datacake.perf.Threshold} held.
 */
package io.datacake.perf;
