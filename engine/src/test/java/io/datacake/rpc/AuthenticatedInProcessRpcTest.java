package io.datacake.rpc;

import io.datacake.node.NodeContext;
import io.datacake.security.FrameProtection;
import io.datacake.testing.TestKeyrings;
import io.datacake.transport.InProcessTransportFactory;
import io.datacake.transport.TransportFactory;

import java.util.function.Consumer;

/**
 * The RPC scenarios over the in-process transport with every frame authenticated.
 */
final class AuthenticatedInProcessRpcTest extends TransportRpcScenarios
{
    @Override
    protected TransportFactory transportFactory()
    {
        return new InProcessTransportFactory();
    }

    @Override
    protected RpcTestCluster createCluster(final int nodeCount, final Consumer<NodeContext> customizer)
    {
        return super.createCluster(nodeCount, TestKeyrings.secured(FrameProtection.AUTHENTICATE).andThen(customizer));
    }
}
