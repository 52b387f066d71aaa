package io.datacake.perf;

import java.util.Locale;

/**
 * The operations a workload issues, named as in {@code --mix} and {@code --threshold}.
 */
public enum Operation
{
    /** A write of one value at the run's consistency level. */
    PUT,
    /** A local read of one key on the coordinator's storage. */
    GET,
    /** A delete of one key (a tombstone) at the run's consistency level. */
    DELETE;

    private static final Operation[] VALUES = values();

    /**
     * @param ordinal an operation's ordinal.
     * @return the operation.
     */
    static Operation of(final int ordinal)
    {
        return VALUES[ordinal];
    }

    /**
     * @return the name the command line and the report use.
     */
    @Override
    public String toString()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
