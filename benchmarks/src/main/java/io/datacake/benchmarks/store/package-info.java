/**
 * Store benchmarks: the off-heap Tictac hash tree ({@code apply}, tree-to-tree comparison, and a full bounded
 * exchange round through the wire codecs) against an on-heap {@code long[]} tree ({@code HeapTictacTree}) doing the
 * same work in the same run.
 */
package io.datacake.benchmarks.store;
