package io.datacake.sim;

import io.datacake.node.NodeContext;
import io.datacake.rpc.RpcTestCluster;
import io.datacake.security.FrameProtection;
import io.datacake.testing.TestKeyrings;

import java.util.function.Consumer;

/**
 * The RPC scenarios through the simulated network with every frame encrypted.
 */
final class EncryptedSimulatedRpcTest extends SimulatedRpcTest
{
    @Override
    protected RpcTestCluster createCluster(final int nodeCount, final Consumer<NodeContext> customizer)
    {
        return super.createCluster(nodeCount, TestKeyrings.secured(FrameProtection.ENCRYPT).andThen(customizer));
    }
}
