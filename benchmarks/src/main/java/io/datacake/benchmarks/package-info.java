/**
 * Tools shared by the benchmark suites: {@link io.datacake.benchmarks.CpuTimeRun} runs a single-threaded JMH
 * benchmark method in a plain loop and reports thread CPU time per operation, for A/B comparisons of two builds on a
 * shared machine.
 */
package io.datacake.benchmarks;
