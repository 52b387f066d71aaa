package io.datacake.rpc;

import io.datacake.node.Node;

import java.util.concurrent.CompletableFuture;

/**
 * A few connected nodes for the reusable RPC scenarios: either threads over a real transport
 * ({@link TransportRpcScenarios}) or stepped in virtual time by a simulation.
 */
public interface RpcTestCluster extends AutoCloseable
{
    /**
     * A node of the cluster.
     *
     * @param index 0..size-1.
     * @return the node.
     */
    Node node(int index);

    /**
     * Wait (or step the simulation) until the future completes, within a generous bound that only guards against
     * hangs.
     *
     * @param future the future.
     * @param <T>    the result type.
     * @return the same future, done.
     * @throws AssertionError if it did not complete within the bound.
     */
    <T> CompletableFuture<T> await(CompletableFuture<T> future);

    /**
     * An endpoint where nothing listens.
     *
     * @return the endpoint.
     */
    String unreachableEndpoint();

    /**
     * Close every node and the transports' shared resources.
     */
    @Override
    void close();
}
