/**
 * The node event loop: one {@link io.datacake.node.Node} is one Agrona agent that owns all node state, fed by a
 * bounded command queue, with timers, counters and a duty cycle other components plug into.
 * <p>
 * Long-lived parts of a node (membership, replication, a storage writer) are {@link io.datacake.node.Component}s
 * registered with {@link io.datacake.node.NodeContext#addComponent} before launch. The node starts them in
 * registration order on the launching thread, before it polls its first frame, handing each the
 * {@link io.datacake.node.NodeServices} (clock, timers, RPC, counters, duties, a seeded random); it then runs their
 * work on every turn of the duty cycle, tells them when transport peers come and go (after the RPC layer), and
 * closes them in reverse order. A component that fails to start fails the launch with
 * {@link io.datacake.node.ComponentStartException} once those started before it are closed; a component that
 * throws later is counted and reported, and the node keeps running.
 * <p>
 * One-off work from application threads goes through {@link io.datacake.node.Node#execute} and
 * {@link io.datacake.node.Node#submit}; it runs between other traffic, so anything that must see the first request
 * belongs in a component.
 */
package io.datacake.node;
