package io.datacake.transport.aeron;

import io.datacake.node.NodeContext;
import io.datacake.rpc.RpcTestCluster;
import io.datacake.security.FrameProtection;
import io.datacake.testing.TestKeyrings;

import java.util.function.Consumer;

/**
 * The engine's RPC scenario suite over Aeron UDP on loopback with every frame encrypted.
 */
final class EncryptedAeronUdpRpcTest extends AeronUdpRpcScenariosTest
{
    /**
     * {@inheritDoc}
     */
    @Override
    protected RpcTestCluster createCluster(final int nodeCount, final Consumer<NodeContext> customizer)
    {
        return super.createCluster(nodeCount, TestKeyrings.secured(FrameProtection.ENCRYPT).andThen(customizer));
    }
}
