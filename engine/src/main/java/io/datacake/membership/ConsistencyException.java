package io.datacake.membership;

/**
 * Not enough members are live to meet a {@link ConsistencyLevel}: the operation cannot be acknowledged as asked.
 * Names the level, the number of other live members needed, the number alive and, for per data centre levels, the
 * data centre that falls short.
 */
public class ConsistencyException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final ConsistencyLevel level;
    private final int required;
    private final int alive;
    private final String dataCentre;

    /**
     * @param level      the level asked for.
     * @param required   live members needed besides the local node.
     * @param alive      live members available besides the local node (in {@code dataCentre} if given).
     * @param dataCentre the data centre that falls short, or null for the whole cluster.
     * @param detail     how the requirement was derived.
     */
    public ConsistencyException(
        final ConsistencyLevel level,
        final int required,
        final int alive,
        final String dataCentre,
        final String detail)
    {
        this(level + " needs " + required + " other live member" + (1 == required ? "" : "s") +
            (null == dataCentre ? "" : " in data centre '" + dataCentre + "'") + " (" + detail + "), " + alive +
            (1 == alive ? " is" : " are") + " alive", level, required, alive, dataCentre);
    }

    /**
     * For subclasses that explain the shortfall their own way.
     *
     * @param message    the whole message.
     * @param level      the level asked for.
     * @param required   live members needed besides the local node.
     * @param alive      live members available besides the local node (in {@code dataCentre} if given).
     * @param dataCentre the data centre that falls short, or null for the whole cluster.
     */
    protected ConsistencyException(
        final String message,
        final ConsistencyLevel level,
        final int required,
        final int alive,
        final String dataCentre)
    {
        super(message);
        this.level = level;
        this.required = required;
        this.alive = alive;
        this.dataCentre = dataCentre;
    }

    /**
     * @return the level asked for.
     */
    public ConsistencyLevel level()
    {
        return level;
    }

    /**
     * @return the number of other live members needed.
     */
    public int required()
    {
        return required;
    }

    /**
     * @return the number of other live members available.
     */
    public int alive()
    {
        return alive;
    }

    /**
     * @return the data centre that falls short, or null if the shortfall is cluster wide.
     */
    public String dataCentre()
    {
        return dataCentre;
    }
}
