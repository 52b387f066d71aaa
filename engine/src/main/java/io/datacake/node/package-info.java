/**
 * The node event loop: one {@link io.datacake.node.Node} is one Agrona agent that owns all node state, fed by a
 * bounded command queue, with timers, counters and a duty cycle other components plug into.
 */
package io.datacake.node;
