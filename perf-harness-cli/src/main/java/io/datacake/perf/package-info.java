/**
 * The {@code perf-harness} command line (picocli): {@code run} starts an embedded cluster on the chosen transport,
 * drives a replicated write workload through it, and reports latency percentiles (HdrHistogram), throughput and
 * whether the replicas ended with the same data.
 */
package io.datacake.perf;
