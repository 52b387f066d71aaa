package io.datacake.transport;

/**
 * Makes connected transports for the reusable engine test suites (RPC scenarios, node tests). A transport module
 * runs the engine's suites over its own transport by extending the abstract test classes and returning its factory
 * from {@code transportFactory()}.
 * <p>
 * Contract:
 * <ul>
 *     <li>{@link #create(int)} returns transports that reach each other by resolving one another's
 *     {@link Transport#localEndpoint()}; each is then owned by one node (one thread at a time);</li>
 *     <li>every test gets a fresh factory and calls {@link #close()} at the end, which closes every transport it made
 *     (idempotently) and releases shared resources (media drivers, temp dirs). No fixed ports, no shared dirs.</li>
 * </ul>
 */
public interface TransportFactory extends AutoCloseable
{
    /**
     * Create transports for {@code nodeCount} nodes that can reach one another.
     *
     * @param nodeCount how many transports, at least 1.
     * @return the transports, one per node, in node order.
     */
    Transport[] create(int nodeCount);

    /**
     * An endpoint that is syntactically valid for these transports but where nothing listens, for "peer down" tests.
     *
     * @return an endpoint nobody listens on.
     */
    String unreachableEndpoint();

    /**
     * Close every transport created by this factory and release shared resources. Idempotent.
     */
    @Override
    void close();
}
