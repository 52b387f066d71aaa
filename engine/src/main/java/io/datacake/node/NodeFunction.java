package io.datacake.node;

/**
 * A computation run on the node thread whose result completes a future ({@link Node#execute(NodeFunction)}).
 *
 * @param <T> the result type.
 */
@FunctionalInterface
public interface NodeFunction<T>
{
    /**
     * Compute on the node thread; must not block.
     *
     * @param services the node's services.
     * @return the result.
     * @throws Exception any failure, which completes the future exceptionally.
     */
    T apply(NodeServices services) throws Exception;
}
