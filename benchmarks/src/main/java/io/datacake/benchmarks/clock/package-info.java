/**
 * Hybrid logical clock benchmarks: {@code send}/{@code recv} of the engine's clock against an on-heap object-based
 * clock ({@code HeapHlc}) measured in the same run.
 */
package io.datacake.benchmarks.clock;
