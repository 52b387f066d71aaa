package io.datacake.transport;

import java.util.ArrayList;

/**
 * {@link TransportFactory} over one {@link InProcessNetwork} per factory.
 */
public final class InProcessTransportFactory implements TransportFactory
{
    private final InProcessNetwork network = new InProcessNetwork();
    private final ArrayList<Transport> created = new ArrayList<>();

    /**
     * {@inheritDoc}
     */
    @Override
    public Transport[] create(final int nodeCount)
    {
        final Transport[] transports = new Transport[nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            transports[i] = network.newTransport();
            created.add(transports[i]);
        }
        return transports;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String unreachableEndpoint()
    {
        return "inproc-nobody-listens-here";
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void close()
    {
        created.forEach(Transport::close);
        created.clear();
    }
}
