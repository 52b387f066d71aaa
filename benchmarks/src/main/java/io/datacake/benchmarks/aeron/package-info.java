/**
 * Aeron transport benchmarks: round trip and one-way throughput of the engine's RPC and transport over Aeron IPC and
 * UDP, each beside raw Aeron publications and subscriptions doing the same work in the same run, plus a latency run
 * with HdrHistogram output.
 */
package io.datacake.benchmarks.aeron;
