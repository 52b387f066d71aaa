package io.datacake.transport.aeron;

import io.datacake.rpc.TransportRpcScenarios;
import io.datacake.transport.TransportFactory;
import io.datacake.transport.aeron.AeronTransportFactory.Media;

/**
 * The engine's whole RPC scenario suite, unchanged, over Aeron IPC (nodes sharing one embedded media driver).
 */
class AeronIpcRpcScenariosTest extends TransportRpcScenarios
{
    /**
     * {@inheritDoc}
     */
    @Override
    protected TransportFactory transportFactory()
    {
        return new AeronTransportFactory(Media.IPC);
    }
}
