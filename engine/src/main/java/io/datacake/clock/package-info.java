/**
 * The hybrid logical clock: {@link io.datacake.clock.HybridLogicalClock} stamps local events and merges remote
 * stamps; {@link io.datacake.clock.HlcTimestamp} packs a stamp into one {@code long} (48 bits of Unix milliseconds,
 * a 16-bit logical counter) and gives its readable form. The node id travels beside the stamp and breaks ties.
 * Every refusal is a subclass of {@link io.datacake.clock.HlcException} and leaves the clock unchanged.
 * <p>
 * Physical time comes from an injected Agrona {@code EpochClock}, so a simulation drives it. A clock is owned by
 * one thread (the node thread) and allocates nothing unless it throws.
 */
package io.datacake.clock;
