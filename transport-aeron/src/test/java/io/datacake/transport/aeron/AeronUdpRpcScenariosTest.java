package io.datacake.transport.aeron;

import io.datacake.rpc.TransportRpcScenarios;
import io.datacake.transport.TransportFactory;
import io.datacake.transport.aeron.AeronTransportFactory.Media;

/**
 * The engine's whole RPC scenario suite, unchanged, over Aeron UDP on loopback (one embedded media driver per node,
 * as on separate hosts).
 */
class AeronUdpRpcScenariosTest extends TransportRpcScenarios
{
    /**
     * {@inheritDoc}
     */
    @Override
    protected TransportFactory transportFactory()
    {
        return new AeronTransportFactory(Media.UDP);
    }
}
