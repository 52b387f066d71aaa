/**
 * Deterministic simulation: many nodes stepped in one thread in virtual time, with every source of
 * non-determinism drawn from one seed.
 * <ul>
 *   <li>{@link io.datacake.sim.Simulation} drives the run: it launches nodes in invoker mode, steps them in a fresh
 *       seeded order every round, crashes them (volatile state dropped, no close, nothing sent on their behalf)
 *       and restarts them as new incarnations of the same node id. Its customizer runs after the simulation's
 *       defaults, so a scenario can wrap or replace the transport and clock.</li>
 *   <li>{@link io.datacake.sim.SimClock} is the shared virtual time; {@link io.datacake.sim.SimNodeClock} is one
 *       node's wall clock over it, with an offset and a drift rate that can change during a run, within or beyond
 *       the HLC's maximum drift.</li>
 *   <li>{@link io.datacake.sim.SimNetwork} and {@link io.datacake.sim.SimTransport} carry frames with the
 *       {@link io.datacake.sim.NetworkFaults} (loss, duplication, delay and so reordering) and partitions; a frame
 *       in flight to a node that crashes is lost.</li>
 *   <li>{@link io.datacake.sim.SimStorage} is a node's disk: commits are read at once and become durable when the
 *       {@link io.datacake.sim.StorageFaults} plan says (or fail), and a crash loses what was not durable.</li>
 *   <li>{@link io.datacake.sim.EventTrace} folds every event into a digest: same seed, same digest. A failing seed
 *       replays with {@code -Ddatacake.sim.seed=<seed>} ({@link io.datacake.sim.Simulation#SEED_PROPERTY}).</li>
 * </ul>
 */
package io.datacake.sim;
