/**
 * Benchmarks of frame security on its own: the tag of one frame by the engine's sealer and opener against the
 * JDK's digest and MAC primitives over the same bytes.
 */
package io.datacake.benchmarks.security;
