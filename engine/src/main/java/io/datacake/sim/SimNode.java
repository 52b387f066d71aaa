package io.datacake.sim;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;

import java.util.function.Consumer;

/**
 * What a {@link Simulation} keeps of one node id across its lives: the wall and monotonic clocks and the storage
 * that outlive a crash,
 * the customizer that configures each new incarnation, and the running incarnation if any.
 */
final class SimNode
{
    final int nodeId;
    final String endpoint;
    final SimNodeClock clock;
    final SimMonotonicClock monotonicClock;
    final SimStorage storage;
    final Consumer<NodeContext> customizer;
    long incarnation;
    Node node;

    SimNode(
        final int nodeId,
        final String endpoint,
        final SimNodeClock clock,
        final SimMonotonicClock monotonicClock,
        final SimStorage storage,
        final Consumer<NodeContext> customizer)
    {
        this.nodeId = nodeId;
        this.endpoint = endpoint;
        this.clock = clock;
        this.monotonicClock = monotonicClock;
        this.storage = storage;
        this.customizer = customizer;
    }

    boolean isRunning()
    {
        return null != node && !node.isClosed();
    }
}
