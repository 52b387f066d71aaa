package io.datacake.node;

/**
 * {@link Node#launch(NodeContext)} failed because a {@link Component} threw from {@link Component#onStart}. The
 * components started before it have been closed in reverse order; exceptions they threw while closing are
 * attached as suppressed. The cause is the component's exception.
 */
public final class ComponentStartException extends RuntimeException
{
    /** Serialisation version. */
    private static final long serialVersionUID = 1L;

    /** Position of the failed component in registration order. */
    private final int componentIndex;

    ComponentStartException(final int nodeId, final int componentIndex, final Component component,
        final Throwable cause)
    {
        super("node " + nodeId + ": component " + componentIndex + " (" + component + ") failed to start: " +
            cause.getMessage() + "; the " + componentIndex + " component(s) started before it were closed", cause);
        this.componentIndex = componentIndex;
    }

    /**
     * The position of the failed component in registration order.
     *
     * @return 0 for the first component registered.
     */
    public int componentIndex()
    {
        return componentIndex;
    }
}
