package io.datacake.perf;

import io.datacake.membership.ConsistencyLevel;

import java.util.Locale;

/**
 * The store's consistency levels as the command line names them, in lower case.
 */
public enum Consistency
{
    /** {@link ConsistencyLevel#NONE}. */
    NONE(ConsistencyLevel.NONE),
    /** {@link ConsistencyLevel#ONE}. */
    ONE(ConsistencyLevel.ONE),
    /** {@link ConsistencyLevel#TWO}. */
    TWO(ConsistencyLevel.TWO),
    /** {@link ConsistencyLevel#THREE}. */
    THREE(ConsistencyLevel.THREE),
    /** {@link ConsistencyLevel#QUORUM}. */
    QUORUM(ConsistencyLevel.QUORUM),
    /** {@link ConsistencyLevel#LOCAL_QUORUM}. */
    LOCAL_QUORUM(ConsistencyLevel.LOCAL_QUORUM),
    /** {@link ConsistencyLevel#EACH_QUORUM}. */
    EACH_QUORUM(ConsistencyLevel.EACH_QUORUM),
    /** {@link ConsistencyLevel#ALL}. */
    ALL(ConsistencyLevel.ALL);

    private final ConsistencyLevel level;

    Consistency(final ConsistencyLevel level)
    {
        this.level = level;
    }

    /**
     * @return the store's level.
     */
    public ConsistencyLevel level()
    {
        return level;
    }

    /**
     * @return the name the command line uses.
     */
    @Override
    public String toString()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
