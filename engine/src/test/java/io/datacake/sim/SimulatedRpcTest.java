package io.datacake.sim;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.rpc.RpcScenarios;
import io.datacake.rpc.RpcTestCluster;
import io.datacake.testing.SeededTrials;

import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The RPC scenarios through the simulated network, all nodes stepped in virtual time by one thread.
 */
class SimulatedRpcTest extends RpcScenarios
{
    /** Virtual-time bound on waiting for a future; far beyond any scenario's timeouts. */
    static final long AWAIT_BOUND_VIRTUAL_MS = 120_000;

    @Override
    protected RpcTestCluster createCluster(final int nodeCount, final Consumer<NodeContext> customizer)
    {
        final Simulation simulation = new Simulation(SeededTrials.seed("SimulatedRpcTest", 42));
        final ArrayList<Node> nodes = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++)
        {
            nodes.add(simulation.addNode(i + 1, customizer));
        }
        return new RpcTestCluster()
        {
            public Node node(final int index)
            {
                return nodes.get(index);
            }

            public <T> CompletableFuture<T> await(final CompletableFuture<T> future)
            {
                if (!simulation.await(future, AWAIT_BOUND_VIRTUAL_MS).isDone())
                {
                    throw new AssertionError("future not done after " + AWAIT_BOUND_VIRTUAL_MS +
                        " virtual ms; " + simulation.replayHint() + "\n" + simulation.trace().recentEvents());
                }
                return future;
            }

            public String unreachableEndpoint()
            {
                return "sim-nobody";
            }

            public void close()
            {
                simulation.close();
            }
        };
    }
}
