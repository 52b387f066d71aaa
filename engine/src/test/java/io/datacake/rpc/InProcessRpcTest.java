package io.datacake.rpc;

import io.datacake.transport.InProcessTransportFactory;
import io.datacake.transport.TransportFactory;

/**
 * The RPC scenarios over the in-process transport, each node on its own thread.
 */
final class InProcessRpcTest extends TransportRpcScenarios
{
    @Override
    protected TransportFactory transportFactory()
    {
        return new InProcessTransportFactory();
    }
}
