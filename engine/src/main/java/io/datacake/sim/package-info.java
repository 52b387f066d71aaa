/**
 * Deterministic simulation: a virtual clock, a simulated network with seeded faults (loss, duplication, delay,
 * reordering, partitions) and a {@link io.datacake.sim.Simulation} driver that steps many nodes in one thread.
 */
package io.datacake.sim;
